//! The `MailBackend` port: everything an IMAP session needs from the rest of
//! the system, in domain types. The gateway implements it over gRPC; tests
//! implement it in memory. Every call is scoped to the authenticated
//! [`Principal`], and every failure is a [`BackendError`] carrying an
//! [`ErrorCode`] that `imap_code` turns into an IMAP response code.

use async_trait::async_trait;
use futures::stream::BoxStream;
use mailkeep_common::{AccountId, BlobId, ErrorCode, MailboxId, ModSeq, TenantId, Uid, UidSet};

/// A failure reported by the backend.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct BackendError {
    pub code: ErrorCode,
    pub message: String,
}

impl BackendError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

pub type BackendResult<T> = Result<T, BackendError>;

/// The authenticated owner of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: AccountId,
    pub tenant_id: TenantId,
    /// `local@domain`, for logs and the ID/NAMESPACE answers; never a secret.
    pub login: String,
}

/// System flags as a bitmask; the bit values are those of the wire contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SystemFlags(pub u32);

impl SystemFlags {
    pub const SEEN: u32 = 1;
    pub const ANSWERED: u32 = 2;
    pub const FLAGGED: u32 = 4;
    pub const DELETED: u32 = 8;
    pub const DRAFT: u32 = 16;

    pub const fn contains(self, bit: u32) -> bool {
        self.0 & bit == bit
    }
}

/// The flags of one message: system bits plus keywords (atoms, case kept).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Flags {
    pub system: SystemFlags,
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    pub id: MailboxId,
    /// UTF-8 full path with `/` as the hierarchy delimiter.
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
    pub recent: u32,
    pub unseen: u32,
    pub size: u64,
}

/// The answer to SELECT/EXAMINE: counters and the whole UID list as ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedMailbox {
    pub mailbox: MailboxInfo,
    pub uids: UidSet,
    /// UIDs that are `\Recent` for this session.
    pub recent: UidSet,
    pub first_unseen: Option<Uid>,
    /// Keywords in use in the mailbox (for the FLAGS response).
    pub keywords: Vec<String>,
}

/// What the MIME analysis derived from a message at append time. The
/// pre-encoded IMAP fields lead with a format version byte.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageAnalysis {
    pub envelope: Vec<u8>,
    pub bodystructure: Vec<u8>,
    pub body: Vec<u8>,
    pub part_table: Vec<u8>,
    /// Every header field, unfolded and RFC 2047-decoded, one per line as
    /// `lower-case-name: value\n`, in message order (HEADER searches).
    pub header_text: String,
    /// The decoded text of the text/* parts (BODY searches; TEXT searches
    /// header_text and body_text).
    pub body_text: String,
    /// The Date: header's wall-clock time read as if it were UTC (unix
    /// seconds), so `sent_date.div_euclid(86400)` is its own calendar day, as
    /// SENTBEFORE/SENTON/SENTSINCE compare (RFC 3501 §6.4.4). None if absent
    /// or unparseable.
    pub sent_date: Option<i64>,
    pub subject: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub message_id: String,
}

/// One message to append: its raw bytes go to the blob store, the rest to
/// metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub raw: Vec<u8>,
    /// Unix seconds.
    pub internal_date: i64,
    /// The zone the client gave, minutes east of UTC (kept for INTERNALDATE).
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

