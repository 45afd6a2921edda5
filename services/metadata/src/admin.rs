//! The `AdminStore` trait: what the admin API needs from the metadata store
//! beyond [`MetadataStore`] (tenant and account administration, aliases, app
//! passwords, API tokens, the audit log, quotas and usage, tenant purges),
//! with its store-only types. Tenants and accounts are named by domain and
//! local part. Secrets appear only in the return value of the call that
//! creates them; the store keeps their SHA-256 (see `secrets`).

use async_trait::async_trait;
use mailkeep_common::MailboxId;

use crate::error::StoreError;
use crate::model::{Account, Tenant};
use crate::store::MetadataStore;

/// Quotas of a new tenant (0 = unlimited).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TenantQuotas {
    /// Given to new accounts that name no quota.
    pub default_quota_bytes: u64,
    pub default_quota_messages: u64,
    /// Cap on the sum over the tenant's accounts.
    pub quota_bytes: u64,
    pub quota_messages: u64,
}

/// A tenant update; `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantUpdate {
    pub expected_version: Option<i64>,
    pub status: Option<String>,
    pub default_quota_bytes: Option<u64>,
    pub default_quota_messages: Option<u64>,
    pub quota_bytes: Option<u64>,
    pub quota_messages: Option<u64>,
}

/// An account update; `None` keeps a field.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccountUpdate {
    pub expected_version: Option<i64>,
    pub password: Option<String>,
    pub status: Option<String>,
    pub quota_bytes: Option<u64>,
    pub quota_messages: Option<u64>,
    pub display_name: Option<String>,
    pub app_passwords_only: Option<bool>,
}

impl std::fmt::Debug for AccountUpdate {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountUpdate")
            .field("expected_version", &self.expected_version)
            .field("password_changed", &self.password.is_some())
            .field("status", &self.status)
            .field("quota_bytes", &self.quota_bytes)
            .field("quota_messages", &self.quota_messages)
            .field("display_name", &self.display_name)
            .field("app_passwords_only", &self.app_passwords_only)
            .finish()
    }
}

/// A page request: `limit` 0 = 100, at most 1000; `status` and `prefix`
/// empty = any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub limit: u32,
    pub cursor: String,
    pub status: String,
    pub prefix: String,
}

/// One page and the cursor of the next (empty on the last page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: String,
}

/// Progress of a tenant's deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantPurge {
    pub tenant_id: String,
    pub domain: String,
    /// `running` or `done`.
    pub state: String,
    pub accounts_remaining: u64,
    pub messages_remaining: u64,
    pub accounts_removed: u64,
    pub messages_removed: u64,
    pub started_at: i64,
    pub finished_at: i64,
}

/// What deleting an account released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeletedAccount {
    pub messages: u64,
    pub bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub domain: String,
    pub local_part: String,
    pub target_local_part: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPassword {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    /// 0 = never used.
    pub last_used_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    /// `admin`, `tenant-admin` or `read-only`.
    pub role: String,
    /// Set for `tenant-admin` only.
    pub tenant_domain: String,
    pub created_at: i64,
    /// 0 = never.
    pub expires_at: i64,
    /// 0 = not revoked.
    pub revoked_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub role: String,
    pub tenant_domain: String,
    pub expires_at: i64,
}

/// Which tokens to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenFilter {
    pub limit: u32,
    pub cursor: String,
    pub tenant_domain: String,
    pub include_revoked: bool,
}

/// One admin action; there is no field for a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditRecord {
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub tenant_domain: String,
    pub target: String,
    pub source_ip: String,
    pub request_id: String,
    pub result_code: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub record: AuditRecord,
}

/// Audit query, newest first; empty fields and 0 bounds match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub limit: u32,
    pub cursor: String,
    pub tenant_domain: String,
    /// Actor id or name.
    pub actor: String,
    pub action: String,
    /// Unix seconds, inclusive.
    pub since: i64,
    /// Unix seconds, exclusive.
    pub until: i64,
}

/// Quota and usage of an account or a tenant (0 quota = unlimited).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub quota_bytes: u64,
    pub quota_messages: u64,
    pub used_bytes: u64,
    pub used_messages: u64,
    pub accounts: u64,
}

/// A mailbox with its message count and size, for support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxSummary {
    pub id: MailboxId,
    pub name: String,
    pub special_use: Option<String>,
    pub messages: u64,
    pub bytes: u64,
    pub uidvalidity: u32,
    pub uid_next: u32,
    pub subscribed: bool,
}

