//! Bearer-token authentication of admin requests. Only the SHA-256 digest of
//! the configured token is kept in memory, and the presented token is hashed
//! and compared in constant time, so neither the token nor its length leaks
//! through timing.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AdminState;
use crate::error::AdminError;

/// The digest of the one token that may call the API.
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

    /// Checks an `Authorization` header value (`Bearer <token>`, RFC 6750 §2.1;
    /// the scheme name is case-insensitive per RFC 9110 §11.1).
    pub fn authorizes(&self, authorization: &str) -> bool {
        let Some((scheme, token)) = authorization.split_once(' ') else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer") && self.matches(token.trim())
    }
}

/// Middleware: answers 401 unless the request carries the configured token.
pub async fn require_token(
    State(state): State<AdminState>,
    request: Request,
    next: Next,
) -> Response {
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| state.token.authorizes(value));
    if !authorized {
        tracing::info!(path = %request.uri().path(), "admin request without a valid token");
        return AdminError::Unauthorized.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_configured_token_is_accepted() {
        let token = BearerToken::new("s3cret-token").unwrap();
        assert!(token.authorizes("Bearer s3cret-token"));
        assert!(token.authorizes("bearer s3cret-token"));
        assert!(!token.authorizes("Bearer s3cret-tokeN"));
        assert!(!token.authorizes("Bearer s3cret"));
        assert!(!token.authorizes("Basic s3cret-token"));
        assert!(!token.authorizes("s3cret-token"));
        assert!(!token.authorizes("Bearer "));
    }

    #[test]
    fn an_empty_token_is_refused_and_debug_hides_the_digest() {
        assert!(matches!(BearerToken::new(""), Err(AdminError::EmptyToken)));
        let token = BearerToken::new("abc").unwrap();
        assert_eq!(format!("{token:?}"), "BearerToken(<redacted>)");
    }
}
