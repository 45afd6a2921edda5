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
