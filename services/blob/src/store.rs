//! The `BlobStore` port: immutable, content-addressed bodies scoped per
//! tenant. Invariants every implementation keeps (the conformance suite checks
//! them): a blob id is the SHA-256 of the plain bytes; storing the same body
//! twice in one tenant keeps one object; a tenant only ever sees its own
//! objects; reads are clamped to the body's end.

use std::fmt;
use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures::{Stream, TryStreamExt};
use mailkeep_common::{BlobId, TenantId};
use sha2::{Digest, Sha256};

use crate::BlobError;

/// A body in transit, as a stream of chunks, so large bodies never have to be
/// one buffer at the API.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, BlobError>> + Send + 'static>>;

/// The default bound on one body: 64 MiB.
pub const DEFAULT_MAX_BLOB_BYTES: u64 = 64 * 1024 * 1024;

/// A byte range of a body. Reading past the end is clamped; an offset at or
/// beyond the end reads nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ByteRange {
    pub offset: u64,
    /// `None` reads to the end.
    pub length: Option<u64>,
}

impl ByteRange {
    /// The whole body.
    pub const FULL: ByteRange = ByteRange {
        offset: 0,
        length: None,
    };

    /// The `[start, end)` offsets this range covers in a body of `size` bytes.
    pub fn clamp(self, size: u64) -> (u64, u64) {
        let start = self.offset.min(size);
        let end = match self.length {
            Some(length) => start.saturating_add(length).min(size),
            None => size,
        };
        (start, end)
    }
}

/// What a put stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PutOutcome {
    pub blob_id: BlobId,
    pub size: u64,
    /// `false` when the tenant already held this body.
    pub created: bool,
}

/// Stores message bodies. Services hold it as `Arc<dyn BlobStore>`.
#[async_trait]
pub trait BlobStore: Send + Sync + fmt::Debug {
    /// Stores `body` for `tenant`. When `expected` is given and the body hashes
    /// to another id, nothing is stored and the call fails.
    async fn put(
        &self,
        tenant: TenantId,
        body: ByteStream,
        expected: Option<BlobId>,
    ) -> Result<PutOutcome, BlobError>;

    /// Streams `range` of a stored body; a missing blob is `NotFound`.
    async fn get(
        &self,
        tenant: TenantId,
        blob: BlobId,
        range: ByteRange,
    ) -> Result<ByteStream, BlobError>;

    /// The body's size, or `None` when the tenant holds no such blob.
    async fn stat(&self, tenant: TenantId, blob: BlobId) -> Result<Option<u64>, BlobError>;

    /// Removes the tenant's copy of a body; removing a missing blob succeeds.
    async fn delete(&self, tenant: TenantId, blob: BlobId) -> Result<(), BlobError>;

    /// Succeeds when the backing storage is reachable (for `/readyz`).
    async fn check_ready(&self) -> Result<(), BlobError>;
}

/// A one-chunk body stream.
pub fn body_from_bytes(bytes: impl Into<Bytes>) -> ByteStream {
    Box::pin(futures::stream::once(futures::future::ready(Ok(
        bytes.into()
    ))))
}

/// Collects a body stream into one buffer (tests and small bodies only).
pub async fn read_to_bytes(stream: ByteStream) -> Result<Bytes, BlobError> {
    let chunks: Vec<Bytes> = stream.try_collect().await?;
    Ok(Bytes::from(chunks.concat()))
}

/// The content address of `bytes`.
pub fn blob_id_of(bytes: &[u8]) -> BlobId {
    BlobId::from_digest(Sha256::digest(bytes).into())
}

/// Hashes and counts a body as it arrives, enforcing the size bound before
/// any byte past it is kept.
pub(crate) struct BodyIntake {
    hasher: Sha256,
    size: u64,
    limit: u64,
}

impl BodyIntake {
    pub(crate) fn new(limit: u64) -> Self {
        Self {
            hasher: Sha256::new(),
            size: 0,
            limit,
        }
    }

    pub(crate) fn absorb(&mut self, chunk: &[u8]) -> Result<(), BlobError> {
        let size = self.size.saturating_add(chunk.len() as u64);
        if size > self.limit {
            return Err(BlobError::TooLarge { limit: self.limit });
        }
        self.size = size;
        self.hasher.update(chunk);
        Ok(())
    }

    /// The body's id and size, checked against the id the caller expected.
    pub(crate) fn finish(self, expected: Option<BlobId>) -> Result<(BlobId, u64), BlobError> {
        let actual = BlobId::from_digest(self.hasher.finalize().into());
        match expected {
            Some(expected) if expected != actual => {
                Err(BlobError::DigestMismatch { expected, actual })
            }
            _ => Ok((actual, self.size)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_clamp_to_the_body() {
        assert_eq!(ByteRange::FULL.clamp(10), (0, 10));
        let middle = ByteRange {
            offset: 2,
            length: Some(3),
        };
        assert_eq!(middle.clamp(10), (2, 5));
        let past_end = ByteRange {
            offset: 8,
            length: Some(100),
        };
        assert_eq!(past_end.clamp(10), (8, 10));
        let beyond = ByteRange {
            offset: 50,
            length: None,
        };
        assert_eq!(beyond.clamp(10), (10, 10));
        let huge = ByteRange {
            offset: 1,
            length: Some(u64::MAX),
        };
        assert_eq!(huge.clamp(10), (1, 10));
    }

    #[test]
    fn intake_hashes_counts_and_bounds() {
        let mut intake = BodyIntake::new(5);
        intake.absorb(b"abc").unwrap();
        intake.absorb(b"de").unwrap();
        let (id, size) = intake.finish(Some(blob_id_of(b"abcde"))).unwrap();
        assert_eq!((id, size), (blob_id_of(b"abcde"), 5));

        let mut over = BodyIntake::new(5);
        over.absorb(b"abc").unwrap();
        assert!(matches!(
            over.absorb(b"def"),
            Err(BlobError::TooLarge { limit: 5 })
        ));

        let mut wrong = BodyIntake::new(5);
        wrong.absorb(b"abc").unwrap();
        assert!(matches!(
            wrong.finish(Some(blob_id_of(b"xyz"))),
            Err(BlobError::DigestMismatch { .. })
        ));
    }

    #[test]
    fn the_empty_body_has_the_well_known_digest() {
        assert_eq!(
            blob_id_of(b"").to_string(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
