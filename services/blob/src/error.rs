//! `BlobError`: every failure at the blob-store boundary, each classified by
//! [`BlobError::code`] so it crosses gRPC as the right [`ErrorCode`].

use mailkeep_common::{BlobId, ErrorCode};

/// Why a blob-store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// No blob with that id is stored for that tenant.
    #[error("blob {blob} not found")]
    NotFound { blob: BlobId },
    /// The body is larger than the store accepts.
    #[error("blob body exceeds the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// The caller named the digest it expected and the body hashed differently.
    #[error("blob body hashes to {actual}, not the expected {expected}")]
    DigestMismatch { expected: BlobId, actual: BlobId },
    /// A store URL or setting is malformed.
    #[error("invalid blob store configuration: {reason}")]
    InvalidConfig { reason: String },
    /// The stream carrying a body to store failed before its end.
    #[error("blob body stream failed: {reason}")]
    BodyStream { reason: String },
    /// A local file operation failed.
    #[error("blob file operation {op} failed")]
    Io {
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// The object store could not be reached (connect, timeout, dispatch).
    #[error("object store unreachable during {op}: {reason}")]
    Unreachable { op: &'static str, reason: String },
    /// The object store answered with an unexpected error.
    #[error("object store operation {op} failed: {reason}")]
    ObjectStore { op: &'static str, reason: String },
}

impl BlobError {
    /// The classification that travels to callers.
    pub fn code(&self) -> ErrorCode {
        match self {
            BlobError::NotFound { .. } => ErrorCode::NotFound,
            BlobError::TooLarge { .. } => ErrorCode::Limit,
            BlobError::DigestMismatch { .. } | BlobError::InvalidConfig { .. } => {
                ErrorCode::InvalidArgument
            }
            BlobError::BodyStream { .. } | BlobError::Unreachable { .. } => ErrorCode::Unavailable,
            BlobError::Io { .. } | BlobError::ObjectStore { .. } => ErrorCode::Internal,
        }
    }

    pub(crate) fn io(op: &'static str) -> impl Fn(std::io::Error) -> BlobError {
        move |source| BlobError::Io { op, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_mismatches_keep_distinct_codes() {
        let blob = BlobId::from_digest([7; 32]);
        assert_eq!(BlobError::TooLarge { limit: 1 }.code(), ErrorCode::Limit);
        assert_eq!(BlobError::NotFound { blob }.code(), ErrorCode::NotFound);
        let mismatch = BlobError::DigestMismatch {
            expected: blob,
            actual: BlobId::from_digest([8; 32]),
        };
        assert_eq!(mismatch.code(), ErrorCode::InvalidArgument);
        let io = BlobError::io("read")(std::io::Error::other("disk"));
        assert_eq!(io.code(), ErrorCode::Internal);
    }
}