#[async_trait]
pub trait AdminStore: MetadataStore {
    async fn create_tenant_with_quotas(
        &self,
        domain: &str,
        quotas: TenantQuotas,
    ) -> Result<Tenant, StoreError>;
    /// By domain, ascending; `prefix` matches the start of the domain.
    async fn list_tenants(&self, filter: &ListFilter) -> Result<Page<Tenant>, StoreError>;
    /// `Conflict` for a deleting tenant; `PreconditionFailed` on a stale version.
    async fn update_tenant(&self, domain: &str, update: TenantUpdate)
    -> Result<Tenant, StoreError>;
    /// Marks the tenant `deleting` and records a running purge.
    async fn delete_tenant(
        &self,
        domain: &str,
        expected_version: Option<i64>,
    ) -> Result<TenantPurge, StoreError>;
    /// The latest purge of `domain`.
    async fn tenant_purge(&self, domain: &str) -> Result<TenantPurge, StoreError>;
    /// Removes up to `batch` messages (or one emptied account, or the emptied
    /// tenant) of a running purge, in one transaction; `true` while work
    /// remains. Progress lives in the database, so a restart resumes.
    async fn purge_step(&self, batch: usize) -> Result<bool, StoreError>;

    /// By local part, ascending; `prefix` matches the start of the local part.
    async fn list_accounts(
        &self,
        domain: &str,
        filter: &ListFilter,
    ) -> Result<Page<Account>, StoreError>;
    async fn update_account(
        &self,
        domain: &str,
        local_part: &str,
        update: AccountUpdate,
    ) -> Result<Account, StoreError>;
    /// Deletes the account with every message, mailbox, alias and app password.
    async fn purge_account(
        &self,
        domain: &str,
        local_part: &str,
        expected_version: Option<i64>,
    ) -> Result<DeletedAccount, StoreError>;
    async fn mailbox_summaries(
        &self,
        domain: &str,
        local_part: &str,
    ) -> Result<Vec<MailboxSummary>, StoreError>;

    /// `AlreadyExists` when the local part is an account or alias already.
    async fn create_alias(
        &self,
        domain: &str,
        local_part: &str,
        target_local_part: &str,
    ) -> Result<Alias, StoreError>;
    /// `target` empty = aliases of every account.
    async fn list_aliases(
        &self,
        domain: &str,
        filter: &ListFilter,
        target: &str,
    ) -> Result<Page<Alias>, StoreError>;
    async fn delete_alias(&self, domain: &str, local_part: &str) -> Result<(), StoreError>;
    /// The account `address` delivers to, and the alias used (if any).
    async fn resolve_address(&self, address: &str)
    -> Result<(Account, Option<String>), StoreError>;

    /// Returns the new app password and its secret (the only time it is seen).
    async fn create_app_password(
        &self,
        domain: &str,
        local_part: &str,
        name: &str,
        scopes: &[String],
    ) -> Result<(AppPassword, String), StoreError>;
    async fn list_app_passwords(
        &self,
        domain: &str,
        local_part: &str,
    ) -> Result<Vec<AppPassword>, StoreError>;
    async fn delete_app_password(
        &self,
        domain: &str,
        local_part: &str,
        id: &str,
    ) -> Result<(), StoreError>;

    /// Returns the new token and its secret (the only time it is seen).
    async fn create_api_token(&self, new: NewApiToken) -> Result<(ApiToken, String), StoreError>;
    async fn list_api_tokens(&self, filter: &TokenFilter) -> Result<Page<ApiToken>, StoreError>;
    async fn revoke_api_token(&self, id: &str) -> Result<ApiToken, StoreError>;
    /// `AuthenticationFailed` when unknown, expired or revoked.
    async fn verify_api_token(&self, secret: &str) -> Result<ApiToken, StoreError>;

    async fn record_audit(&self, record: AuditRecord) -> Result<AuditEntry, StoreError>;
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Page<AuditEntry>, StoreError>;

    async fn account_usage(&self, domain: &str, local_part: &str) -> Result<Usage, StoreError>;
    async fn tenant_usage(&self, domain: &str) -> Result<Usage, StoreError>;
    /// Recounts from the stored messages (one account, or every account of
    /// the tenant when `local_part` is `None`); returns usage before and after.
    async fn recalculate_usage(
        &self,
        domain: &str,
        local_part: Option<&str>,
    ) -> Result<(Usage, Usage), StoreError>;
}
