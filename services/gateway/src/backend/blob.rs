//! The gateway's client of the `mailkeep.blob.v1` contract: streaming put of
//! a body in 64 KiB chunks with the SHA-256 the gateway computed (so the
//! service verifies what it stores), and ranged get collected into bytes.
//! Invariant: `put` returns only the id the service confirmed storing.

use mailkeep_common::{BlobId, ErrorCode, TenantId};
use mailkeep_gateway_core::backend::{BackendError, BackendResult};
use mailkeep_proto::blob::v1::blob_client::BlobClient;
use mailkeep_proto::blob::v1::{GetRequest, PutChunk};
use mailkeep_proto::telemetry::client_call;
use sha2::{Digest, Sha256};

use super::InternalChannel;
use super::convert::status_error;

/// Bytes per `PutChunk`: small enough for any gRPC message limit, large
/// enough that framing costs nothing.
pub(crate) const PUT_CHUNK_BYTES: usize = 64 * 1024;

/// Bodies up to this size are read into a buffer sized up front.
const MAX_PREALLOCATED_READ: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct BlobRpc {
    client: BlobClient<InternalChannel>,
}

impl BlobRpc {
    pub(crate) fn new(client: BlobClient<InternalChannel>) -> Self {
        Self { client }
    }

    /// Stores `body` for `tenant` and returns its content address.
    pub(crate) async fn put(&self, tenant: TenantId, body: Vec<u8>) -> BackendResult<BlobId> {
        let expected = BlobId::from_digest(Sha256::digest(&body).into());
        let chunks = put_chunks(tenant, expected, body);
        let mut client = self.client.clone();
        let stored = client_call("blob", "Put", client.put(futures::stream::iter(chunks)))
            .await
            .map_err(|status| status_error(&status))?
            .into_inner();
        if stored.blob_id != expected.to_string() {
            return Err(BackendError::new(
                ErrorCode::Internal,
                "blob service stored a different digest",
            ));
        }
        Ok(expected)
    }

    /// Reads `length` bytes (`None`: to the end) of `blob` from `offset`.
    pub(crate) async fn read(
        &self,
        tenant: TenantId,
        blob: BlobId,
        offset: u64,
        length: Option<u64>,
    ) -> BackendResult<Vec<u8>> {
        // On the wire 0 means "to the end", so an empty range never travels.
        if length == Some(0) {
            return Ok(Vec::new());
        }
        let request = GetRequest {
            tenant_id: tenant.to_string(),
            blob_id: blob.to_string(),
            offset,
            length: length.unwrap_or(0),
        };
        let mut client = self.client.clone();
        let mut stream = client_call("blob", "Get", client.get(request))
            .await
            .map_err(|status| status_error(&status))?
            .into_inner();
        let capacity = length.unwrap_or(0).min(MAX_PREALLOCATED_READ);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = stream
            .message()
            .await
            .map_err(|status| status_error(&status))?
        {
            bytes.extend_from_slice(&chunk.data);
        }
        Ok(bytes)
    }
}

/// The client stream of a put: the first chunk names the tenant and the
/// expected id (and is sent even for an empty body); chunks are cut lazily,
/// so only one copy of a chunk exists beside the body at a time.
fn put_chunks(
    tenant: TenantId,
    expected: BlobId,
    body: Vec<u8>,
) -> impl Iterator<Item = PutChunk> + Send + 'static {
    let count = body.len().div_ceil(PUT_CHUNK_BYTES).max(1);
    (0..count).map(move |index| {
        let start = index * PUT_CHUNK_BYTES;
        let end = (start + PUT_CHUNK_BYTES).min(body.len());
        let first = index == 0;
        PutChunk {
            tenant_id: if first {
                tenant.to_string()
            } else {
                String::new()
            },
            data: body[start..end].to_vec(),
            expected_blob_id: if first {
                expected.to_string()
            } else {
                String::new()
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_cut_into_64_kib_chunks_headed_by_the_tenant() {
        let tenant = TenantId::from_u128(9);
        let blob = BlobId::from_digest([7; 32]);
        let body: Vec<u8> = (0..PUT_CHUNK_BYTES * 2 + 10).map(|i| i as u8).collect();
        let chunks: Vec<PutChunk> = put_chunks(tenant, blob, body.clone()).collect();
        assert_eq!(chunks.len(), 3);
        assert_eq!(chunks[0].tenant_id, tenant.to_string());
        assert_eq!(chunks[0].expected_blob_id, blob.to_string());
        assert!(chunks[1].tenant_id.is_empty() && chunks[2].expected_blob_id.is_empty());
        assert_eq!(
            chunks.iter().map(|c| c.data.len()).collect::<Vec<_>>(),
            vec![PUT_CHUNK_BYTES, PUT_CHUNK_BYTES, 10]
        );
        let joined: Vec<u8> = chunks.into_iter().flat_map(|c| c.data).collect();
        assert_eq!(joined, body);
    }

    #[test]
    fn an_empty_body_still_sends_one_chunk() {
        let chunks: Vec<PutChunk> = put_chunks(
            TenantId::from_u128(1),
            BlobId::from_digest([0; 32]),
            Vec::new(),
        )
        .collect();
        assert_eq!(chunks.len(), 1);
        assert!(chunks[0].data.is_empty());
        assert!(!chunks[0].tenant_id.is_empty());
    }
}
