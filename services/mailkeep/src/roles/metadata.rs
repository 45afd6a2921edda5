//! The `metadata` role: opens the store named by `metadata.database_url`
//! (applying migrations) and serves the metadata gRPC contract on
//! `metadata.listen`, publishing change events on `metadata.bus_url` when
//! set. Ready when the database answers.

use std::sync::Arc;

use anyhow::Context;
use mailkeep_bus::ChangeBus;
use mailkeep_metadata::grpc::telemetry::TimedMetadataStore;
use mailkeep_proto::InternalAuth;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use super::{Tasks, bind, internal_auth, internal_token, open_bus};
use crate::config::{Config, ConfigError};
use crate::ops::Probe;
use crate::shutdown::Shutdown;

/// Opens the store and starts the gRPC server on `listener`, publishing on
/// `bus` when given; returns the readiness probe of the store.
pub async fn start(
    database_url: &str,
    listener: TcpListener,
    auth: InternalAuth,
    bus: Option<Arc<dyn ChangeBus>>,
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
            mailkeep_metadata::MetadataGrpc::new(store.clone()).with_bus(bus),
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
    let probe = start(database_url, listener, auth, bus, &mut tasks, &shutdown).await?;
    tasks
        .spawn_ops(config.ops.listen, vec![probe], metrics)
        .await?;
    tasks.wait().await
}
