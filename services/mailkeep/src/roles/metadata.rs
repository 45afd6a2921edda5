//! The `metadata` role: opens the store named by `metadata.database_url`
//! (applying migrations) and serves the metadata gRPC contract on
//! `metadata.listen`, publishing change events on `metadata.bus_url` when
//! set and sealing import job passwords under `metadata.secrets_key`. Ready
//! when the database answers.

use std::sync::Arc;

use anyhow::Context;
use mailkeep_bus::ChangeBus;
use mailkeep_metadata::SecretsKey;
use mailkeep_metadata::grpc::telemetry::TimedMetadataStore;
use mailkeep_proto::InternalAuth;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use super::{Tasks, bind, internal_auth, internal_token, open_bus};
use crate::config::{Config, ConfigError};
use crate::ops::Probe;
use crate::shutdown::Shutdown;

/// The key of `metadata.secrets_key` (or `_file`), when configured.
pub fn secrets_key(config: &Config) -> anyhow::Result<Option<SecretsKey>> {
    let Some(secret) = config.metadata.secrets_key()? else {
        return Ok(None);
    };
    let key = SecretsKey::from_base64(secret.expose()).context("invalid metadata.secrets_key")?;
    Ok(Some(key))
}

/// Opens the store and starts the gRPC server on `listener`, publishing on
/// `bus` when given and sealing import job passwords under `secrets_key`;
/// returns the readiness probe of the store.
pub async fn start(
    database_url: &str,
    listener: TcpListener,
    auth: InternalAuth,
    bus: Option<Arc<dyn ChangeBus>>,
    secrets_key: Option<SecretsKey>,
    tasks: &mut Tasks,
    shutdown: &Shutdown,
) -> anyhow::Result<Probe> {
    let store = mailkeep_metadata::open_store(database_url)
        .await
        .context("cannot open the metadata store")?;
    let store = TimedMetadataStore::wrap(store, database_url);
    tasks.spawn(
        "metadata",
        mailkeep_metadata::serve_service(
            listener,
            shutdown.wait(),
            mailkeep_metadata::MetadataGrpc::new(store.clone())
                .with_bus(bus)
                .with_secrets_key(secrets_key),
            auth,
        ),
    );
    Ok(Probe::MetadataStore(store))
}

pub async fn run(
    config: Config,
    shutdown: Shutdown,
    metrics: PrometheusHandle,
) -> anyhow::Result<()> {
    let database_url = config
        .metadata
        .database_url
        .as_deref()
        .ok_or(ConfigError::Required {
            key: "metadata.database_url",
        })?;
    let auth = internal_auth(&internal_token(&config)?)?;
    let bus = open_bus("metadata.bus_url", config.metadata.bus_url.as_deref()).await?;
    let mut tasks = Tasks::new(shutdown.clone());
    let listener = bind("metadata", config.metadata.listen).await?;
    let key = secrets_key(&config)?;
    if key.is_none() {
        tracing::warn!("metadata.secrets_key is not set: IMAP migration jobs are refused");
    }
    let probe = start(
        database_url,
        listener,
        auth,
        bus,
        key,
        &mut tasks,
        &shutdown,
    )
    .await?;
    tasks
        .spawn_ops(config.ops.listen, vec![probe], metrics)
        .await?;
    tasks.wait().await
}
