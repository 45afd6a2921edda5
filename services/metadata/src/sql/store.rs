//! `SqlStore<D>`: the [`MetadataStore`] implementation shared by
//! `PostgresStore` and `SqliteStore`. It only routes each call to the module
//! owning that operation's SQL; the driver `D` decides the database.

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

use super::driver::Driver;
use super::metadata;
use super::transfer::TransferMode;
use super::{
    accounts, delivery, login, mailbox_status, mailboxes, messages, search, sort, store_flags,
    transfer,
};
use crate::admin::{AdminStore, TenantQuotas};
use crate::error::StoreError;
use crate::imports::ImportStore;
use crate::model::{Account, NewAccount, Tenant};
use crate::store::MetadataStore;

/// A metadata store on the database behind driver `D`.
#[derive(Debug, Clone)]
pub struct SqlStore<D: Driver> {
    driver: D,
}

impl<D: Driver> SqlStore<D> {
    pub(crate) fn new(driver: D) -> Self {
        Self { driver }
    }

    pub(super) fn driver(&self) -> &D {
        &self.driver
    }
}

#[async_trait]
impl<D: Driver> MetadataStore for SqlStore<D> {
    fn admin(self: Arc<Self>) -> Option<Arc<dyn AdminStore>> {
        Some(self)
    }

    fn imports(self: Arc<Self>) -> Option<Arc<dyn ImportStore>> {
        Some(self)
    }

    async fn create_tenant(&self, domain: &str) -> Result<Tenant, StoreError> {
        accounts::create_tenant(&self.driver, domain, TenantQuotas::default()).await
    }

    async fn get_tenant(&self, domain: &str) -> Result<Tenant, StoreError> {
        accounts::get_tenant(&self.driver, domain).await
    }

    async fn create_account(&self, account: NewAccount) -> Result<Account, StoreError> {
        accounts::create_account(&self.driver, account).await
    }

    async fn get_account(&self, domain: &str, local_part: &str) -> Result<Account, StoreError> {
        accounts::get_account(&self.driver, domain, local_part).await
    }

    async fn delete_account(&self, domain: &str, local_part: &str) -> Result<(), StoreError> {
        accounts::delete_account(&self.driver, domain, local_part, None)
            .await
            .map(drop)
    }

    async fn authenticate(&self, login: &str, password: &str) -> Result<Account, StoreError> {
        login::authenticate(&self.driver, login, password).await
    }

    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>, StoreError> {
        mailboxes::list(&self.driver, account).await
    }

    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<&str>,
    ) -> Result<MailboxInfo, StoreError> {
        mailboxes::create(&self.driver, account, name, special_use).await
    }

    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<(), StoreError> {
        mailboxes::delete(&self.driver, account, name).await
    }

    async fn rename_mailbox(
        &self,
        account: AccountId,
        from: &str,
        to: &str,
    ) -> Result<(), StoreError> {
        mailboxes::rename(&self.driver, account, from, to).await
    }

    async fn set_subscription(
        &self,
        account: AccountId,
        name: &str,
        subscribed: bool,
    ) -> Result<(), StoreError> {
        mailboxes::set_subscription(&self.driver, account, name, subscribed).await
    }

    async fn list_subscriptions(&self, account: AccountId) -> Result<Vec<String>, StoreError> {
        mailboxes::subscriptions(&self.driver, account).await
    }

    async fn mailbox_status(
        &self,
        account: AccountId,
        name: &str,
    ) -> Result<MailboxStatus, StoreError> {
        mailbox_status::status(&self.driver, account, name).await
    }

    async fn mailbox_statuses(
        &self,
        account: AccountId,
        names: &[String],
    ) -> Result<Vec<MailboxStatus>, StoreError> {
        mailbox_status::statuses(&self.driver, account, names).await
    }

    async fn metadata(
        &self,
        account: AccountId,
        mailbox: &str,
    ) -> Result<Vec<MetadataEntry>, StoreError> {
        metadata::entries(&self.driver, account, mailbox).await
    }

    async fn set_metadata(
        &self,
        account: AccountId,
        mailbox: &str,
        changes: &[MetadataChange],
    ) -> Result<u64, StoreError> {
        metadata::set(&self.driver, account, mailbox, changes).await
    }

    async fn metadata_changes(
        &self,
        account: AccountId,
        since: Option<u64>,
    ) -> Result<MetadataChanges, StoreError> {
        metadata::changes(&self.driver, account, since).await
    }

    async fn select_mailbox(
        &self,
        account: AccountId,
        name: &str,
        read_only: bool,
    ) -> Result<SelectedMailbox, StoreError> {
        mailboxes::select(&self.driver, account, name, read_only).await
    }

    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessageMeta>,
    ) -> Result<AppendOutcome, StoreError> {
        messages::append(&self.driver, account, mailbox, messages).await
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
        messages::fetch_page(&self.driver, account, mailbox, uids, query, after, limit).await
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
        store_flags::store_flags(
            &self.driver,
            account,
            mailbox,
            uids,
            operation,
            flags,
            unchanged_since,
        )
        .await
    }

    async fn copy_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> Result<CopyOutcome, StoreError> {
        transfer::copy_or_move(&self.driver, account, from, uids, to, TransferMode::Copy).await
    }

    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> Result<CopyOutcome, StoreError> {
        transfer::copy_or_move(&self.driver, account, from, uids, to, TransferMode::Move).await
    }

    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
    ) -> Result<ExpungeOutcome, StoreError> {
        transfer::expunge(&self.driver, account, mailbox, uids).await
    }

    async fn changes(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> Result<Changes, StoreError> {
        messages::changes(&self.driver, account, mailbox, since).await
    }

    async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<UidSet, StoreError> {
        mailboxes::claim_recent(&self.driver, account, mailbox).await
    }

    async fn search(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
    ) -> Result<SearchOutcome, StoreError> {
        search::search(&self.driver, account, mailbox, query).await
    }

    async fn sort(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
        criteria: &[SortCriterion],
    ) -> Result<SortOutcome, StoreError> {
        sort::sort(&self.driver, account, mailbox, query, criteria).await
    }

    async fn thread(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        query: &SearchQuery,
        algorithm: ThreadAlgorithm,
    ) -> Result<ThreadOutcome, StoreError> {
        sort::thread(&self.driver, account, mailbox, query, algorithm).await
    }

    async fn resolve_recipient(&self, address: &str) -> Result<ResolvedRecipient, StoreError> {
        delivery::resolve_recipient(&self.driver, address).await
    }

    async fn deliver(
        &self,
        deliveries: Vec<RecipientDelivery>,
    ) -> Vec<Result<DeliveredMessage, StoreError>> {
        delivery::deliver(&self.driver, deliveries).await
    }
}
