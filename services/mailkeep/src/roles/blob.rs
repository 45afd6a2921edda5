//! The `blob` role: opens the store named by `blob.url` (`s3://bucket` with
//! the `s3_*` settings, or `file:///path`) and serves the blob gRPC contract
//! on `blob.listen`. Ready when the store answers.

use anyhow::Context;
use mailkeep_blob::StoreOptions;
use mailkeep_blob::telemetry::TimedBlobStore;
use mailkeep_proto::InternalAuth;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use super::{Tasks, bind, internal_auth, internal_token};
use crate::config::{BlobSettings, Config, ConfigError};
use crate::ops::Probe;
use crate::shutdown::Shutdown;

/// The store options the `[blob]` table describes.
pub fn store_options(settings: &BlobSettings) -> Result<StoreOptions, ConfigError> {
    Ok(StoreOptions {
        max_blob_bytes: settings.max_blob_bytes,
        s3_endpoint: settings.s3_endpoint.clone(),
        s3_region: settings.s3_region.clone(),
        s3_access_key_id: settings.s3_access_key_id.clone().unwrap_or_default(),
        s3_secret_access_key: settings
            .s3_secret_access_key()?
            .map(|secret| secret.expose().to_owned())
            .unwrap_or_default(),
        s3_create_bucket: settings.s3_create_bucket,
    })
}

/// Opens the store and starts the gRPC server on `listener`; returns the
/// readiness probe of the store.
pub async fn start(
    url: &str,
    options: &StoreOptions,
    listener: TcpListener,
    auth: InternalAuth,
    tasks: &mut Tasks,
    shutdown: &Shutdown,
) -> anyhow::Result<Probe> {
    let store = mailkeep_blob::open_store(url, options)
        .await
        .context("cannot open the blob store")?;
    let store = TimedBlobStore::wrap(store, url);
    tasks.spawn(
        "blob",
        mailkeep_blob::serve(listener, shutdown.wait(), store.clone(), auth),
    );
    Ok(Probe::BlobStore(store))
}

pub async fn run(
    config: Config,
    shutdown: Shutdown,
    metrics: PrometheusHandle,
) -> anyhow::Result<()> {
    let url = config
        .blob
        .url
        .as_deref()
        .ok_or(ConfigError::Required { key: "blob.url" })?;
    let options = store_options(&config.blob)?;
    let auth = internal_auth(&internal_token(&config)?)?;
    let mut tasks = Tasks::new(shutdown.clone());
    let listener = bind("blob", config.blob.listen).await?;
    let probe = start(url, &options, listener, auth, &mut tasks, &shutdown).await?;
    tasks
        .spawn_ops(config.ops.listen, vec![probe], metrics)
        .await?;
    tasks.wait().await
}
