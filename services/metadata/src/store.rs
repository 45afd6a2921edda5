//! The `MetadataStore` trait: the metadata service's port to its database,
//! held as `Arc<dyn MetadataStore>` and implemented by `PostgresStore` and
//! `SqliteStore`. Every account-scoped call takes the `AccountId` of the
//! caller; ids of another account are `NotFound`. Invariants every
//! implementation keeps (ARCHITECTURE.md §3): UIDs strictly rise and are never
//! reused, every change takes a new MODSEQ of its mailbox in the same
//! transaction, and quota usage moves in the transaction of the change.

use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use mailkeep_common::mail::{
    AppendOutcome, Changes, CopyOutcome, DeliveredMessage, ExpungeOutcome, Flags, MailboxInfo,
    MailboxStatus, MessageMeta, MetaQuery, NewMessageMeta, RecipientDelivery, ResolvedRecipient,
    SearchOutcome, SearchQuery, SelectedMailbox, StoreOperation, StoreOutcome,
};
use mailkeep_common::mail::{MetadataChange, MetadataChanges, MetadataEntry};
use mailkeep_common::mail::{SortCriterion, SortOutcome, ThreadAlgorithm, ThreadOutcome};
use mailkeep_common::{AccountId, MailboxId, ModSeq, Uid, UidSet};

use crate::admin::AdminStore;
use crate::error::StoreError;
use crate::imports::ImportStore;
use crate::model::{Account, NewAccount, Tenant};

/// How many messages one page of a metadata fetch carries.
pub const FETCH_PAGE_SIZE: usize = 256;

