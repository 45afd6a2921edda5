//! The blob service (ARCHITECTURE.md §4): immutable message bodies addressed
//! by the SHA-256 of their plain bytes and scoped per tenant, behind the
//! [`BlobStore`] trait with a filesystem ([`FsBlobStore`]) and an S3
//! ([`S3BlobStore`]) implementation, chosen at run time by URL scheme
//! ([`open_store`]), and served over gRPC ([`serve`]).
#![forbid(unsafe_code)]

mod error;
mod fs;
mod grpc;
mod s3;
mod store;
pub mod telemetry;

#[cfg(test)]
mod conformance;

use std::path::PathBuf;
use std::sync::Arc;

pub use error::BlobError;
pub use fs::FsBlobStore;
pub use grpc::{BlobGrpc, GET_CHUNK_BYTES, MAX_GRPC_MESSAGE_BYTES, serve};
pub use s3::{S3BlobStore, S3Settings};
pub use store::{
    BlobStore, ByteRange, ByteStream, DEFAULT_MAX_BLOB_BYTES, PutOutcome, blob_id_of,
    body_from_bytes, read_to_bytes,
};

/// Everything [`open_store`] needs besides the URL. The S3 fields are used
/// only for `s3://` URLs, whose bucket and key prefix come from the URL.
#[derive(Clone)]
pub struct StoreOptions {
    /// Bodies larger than this are refused with `Limit`.
    pub max_blob_bytes: u64,
    /// A non-AWS endpoint (MinIO, moto, Ceph); enables path-style addressing.
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: String,
    pub s3_secret_access_key: String,
    /// Create the bucket when it is missing (tests and `dev`).
    pub s3_create_bucket: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_blob_bytes: DEFAULT_MAX_BLOB_BYTES,
            s3_endpoint: None,
            s3_region: "us-east-1".to_owned(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: String::new(),
            s3_create_bucket: false,
        }
    }
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions")
            .field("max_blob_bytes", &self.max_blob_bytes)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_region", &self.s3_region)
            .field("s3_create_bucket", &self.s3_create_bucket)
            .finish_non_exhaustive()
    }
}

/// Where a store URL points.
#[derive(Debug, PartialEq, Eq)]
enum StoreLocation {
    Fs(PathBuf),
    S3 { bucket: String, key_prefix: String },
}

/// Parses `file:///abs/path`, a plain path, or `s3://bucket[/prefix]`.
fn parse_location(url: &str) -> Result<StoreLocation, BlobError> {
    let invalid = |reason: &str| BlobError::InvalidConfig {
        reason: format!("{reason}: {url}"),
    };
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(invalid("s3 url names no bucket"));
        }
        let prefix = prefix.trim_matches('/');
        let key_prefix = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        return Ok(StoreLocation::S3 {
            bucket: bucket.to_owned(),
            key_prefix,
        });
    }
    let path = match url.strip_prefix("file://") {
        Some(path) if path.starts_with('/') => path,
        Some(_) => return Err(invalid("file url must hold an absolute path")),
        None if url.contains("://") => return Err(invalid("unsupported blob store scheme")),
        None => url,
    };
    if path.is_empty() {
        return Err(invalid("blob store path is empty"));
    }
    Ok(StoreLocation::Fs(PathBuf::from(path)))
}

/// Opens the store a URL names: `file:///path` (or a plain path) or
/// `s3://bucket[/prefix]`.
pub async fn open_store(
    url: &str,
    options: &StoreOptions,
) -> Result<Arc<dyn BlobStore>, BlobError> {
    match parse_location(url)? {
        StoreLocation::Fs(root) => Ok(Arc::new(
            FsBlobStore::open(root, options.max_blob_bytes).await?,
        )),
        StoreLocation::S3 { bucket, key_prefix } => {
            let settings = S3Settings {
                bucket,
                force_path_style: options.s3_endpoint.is_some(),
                endpoint: options.s3_endpoint.clone(),
                region: options.s3_region.clone(),
                access_key_id: options.s3_access_key_id.clone(),
                secret_access_key: options.s3_secret_access_key.clone(),
                key_prefix,
            };
            let store = S3BlobStore::new(&settings, options.max_blob_bytes)?;
            if options.s3_create_bucket {
                store.ensure_bucket().await?;
            }
            Ok(Arc::new(store))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::TenantId;

    #[test]
    fn urls_select_the_store_kind() {
        assert_eq!(
            parse_location("file:///var/lib/blobs").unwrap(),
            StoreLocation::Fs(PathBuf::from("/var/lib/blobs"))
        );
        assert_eq!(
            parse_location("./data/blobs").unwrap(),
            StoreLocation::Fs(PathBuf::from("./data/blobs"))
        );
        assert_eq!(
            parse_location("s3://mail").unwrap(),
            StoreLocation::S3 {
                bucket: "mail".to_owned(),
                key_prefix: String::new()
            }
        );
        assert_eq!(
            parse_location("s3://mail/eu/bodies/").unwrap(),
            StoreLocation::S3 {
                bucket: "mail".to_owned(),
                key_prefix: "eu/bodies/".to_owned()
            }
        );
        for bad in ["s3://", "s3:///x", "file://relative", "gs://bucket", ""] {
            assert!(parse_location(bad).is_err(), "{bad} should be refused");
        }
    }

    #[tokio::test]
    async fn open_store_gives_a_working_filesystem_store() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().join("blobs").display());
        let store = open_store(&url, &StoreOptions::default()).await.unwrap();
        store.check_ready().await.unwrap();
        let tenant = TenantId::from_u128(9);
        let outcome = store.put(tenant, body_from_bytes("x"), None).await.unwrap();
        assert_eq!(outcome.blob_id, blob_id_of(b"x"));
        assert!(dir.path().join("blobs").join(tenant.to_string()).is_dir());
    }
}
