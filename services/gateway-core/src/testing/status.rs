//! The memory backend's read-only summaries: a mailbox's STATUS counters
//! (RFC 9051 §6.3.11, SIZE RFC 8438) and an account's quota usage
//! (RFC 9208 §5), computed from the stored messages on every call.

use super::data::{Account, Mailbox};
use crate::backend::{MailboxStatus, QuotaUsage, SystemFlags};

fn count(matching: usize) -> u32 {
    u32::try_from(matching).unwrap_or(u32::MAX)
}

/// The STATUS counters of one mailbox.
pub(super) fn mailbox_status(mailbox: &Mailbox) -> MailboxStatus {
    let messages = || mailbox.messages.values();
    let with_flag = |flag: u32| count(messages().filter(|m| m.flags.system.contains(flag)).count());
    MailboxStatus {
        mailbox: mailbox.info.clone(),
        messages: count(mailbox.messages.len()),
        recent: count(messages().filter(|m| m.recent).count()),
        unseen: count(mailbox.messages.len()).saturating_sub(with_flag(SystemFlags::SEEN)),
        size: messages().map(|m| m.size).sum(),
        deleted: with_flag(SystemFlags::DELETED),
        deleted_size: messages()
            .filter(|m| m.flags.system.contains(SystemFlags::DELETED))
            .map(|m| m.size)
            .sum(),
    }
}

/// Usage over every mailbox of the account; only a byte limit exists here.
pub(super) fn quota_usage(account: &Account) -> QuotaUsage {
    let messages = || account.mailboxes.iter().flat_map(|m| m.messages.values());
    QuotaUsage {
        bytes_used: messages().map(|m| m.size).sum(),
        bytes_limit: account.quota_bytes,
        messages_used: u64::try_from(messages().count()).unwrap_or(u64::MAX),
        messages_limit: None,
    }
}