#[async_trait]
pub trait MetadataStore: Send + Sync + 'static {
    /// The admin side of this store, when it has one (the SQL stores do; a
    /// decorator that does not forward it hides the admin service).
    fn admin(self: Arc<Self>) -> Option<Arc<dyn AdminStore>> {
        None
    }

    /// The import jobs of this store, when it keeps them.
    fn imports(self: Arc<Self>) -> Option<Arc<dyn ImportStore>> {
        None
    }

    /// Creates a tenant for `domain` (lower-cased); `AlreadyExists` if taken.
    async fn create_tenant(&self, domain: &str) -> Result<Tenant, StoreError>;
    async fn get_tenant(&self, domain: &str) -> Result<Tenant, StoreError>;

    /// Creates an account with INBOX, Drafts, Sent, Trash, Junk and Archive,
    /// all subscribed; the password is hashed with argon2id.
    async fn create_account(&self, account: NewAccount) -> Result<Account, StoreError>;
    async fn get_account(&self, domain: &str, local_part: &str) -> Result<Account, StoreError>;
    /// Deletes the account with all its mailboxes, messages and settings.
    async fn delete_account(&self, domain: &str, local_part: &str) -> Result<(), StoreError>;
    /// Verifies `local@domain` and a password; `AuthenticationFailed` when
    /// either is wrong, in about the same time.
    async fn authenticate(&self, login: &str, password: &str) -> Result<Account, StoreError>;

    /// Every mailbox of the account, by name.
    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>, StoreError>;
    /// Creates `name` and any missing parents; a trailing `/` is ignored.
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<&str>,
    ) -> Result<MailboxInfo, StoreError>;
    /// `Conflict` when it has children; INBOX is `PermissionDenied`.
    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<(), StoreError>;
    /// Renames a mailbox with its children; renaming INBOX moves its messages
    /// into a new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
    async fn rename_mailbox(
        &self,
        account: AccountId,
        from: &str,
        to: &str,
    ) -> Result<(), StoreError>;
    /// Subscriptions are names, not mailboxes: a missing one may be subscribed.
    async fn set_subscription(
        &self,
        account: AccountId,
        name: &str,
        subscribed: bool,
    ) -> Result<(), StoreError>;
    async fn list_subscriptions(&self, account: AccountId) -> Result<Vec<String>, StoreError>;
    /// STATUS: counts only, claims no `\Recent`.
    async fn mailbox_status(
        &self,
        account: AccountId,
        name: &str,
    ) -> Result<MailboxStatus, StoreError>;
    /// LIST-STATUS (RFC 5819): the status of each named mailbox that exists,
    /// in request order, in one call; missing names are skipped.
    async fn mailbox_statuses(
        &self,
        account: AccountId,
        names: &[String],
    ) -> Result<Vec<MailboxStatus>, StoreError>;
    /// METADATA (RFC 5464): every entry of `mailbox` (`""`: the account's
    /// server entries), by name; `NotFound` for a missing mailbox.
    async fn metadata(
        &self,
        account: AccountId,
        mailbox: &str,
    ) -> Result<Vec<MetadataEntry>, StoreError>;
    /// Applies SETMETADATA changes in one transaction: `InvalidArgument` for
    /// a bad name, `Limit` for a value above `MAX_METADATA_VALUE_BYTES` or
    /// more than `MAX_METADATA_ENTRIES` entries, and then nothing changes.
    /// Returns the account's METADATA change counter, which every
    /// successful call moves by one.
    async fn set_metadata(
        &self,
        account: AccountId,
        mailbox: &str,
        changes: &[MetadataChange],
    ) -> Result<u64, StoreError>;
    /// The account's METADATA change counter and, with `since`, every entry
    /// (of any mailbox, by its current name, or `""` for the server) set or
    /// removed after that counter value (RFC 5465 §5.6-5.7). Removals stay
    /// reportable for an hour; entries of a deleted mailbox are not reported.
    async fn metadata_changes(
        &self,
        account: AccountId,
        since: Option<u64>,
    ) -> Result<MetadataChanges, StoreError>;
    /// SELECT (claims `\Recent` UIDs for the caller) or EXAMINE (`read_only`).
    async fn select_mailbox(
        &self,
        account: AccountId,
        name: &str,
        read_only: bool,
    ) -> Result<SelectedMailbox, StoreError>;
    /// Claims for the caller the messages no session has yet seen as
    /// `\Recent` (RFC 3501 §2.3.2): moves the watermark to UIDNEXT and
    /// returns the existing UIDs it passed over.
    async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<UidSet, StoreError>;

    /// Appends every message in one transaction under one new MODSEQ;
    /// `OverQuota` leaves nothing behind.
    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessageMeta>,
    ) -> Result<AppendOutcome, StoreError>;
    /// Up to `limit` messages of `uids` above `after`, ascending.
    async fn fetch_page(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &UidSet,
        query: MetaQuery,
        after: Option<Uid>,
        limit: usize,
    ) -> Result<Vec<MessageMeta>, StoreError>;
    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &UidSet,
        operation: StoreOperation,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<StoreOutcome, StoreError>;
    async fn copy_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> Result<CopyOutcome, StoreError>;
    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> Result<CopyOutcome, StoreError>;
    /// Expunges the `\Deleted` messages, only within `uids` when given.
    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
    ) -> Result<ExpungeOutcome, StoreError>;
    async fn changes(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> Result<Changes, StoreError>;
    async fn search(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
    ) -> Result<SearchOutcome, StoreError>;
    /// SORT (RFC 5256 §3, RFC 5957): the UIDs `query` matches, in the
    /// order of `criteria` (ties ascending).
    async fn sort(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
        criteria: &[SortCriterion],
    ) -> Result<SortOutcome, StoreError>;
    /// THREAD (RFC 5256 §3): the messages `query` matches, threaded.
    async fn thread(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
        algorithm: ThreadAlgorithm,
    ) -> Result<ThreadOutcome, StoreError>;

    /// Resolves `local[+detail]@domain` (an account or an alias) for LMTP:
    /// `NotFound` when unknown, `PermissionDenied` when the account or its
    /// tenant is not active, `OverQuota` when either is already at quota.
    async fn resolve_recipient(&self, address: &str) -> Result<ResolvedRecipient, StoreError>;
    /// Stores each recipient's copy in its own transaction (quota checked
    /// there), into the `detail` folder when it exists, else INBOX. One
    /// result per recipient, in order.
    async fn deliver(
        &self,
        deliveries: Vec<RecipientDelivery>,
    ) -> Vec<Result<DeliveredMessage, StoreError>>;
}

/// Streams the metadata of `uids` page by page. The first page is read before
/// returning, so a missing mailbox fails the call rather than the stream.
pub async fn fetch_stream(
    store: Arc<dyn MetadataStore>,
    account: AccountId,
    mailbox: MailboxId,
    uids: UidSet,
    query: MetaQuery,
) -> Result<BoxStream<'static, Result<MessageMeta, StoreError>>, StoreError> {
    let first = store
        .fetch_page(account, mailbox, &uids, query, None, FETCH_PAGE_SIZE)
        .await?;
    let pages = stream::try_unfold(Some(first), move |page| {
        let store = Arc::clone(&store);
        let uids = uids.clone();
        async move {
            let Some(page) = page else {
                return Ok::<_, StoreError>(None);
            };
            let next = match page.last() {
                Some(last) if page.len() == FETCH_PAGE_SIZE => Some(
                    store
                        .fetch_page(
                            account,
                            mailbox,
                            &uids,
                            query,
                            Some(last.uid),
                            FETCH_PAGE_SIZE,
                        )
                        .await?,
                ),
                _ => None,
            };
            Ok(Some((stream::iter(page.into_iter().map(Ok)), next)))
        }
    });
    Ok(pages.try_flatten().boxed())
}
