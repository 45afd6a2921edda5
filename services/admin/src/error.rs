//! `AdminError`: every way an admin request can fail, and its JSON answer
//! `{"error": {"code": "...", "message": "..."}}`. The HTTP status comes from
//! [`ErrorCode::http_status`], except where HTTP has a more precise word
//! (413 for an oversized body, 422 for well-formed JSON of the wrong shape).
//! Messages never contain a password or the bearer token.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mailkeep_common::ErrorCode;
use serde::Serialize;
use utoipa::ToSchema;

/// A failed admin request.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A field failed validation (domain, local part, password, quota).
    #[error("{0}")]
    InvalidInput(String),
    /// The body is not JSON.
    #[error("request body is not valid json: {0}")]
    MalformedJson(String),
    /// The body is JSON but not of the expected shape.
    #[error("request body does not match the schema: {0}")]
    UnexpectedJson(String),
    /// The body is larger than the configured bound.
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    /// The `Authorization: Bearer` header is missing or wrong.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// The token is valid but its role or tenant does not allow this call.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No route matches the path.
    #[error("no such resource")]
    NoRoute,
    /// The `If-Match` header names another version than the stored one.
    #[error("the resource has changed: its ETag no longer matches If-Match")]
    PreconditionFailed,
    /// The token has used up its request budget.
    #[error("too many requests; retry after {retry_after_seconds} s")]
    RateLimited { retry_after_seconds: u64 },
    /// The admin API was configured without a usable token.
    #[error("the admin bootstrap token must not be empty")]
    EmptyToken,
    /// The metadata service URL could not be parsed.
    #[error("invalid metadata url {url:?}")]
    InvalidMetadataUrl {
        url: String,
        #[source]
        source: tonic::transport::Error,
    },
    /// The metadata service answered with an error (or could not be reached).
    #[error("{message}")]
    Metadata { code: ErrorCode, message: String },
}

impl AdminError {
    /// The classification of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            AdminError::InvalidInput(_)
            | AdminError::MalformedJson(_)
            | AdminError::UnexpectedJson(_)
            | AdminError::EmptyToken
            | AdminError::InvalidMetadataUrl { .. } => ErrorCode::InvalidArgument,
            AdminError::BodyTooLarge { .. } => ErrorCode::Limit,
            AdminError::Unauthorized => ErrorCode::AuthenticationFailed,
            AdminError::Forbidden(_) => ErrorCode::PermissionDenied,
            AdminError::NoRoute => ErrorCode::NotFound,
            AdminError::PreconditionFailed => ErrorCode::PreconditionFailed,
            AdminError::RateLimited { .. } => ErrorCode::Limit,
            AdminError::Metadata { code, .. } => *code,
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            AdminError::UnexpectedJson(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AdminError::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::from_u16(self.code().http_status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }

    /// Classifies a failed metadata call. Internal and transport details stay
    /// in the log; the client gets a stable message for those.
    pub fn from_status(status: &tonic::Status) -> Self {
        let code = mailkeep_proto::error_code(status);
        let message = match code {
            ErrorCode::Unavailable => "metadata service unavailable".to_owned(),
            ErrorCode::Internal | ErrorCode::PermissionDenied => {
                "metadata service failed".to_owned()
            }
            _ => status.message().to_owned(),
        };
        if matches!(
            code,
            ErrorCode::Unavailable | ErrorCode::Internal | ErrorCode::PermissionDenied
        ) {
            tracing::warn!(code = %code, grpc_code = ?status.code(), error = %status.message(), "metadata call failed");
        }
        AdminError::Metadata { code, message }
    }
}

/// The JSON error envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// One error: a stable code (an `ErrorCode` name) and a human message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// e.g. `INVALID_ARGUMENT`, `NOT_FOUND`, `ALREADY_EXISTS`, `UNAVAILABLE`.
    pub code: String,
    pub message: String,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().as_str().to_owned(),
                message: self.to_string(),
            },
        };
        let mut response = (self.status(), Json(body)).into_response();
        match self {
            AdminError::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            AdminError::RateLimited {
                retry_after_seconds,
            } => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_errors_keep_their_code_and_map_to_http() {
        let status = mailkeep_proto::status(ErrorCode::AlreadyExists, "tenant exists");
        let error = AdminError::from_status(&status);
        assert_eq!(error.code(), ErrorCode::AlreadyExists);
        assert_eq!(error.status(), StatusCode::CONFLICT);
        assert_eq!(error.to_string(), "tenant exists");
    }

    #[test]
    fn transport_failures_become_503_without_details() {
        let error =
            AdminError::from_status(&tonic::Status::unavailable("tcp connect error 10.0.0.1"));
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.to_string(), "metadata service unavailable");
    }

    #[test]
    fn shape_errors_are_422_and_size_errors_413() {
        assert_eq!(
            AdminError::UnexpectedJson("x".into()).status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            AdminError::BodyTooLarge { limit: 1 }.status(),
            StatusCode::PAYLOAD_TOO_LARGE
        );
        assert_eq!(AdminError::Unauthorized.status(), StatusCode::UNAUTHORIZED);
    }
}
