//! Who is calling: the bootstrap token from the configuration (only its
//! SHA-256 digest is kept, compared in constant time) or a named API token
//! that the metadata service verifies on every request, so a revoked or
//! expired token stops working at once on every pod. The result is a
//! [`Principal`] with a [`Role`].

use axum::http::{HeaderMap, header};
use mailkeep_common::ErrorCode;
use mailkeep_proto::metadata::v1 as pb;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AdminState;
use crate::error::AdminError;

/// The digest of the bootstrap token.
#[derive(Clone)]
pub struct BearerToken {
    digest: [u8; 32],
}

impl std::fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

impl BearerToken {
    /// Hashes `token`; an empty token is refused.
    pub fn new(token: &str) -> Result<Self, AdminError> {
        if token.is_empty() {
            return Err(AdminError::EmptyToken);
        }
        Ok(Self {
            digest: Sha256::digest(token.as_bytes()).into(),
        })
    }

    /// True when `presented` is the configured token.
    pub fn matches(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        digest.ct_eq(&self.digest).into()
    }
}

/// The secret of an `Authorization` header value (`Bearer <token>`, RFC 6750
/// §2.1; the scheme name is case-insensitive per RFC 9110 §11.1).
fn bearer_secret(authorization: &str) -> Option<&str> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// What a token may do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything.
    Admin,
    /// Everything inside one tenant (its lower-case domain), nothing outside.
    TenantAdmin(String),
    /// Every read, no change.
    ReadOnly,
}

impl Role {
    fn from_token(token: &pb::ApiToken) -> Result<Self, AdminError> {
        match token.role.as_str() {
            "admin" => Ok(Role::Admin),
            "tenant-admin" => Ok(Role::TenantAdmin(token.tenant_domain.to_ascii_lowercase())),
            "read-only" => Ok(Role::ReadOnly),
            other => {
                tracing::warn!(token = %token.id, role = other, "api token with an unknown role");
                Err(AdminError::Unauthorized)
            }
        }
    }
}

/// The authenticated caller.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The API token id; empty for the bootstrap token.
    pub token_id: String,
    /// The token name, or `bootstrap`.
    pub name: String,
    pub role: Role,
}

impl Principal {
    fn bootstrap() -> Self {
        Self {
            token_id: String::new(),
            name: "bootstrap".to_owned(),
            role: Role::Admin,
        }
    }

    /// The key its rate limit is counted under.
    pub fn rate_key(&self) -> &str {
        if self.token_id.is_empty() {
            &self.name
        } else {
            &self.token_id
        }
    }
}

/// Authenticates the request's bearer token.
pub async fn authenticate(
    state: &AdminState,
    headers: &HeaderMap,
) -> Result<Principal, AdminError> {
    let secret = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_secret)
        .ok_or(AdminError::Unauthorized)?;
    if state.bootstrap.matches(secret) {
        return Ok(Principal::bootstrap());
    }
    let token = state
        .admin_client()
        .verify_api_token(pb::VerifyApiTokenRequest {
            secret: secret.to_owned(),
        })
        .await
        .map_err(|status| match mailkeep_proto::error_code(&status) {
            ErrorCode::AuthenticationFailed | ErrorCode::InvalidArgument | ErrorCode::NotFound => {
                AdminError::Unauthorized
            }
            _ => AdminError::from_status(&status),
        })?
        .into_inner();
    Ok(Principal {
        role: Role::from_token(&token)?,
        token_id: token.id,
        name: token.name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_token_matches() {
        let token = BearerToken::new("s3cret-token").unwrap();
        assert!(token.matches("s3cret-token"));
        assert!(!token.matches("s3cret-tokeN"));
        assert!(!token.matches("s3cret"));
    }

    #[test]
    fn the_bearer_scheme_is_required_and_case_insensitive() {
        assert_eq!(bearer_secret("Bearer abc"), Some("abc"));
        assert_eq!(bearer_secret("bearer abc "), Some("abc"));
        assert_eq!(bearer_secret("Basic abc"), None);
        assert_eq!(bearer_secret("abc"), None);
        assert_eq!(bearer_secret("Bearer "), None);
    }

    #[test]
    fn an_empty_token_is_refused_and_debug_hides_the_digest() {
        assert!(matches!(BearerToken::new(""), Err(AdminError::EmptyToken)));
        let token = BearerToken::new("abc").unwrap();
        assert_eq!(format!("{token:?}"), "BearerToken(<redacted>)");
    }

    #[test]
    fn token_roles_map_and_unknown_roles_are_refused() {
        let token = |role: &str, tenant: &str| pb::ApiToken {
            role: role.into(),
            tenant_domain: tenant.into(),
            ..Default::default()
        };
        assert_eq!(Role::from_token(&token("admin", "")).unwrap(), Role::Admin);
        assert_eq!(
            Role::from_token(&token("tenant-admin", "Example.TEST")).unwrap(),
            Role::TenantAdmin("example.test".into())
        );
        assert_eq!(
            Role::from_token(&token("read-only", "")).unwrap(),
            Role::ReadOnly
        );
        assert!(Role::from_token(&token("root", "")).is_err());
    }
}
