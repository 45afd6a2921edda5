//! [`TimedBlobStore`]: the blob store boundary, timed and traced. Every call
//! is one `<backend> <operation>` span (a child of the gRPC server span);
//! on S3 it is also one sample of
//! `mailkeep_s3_request_duration_seconds{operation}` with operation
//! `put`, `get`, `get_range`, `head`, `delete` or `list` (the readiness
//! check lists the bucket).

use std::sync::Arc;

use async_trait::async_trait;
use mailkeep_common::{BlobId, TenantId};
use mailkeep_proto::telemetry::storage_call;

use crate::{BlobError, BlobStore, ByteRange, ByteStream, PutOutcome};

/// Wraps a store so each call is measured.
#[derive(Debug)]
pub struct TimedBlobStore {
    inner: Arc<dyn BlobStore>,
    backend: &'static str,
    metric: Option<&'static str>,
}

impl TimedBlobStore {
    /// Wraps the store opened from `url` (`s3://...` or `file://...`).
    pub fn wrap(inner: Arc<dyn BlobStore>, url: &str) -> Arc<dyn BlobStore> {
        let s3 = url.starts_with("s3://");
        Arc::new(Self {
            inner,
            backend: if s3 { "s3" } else { "file" },
            metric: s3.then_some("mailkeep_s3_request_duration_seconds"),
        })
    }
}

#[async_trait]
impl BlobStore for TimedBlobStore {
    async fn put(
        &self,
        tenant: TenantId,
        body: ByteStream,
        expected: Option<BlobId>,
    ) -> Result<PutOutcome, BlobError> {
        let call = self.inner.put(tenant, body, expected);
        storage_call(self.metric, self.backend, "put", call).await
    }

    async fn get(
        &self,
        tenant: TenantId,
        blob: BlobId,
        range: ByteRange,
    ) -> Result<ByteStream, BlobError> {
        let operation = if range == ByteRange::FULL {
            "get"
        } else {
            "get_range"
        };
        let call = self.inner.get(tenant, blob, range);
        storage_call(self.metric, self.backend, operation, call).await
    }

    async fn stat(&self, tenant: TenantId, blob: BlobId) -> Result<Option<u64>, BlobError> {
        let call = self.inner.stat(tenant, blob);
        storage_call(self.metric, self.backend, "head", call).await
    }

    async fn delete(&self, tenant: TenantId, blob: BlobId) -> Result<(), BlobError> {
        let call = self.inner.delete(tenant, blob);
        storage_call(self.metric, self.backend, "delete", call).await
    }

    async fn check_ready(&self) -> Result<(), BlobError> {
        let call = self.inner.check_ready();
        storage_call(self.metric, self.backend, "list", call).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{body_from_bytes, read_to_bytes};

    #[tokio::test]
    async fn calls_pass_through_to_the_wrapped_store() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("file://{}", dir.path().display());
        let store = crate::open_store(&url, &crate::StoreOptions::default())
            .await
            .unwrap();
        let store = TimedBlobStore::wrap(store, &url);
        let tenant = TenantId::from_u128(1);
        let put = store
            .put(tenant, body_from_bytes(&b"hello"[..]), None)
            .await
            .unwrap();
        let range = ByteRange {
            offset: 1,
            length: Some(3),
        };
        let part = store.get(tenant, put.blob_id, range).await.unwrap();
        assert_eq!(&read_to_bytes(part).await.unwrap()[..], b"ell");
        assert_eq!(store.stat(tenant, put.blob_id).await.unwrap(), Some(5));
        store.delete(tenant, put.blob_id).await.unwrap();
        store.check_ready().await.unwrap();
    }
}
