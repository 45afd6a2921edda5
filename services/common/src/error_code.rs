//! `ErrorCode`: the small, stable classification of every failure that crosses
//! a role boundary. Its name travels in the `x-mailkeep-error` gRPC metadata
//! entry so that, for example, OVERQUOTA and LIMIT stay distinct end to end.

use std::fmt;
use std::str::FromStr;

/// Why an operation failed, independent of the transport that reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The input was malformed or violated a rule of the protocol.
    InvalidArgument,
    /// The named object does not exist (or is not visible to the caller).
    NotFound,
    /// An object with that name already exists.
    AlreadyExists,
    /// Login name or password was wrong.
    AuthenticationFailed,
    /// The caller is authenticated but may not do this.
    PermissionDenied,
    /// The account or tenant quota would be exceeded.
    OverQuota,
    /// A size or rate bound was crossed.
    Limit,
    /// The object is in a state that forbids the operation (e.g. has children).
    Conflict,
    /// The caller's expected version (HTTP `If-Match`) is no longer current.
    PreconditionFailed,
    /// A backend is down or overloaded; retrying later may succeed.
    Unavailable,
    /// A bug or an unexpected backend failure.
    Internal,
}

impl ErrorCode {
    /// Every code, for exhaustive tests and lookups.
    pub const ALL: [ErrorCode; 11] = [
        ErrorCode::InvalidArgument,
        ErrorCode::NotFound,
        ErrorCode::AlreadyExists,
        ErrorCode::AuthenticationFailed,
        ErrorCode::PermissionDenied,
        ErrorCode::OverQuota,
        ErrorCode::Limit,
        ErrorCode::Conflict,
        ErrorCode::PreconditionFailed,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    /// The stable wire name (gRPC metadata value, JSON `code` field).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::AlreadyExists => "ALREADY_EXISTS",
            ErrorCode::AuthenticationFailed => "AUTHENTICATION_FAILED",
            ErrorCode::PermissionDenied => "PERMISSION_DENIED",
            ErrorCode::OverQuota => "OVER_QUOTA",
            ErrorCode::Limit => "LIMIT",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::PreconditionFailed => "PRECONDITION_FAILED",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }

    /// The HTTP status the admin API answers with.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidArgument => 400,
            ErrorCode::AuthenticationFailed => 401,
            ErrorCode::PermissionDenied => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::AlreadyExists | ErrorCode::Conflict => 409,
            ErrorCode::PreconditionFailed => 412,
            ErrorCode::OverQuota => 507,
            ErrorCode::Limit => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::Internal => 500,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ErrorCode {
    type Err = ();

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ErrorCode::ALL
            .into_iter()
            .find(|code| code.as_str() == name)
            .ok_or(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_name() {
        for code in ErrorCode::ALL {
            assert_eq!(code.as_str().parse::<ErrorCode>(), Ok(code));
        }
        assert!("NOPE".parse::<ErrorCode>().is_err());
    }

    #[test]
    fn client_errors_map_to_4xx_and_outages_to_5xx() {
        assert_eq!(ErrorCode::NotFound.http_status(), 404);
        assert_eq!(ErrorCode::AlreadyExists.http_status(), 409);
        assert_eq!(ErrorCode::PreconditionFailed.http_status(), 412);
        assert_eq!(ErrorCode::Unavailable.http_status(), 503);
    }
}
