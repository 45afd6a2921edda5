//! The `metadata` role: opens the store named by `metadata.database_url`
//! (applying migrations) and serves the metadata gRPC contract on
//! `metadata.listen`. Ready when the database answers.

use anyhow::Context;
use mailkeep_proto::InternalAuth;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use super::{Tasks, bind, internal_auth, internal_token};
use crate::config::{Config, ConfigError};
use crate::ops::Probe;
use crate::shutdown::Shutdown;

/// Opens the store and starts the gRPC server on `listener`; returns the
/// readiness probe of the store.
pub async fn start(
    database_url: &str,
    listener: TcpListener,
    auth: InternalAuth,
    tasks: &mut Tasks,
    shutdown: &Shutdown,
) -> anyhow::Result<Probe> {
    let store = mailkeep_metadata::open_store(database_url)
        .await
        .context("cannot open the metadata store")?;
    tasks.spawn(
        "metadata",
        mailkeep_metadata::serve(listener, shutdown.wait(), store.clone(), auth),
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
    let mut tasks = Tasks::new(shutdown.clone());
    let listener = bind("metadata", config.metadata.listen).await?;
    let probe = start(database_url, listener, auth, &mut tasks, &shutdown).await?;
    tasks
        .spawn_ops(config.ops.listen, vec![probe], metrics)
        .await?;
    tasks.wait().await
}
