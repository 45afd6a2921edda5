//! The JSON shapes of the admin API (with their OpenAPI schemas), their
//! conversion from the metadata contract, and [`JsonBody`], the body extractor
//! that turns every malformed body into an [`AdminError`] without echoing
//! input values (a password sent as a number must not come back in a message).

use axum::extract::{FromRequest, Request};
use bytes::Bytes;
use mailkeep_proto::metadata::v1 as pb;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AdminError;

/// `POST /v1/tenants`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTenantRequest {
    /// The mail domain, e.g. `example.test` (stored in lower case).
    #[schema(example = "example.test")]
    pub domain: String,
}

/// A tenant: one mail domain and its accounts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TenantResponse {
    /// 32 lower-case hex digits.
    pub id: String,
    pub domain: String,
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// `POST /v1/tenants/{domain}/accounts`. `Debug` redacts the password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    /// The part before `@`; the IMAP login is `local_part@domain`.
    #[schema(example = "alice")]
    pub local_part: String,
    /// At least 8 characters; hashed with argon2id by the metadata service.
    #[schema(format = Password, min_length = 8)]
    pub password: String,
    /// Storage quota in bytes; absent or null means unlimited.
    #[serde(default)]
    pub quota_bytes: Option<u64>,
    /// Message-count quota; absent or null means unlimited.
    #[serde(default)]
    pub quota_messages: Option<u64>,
}

impl std::fmt::Debug for CreateAccountRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateAccountRequest")
            .field("local_part", &self.local_part)
            .field("password", &"<redacted>")
            .field("quota_bytes", &self.quota_bytes)
            .field("quota_messages", &self.quota_messages)
            .finish()
    }
}

/// An account and its quota usage.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponse {
    /// 32 lower-case hex digits.
    pub id: String,
    pub tenant_id: String,
    /// The IMAP login name, `local_part@domain`.
    pub login: String,
    pub local_part: String,
    pub domain: String,
    pub status: String,
    /// Null means unlimited.
    pub quota_bytes: Option<u64>,
    /// Null means unlimited.
    pub quota_messages: Option<u64>,
    pub used_bytes: u64,
    pub used_messages: u64,
    /// Unix seconds.
    pub created_at: i64,
}

/// The contract uses 0 for "unlimited"; JSON uses null.
fn limit(value: u64) -> Option<u64> {
    (value != 0).then_some(value)
}

impl From<pb::Tenant> for TenantResponse {
    fn from(tenant: pb::Tenant) -> Self {
        Self {
            id: tenant.id,
            domain: tenant.domain,
            status: tenant.status,
            created_at: tenant.created_at,
        }
    }
}

impl From<pb::Account> for AccountResponse {
    fn from(account: pb::Account) -> Self {
        Self {
            login: format!("{}@{}", account.local_part, account.domain),
            id: account.id,
            tenant_id: account.tenant_id,
            local_part: account.local_part,
            domain: account.domain,
            status: account.status,
            quota_bytes: limit(account.quota_bytes),
            quota_messages: limit(account.quota_messages),
            used_bytes: account.used_bytes,
            used_messages: account.used_messages,
            created_at: account.created_at,
        }
    }
}

/// A JSON request body. Any content type is accepted (so a bare `curl -d`
/// works); the size bound is the router's `DefaultBodyLimit`.
pub struct JsonBody<T>(pub T);

impl<T, S> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AdminError::BodyTooLarge {
                        limit: crate::MAX_BODY_BYTES,
                    }
                } else {
                    AdminError::MalformedJson("the body could not be read".to_owned())
                }
            })?;
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|error| classify(&error))
    }
}

/// Describes a serde_json error without the offending value: serde's
/// "invalid type: string \"...\"" messages quote input, field names do not.
fn classify(error: &serde_json::Error) -> AdminError {
    use serde_json::error::Category;
    let position = format!("line {} column {}", error.line(), error.column());
    match error.classify() {
        Category::Data => {
            let text = error.to_string();
            let names_a_field =
                text.starts_with("missing field") || text.starts_with("unknown field");
            if names_a_field {
                AdminError::UnexpectedJson(text)
            } else {
                AdminError::UnexpectedJson(format!(
                    "a field has the wrong type or value at {position}"
                ))
            }
        }
        Category::Syntax | Category::Eof | Category::Io => {
            AdminError::MalformedJson(format!("syntax error at {position}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_do_not_echo_the_value() {
        let error = serde_json::from_str::<CreateAccountRequest>(
            r#"{"local_part": "alice", "password": "hunter2hunter2", "quota_bytes": "hunter2hunter2"}"#,
        )
        .unwrap_err();
        let admin = classify(&error);
        assert!(matches!(admin, AdminError::UnexpectedJson(_)));
        assert!(!admin.to_string().contains("hunter2"), "{admin}");
    }

    #[test]
    fn missing_fields_are_named_and_syntax_errors_are_400() {
        let missing =
            serde_json::from_str::<CreateAccountRequest>(r#"{"local_part": "a"}"#).unwrap_err();
        assert!(classify(&missing).to_string().contains("password"));
        let syntax = serde_json::from_str::<CreateTenantRequest>("{\"domain\": ").unwrap_err();
        assert!(matches!(classify(&syntax), AdminError::MalformedJson(_)));
    }

    #[test]
    fn debug_redacts_the_password_and_zero_quota_is_unlimited() {
        let request: CreateAccountRequest =
            serde_json::from_str(r#"{"local_part": "a", "password": "hunter2hunter2"}"#).unwrap();
        assert!(!format!("{request:?}").contains("hunter2"));
        let account = AccountResponse::from(pb::Account {
            local_part: "alice".into(),
            domain: "example.test".into(),
            quota_bytes: 0,
            quota_messages: 5,
            ..Default::default()
        });
        assert_eq!(account.login, "alice@example.test");
        assert_eq!(account.quota_bytes, None);
        assert_eq!(account.quota_messages, Some(5));
    }
}
