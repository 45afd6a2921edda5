//! The one conformance suite every [`BlobStore`] must pass, instantiated for
//! the filesystem (a temp dir per test) and S3 (a fresh bucket per test at
//! `MAILKEEP_TEST_S3_ENDPOINT`; the S3 cases fail, never skip, without it).

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use mailkeep_common::{ErrorCode, TenantId};

use crate::s3::build_client;
use crate::{
    BlobError, BlobStore, ByteRange, ByteStream, FsBlobStore, S3BlobStore, S3Settings, blob_id_of,
    body_from_bytes, read_to_bytes,
};

/// The bound most cases run under: well above their largest body.
const SUITE_LIMIT: u64 = 16 * 1024 * 1024;
/// The bound of the size-limit case.
const SMALL_LIMIT: u64 = 1024 * 1024;

enum Backend {
    Fs(tempfile::TempDir),
    S3 {
        client: aws_sdk_s3::Client,
        bucket: String,
    },
}

struct Harness {
    store: Arc<dyn BlobStore>,
    backend: Backend,
}

async fn fs_harness(max_blob_bytes: u64) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::open(dir.path().join("blobs"), max_blob_bytes)
        .await
        .unwrap();
    Harness {
        store: Arc::new(store),
        backend: Backend::Fs(dir),
    }
}

/// Settings for a fresh, not yet created bucket on the test server.
fn s3_settings() -> S3Settings {
    let Ok(endpoint) = std::env::var("MAILKEEP_TEST_S3_ENDPOINT") else {
        panic!(
            "MAILKEEP_TEST_S3_ENDPOINT is not set: run scripts/test, which starts a local \
             S3-compatible server and sets it"
        );
    };
    S3Settings {
        bucket: format!("mk-test-{}", uuid::Uuid::new_v4().simple()),
        endpoint: Some(endpoint),
        region: "us-east-1".to_owned(),
        access_key_id: "test".to_owned(),
        secret_access_key: "test".to_owned(),
        key_prefix: "bodies/".to_owned(),
        force_path_style: true,
    }
}

async fn s3_harness(max_blob_bytes: u64) -> Harness {
    let settings = s3_settings();
    let store = S3BlobStore::new(&settings, max_blob_bytes).unwrap();
    store.ensure_bucket().await.unwrap();
    store.check_ready().await.unwrap();
    Harness {
        store: Arc::new(store),
        backend: Backend::S3 {
            client: build_client(&settings),
            bucket: settings.bucket,
        },
    }
}

/// Counts object files, leaving out the temp area.
fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|entry| entry.unwrap().path())
        .map(|path| match path.is_dir() {
            true if path.file_name().is_some_and(|name| name == "tmp") => 0,
            true => count_files(&path),
            false => 1,
        })
        .sum()
}

impl Harness {
    /// How many objects the backend really holds, across all tenants.
    async fn object_count(&self) -> usize {
        match &self.backend {
            Backend::Fs(dir) => count_files(dir.path()),
            Backend::S3 { client, bucket } => {
                let listing = client
                    .list_objects_v2()
                    .bucket(bucket)
                    .send()
                    .await
                    .unwrap();
                listing.contents().len()
            }
        }
    }

    /// Removes what an S3 case stored, so repeated runs do not pile up
    /// buckets on the test server (a temp dir removes itself).
    async fn teardown(self) {
        let Backend::S3 { client, bucket } = &self.backend else {
            return;
        };
        let listing = client
            .list_objects_v2()
            .bucket(bucket)
            .send()
            .await
            .unwrap();
        for object in listing.contents() {
            let key = object.key().unwrap_or_default();
            client
                .delete_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .unwrap();
        }
        client.delete_bucket().bucket(bucket).send().await.unwrap();
    }

    async fn read(&self, tenant: TenantId, body: &[u8], range: ByteRange) -> Bytes {
        let stream = self
            .store
            .get(tenant, blob_id_of(body), range)
            .await
            .unwrap();
        read_to_bytes(stream).await.unwrap()
    }
}

fn tenant(n: u128) -> TenantId {
    TenantId::from_u128(0x5eed_0000 + n)
}

