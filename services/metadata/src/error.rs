//! `StoreError`: every failure of a [`crate::MetadataStore`], classified by
//! [`ErrorCode`]. Driver-specific SQLSTATE and constraint mapping happens in
//! the store modules (`sql::postgres`, `sql::sqlite`), which build these
//! variants; nothing above them inspects database error codes.

use mailkeep_common::{ErrorCode, InvalidId};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    #[error("authentication failed")]
    AuthenticationFailed,
    #[error("permission denied: {0}")]
    PermissionDenied(&'static str),
    #[error("quota exceeded")]
    OverQuota,
    #[error("limit reached: {0}")]
    Limit(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("the object changed since the expected version")]
    PreconditionFailed,
    #[error("database unavailable")]
    Unavailable(#[source] sqlx::Error),
    #[error("database failure")]
    Database(#[source] sqlx::Error),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("password hashing failed")]
    Hashing,
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::InvalidArgument(_) => ErrorCode::InvalidArgument,
            StoreError::NotFound(_) => ErrorCode::NotFound,
            StoreError::AlreadyExists(_) => ErrorCode::AlreadyExists,
            StoreError::AuthenticationFailed => ErrorCode::AuthenticationFailed,
            StoreError::PermissionDenied(_) => ErrorCode::PermissionDenied,
            StoreError::OverQuota => ErrorCode::OverQuota,
            StoreError::Limit(_) => ErrorCode::Limit,
            StoreError::Conflict(_) => ErrorCode::Conflict,
            StoreError::PreconditionFailed => ErrorCode::PreconditionFailed,
            StoreError::Unavailable(_) => ErrorCode::Unavailable,
            StoreError::Database(_)
            | StoreError::Migrate(_)
            | StoreError::Corrupt(_)
            | StoreError::Hashing => ErrorCode::Internal,
        }
    }
}

impl From<InvalidId> for StoreError {
    fn from(error: InvalidId) -> Self {
        StoreError::InvalidArgument(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_variant_keeps_its_code() {
        assert_eq!(StoreError::OverQuota.code(), ErrorCode::OverQuota);
        assert_eq!(
            StoreError::AlreadyExists("mailbox").code(),
            ErrorCode::AlreadyExists
        );
        assert_eq!(
            StoreError::Unavailable(sqlx::Error::PoolTimedOut).code(),
            ErrorCode::Unavailable
        );
        assert_eq!(
            StoreError::from(InvalidId { kind: "mailbox" }).code(),
            ErrorCode::InvalidArgument
        );
    }
}
