//! The metadata service (ARCHITECTURE.md §3, §3a): tenants, accounts,
//! mailboxes, messages, flags, MODSEQs and quotas behind the
//! [`MetadataStore`] trait, with a PostgreSQL and an SQLite implementation
//! chosen by URL scheme, and the gRPC service of
//! `proto/mailkeep/metadata/v1/metadata.proto` in [`grpc`].
#![forbid(unsafe_code)]

pub mod admin;
mod error;
mod flags;
pub mod grpc;
pub mod imports;
pub mod model;
mod names;
mod password;
pub mod sealed;
mod search;
mod secrets;
mod sql;
mod store;

use std::sync::Arc;

pub use admin::AdminStore;
pub use error::StoreError;
pub use grpc::{MetadataGrpc, serve, serve_service};
pub use imports::ImportStore;
pub use sealed::SecretsKey;
pub use sql::postgres::PostgresStore;
pub use sql::sqlite::SqliteStore;
pub use sql::store::SqlStore;
pub use store::{FETCH_PAGE_SIZE, MetadataStore, fetch_stream};

/// Opens the store named by `url` and applies pending migrations:
/// `postgres://` or `postgresql://` for PostgreSQL, `sqlite://path` for an
/// SQLite file (created when missing).
pub async fn open_store(url: &str) -> Result<Arc<dyn MetadataStore>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStore::connect(url).await?));
    }
    if url.starts_with("sqlite://") {
        return Ok(Arc::new(SqliteStore::open(url).await?));
    }
    Err(StoreError::InvalidArgument(
        "metadata url must start with postgres://, postgresql:// or sqlite://".into(),
    ))
}

/// Applies pending migrations to the database named by `url` (the
/// `mailkeep migrate` command).
pub async fn migrate(url: &str) -> Result<(), StoreError> {
    open_store(url).await.map(drop)
}
