//! `FsBlobStore`: bodies as files at `<root>/<tenant>/<ab>/<cd>/<sha256>`.
//! Invariants: an object file is complete whenever it is visible, because a
//! body is written to `<root>/<tenant>/tmp/`, fsynced, then hard-linked into
//! place. Linking never replaces an existing file, so concurrent puts of one
//! body are safe and exactly one of them reports `created`.

use std::io::{ErrorKind, SeekFrom};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use futures::TryStreamExt;
use mailkeep_common::{BlobId, TenantId};
use tokio::fs;
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio_util::io::ReaderStream;

use crate::store::BodyIntake;
use crate::{BlobError, BlobStore, ByteRange, ByteStream, PutOutcome};

/// Size of the chunks a read yields.
const READ_CHUNK_BYTES: usize = 64 * 1024;

/// A filesystem-backed [`BlobStore`] for single-node and `dev` use.
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
    max_blob_bytes: u64,
}

impl FsBlobStore {
    /// Opens (creating when needed) a store rooted at `root`.
    pub async fn open(root: impl Into<PathBuf>, max_blob_bytes: u64) -> Result<Self, BlobError> {
        let root = root.into();
        fs::create_dir_all(&root)
            .await
            .map_err(BlobError::io("create root"))?;
        Ok(Self {
            root,
            max_blob_bytes,
        })
    }

    fn tenant_dir(&self, tenant: TenantId) -> PathBuf {
        self.root.join(tenant.to_string())
    }

    fn object_path(&self, tenant: TenantId, blob: BlobId) -> PathBuf {
        let name = blob.to_string();
        self.tenant_dir(tenant)
            .join(&name[0..2])
            .join(&name[2..4])
            .join(name)
    }

    /// Writes the body to `temp`, then links it to its content address.
    async fn store_body(
        &self,
        tenant: TenantId,
        temp: &Path,
        mut body: ByteStream,
        expected: Option<BlobId>,
    ) -> Result<PutOutcome, BlobError> {
        let mut file = fs::File::create(temp)
            .await
            .map_err(BlobError::io("create temp file"))?;
        let mut intake = BodyIntake::new(self.max_blob_bytes);
        while let Some(chunk) = body.try_next().await? {
            intake.absorb(&chunk)?;
            file.write_all(&chunk)
                .await
                .map_err(BlobError::io("write temp file"))?;
        }
        file.sync_all()
            .await
            .map_err(BlobError::io("sync temp file"))?;
        drop(file);
        let (blob_id, size) = intake.finish(expected)?;

        let target = self.object_path(tenant, blob_id);
        let parent = target.parent().unwrap_or(&self.root);
        fs::create_dir_all(parent)
            .await
            .map_err(BlobError::io("create object dir"))?;
        let created = match fs::hard_link(temp, &target).await {
            Ok(()) => true,
            Err(error) if error.kind() == ErrorKind::AlreadyExists => false,
            Err(error) => return Err(BlobError::io("link object")(error)),
        };
        if created {
            sync_dir(parent).await?;
        }
        Ok(PutOutcome {
            blob_id,
            size,
            created,
        })
    }
}

/// Makes a directory entry durable (the link just made in it).
async fn sync_dir(dir: &Path) -> Result<(), BlobError> {
    let handle = fs::File::open(dir)
        .await
        .map_err(BlobError::io("open object dir"))?;
    handle
        .sync_all()
        .await
        .map_err(BlobError::io("sync object dir"))
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put(
        &self,
        tenant: TenantId,
        body: ByteStream,
        expected: Option<BlobId>,
    ) -> Result<PutOutcome, BlobError> {
        let temp_dir = self.tenant_dir(tenant).join("tmp");
        fs::create_dir_all(&temp_dir)
            .await
            .map_err(BlobError::io("create temp dir"))?;
        let temp = temp_dir.join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        let outcome = self.store_body(tenant, &temp, body, expected).await;
        if let Err(error) = fs::remove_file(&temp).await
            && error.kind() != ErrorKind::NotFound
        {
            tracing::warn!(path = %temp.display(), error = %error, "temp blob file not removed");
        }
        outcome
    }

    async fn get(
        &self,
        tenant: TenantId,
        blob: BlobId,
        range: ByteRange,
    ) -> Result<ByteStream, BlobError> {
        let mut file = match fs::File::open(self.object_path(tenant, blob)).await {
            Ok(file) => file,
            Err(error) if error.kind() == ErrorKind::NotFound => {
                return Err(BlobError::NotFound { blob });
            }
            Err(error) => return Err(BlobError::io("open object")(error)),
        };
        let size = file
            .metadata()
            .await
            .map_err(BlobError::io("stat object"))?
            .len();
        let (start, end) = range.clamp(size);
        file.seek(SeekFrom::Start(start))
            .await
            .map_err(BlobError::io("seek object"))?;
        let reader = file.take(end - start);
        Ok(Box::pin(
            ReaderStream::with_capacity(reader, READ_CHUNK_BYTES)
                .map_err(BlobError::io("read object")),
        ))
    }

    async fn stat(&self, tenant: TenantId, blob: BlobId) -> Result<Option<u64>, BlobError> {
        match fs::metadata(self.object_path(tenant, blob)).await {
            Ok(metadata) => Ok(Some(metadata.len())),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(None),
            Err(error) => Err(BlobError::io("stat object")(error)),
        }
    }

    async fn delete(&self, tenant: TenantId, blob: BlobId) -> Result<(), BlobError> {
        match fs::remove_file(self.object_path(tenant, blob)).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == ErrorKind::NotFound => Ok(()),
            Err(error) => Err(BlobError::io("remove object")(error)),
        }
    }

    async fn check_ready(&self) -> Result<(), BlobError> {
        let metadata = fs::metadata(&self.root)
            .await
            .map_err(BlobError::io("stat root"))?;
        if metadata.is_dir() {
            Ok(())
        } else {
            Err(BlobError::InvalidConfig {
                reason: format!("{} is not a directory", self.root.display()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{blob_id_of, body_from_bytes};

    #[tokio::test]
    async fn objects_live_at_their_sharded_content_address() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path(), 1024).await.unwrap();
        let tenant = TenantId::from_u128(0xabc);
        let outcome = store
            .put(tenant, body_from_bytes("hello"), None)
            .await
            .unwrap();
        let name = blob_id_of(b"hello").to_string();
        let expected = dir
            .path()
            .join(tenant.to_string())
            .join(&name[0..2])
            .join(&name[2..4])
            .join(&name);
        assert_eq!(std::fs::read(&expected).unwrap(), b"hello");
        assert_eq!(outcome.blob_id.to_string(), name);
        let temp_dir = dir.path().join(tenant.to_string()).join("tmp");
        assert_eq!(std::fs::read_dir(temp_dir).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn a_failed_put_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobStore::open(dir.path(), 1024).await.unwrap();
        let tenant = TenantId::from_u128(1);
        let wrong = Some(blob_id_of(b"other"));
        let error = store
            .put(tenant, body_from_bytes("hello"), wrong)
            .await
            .unwrap_err();
        assert!(matches!(error, BlobError::DigestMismatch { .. }));
        let temp_dir = dir.path().join(tenant.to_string()).join("tmp");
        assert_eq!(std::fs::read_dir(temp_dir).unwrap().count(), 0);
        assert_eq!(
            store.stat(tenant, blob_id_of(b"hello")).await.unwrap(),
            None
        );
    }
}
