//! Mailboxes (RFC 3501 §5.1): their identity and counters, the answer to
//! SELECT/EXAMINE (RFC 3501 §6.3.1) and the changes after a MODSEQ that
//! CONDSTORE/QRESYNC resynchronisation reads (RFC 7162 §3.2.5).

use crate::{MailboxId, ModSeq, Uid, UidSet};

use super::FlagUpdate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    pub id: MailboxId,
    /// UTF-8 full path with `/` as the hierarchy delimiter, `INBOX` spelled
    /// in capitals.
    pub name: String,
    pub uidvalidity: u32,
    pub uid_next: u32,
    pub highest_modseq: ModSeq,
    /// `\Sent`, `\Drafts`, ... as stored, or `None`.
    pub special_use: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxStatus {
    pub mailbox: MailboxInfo,
    pub messages: u32,
    /// UIDs at or above the `\Recent` watermark.
    pub recent: u32,
    pub unseen: u32,
    pub size: u64,
    /// Messages with `\Deleted` (RFC 9051 §6.3.11 STATUS DELETED).
    pub deleted: u32,
    /// Octets of the messages with `\Deleted`: what an EXPUNGE would free
    /// (RFC 9208 STATUS DELETED-STORAGE, sent in units of 1024 octets).
    pub deleted_size: u64,
}

/// The answer to SELECT/EXAMINE: counters and the whole UID list as ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedMailbox {
    pub mailbox: MailboxInfo,
    pub uids: UidSet,
    /// UIDs that are `\Recent` for this session. SELECT: the UIDs this
    /// session claimed; EXAMINE: the unclaimed ones, left unclaimed.
    pub recent: UidSet,
    pub first_unseen: Option<Uid>,
    /// Keywords in use in the mailbox (for the FLAGS response).
    pub keywords: Vec<String>,
}

/// Everything that happened in a mailbox after a MODSEQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    pub highest_modseq: ModSeq,
    pub uid_next: u32,
    /// New messages and flag changes, ascending UID.
    pub changed: Vec<FlagUpdate>,
    pub expunged: UidSet,
}
