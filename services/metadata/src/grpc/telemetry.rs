//! [`TimedMetadataStore`]: the metadata store boundary, timed and traced.
//! Every store method is one `<database> <method>` span (a child of the
//! gRPC server span) and one sample of
//! `mailkeep_sql_query_duration_seconds{operation=<method>}`.

use std::sync::Arc;

use async_trait::async_trait;
use mailkeep_common::mail::{
    AppendOutcome, Changes, CopyOutcome, DeliveredMessage, ExpungeOutcome, Flags, MailboxInfo,
    MailboxStatus, MessageMeta, MetaQuery, NewMessageMeta, RecipientDelivery, ResolvedRecipient,
    SearchOutcome, SearchQuery, SelectedMailbox, StoreOperation, StoreOutcome,
};
use mailkeep_common::mail::{MetadataChange, MetadataChanges, MetadataEntry};
use mailkeep_common::mail::{SortCriterion, SortOutcome, ThreadAlgorithm, ThreadOutcome};
use mailkeep_common::{AccountId, MailboxId, ModSeq, Uid, UidSet};
use mailkeep_proto::telemetry::storage_call;

use crate::admin::AdminStore;
use crate::error::StoreError;
use crate::imports::ImportStore;
use crate::model::{Account, NewAccount, Tenant};
use crate::store::MetadataStore;

const METRIC: Option<&str> = Some("mailkeep_sql_query_duration_seconds");

/// Wraps a store so each call is measured.
pub struct TimedMetadataStore {
    inner: Arc<dyn MetadataStore>,
    /// `postgres` or `sqlite`, for the spans.
    database: &'static str,
}

impl TimedMetadataStore {
    /// Wraps the store opened from `url`.
    pub fn wrap(inner: Arc<dyn MetadataStore>, url: &str) -> Arc<dyn MetadataStore> {
        let database = if url.starts_with("sqlite:") {
            "sqlite"
        } else {
            "postgres"
        };
        Arc::new(Self { inner, database })
    }
}

/// `self.inner.<method>(<args>)` inside [`storage_call`], named by the method.
macro_rules! timed {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        storage_call(
            METRIC,
            $self.database,
            stringify!($method),
            $self.inner.$method($($arg),*),
        )
        .await
    };
}

#[async_trait]
impl MetadataStore for TimedMetadataStore {
    fn admin(self: Arc<Self>) -> Option<Arc<dyn AdminStore>> {
        Arc::clone(&self.inner).admin()
    }

    fn imports(self: Arc<Self>) -> Option<Arc<dyn ImportStore>> {
        Arc::clone(&self.inner).imports()
    }

    async fn create_tenant(&self, domain: &str) -> Result<Tenant, StoreError> {
        timed!(self.create_tenant(domain))
    }

    async fn get_tenant(&self, domain: &str) -> Result<Tenant, StoreError> {
        timed!(self.get_tenant(domain))
    }

    async fn create_account(&self, account: NewAccount) -> Result<Account, StoreError> {
        timed!(self.create_account(account))
    }

    async fn get_account(&self, domain: &str, local_part: &str) -> Result<Account, StoreError> {
        timed!(self.get_account(domain, local_part))
    }

    async fn delete_account(&self, domain: &str, local_part: &str) -> Result<(), StoreError> {
        timed!(self.delete_account(domain, local_part))
    }

