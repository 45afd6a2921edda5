//! ErrorCode -> IMAP response code (RFC 5530, RFC 9051 §7.1): the one place
//! where backend failures get their protocol spelling.

use mailkeep_common::ErrorCode;

/// The response code for a `NO` caused by `code`, or `None` when IMAP has
/// no better code than a plain `NO`.
pub const fn response_code(code: ErrorCode) -> Option<&'static str> {
    match code {
        ErrorCode::InvalidArgument => Some("CANNOT"),
        ErrorCode::NotFound => Some("NONEXISTENT"),
        ErrorCode::AlreadyExists => Some("ALREADYEXISTS"),
        ErrorCode::AuthenticationFailed => Some("AUTHENTICATIONFAILED"),
        ErrorCode::PermissionDenied => Some("NOPERM"),
        ErrorCode::OverQuota => Some("OVERQUOTA"),
        ErrorCode::Limit => Some("LIMIT"),
        ErrorCode::Conflict => Some("INUSE"),
        // Only the admin API sets versions; IMAP has no precondition code.
        ErrorCode::PreconditionFailed => Some("CANNOT"),
        ErrorCode::Unavailable => Some("UNAVAILABLE"),
        ErrorCode::Internal => Some("SERVERBUG"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_imap_spelling() {
        for code in ErrorCode::ALL {
            assert!(response_code(code).is_some(), "{code}");
        }
        assert_eq!(response_code(ErrorCode::OverQuota), Some("OVERQUOTA"));
        assert_eq!(response_code(ErrorCode::Unavailable), Some("UNAVAILABLE"));
    }
}
