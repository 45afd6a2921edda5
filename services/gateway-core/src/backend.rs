//! The `MailBackend` port: everything an IMAP session needs from the rest of
//! the system, in domain types. The gateway implements it over gRPC; tests
//! implement it in memory. Every call is scoped to the authenticated
//! [`Principal`], and every failure is a [`BackendError`] carrying an
//! [`ErrorCode`] that `imap_code` turns into an IMAP response code. The
//! domain types are the shared mail model of `mailkeep_common::mail`,
//! re-exported here; only [`NewMessage`] (which carries the raw bytes) is the
//! port's own.

use async_trait::async_trait;
use futures::stream::BoxStream;
use mailkeep_common::{AccountId, BlobId, ErrorCode, MailboxId, ModSeq, TenantId, UidSet};

pub use mailkeep_common::mail::{
    AppendOutcome, Changes, CopyOutcome, ExpungeOutcome, FlagUpdate, Flags, MailboxInfo,
    MailboxStatus, MessageAnalysis, MessageMeta, MetaQuery, SearchFlag, SearchOutcome, SearchQuery,
    SelectedMailbox, StoreOperation, StoreOutcome, SystemFlags,
};
pub use mailkeep_common::mail::{
    ChangedMetadataEntry, MetadataChange, MetadataChanges, MetadataEntry,
};
pub use mailkeep_common::mail::{
    SortCriterion, SortKey, SortOutcome, ThreadAlgorithm, ThreadNode, ThreadOutcome,
};

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

/// An account's usage and limits (RFC 9208 §5); `None` is unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QuotaUsage {
    pub bytes_used: u64,
    pub bytes_limit: Option<u64>,
    pub messages_used: u64,
    pub messages_limit: Option<u64>,
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
    /// LIST-STATUS (RFC 5819): the status of each named mailbox that exists,
    /// in one round trip; missing names are skipped.
    async fn mailbox_statuses(
        &self,
        who: &Principal,
        names: &[String],
    ) -> BackendResult<Vec<MailboxStatus>>;
    /// The account's storage and message usage against its limits.
    async fn quota(&self, who: &Principal) -> BackendResult<QuotaUsage>;
    /// METADATA (RFC 5464): every entry of `mailbox` (`""`: the server
    /// entries of the account), by name.
    async fn metadata(&self, who: &Principal, mailbox: &str) -> BackendResult<Vec<MetadataEntry>>;
    /// Applies SETMETADATA changes all or nothing: `InvalidArgument` for a
    /// bad name, `Limit` for a too large value or too many entries. Returns
    /// the account's METADATA change counter after the change.
    async fn set_metadata(
        &self,
        who: &Principal,
        mailbox: &str,
        changes: &[MetadataChange],
    ) -> BackendResult<u64>;
    /// The account's METADATA change counter and, with `since`, every
    /// entry (of any mailbox, or of the server) set or removed after it
    /// (RFC 5465 §5.6-5.7 notifications).
    async fn metadata_changes(
        &self,
        who: &Principal,
        since: Option<u64>,
    ) -> BackendResult<MetadataChanges>;
    async fn select_mailbox(
        &self,
        who: &Principal,
        name: &str,
        read_only: bool,
    ) -> BackendResult<SelectedMailbox>;
    /// Claims for this session the messages no session has yet seen as
    /// `\Recent` (RFC 3501 §2.3.2), returning their UIDs; two sessions never
    /// claim the same message.
    async fn claim_recent(&self, who: &Principal, mailbox: MailboxId) -> BackendResult<UidSet>;

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
    /// SORT (RFC 5256 §3): the UIDs `query` matches, in `criteria` order.
    async fn sort(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        criteria: &[SortCriterion],
    ) -> BackendResult<SortOutcome>;
    /// THREAD (RFC 5256 §3): the messages `query` matches, threaded.
    async fn thread(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        algorithm: ThreadAlgorithm,
    ) -> BackendResult<ThreadOutcome>;
}
