//! Aliases, app passwords and API tokens: the ways to reach or act for an
//! account or the API. Secrets appear only in the answer that creates them.

use mailkeep_proto::metadata::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::timestamp;

/// `PUT /v1/tenants/{domain}/aliases/{alias}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutAliasRequest {
    /// The local part of the account the alias delivers to.
    #[schema(example = "alice")]
    pub target: String,
}

/// An extra address of a tenant that delivers to one of its accounts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AliasResponse {
    /// The full alias address.
    pub address: String,
    pub local_part: String,
    pub domain: String,
    /// The local part of the account it delivers to.
    pub target: String,
    pub created_at: i64,
}

impl From<pb::Alias> for AliasResponse {
    fn from(alias: pb::Alias) -> Self {
        Self {
            address: format!("{}@{}", alias.local_part, alias.domain),
            local_part: alias.local_part,
            domain: alias.domain,
            target: alias.target_local_part,
            created_at: alias.created_at,
        }
    }
}

/// `GET /v1/tenants/{domain}/aliases` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AliasFilter {
    /// Only aliases starting with this.
    pub prefix: Option<String>,
    /// Only aliases of this account (local part).
    pub target: Option<String>,
}

/// One page of aliases.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AliasList {
    pub items: Vec<AliasResponse>,
    pub next_cursor: Option<String>,
}

/// Where an app password may be used.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub enum AppPasswordScope {
    #[serde(rename = "imap")]
    Imap,
    #[serde(rename = "lmtp-submit")]
    LmtpSubmit,
}

impl AppPasswordScope {
    pub fn as_str(self) -> &'static str {
        match self {
            AppPasswordScope::Imap => "imap",
            AppPasswordScope::LmtpSubmit => "lmtp-submit",
        }
    }
}

/// `POST .../accounts/{local_part}/app-passwords`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAppPasswordRequest {
    /// Shown in lists, e.g. the device: `phone`.
    #[schema(example = "phone")]
    pub name: String,
    /// Default `["imap"]`.
    #[serde(default)]
    pub scopes: Vec<AppPasswordScope>,
}

/// An app password, without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AppPasswordResponse {
    pub id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
    /// Null when never used.
    pub last_used_at: Option<i64>,
    /// Only in the answer of the create call: shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<pb::AppPassword> for AppPasswordResponse {
    fn from(password: pb::AppPassword) -> Self {
        Self {
            id: password.id,
            name: password.name,
            scopes: password.scopes,
            created_at: password.created_at,
            last_used_at: timestamp(password.last_used_at),
            secret: None,
        }
    }
}

impl From<pb::AppPasswordWithSecret> for AppPasswordResponse {
    fn from(answer: pb::AppPasswordWithSecret) -> Self {
        let mut password = Self::from(answer.app_password.unwrap_or_default());
        password.secret = Some(answer.secret);
        password
    }
}

/// The app passwords of an account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AppPasswordList {
    pub items: Vec<AppPasswordResponse>,
}

/// What an API token may do.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub enum TokenRole {
    #[serde(rename = "admin")]
    Admin,
    #[serde(rename = "tenant-admin")]
    TenantAdmin,
    #[serde(rename = "read-only")]
    ReadOnly,
}

impl TokenRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Admin => "admin",
            TokenRole::TenantAdmin => "tenant-admin",
            TokenRole::ReadOnly => "read-only",
        }
    }
}

/// `POST /v1/tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// Unique among tokens.
    #[schema(example = "ci-provisioner")]
    pub name: String,
    pub role: TokenRole,
    /// The tenant of a `tenant-admin` token; absent for other roles.
    #[serde(default)]
    pub tenant: Option<String>,
    /// Unix seconds in the future; absent means it never expires.
    #[serde(default)]
    pub expires_at: Option<i64>,
}

/// An API token, without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    pub id: String,
    pub name: String,
    /// `admin`, `tenant-admin` or `read-only`.
    pub role: String,
    pub tenant: Option<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// Only in the answer of the create call: shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<pb::ApiToken> for TokenResponse {
    fn from(token: pb::ApiToken) -> Self {
        Self {
            id: token.id,
            name: token.name,
            role: token.role,
            tenant: (!token.tenant_domain.is_empty()).then_some(token.tenant_domain),
            created_at: token.created_at,
            expires_at: timestamp(token.expires_at),
            revoked_at: timestamp(token.revoked_at),
            secret: None,
        }
    }
}

impl From<pb::ApiTokenWithSecret> for TokenResponse {
    fn from(answer: pb::ApiTokenWithSecret) -> Self {
        let mut token = Self::from(answer.token.unwrap_or_default());
        token.secret = Some(answer.secret);
        token
    }
}

/// `GET /v1/tokens` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenFilter {
    /// Only tokens of this tenant.
    pub tenant: Option<String>,
    /// Include revoked tokens (default false).
    pub include_revoked: Option<bool>,
}

/// One page of API tokens.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenResponse>,
    pub next_cursor: Option<String>,
}
