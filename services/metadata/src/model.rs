//! The store-only domain types of the metadata service: tenants and accounts,
//! which [`crate::MetadataStore`] takes and returns next to the shared mail
//! model of `mailkeep_common::mail`. They are independent of the wire (proto)
//! and of SQL; the gRPC layer converts at its edge. Ids are the validated
//! newtypes of `mailkeep-common`, so a value that exists here is well formed.

use mailkeep_common::{AccountId, TenantId};

/// A tenant: one mail domain and its accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    /// Lower-case domain.
    pub domain: String,
    /// `active`, `suspended` or `deleting`.
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last update (0 = never updated).
    pub updated_at: i64,
    /// Rises with every update (the admin API's ETag).
    pub version: i64,
    /// Quotas of new accounts that name none (0 = unlimited).
    pub default_quota_bytes: u64,
    pub default_quota_messages: u64,
    /// Cap on the sum over the tenant's accounts (0 = unlimited).
    pub quota_bytes: u64,
    pub quota_messages: u64,
    pub used_bytes: u64,
    pub used_messages: u64,
    /// Number of accounts.
    pub accounts: u64,
}

/// Parameters of a new account; the password is hashed before storage.
#[derive(Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub domain: String,
    pub local_part: String,
    pub password: String,
    /// `None`: the tenant's default; 0 = unlimited.
    pub quota_bytes: Option<u64>,
    /// `None`: the tenant's default; 0 = unlimited.
    pub quota_messages: Option<u64>,
    pub display_name: String,
    /// Only app passwords log in; the account password is refused.
    pub app_passwords_only: bool,
}

impl NewAccount {
    /// An account with the tenant's default quotas and no display name.
    pub fn new(domain: &str, local_part: &str, password: &str) -> Self {
        Self {
            domain: domain.to_owned(),
            local_part: local_part.to_owned(),
            password: password.to_owned(),
            quota_bytes: None,
            quota_messages: None,
            display_name: String::new(),
            app_passwords_only: false,
        }
    }
}

impl std::fmt::Debug for NewAccount {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("domain", &self.domain)
            .field("local_part", &self.local_part)
            .field("quota_bytes", &self.quota_bytes)
            .field("quota_messages", &self.quota_messages)
            .field("display_name", &self.display_name)
            .field("app_passwords_only", &self.app_passwords_only)
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
    pub display_name: String,
    pub app_passwords_only: bool,
    /// Rises with every update (the admin API's ETag).
    pub version: i64,
    /// Unix seconds of the last update (0 = never updated).
    pub updated_at: i64,
}
