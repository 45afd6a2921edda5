//! `S3BlobStore`: bodies as objects at `<key_prefix><tenant>/<sha256>` in one
//! bucket. Invariants: a put hashes the body while buffering it (bounded by
//! the size limit), skips the upload when the object exists, and writes with
//! `If-None-Match: *` so concurrent puts of one body never report two
//! creations; ranged reads use the HTTP `Range` header.

use std::fmt;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use bytes::BytesMut;
use futures::TryStreamExt;
use mailkeep_common::{BlobId, TenantId};

use crate::store::BodyIntake;
use crate::{BlobError, BlobStore, ByteRange, ByteStream, PutOutcome};

/// HTTP statuses the store interprets instead of failing.
const STATUS_NOT_FOUND: u16 = 404;
const STATUS_CONFLICT: u16 = 409;
const STATUS_PRECONDITION_FAILED: u16 = 412;
const STATUS_RANGE_NOT_SATISFIABLE: u16 = 416;

/// How many times a put retries after S3 reports a conflicting concurrent
/// conditional write (409), which it asks clients to retry.
const PUT_ATTEMPTS: usize = 3;

/// Where and how to reach the bucket. Credentials are static: no ambient AWS
/// configuration is read.
#[derive(Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// A non-AWS endpoint such as `http://127.0.0.1:9000`; `None` means AWS.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Prepended to every key; empty or ending in `/`.
    pub key_prefix: String,
    pub force_path_style: bool,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("key_prefix", &self.key_prefix)
            .field("force_path_style", &self.force_path_style)
            .finish_non_exhaustive()
    }
}

/// Builds an S3 client from explicit settings (static credentials;
/// checksums only when required, which non-AWS servers expect).
pub(crate) fn build_client(settings: &S3Settings) -> Client {
    let credentials = Credentials::new(
        settings.access_key_id.clone(),
        settings.secret_access_key.clone(),
        None,
        None,
        "mailkeep-static",
    );
    let mut config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()))
        .credentials_provider(credentials)
        .force_path_style(settings.force_path_style);
    if let Some(endpoint) = &settings.endpoint {
        config = config
            .endpoint_url(endpoint.clone())
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
    }
    Client::from_conf(config.build())
}

/// An S3-backed [`BlobStore`].
#[derive(Debug, Clone)]
pub struct S3BlobStore {
    client: Client,
    bucket: String,
    region: String,
    key_prefix: String,
    max_blob_bytes: u64,
}

impl S3BlobStore {
    /// Builds the store; no request is sent until first use.
    pub fn new(settings: &S3Settings, max_blob_bytes: u64) -> Result<Self, BlobError> {
        if settings.bucket.is_empty() {
            return Err(BlobError::InvalidConfig {
                reason: "s3 bucket name is empty".to_owned(),
            });
        }
        if !settings.key_prefix.is_empty() && !settings.key_prefix.ends_with('/') {
            return Err(BlobError::InvalidConfig {
                reason: "s3 key prefix must end with '/'".to_owned(),
            });
        }
        Ok(Self {
            client: build_client(settings),
            bucket: settings.bucket.clone(),
            region: settings.region.clone(),
            key_prefix: settings.key_prefix.clone(),
            max_blob_bytes,
        })
    }

    /// Creates the bucket when it does not exist (tests and `dev`).
    pub async fn ensure_bucket(&self) -> Result<(), BlobError> {
        match self.client.head_bucket().bucket(&self.bucket).send().await {
            Ok(_) => return Ok(()),
            Err(error) if http_status(&error) == Some(STATUS_NOT_FOUND) => {}
            Err(error) => return Err(classify("head bucket", error)),
        }
        let mut request = self.client.create_bucket().bucket(&self.bucket);
        if self.region != "us-east-1" {
            let location = BucketLocationConstraint::from(self.region.as_str());
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(location)
                    .build(),
            );
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(error) if http_status(&error) == Some(STATUS_CONFLICT) => Ok(()),
            Err(error) => Err(classify("create bucket", error)),
        }
    }

    fn key(&self, tenant: TenantId, blob: BlobId) -> String {
        format!("{}{tenant}/{blob}", self.key_prefix)
    }

    async fn head(&self, key: &str) -> Result<Option<u64>, BlobError> {
        let request = self.client.head_object().bucket(&self.bucket).key(key);
        match request.send().await {
            Ok(output) => Ok(Some(output.content_length().unwrap_or(0).max(0) as u64)),
            Err(error) if is_missing_object(&error) => Ok(None),
            Err(error) => Err(classify("head object", error)),
        }
    }
}

/// The HTTP status of a failed call, when the server answered at all.
fn http_status<E>(error: &SdkError<E, HttpResponse>) -> Option<u16> {
    error
        .raw_response()
        .map(|response| response.status().as_u16())
}

/// Whether a failed object call means "no such object" (not "no such
/// bucket", which is a misconfiguration and must not read as a missing blob).
fn is_missing_object<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> bool {
    http_status(error) == Some(STATUS_NOT_FOUND) && error.code() != Some("NoSuchBucket")
}

