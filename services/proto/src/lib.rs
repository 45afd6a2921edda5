//! Generated gRPC code for `mailkeep.metadata.v1` and `mailkeep.blob.v1`, the
//! mapping of [`ErrorCode`] to and from `tonic::Status` (the code travels in
//! the `x-mailkeep-error` metadata entry), the shared-secret interceptor
//! that authenticates internal calls, and in [`convert`] the conversions
//! between the wire types and the shared mail model of `mailkeep_common::mail`.
#![forbid(unsafe_code)]

use mailkeep_common::{ErrorCode, UidSet};
use tonic::metadata::MetadataValue;
use tonic::{Code, Status};

pub mod convert;
mod redacted;
pub mod telemetry;

pub mod metadata {
    pub mod v1 {
        tonic::include_proto!("mailkeep.metadata.v1");
    }
}

pub mod blob {
    pub mod v1 {
        tonic::include_proto!("mailkeep.blob.v1");
    }
}

/// gRPC metadata key carrying the [`ErrorCode`] name of a failed call.
pub const ERROR_CODE_KEY: &str = "x-mailkeep-error";
/// gRPC metadata key carrying the internal shared secret.
pub const INTERNAL_TOKEN_KEY: &str = "x-mailkeep-internal-token";

/// The gRPC status code for an [`ErrorCode`].
pub const fn grpc_code(code: ErrorCode) -> Code {
    match code {
        ErrorCode::InvalidArgument => Code::InvalidArgument,
        ErrorCode::NotFound => Code::NotFound,
        ErrorCode::AlreadyExists => Code::AlreadyExists,
        ErrorCode::AuthenticationFailed => Code::Unauthenticated,
        ErrorCode::PermissionDenied => Code::PermissionDenied,
        ErrorCode::OverQuota | ErrorCode::Limit => Code::ResourceExhausted,
        ErrorCode::Conflict | ErrorCode::PreconditionFailed => Code::FailedPrecondition,
        ErrorCode::Unavailable => Code::Unavailable,
        ErrorCode::Internal => Code::Internal,
    }
}

/// Builds a status that carries `code` in its metadata.
pub fn status(code: ErrorCode, message: impl Into<String>) -> Status {
    let mut status = Status::new(grpc_code(code), message);
    status
        .metadata_mut()
        .insert(ERROR_CODE_KEY, MetadataValue::from_static(code.as_str()));
    status
}

/// Recovers the [`ErrorCode`] of a status: from its metadata entry when the
/// peer set one, otherwise from the gRPC code (transport failures included).
pub fn error_code(status: &Status) -> ErrorCode {
    let from_metadata = status
        .metadata()
        .get(ERROR_CODE_KEY)
        .and_then(|value| value.to_str().ok())
        .and_then(|name| name.parse().ok());
    from_metadata.unwrap_or(match status.code() {
        Code::InvalidArgument | Code::OutOfRange => ErrorCode::InvalidArgument,
        Code::NotFound => ErrorCode::NotFound,
        Code::AlreadyExists => ErrorCode::AlreadyExists,
        Code::Unauthenticated => ErrorCode::AuthenticationFailed,
        Code::PermissionDenied => ErrorCode::PermissionDenied,
        Code::ResourceExhausted => ErrorCode::Limit,
        Code::FailedPrecondition | Code::Aborted => ErrorCode::Conflict,
        Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => ErrorCode::Unavailable,
        _ => ErrorCode::Internal,
    })
}

/// Converts a domain [`UidSet`] to its wire form.
pub fn uid_set_to_proto(set: &UidSet) -> metadata::v1::UidSet {
    metadata::v1::UidSet {
        ranges: set
            .ranges()
            .iter()
            .map(|&(first, last)| metadata::v1::UidRange { first, last })
            .collect(),
    }
}

/// Converts a wire UID set to the domain form (normalising order and overlaps).
pub fn uid_set_from_proto(set: &metadata::v1::UidSet) -> UidSet {
    UidSet::from_ranges(set.ranges.iter().map(|range| (range.first, range.last)))
}

/// A tonic interceptor that rejects calls without the internal shared secret.
/// An empty secret disables the check (only `dev`, on loopback, does that).
#[derive(Clone)]
pub struct InternalAuth {
    secret: Option<MetadataValue<tonic::metadata::Ascii>>,
}

impl std::fmt::Debug for InternalAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InternalAuth")
            .field("enabled", &self.secret.is_some())
            .finish()
    }
}

impl InternalAuth {
    /// Fails when the secret is not a valid header value.
    pub fn new(secret: &str) -> Result<Self, Status> {
        if secret.is_empty() {
            return Ok(Self { secret: None });
        }
        let value = secret
            .parse()
            .map_err(|_| status(ErrorCode::InvalidArgument, "internal token is not ascii"))?;
        Ok(Self {
            secret: Some(value),
        })
    }

    /// Server side: checks the caller's token.
    pub fn check(&self, request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        let Some(expected) = &self.secret else {
            return Ok(request);
        };
        match request.metadata().get(INTERNAL_TOKEN_KEY) {
            Some(given) if given == expected => Ok(request),
            _ => Err(status(
                ErrorCode::PermissionDenied,
                "missing or wrong internal token",
            )),
        }
    }

    /// Client side: attaches the token to an outgoing call.
    pub fn attach(&self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, Status> {
        if let Some(secret) = &self.secret {
            request
                .metadata_mut()
                .insert(INTERNAL_TOKEN_KEY, secret.clone());
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_survive_a_status_round_trip() {
        for code in ErrorCode::ALL {
            assert_eq!(error_code(&status(code, "x")), code);
        }
    }

    #[test]
    fn plain_transport_errors_map_to_unavailable() {
        assert_eq!(
            error_code(&Status::unavailable("connection refused")),
            ErrorCode::Unavailable
        );
    }

    #[test]
    fn internal_auth_rejects_a_wrong_token() {
        let server = InternalAuth::new("s3cret").unwrap();
        let good = InternalAuth::new("s3cret").unwrap();
        let bad = InternalAuth::new("other").unwrap();
        assert!(
            server
                .check(good.attach(tonic::Request::new(())).unwrap())
                .is_ok()
        );
        assert!(
            server
                .check(bad.attach(tonic::Request::new(())).unwrap())
                .is_err()
        );
        assert!(server.check(tonic::Request::new(())).is_err());
    }
}