/// A body whose every offset holds a distinguishable byte.
fn patterned(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// A body stream in chunks of `chunk` bytes.
fn chunked(body: &[u8], chunk: usize) -> ByteStream {
    let chunks: Vec<Result<Bytes, BlobError>> = body
        .chunks(chunk)
        .map(|part| Ok(Bytes::copy_from_slice(part)))
        .collect();
    Box::pin(futures::stream::iter(chunks))
}

async fn round_trip(h: &Harness) {
    let t = tenant(1);
    let body = b"From: a@example.test\r\n\r\nhello\r\n";
    let outcome = h
        .store
        .put(t, body_from_bytes(&body[..]), None)
        .await
        .unwrap();
    assert_eq!(outcome.blob_id, blob_id_of(body));
    assert_eq!(outcome.size, body.len() as u64);
    assert!(outcome.created);
    assert_eq!(h.read(t, body, ByteRange::FULL).await, &body[..]);
    assert_eq!(
        h.store.stat(t, outcome.blob_id).await.unwrap(),
        Some(body.len() as u64)
    );
    h.store.delete(t, outcome.blob_id).await.unwrap();
    assert_eq!(h.store.stat(t, outcome.blob_id).await.unwrap(), None);
    assert_eq!(h.object_count().await, 0);

    let empty = h.store.put(t, body_from_bytes(""), None).await.unwrap();
    assert_eq!((empty.blob_id, empty.size), (blob_id_of(b""), 0));
    assert!(h.read(t, b"", ByteRange::FULL).await.is_empty());
}

async fn dedup(h: &Harness) {
    let t = tenant(2);
    let body = patterned(10_000);
    let first = h.store.put(t, chunked(&body, 999), None).await.unwrap();
    let second = h
        .store
        .put(t, body_from_bytes(body.clone()), None)
        .await
        .unwrap();
    assert!(first.created);
    assert!(!second.created);
    assert_eq!(first.blob_id, second.blob_id);
    assert_eq!(second.size, 10_000);
    assert_eq!(h.object_count().await, 1);
}

async fn tenant_isolation(h: &Harness) {
    let (a, b) = (tenant(3), tenant(4));
    let body = b"shared body";
    let blob = blob_id_of(body);
    h.store
        .put(a, body_from_bytes(&body[..]), None)
        .await
        .unwrap();
    let missing = h.store.get(b, blob, ByteRange::FULL).await.err().unwrap();
    assert_eq!(missing.code(), ErrorCode::NotFound);
    assert_eq!(h.store.stat(b, blob).await.unwrap(), None);

    let in_b = h
        .store
        .put(b, body_from_bytes(&body[..]), None)
        .await
        .unwrap();
    assert!(in_b.created, "each tenant keeps its own copy");
    assert_eq!(h.object_count().await, 2);
    h.store.delete(a, blob).await.unwrap();
    assert_eq!(h.store.stat(a, blob).await.unwrap(), None);
    assert_eq!(h.read(b, body, ByteRange::FULL).await, &body[..]);
    assert_eq!(h.object_count().await, 1);
}

async fn ranges(h: &Harness) {
    let t = tenant(5);
    let body = patterned(1000);
    h.store
        .put(t, body_from_bytes(body.clone()), None)
        .await
        .unwrap();
    let cases: [(u64, Option<u64>, &[u8]); 10] = [
        (0, Some(10), &body[..10]),
        (500, Some(100), &body[500..600]),
        (990, Some(10), &body[990..]),
        (995, Some(100), &body[995..]),
        (200, None, &body[200..]),
        (0, Some(1000), &body[..]),
        (0, None, &body[..]),
        (10, Some(0), &[]),
        (1000, None, &[]),
        (5000, Some(3), &[]),
    ];
    for (offset, length, expected) in cases {
        let got = h.read(t, &body, ByteRange { offset, length }).await;
        assert_eq!(&got[..], expected, "range {offset} {length:?}");
    }
}

async fn missing_is_not_found(h: &Harness) {
    let t = tenant(6);
    let blob = blob_id_of(b"never stored");
    for range in [
        ByteRange::FULL,
        ByteRange {
            offset: 3,
            length: Some(0),
        },
    ] {
        let error = h.store.get(t, blob, range).await.err().unwrap();
        assert!(matches!(error, BlobError::NotFound { blob: b } if b == blob));
    }
    assert_eq!(h.store.stat(t, blob).await.unwrap(), None);
    h.store.delete(t, blob).await.unwrap();
}

async fn several_mebibytes(h: &Harness) {
    let t = tenant(7);
    let body = patterned(5 * 1024 * 1024 + 123);
    let outcome = h
        .store
        .put(t, chunked(&body, 64 * 1024), None)
        .await
        .unwrap();
    assert_eq!(outcome.size, body.len() as u64);
    assert_eq!(outcome.blob_id, blob_id_of(&body));
    let whole = h.read(t, &body, ByteRange::FULL).await;
    assert!(whole[..] == body[..], "large body differs after round trip");
    let middle = ByteRange {
        offset: 3 * 1024 * 1024 - 7,
        length: Some(200_000),
    };
    let part = h.read(t, &body, middle).await;
    let start = middle.offset as usize;
    assert!(part[..] == body[start..start + 200_000]);
}

async fn size_limit(h: &Harness) {
    let t = tenant(8);
    let fits = patterned(SMALL_LIMIT as usize);
    assert!(h.store.put(t, chunked(&fits, 100_000), None).await.is_ok());
    let over = patterned(SMALL_LIMIT as usize + 1);
    let error = h
        .store
        .put(t, chunked(&over, 100_000), None)
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Limit);
    assert_eq!(h.store.stat(t, blob_id_of(&over)).await.unwrap(), None);
    assert_eq!(h.object_count().await, 1);
}