/// Which optional columns a metadata fetch returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetaQuery {
    pub with_envelope: bool,
    pub with_bodystructure: bool,
    pub with_part_table: bool,
    /// CONDSTORE CHANGEDSINCE.
    pub changed_since: Option<ModSeq>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    pub uid: Uid,
    pub modseq: ModSeq,
    pub flags: Flags,
    pub blob_id: BlobId,
    pub size: u64,
    /// Unix seconds.
    pub internal_date: i64,
    /// Minutes east of UTC.
    pub internal_date_offset: i32,
    /// Empty unless asked for.
    pub envelope: Vec<u8>,
    pub bodystructure: Vec<u8>,
    pub body: Vec<u8>,
    pub part_table: Vec<u8>,
    pub email_id: String,
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
    /// Every existing message of the set, with its flags after the store.
    pub updated: Vec<FlagUpdate>,
    /// UIDs that failed UNCHANGEDSINCE.
    pub modified: UidSet,
    pub highest_modseq: ModSeq,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOutcome {
    /// UIDVALIDITY of the destination.
    pub uidvalidity: u32,
    pub source_uids: Vec<Uid>,
    pub destination_uids: Vec<Uid>,
    /// MOVE only: the MODSEQ of the expunge in the source.
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
    /// New messages and flag changes, ascending UID.
    pub changed: Vec<FlagUpdate>,
    pub expunged: UidSet,
}

/// A flag a SEARCH key tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFlag {
    /// One `SystemFlags` bit.
    System(u32),
    Keyword(String),
}

/// A search program in backend terms: sequence numbers are already UIDs, and
/// dates are unix seconds of UTC midnight of the asked day. A message's
/// internal day is `(internal_date + internal_date_offset * 60).div_euclid(86400)`
/// and its sent day `sent_date.div_euclid(86400)` (RFC 3501 compares dates,
/// ignoring time and timezone). Strings match as case-insensitive substrings.
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
    pub uids: Vec<Uid>,
    pub highest_modseq: ModSeq,
}

/// The port through which a session reaches metadata and blobs.
#[async_trait]
pub trait MailBackend: Send + Sync {
    /// Checks `login` (`local@domain`) and `password`; `AuthenticationFailed`
    /// when either is wrong.
    async fn authenticate(&self, login: &str, password: &str) -> BackendResult<Principal>;

    async fn list_mailboxes(&self, who: &Principal) -> BackendResult<Vec<MailboxInfo>>;
    /// Creates the mailbox and any missing parents.
    async fn create_mailbox(
        &self,
        who: &Principal,
        name: &str,
        special_use: Option<&str>,
    ) -> BackendResult<MailboxInfo>;
    async fn delete_mailbox(&self, who: &Principal, name: &str) -> BackendResult<()>;
    /// Renames the mailbox and its children (INBOX: moves its messages).
    async fn rename_mailbox(&self, who: &Principal, from: &str, to: &str) -> BackendResult<()>;
    async fn set_subscription(
        &self,
        who: &Principal,
        name: &str,
        subscribed: bool,
    ) -> BackendResult<()>;
    async fn list_subscriptions(&self, who: &Principal) -> BackendResult<Vec<String>>;
    async fn mailbox_status(&self, who: &Principal, name: &str) -> BackendResult<MailboxStatus>;
    async fn select_mailbox(
        &self,
        who: &Principal,
        name: &str,
        read_only: bool,
    ) -> BackendResult<SelectedMailbox>;

    /// Stores each body, then commits all messages' metadata at once.
    async fn append(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> BackendResult<AppendOutcome>;
    /// Streams metadata for the existing messages of `uids`, ascending.
    async fn fetch_meta(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        query: MetaQuery,
    ) -> BackendResult<BoxStream<'static, BackendResult<MessageMeta>>>;
    /// Reads `length` bytes (None = to the end) of a body from `offset`.
    async fn read_blob(
        &self,
        who: &Principal,
        blob: BlobId,
        offset: u64,
        length: Option<u64>,
    ) -> BackendResult<Vec<u8>>;
    async fn store_flags(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        operation: StoreOperation,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> BackendResult<StoreOutcome>;
    async fn copy_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome>;
    async fn move_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome>;
    /// Expunges `\Deleted` messages, restricted to `uids` when given.
    async fn expunge(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
    ) -> BackendResult<ExpungeOutcome>;
    async fn changes(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> BackendResult<Changes>;
    async fn search(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
    ) -> BackendResult<SearchOutcome>;
}