/// Sorts an SDK failure into "unreachable" (retry later) or "failed".
fn classify<E>(op: &'static str, error: SdkError<E, HttpResponse>) -> BlobError
where
    E: std::error::Error + 'static,
{
    let reason = DisplayErrorContext(&error).to_string();
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            BlobError::Unreachable { op, reason }
        }
        _ => BlobError::ObjectStore { op, reason },
    }
}

fn empty_stream() -> ByteStream {
    Box::pin(futures::stream::empty())
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put(
        &self,
        tenant: TenantId,
        mut body: ByteStream,
        expected: Option<BlobId>,
    ) -> Result<PutOutcome, BlobError> {
        let mut intake = BodyIntake::new(self.max_blob_bytes);
        let mut buffer = BytesMut::new();
        while let Some(chunk) = body.try_next().await? {
            intake.absorb(&chunk)?;
            buffer.extend_from_slice(&chunk);
        }
        let (blob_id, size) = intake.finish(expected)?;
        let outcome = |created| PutOutcome {
            blob_id,
            size,
            created,
        };
        let key = self.key(tenant, blob_id);
        let content = buffer.freeze();
        for _ in 0..PUT_ATTEMPTS {
            if self.head(&key).await?.is_some() {
                return Ok(outcome(false));
            }
            let request = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .if_none_match("*")
                .body(content.clone().into());
            match request.send().await {
                Ok(_) => return Ok(outcome(true)),
                Err(error) => match http_status(&error) {
                    Some(STATUS_PRECONDITION_FAILED) => return Ok(outcome(false)),
                    Some(STATUS_CONFLICT) => continue,
                    _ => return Err(classify("put object", error)),
                },
            }
        }
        Err(BlobError::ObjectStore {
            op: "put object",
            reason: "conditional write kept conflicting".to_owned(),
        })
    }

    async fn get(
        &self,
        tenant: TenantId,
        blob: BlobId,
        range: ByteRange,
    ) -> Result<ByteStream, BlobError> {
        let key = self.key(tenant, blob);
        let header = match range.length {
            // S3 cannot express an empty range; only existence matters then.
            Some(0) => {
                return match self.head(&key).await? {
                    Some(_) => Ok(empty_stream()),
                    None => Err(BlobError::NotFound { blob }),
                };
            }
            Some(length) => {
                let last = range.offset.saturating_add(length - 1);
                Some(format!("bytes={}-{last}", range.offset))
            }
            None if range.offset == 0 => None,
            None => Some(format!("bytes={}-", range.offset)),
        };
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&key)
            .set_range(header);
        let output = match request.send().await {
            Ok(output) => output,
            Err(error) if is_missing_object(&error) => return Err(BlobError::NotFound { blob }),
            // The object exists and the offset lies at or past its end.
            Err(error) if http_status(&error) == Some(STATUS_RANGE_NOT_SATISFIABLE) => {
                return Ok(empty_stream());
            }
            Err(error) => return Err(classify("get object", error)),
        };
        let chunks = futures::stream::try_unfold(output.body, |mut body| async move {
            let chunk = body
                .try_next()
                .await
                .map_err(|error| BlobError::Unreachable {
                    op: "read object",
                    reason: error.to_string(),
                })?;
            Ok(chunk.map(|chunk| (chunk, body)))
        });
        Ok(Box::pin(chunks))
    }

    async fn stat(&self, tenant: TenantId, blob: BlobId) -> Result<Option<u64>, BlobError> {
        self.head(&self.key(tenant, blob)).await
    }

    async fn delete(&self, tenant: TenantId, blob: BlobId) -> Result<(), BlobError> {
        let request = self
            .client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.key(tenant, blob));
        request
            .send()
            .await
            .map(|_| ())
            .map_err(|error| classify("delete object", error))
    }

    async fn check_ready(&self) -> Result<(), BlobError> {
        let request = self.client.head_bucket().bucket(&self.bucket);
        request
            .send()
            .await
            .map(|_| ())
            .map_err(|error| classify("head bucket", error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(prefix: &str) -> S3Settings {
        S3Settings {
            bucket: "b".to_owned(),
            region: "us-east-1".to_owned(),
            key_prefix: prefix.to_owned(),
            secret_access_key: "hidden-value".to_owned(),
            ..S3Settings::default()
        }
    }

    #[test]
    fn keys_are_prefix_tenant_digest() {
        let store = S3BlobStore::new(&settings("mail/"), 10).unwrap();
        let tenant = TenantId::from_u128(5);
        let blob = BlobId::from_digest([0xab; 32]);
        assert_eq!(store.key(tenant, blob), format!("mail/{tenant}/{blob}"));
    }

    #[test]
    fn bad_settings_are_rejected_and_secrets_never_printed() {
        assert!(S3BlobStore::new(&settings("mail"), 10).is_err());
        let empty_bucket = S3Settings {
            bucket: String::new(),
            ..settings("")
        };
        assert!(S3BlobStore::new(&empty_bucket, 10).is_err());
        assert!(!format!("{:?}", settings("")).contains("hidden-value"));
    }
}
