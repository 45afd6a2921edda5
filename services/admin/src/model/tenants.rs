//! Tenants and their purge.

use mailkeep_proto::metadata::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{limit, present, timestamp};

/// `POST /v1/tenants`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// The mail domain, e.g. `example.test` (stored in lower case).
    #[schema(example = "example.test")]
    pub domain: String,
    /// Quota of new accounts that name none; null means unlimited.
    #[serde(default)]
    pub default_quota_bytes: Option<u64>,
    #[serde(default)]
    pub default_quota_messages: Option<u64>,
    /// Cap on the sum over the tenant's accounts; null means unlimited.
    #[serde(default)]
    pub quota_bytes: Option<u64>,
    #[serde(default)]
    pub quota_messages: Option<u64>,
}

/// `PATCH /v1/tenants/{domain}`: absent fields keep their value, a null
/// quota means unlimited.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTenantRequest {
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub default_quota_bytes: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub default_quota_messages: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub quota_bytes: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub quota_messages: Option<Option<u64>>,
}

/// The states an update may set on a tenant or an account.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Active,
    Suspended,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Suspended => "suspended",
        }
    }
}

/// `GET /v1/tenants` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TenantFilter {
    /// `active`, `suspended` or `deleting`.
    pub status: Option<String>,
    /// Only domains starting with this.
    pub prefix: Option<String>,
}

/// A tenant: one mail domain, its quotas and its usage.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TenantResponse {
    /// 32 lower-case hex digits.
    pub id: String,
    pub domain: String,
    /// `active`, `suspended` or `deleting`.
    pub status: String,
    /// Rises with every update; the `ETag` is this number in quotes.
    pub version: i64,
    pub default_quota_bytes: Option<u64>,
    pub default_quota_messages: Option<u64>,
    pub quota_bytes: Option<u64>,
    pub quota_messages: Option<u64>,
    pub used_bytes: u64,
    pub used_messages: u64,
    pub accounts: u64,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: Option<i64>,
}

impl From<pb::Tenant> for TenantResponse {
    fn from(tenant: pb::Tenant) -> Self {
        Self {
            id: tenant.id,
            domain: tenant.domain,
            status: tenant.status,
            version: tenant.version,
            default_quota_bytes: limit(tenant.default_quota_bytes),
            default_quota_messages: limit(tenant.default_quota_messages),
            quota_bytes: limit(tenant.quota_bytes),
            quota_messages: limit(tenant.quota_messages),
            used_bytes: tenant.used_bytes,
            used_messages: tenant.used_messages,
            accounts: tenant.accounts,
            created_at: tenant.created_at,
            updated_at: timestamp(tenant.updated_at),
        }
    }
}

/// One page of tenants.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TenantList {
    pub items: Vec<TenantResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// Progress of a tenant's purge (`DELETE` starts it).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TenantPurgeResponse {
    pub tenant_id: String,
    pub domain: String,
    /// `running` or `done`.
    pub state: String,
    pub accounts_remaining: u64,
    pub messages_remaining: u64,
    pub accounts_removed: u64,
    pub messages_removed: u64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
}

impl From<pb::TenantPurge> for TenantPurgeResponse {
    fn from(purge: pb::TenantPurge) -> Self {
        Self {
            tenant_id: purge.tenant_id,
            domain: purge.domain,
            state: purge.state,
            accounts_remaining: purge.accounts_remaining,
            messages_remaining: purge.messages_remaining,
            accounts_removed: purge.accounts_removed,
            messages_removed: purge.messages_removed,
            started_at: purge.started_at,
            finished_at: timestamp(purge.finished_at),
        }
    }
}

/// `next_cursor` of a page: empty means the last page.
pub fn next_cursor(cursor: String) -> Option<String> {
    (!cursor.is_empty()).then_some(cursor)
}