    async fn authenticate(&self, login: &str, password: &str) -> Result<Account, StoreError> {
        timed!(self.authenticate(login, password))
    }

    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>, StoreError> {
        timed!(self.list_mailboxes(account))
    }

    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<&str>,
    ) -> Result<MailboxInfo, StoreError> {
        timed!(self.create_mailbox(account, name, special_use))
    }

    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<(), StoreError> {
        timed!(self.delete_mailbox(account, name))
    }

    async fn rename_mailbox(
        &self,
        account: AccountId,
        from: &str,
        to: &str,
    ) -> Result<(), StoreError> {
        timed!(self.rename_mailbox(account, from, to))
    }

    async fn set_subscription(
        &self,
        account: AccountId,
        name: &str,
        subscribed: bool,
    ) -> Result<(), StoreError> {
        timed!(self.set_subscription(account, name, subscribed))
    }

    async fn list_subscriptions(&self, account: AccountId) -> Result<Vec<String>, StoreError> {
        timed!(self.list_subscriptions(account))
    }

    async fn mailbox_status(
        &self,
        account: AccountId,
        name: &str,
    ) -> Result<MailboxStatus, StoreError> {
        timed!(self.mailbox_status(account, name))
    }

    async fn mailbox_statuses(
        &self,
        account: AccountId,
        names: &[String],
    ) -> Result<Vec<MailboxStatus>, StoreError> {
        timed!(self.mailbox_statuses(account, names))
    }

    async fn metadata(
        &self,
        account: AccountId,
        mailbox: &str,
    ) -> Result<Vec<MetadataEntry>, StoreError> {
        timed!(self.metadata(account, mailbox))
    }

    async fn set_metadata(
        &self,
        account: AccountId,
        mailbox: &str,
        changes: &[MetadataChange],
    ) -> Result<u64, StoreError> {
        timed!(self.set_metadata(account, mailbox, changes))
    }

    async fn metadata_changes(
        &self,
        account: AccountId,
        since: Option<u64>,
    ) -> Result<MetadataChanges, StoreError> {
        timed!(self.metadata_changes(account, since))
    }

    async fn select_mailbox(
        &self,
        account: AccountId,
        name: &str,
        read_only: bool,
    ) -> Result<SelectedMailbox, StoreError> {
        timed!(self.select_mailbox(account, name, read_only))
    }

    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessageMeta>,
    ) -> Result<AppendOutcome, StoreError> {
        timed!(self.append(account, mailbox, messages))
    }

    async fn fetch_page(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &UidSet,
        query: MetaQuery,
        after: Option<Uid>,
        limit: usize,
    ) -> Result<Vec<MessageMeta>, StoreError> {
        timed!(self.fetch_page(account, mailbox, uids, query, after, limit))
    }

    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &UidSet,
        operation: StoreOperation,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> Result<StoreOutcome, StoreError> {
        timed!(self.store_flags(account, mailbox, uids, operation, flags, unchanged_since))
    }

    async fn copy_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> Result<CopyOutcome, StoreError> {
        timed!(self.copy_messages(account, from, uids, to))
    }

    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> Result<CopyOutcome, StoreError> {
        timed!(self.move_messages(account, from, uids, to))
    }

    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
    ) -> Result<ExpungeOutcome, StoreError> {
        timed!(self.expunge(account, mailbox, uids))
    }

    async fn changes(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> Result<Changes, StoreError> {
        timed!(self.changes(account, mailbox, since))
    }

    async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<UidSet, StoreError> {
        timed!(self.claim_recent(account, mailbox))
    }

    async fn search(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
    ) -> Result<SearchOutcome, StoreError> {
        timed!(self.search(account, mailbox, query))
    }

    async fn sort(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
        criteria: &[SortCriterion],
    ) -> Result<SortOutcome, StoreError> {
        timed!(self.sort(account, mailbox, query, criteria))
    }

    async fn thread(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
        algorithm: ThreadAlgorithm,
    ) -> Result<ThreadOutcome, StoreError> {
        timed!(self.thread(account, mailbox, query, algorithm))
    }

    async fn resolve_recipient(&self, address: &str) -> Result<ResolvedRecipient, StoreError> {
        timed!(self.resolve_recipient(address))
    }

    async fn deliver(
        &self,
        deliveries: Vec<RecipientDelivery>,
    ) -> Vec<Result<DeliveredMessage, StoreError>> {
        timed!(self.deliver(deliveries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn calls_pass_through_to_the_wrapped_store() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("m.db").display());
        let store = TimedMetadataStore::wrap(crate::open_store(&url).await.unwrap(), &url);
        let tenant = store.create_tenant("timed.test").await.unwrap();
        assert_eq!(store.get_tenant("timed.test").await.unwrap().id, tenant.id);
        let missing = store.get_tenant("absent.test").await.unwrap_err();
        assert_eq!(missing.code(), mailkeep_common::ErrorCode::NotFound);
    }
}
