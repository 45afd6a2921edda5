//! Request extractors whose every rejection is a JSON [`AdminError`]: path
//! and query parameters, the JSON body (malformed input is described without
//! echoing values, so a password sent as a number never comes back), and the
//! `If-Match` precondition with its `ETag` counterpart (RFC 9110 §13.1.1).

use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::AdminError;

/// Path parameters.
pub struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParams(value))
            .map_err(|rejection| AdminError::InvalidInput(rejection.body_text()))
    }
}

/// Query-string parameters.
pub struct QueryParams<T>(pub T);

impl<T, S> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|rejection| AdminError::InvalidInput(rejection.body_text()))
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

/// The version an `If-Match` header requires, if any. `*` matches any
/// version; a value that is no ETag of ours can never match.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        expected_version(&parts.headers).map(IfMatch)
    }
}

fn expected_version(headers: &HeaderMap) -> Result<Option<i64>, AdminError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AdminError::PreconditionFailed)?
        .trim();
    if value == "*" {
        return Ok(None);
    }
    value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(|digits| digits.parse::<i64>().ok())
        .map(Some)
        .ok_or(AdminError::PreconditionFailed)
}

/// The strong `ETag` of a resource at `version`.
pub fn etag(version: i64) -> HeaderValue {
    HeaderValue::try_from(format!("\"{version}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CreateAccountRequest;

    fn if_match(value: &str) -> Result<Option<i64>, AdminError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_MATCH, HeaderValue::from_str(value).unwrap());
        expected_version(&headers)
    }

    #[test]
    fn if_match_takes_our_etags_and_star() {
        assert_eq!(expected_version(&HeaderMap::new()).unwrap(), None);
        assert_eq!(if_match("\"7\"").unwrap(), Some(7));
        assert_eq!(if_match("*").unwrap(), None);
        for foreign in ["7", "W/\"7\"", "\"x\"", "\"7\", \"8\""] {
            assert!(
                matches!(if_match(foreign), Err(AdminError::PreconditionFailed)),
                "{foreign}"
            );
        }
        assert_eq!(etag(42), "\"42\"");
    }

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
        let missing = serde_json::from_str::<crate::model::CreateTenantRequest>("{}").unwrap_err();
        assert!(classify(&missing).to_string().contains("domain"));
        let syntax =
            serde_json::from_str::<crate::model::CreateTenantRequest>("{\"domain\": ").unwrap_err();
        assert!(matches!(classify(&syntax), AdminError::MalformedJson(_)));
    }
}
