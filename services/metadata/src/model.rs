//! Domain types of the metadata service: what [`crate::MetadataStore`] takes
//! and returns. They are independent of the wire (proto) and of SQL; the gRPC
//! layer converts at its edge. Ids are the validated newtypes of
//! `mailkeep-common`, so a value that exists here is well formed.

use mailkeep_common::{AccountId, BlobId, MailboxId, ModSeq, TenantId, Uid, UidSet};

/// A tenant: one mail domain and its accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    /// Lower-case domain.
    pub domain: String,
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// Parameters of a new account; the password is hashed before storage.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub domain: String,
    pub local_part: String,
    pub password: String,
    /// 0 = unlimited.
    pub quota_bytes: u64,
    /// 0 = unlimited.
    pub quota_messages: u64,
}

impl std::fmt::Debug for NewAccount {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("domain", &self.domain)
            .field("local_part", &self.local_part)
            .field("quota_bytes", &self.quota_bytes)
            .field("quota_messages", &self.quota_messages)
            .finish_non_exhaustive()
    }
}

/// An account with its quota and current usage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub tenant_id: TenantId,
    pub local_part: String,
    pub domain: String,
    pub status: String,
    pub quota_bytes: u64,
    pub quota_messages: u64,
    pub used_bytes: u64,
    pub used_messages: u64,
    pub created_at: i64,
}

/// System flags as a bitmask; the bits are those of the wire contract.
pub mod system_flag {
    pub const SEEN: u32 = 1;
    pub const ANSWERED: u32 = 2;
    pub const FLAGGED: u32 = 4;
    pub const DELETED: u32 = 8;
    pub const DRAFT: u32 = 16;
    /// Every defined bit; others are rejected.
    pub const ALL: u32 = SEEN | ANSWERED | FLAGGED | DELETED | DRAFT;
}

/// The flags of one message: system bits plus keywords (case kept).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Flags {
    pub system: u32,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    pub id: MailboxId,
    /// UTF-8 full path, `/` delimited, `INBOX` spelled in capitals.
    pub name: String,
    pub uidvalidity: u32,
    pub uid_next: u32,
    pub highest_modseq: ModSeq,
    /// `\Sent`, `\Drafts`, ... or `None`.
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
}

/// The answer to SELECT/EXAMINE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedMailbox {
    pub mailbox: MailboxInfo,
    pub uids: UidSet,
    /// SELECT: the UIDs this session claimed as `\Recent`. EXAMINE: the
    /// unclaimed `\Recent` UIDs, left unclaimed.
    pub recent: UidSet,
    pub first_unseen: Option<Uid>,
    /// Keywords set on at least one message of the mailbox, by name.
    pub keywords: Vec<String>,
}

/// What the MIME analysis derived at append time; the pre-encoded fields are
/// opaque bytes to this service.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageAnalysis {
    pub envelope: Vec<u8>,
    pub bodystructure: Vec<u8>,
    pub body: Vec<u8>,
    pub part_table: Vec<u8>,
    /// One `lower-case-name: decoded value\n` line per header field.
    pub header_text: String,
    pub body_text: String,
    /// The Date: header's wall-clock time read as UTC, unix seconds.
    pub sent_date: Option<i64>,
    pub subject: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub message_id: String,
}

/// One message to append; its body is already in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub blob_id: BlobId,
    pub size: u64,
    /// Unix seconds.
    pub internal_date: i64,
    /// Minutes east of UTC.
    pub internal_date_offset: i32,
    pub flags: Flags,
    pub analysis: MessageAnalysis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    pub uidvalidity: u32,
    pub uids: Vec<Uid>,
    pub modseq: ModSeq,
}

/// Which optional columns a fetch returns, and CONDSTORE CHANGEDSINCE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetaQuery {
    pub with_envelope: bool,
    pub with_bodystructure: bool,
    pub with_part_table: bool,
    pub changed_since: Option<ModSeq>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    pub uid: Uid,
    pub modseq: ModSeq,
    pub flags: Flags,
    pub blob_id: BlobId,
    pub size: u64,
    pub internal_date: i64,
    pub internal_date_offset: i32,
    /// The pre-encoded columns are empty unless asked for (`body` comes with
    /// `with_bodystructure`).
    pub envelope: Vec<u8>,
    pub bodystructure: Vec<u8>,
    pub body: Vec<u8>,
    pub part_table: Vec<u8>,
    pub email_id: String,
    /// Empty until thread computation exists.
    pub thread_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOperation {
    Replace,
    Add,
    Remove,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUpdate {
    pub uid: Uid,
    pub modseq: ModSeq,
    pub flags: Flags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOutcome {
    /// Every existing message of the set that passed UNCHANGEDSINCE, with its
    /// flags after the store (changed or not).
    pub updated: Vec<FlagUpdate>,
    /// UIDs that failed UNCHANGEDSINCE and were left alone.
    pub modified: UidSet,
    pub highest_modseq: ModSeq,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOutcome {
    /// UIDVALIDITY of the destination.
    pub uidvalidity: u32,
    pub source_uids: Vec<Uid>,
    pub destination_uids: Vec<Uid>,
    /// MOVE: the MODSEQ of the expunge in the source; COPY: zero.
    pub source_modseq: ModSeq,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpungeOutcome {
    pub expunged: UidSet,
    pub highest_modseq: ModSeq,
}

/// Everything that happened in a mailbox after a MODSEQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    pub highest_modseq: ModSeq,
    pub uid_next: u32,
    /// Messages added or whose flags changed, ascending UID.
    pub changed: Vec<FlagUpdate>,
    pub expunged: UidSet,
}

/// A flag a search key tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFlag {
    /// One [`system_flag`] bit.
    System(u32),
    Keyword(String),
}

/// A search program over UIDs. Dates are unix seconds of UTC midnight of the
/// asked day and compare by day; strings are case-insensitive substrings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    All,
    And(Vec<SearchQuery>),
    Or(Vec<SearchQuery>),
    Not(Box<SearchQuery>),
    Uid(UidSet),
    FlagSet(SearchFlag),
    FlagUnset(SearchFlag),
    InternalBefore(i64),
    InternalOn(i64),
    InternalSince(i64),
    SentBefore(i64),
    SentOn(i64),
    SentSince(i64),
    Larger(u64),
    Smaller(u64),
    /// Field name lower-cased; an empty value matches presence of the field.
    Header {
        field: String,
        value: String,
    },
    Body(String),
    Text(String),
    ModSeqAtLeast(ModSeq),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOutcome {
    /// Ascending.
    pub uids: Vec<Uid>,
    pub highest_modseq: ModSeq,
}