async fn digest_mismatch_stores_nothing(h: &Harness) {
    let t = tenant(9);
    let wrong = Some(blob_id_of(b"something else"));
    let error = h
        .store
        .put(t, body_from_bytes("body"), wrong)
        .await
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidArgument);
    assert_eq!(h.object_count().await, 0);
    let right = Some(blob_id_of(b"body"));
    assert!(
        h.store
            .put(t, body_from_bytes("body"), right)
            .await
            .unwrap()
            .created
    );
}

async fn concurrent_puts_of_one_body(h: &Harness) {
    let t = tenant(10);
    let body = Bytes::from(patterned(300_000));
    let puts = (0..8).map(|_| {
        let store = Arc::clone(&h.store);
        let body = body.clone();
        tokio::spawn(async move { store.put(t, chunked(&body, 32 * 1024), None).await })
    });
    let outcomes: Vec<_> = futures::future::join_all(puts)
        .await
        .into_iter()
        .map(|joined| joined.unwrap().unwrap())
        .collect();
    assert!(outcomes.iter().all(|o| o.blob_id == blob_id_of(&body)));
    assert_eq!(outcomes.iter().filter(|o| o.created).count(), 1);
    assert_eq!(h.object_count().await, 1);
    assert_eq!(h.read(t, &body, ByteRange::FULL).await, body);
}

macro_rules! conformance_suite {
    ($backend:ident, $harness:ident) => {
        mod $backend {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn round_trip() {
                let harness = $harness(SUITE_LIMIT).await;
                super::round_trip(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn dedup() {
                let harness = $harness(SUITE_LIMIT).await;
                super::dedup(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn tenant_isolation() {
                let harness = $harness(SUITE_LIMIT).await;
                super::tenant_isolation(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn ranges() {
                let harness = $harness(SUITE_LIMIT).await;
                super::ranges(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn missing_is_not_found() {
                let harness = $harness(SUITE_LIMIT).await;
                super::missing_is_not_found(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn several_mebibytes() {
                let harness = $harness(SUITE_LIMIT).await;
                super::several_mebibytes(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn size_limit() {
                let harness = $harness(SMALL_LIMIT).await;
                super::size_limit(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn digest_mismatch_stores_nothing() {
                let harness = $harness(SUITE_LIMIT).await;
                super::digest_mismatch_stores_nothing(&harness).await;
                harness.teardown().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn concurrent_puts_of_one_body() {
                let harness = $harness(SUITE_LIMIT).await;
                super::concurrent_puts_of_one_body(&harness).await;
                harness.teardown().await;
            }
        }
    };
}

conformance_suite!(fs, fs_harness);
conformance_suite!(s3, s3_harness);

#[tokio::test]
async fn s3_missing_bucket_is_an_outage_not_a_missing_blob() {
    let store = S3BlobStore::new(&s3_settings(), SUITE_LIMIT).unwrap();
    let t = tenant(11);
    let blob = blob_id_of(b"x");
    assert!(store.check_ready().await.is_err());
    let error = store.get(t, blob, ByteRange::FULL).await.err().unwrap();
    assert_eq!(error.code(), ErrorCode::Internal);
    let error = store.put(t, body_from_bytes("x"), None).await.unwrap_err();
    assert_eq!(error.code(), ErrorCode::Internal);
}
