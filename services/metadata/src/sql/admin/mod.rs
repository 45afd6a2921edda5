//! The [`AdminStore`] implementation of [`SqlStore`]: it routes each call to
//! the submodule owning that family's SQL, like `sql::store` does for
//! [`crate::MetadataStore`].

mod accounts;
pub(super) mod aliases;
mod api_tokens;
mod app_passwords;
mod audit;
mod purge;
mod tenants;
mod usage;

use async_trait::async_trait;

use super::driver::Driver;
use super::store::SqlStore;
use crate::admin::{
    AccountUpdate, AdminStore, Alias, ApiToken, AppPassword, AuditEntry, AuditFilter, AuditRecord,
    DeletedAccount, ListFilter, MailboxSummary, NewApiToken, Page, TenantPurge, TenantQuotas,
    TenantUpdate, TokenFilter, Usage,
};
use crate::error::StoreError;
use crate::model::{Account, Tenant};

#[async_trait]
impl<D: Driver> AdminStore for SqlStore<D> {
    async fn create_tenant_with_quotas(
        &self,
        domain: &str,
        quotas: TenantQuotas,
    ) -> Result<Tenant, StoreError> {
        super::accounts::create_tenant(self.driver(), domain, quotas).await
    }

    async fn list_tenants(&self, filter: &ListFilter) -> Result<Page<Tenant>, StoreError> {
        tenants::list(self.driver(), filter).await
    }

    async fn update_tenant(
        &self,
        domain: &str,
        update: TenantUpdate,
    ) -> Result<Tenant, StoreError> {
        tenants::update(self.driver(), domain, update).await
    }

    async fn delete_tenant(
        &self,
        domain: &str,
        expected_version: Option<i64>,
    ) -> Result<TenantPurge, StoreError> {
        tenants::mark_deleting(self.driver(), domain, expected_version).await
    }

    async fn tenant_purge(&self, domain: &str) -> Result<TenantPurge, StoreError> {
        purge::get(self.driver(), domain).await
    }

    async fn purge_step(&self, batch: usize) -> Result<bool, StoreError> {
        purge::step(self.driver(), batch).await
    }

    async fn list_accounts(
        &self,
        domain: &str,
        filter: &ListFilter,
    ) -> Result<Page<Account>, StoreError> {
        accounts::list(self.driver(), domain, filter).await
    }

    async fn update_account(
        &self,
        domain: &str,
        local_part: &str,
        update: AccountUpdate,
    ) -> Result<Account, StoreError> {
        accounts::update(self.driver(), domain, local_part, update).await
    }

    async fn purge_account(
        &self,
        domain: &str,
        local_part: &str,
        expected_version: Option<i64>,
    ) -> Result<DeletedAccount, StoreError> {
        let (messages, bytes) =
            super::accounts::delete_account(self.driver(), domain, local_part, expected_version)
                .await?;
        Ok(DeletedAccount { messages, bytes })
    }

    async fn mailbox_summaries(
        &self,
        domain: &str,
        local_part: &str,
    ) -> Result<Vec<MailboxSummary>, StoreError> {
        accounts::mailbox_summaries(self.driver(), domain, local_part).await
    }

    async fn create_alias(
        &self,
        domain: &str,
        local_part: &str,
        target_local_part: &str,
    ) -> Result<Alias, StoreError> {
        aliases::create(self.driver(), domain, local_part, target_local_part).await
    }

    async fn list_aliases(
        &self,
        domain: &str,
        filter: &ListFilter,
        target: &str,
    ) -> Result<Page<Alias>, StoreError> {
        aliases::list(self.driver(), domain, filter, target).await
    }

    async fn delete_alias(&self, domain: &str, local_part: &str) -> Result<(), StoreError> {
        aliases::delete(self.driver(), domain, local_part).await
    }

    async fn resolve_address(
        &self,
        address: &str,
    ) -> Result<(Account, Option<String>), StoreError> {
        aliases::resolve(self.driver(), address).await
    }

    async fn create_app_password(
        &self,
        domain: &str,
        local_part: &str,
        name: &str,
        scopes: &[String],
    ) -> Result<(AppPassword, String), StoreError> {
        app_passwords::create(self.driver(), domain, local_part, name, scopes).await
    }

    async fn list_app_passwords(
        &self,
        domain: &str,
        local_part: &str,
    ) -> Result<Vec<AppPassword>, StoreError> {
        app_passwords::list(self.driver(), domain, local_part).await
    }

    async fn delete_app_password(
        &self,
        domain: &str,
        local_part: &str,
        id: &str,
    ) -> Result<(), StoreError> {
        app_passwords::delete(self.driver(), domain, local_part, id).await
    }

    async fn create_api_token(&self, new: NewApiToken) -> Result<(ApiToken, String), StoreError> {
        api_tokens::create(self.driver(), new).await
    }

    async fn list_api_tokens(&self, filter: &TokenFilter) -> Result<Page<ApiToken>, StoreError> {
        api_tokens::list(self.driver(), filter).await
    }

    async fn revoke_api_token(&self, id: &str) -> Result<ApiToken, StoreError> {
        api_tokens::revoke(self.driver(), id).await
    }

    async fn verify_api_token(&self, secret: &str) -> Result<ApiToken, StoreError> {
        api_tokens::verify(self.driver(), secret).await
    }

    async fn record_audit(&self, record: AuditRecord) -> Result<AuditEntry, StoreError> {
        audit::record(self.driver(), record).await
    }

    async fn list_audit(&self, filter: &AuditFilter) -> Result<Page<AuditEntry>, StoreError> {
        audit::list(self.driver(), filter).await
    }

    async fn account_usage(&self, domain: &str, local_part: &str) -> Result<Usage, StoreError> {
        usage::account(self.driver(), domain, local_part).await
    }

    async fn tenant_usage(&self, domain: &str) -> Result<Usage, StoreError> {
        usage::tenant(self.driver(), domain).await
    }

    async fn recalculate_usage(
        &self,
        domain: &str,
        local_part: Option<&str>,
    ) -> Result<(Usage, Usage), StoreError> {
        usage::recalculate(self.driver(), domain, local_part).await
    }
}
