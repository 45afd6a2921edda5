//! LMTP delivery (RFC 2033) in the shared mail model: a recipient address
//! resolved to its account, one stored message per recipient, and where each
//! landed. A delivery stores its body once as a blob; each recipient's row
//! carries its own header prefix (ARCHITECTURE.md §4).

use crate::{AccountId, MailboxId, ModSeq, TenantId, Uid};

use super::NewMessageMeta;

/// The separator of a sub-address: `alice+lists@example.test`.
pub const RECIPIENT_DELIMITER: char = '+';

/// An address resolved for delivery (directly or through an alias).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedRecipient {
    pub account_id: AccountId,
    pub tenant_id: TenantId,
    /// The `+detail` of a sub-address, naming the folder to deliver into.
    pub detail: Option<String>,
}

/// One recipient's copy of a delivered message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientDelivery {
    pub account_id: AccountId,
    /// Delivers into the folder of this name when it exists (exact, then
    /// case-insensitive), else INBOX.
    pub detail: Option<String>,
    pub message: NewMessageMeta,
}

/// Where one recipient's copy landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredMessage {
    pub mailbox_id: MailboxId,
    pub uidvalidity: u32,
    pub uid: Uid,
    pub modseq: ModSeq,
}
