//! Accounts.

use mailkeep_proto::metadata::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{limit, present, timestamp};

/// `POST /v1/tenants/{domain}/accounts`: exactly one of `password` and
/// `generate_password`. `Debug` redacts the password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    /// The part before `@`; the IMAP login is `local_part@domain`.
    #[schema(example = "alice")]
    pub local_part: String,
    /// At least 8 characters; hashed with argon2id by the metadata service.
    #[serde(default)]
    #[schema(format = Password, min_length = 8)]
    pub password: Option<String>,
    /// Generate a password and return it once in `generated_password`.
    #[serde(default)]
    pub generate_password: bool,
    /// Storage quota in bytes; absent means the tenant's default, null unlimited.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub quota_bytes: Option<Option<u64>>,
    /// Message-count quota; absent means the tenant's default, null unlimited.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub quota_messages: Option<Option<u64>>,
    #[serde(default)]
    pub display_name: Option<String>,
    /// Refuse the account password at login; only app passwords work.
    #[serde(default)]
    pub app_passwords_only: bool,
}

impl std::fmt::Debug for CreateAccountRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateAccountRequest")
            .field("local_part", &self.local_part)
            .field("password", &"<redacted>")
            .field("generate_password", &self.generate_password)
            .finish_non_exhaustive()
    }
}

/// `PATCH /v1/tenants/{domain}/accounts/{local_part}`: absent fields keep
/// their value; at most one of `password` and `generate_password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccountRequest {
    #[serde(default)]
    #[schema(format = Password, min_length = 8)]
    pub password: Option<String>,
    #[serde(default)]
    pub generate_password: bool,
    #[serde(default)]
    pub status: Option<super::Status>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub quota_bytes: Option<Option<u64>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<u64>)]
    pub quota_messages: Option<Option<u64>>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub app_passwords_only: Option<bool>,
}

impl std::fmt::Debug for UpdateAccountRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateAccountRequest")
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("generate_password", &self.generate_password)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// `GET /v1/tenants/{domain}/accounts` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountFilter {
    /// `active` or `suspended`.
    pub status: Option<String>,
    /// Only local parts starting with this.
    pub prefix: Option<String>,
}

/// An account and its quota usage.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountResponse {
    /// 32 lower-case hex digits.
    pub id: String,
    pub tenant_id: String,
    /// The IMAP login name, `local_part@domain`.
    pub login: String,
    pub local_part: String,
    pub domain: String,
    /// `active` or `suspended`.
    pub status: String,
    pub display_name: String,
    pub app_passwords_only: bool,
    /// Rises with every update; the `ETag` is this number in quotes.
    pub version: i64,
    /// Null means unlimited.
    pub quota_bytes: Option<u64>,
    /// Null means unlimited.
    pub quota_messages: Option<u64>,
    pub used_bytes: u64,
    pub used_messages: u64,
    /// Unix seconds.
    pub created_at: i64,
    pub updated_at: Option<i64>,
    /// Only in the answer of the call that generated it: shown once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
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
            display_name: account.display_name,
            app_passwords_only: account.app_passwords_only,
            version: account.version,
            quota_bytes: limit(account.quota_bytes),
            quota_messages: limit(account.quota_messages),
            used_bytes: account.used_bytes,
            used_messages: account.used_messages,
            created_at: account.created_at,
            updated_at: timestamp(account.updated_at),
            generated_password: None,
        }
    }
}

impl From<pb::AccountWithSecret> for AccountResponse {
    fn from(answer: pb::AccountWithSecret) -> Self {
        let mut account = Self::from(answer.account.unwrap_or_default());
        account.generated_password =
            (!answer.generated_password.is_empty()).then_some(answer.generated_password);
        account
    }
}

/// One page of accounts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountList {
    pub items: Vec<AccountResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_passwords_and_zero_quota_is_unlimited() {
        let request: CreateAccountRequest =
            serde_json::from_str(r#"{"local_part": "a", "password": "hunter2hunter2"}"#).unwrap();
        assert!(!format!("{request:?}").contains("hunter2"));
        assert_eq!(request.quota_bytes, None);
        let update: UpdateAccountRequest =
            serde_json::from_str(r#"{"password": "hunter2hunter2", "quota_bytes": null}"#).unwrap();
        assert!(!format!("{update:?}").contains("hunter2"));
        assert_eq!(update.quota_bytes, Some(None));
        let account = AccountResponse::from(pb::Account {
            local_part: "alice".into(),
            domain: "example.test".into(),
            quota_messages: 5,
            ..Default::default()
        });
        assert_eq!(account.login, "alice@example.test");
        assert_eq!(account.quota_bytes, None);
        assert_eq!(account.quota_messages, Some(5));
        let json = serde_json::to_value(&account).unwrap();
        assert!(json.get("generated_password").is_none());
    }
}
