//! The `admin` role: the REST admin API on `admin.listen`, calling the
//! metadata service at `admin.metadata_url`. The bearer token comes from
//! `admin.bootstrap_token(_file)`. Ready when the metadata service accepts
//! connections.

use mailkeep_admin::AdminState;
use mailkeep_proto::InternalAuth;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use super::{Tasks, bind, internal_auth, internal_token};
use crate::config::{Config, ConfigError, Secret};
use crate::ops::Probe;
use crate::shutdown::Shutdown;

/// Starts the admin API on `listener`; returns the readiness probe of its
/// metadata peer.
pub fn start(
    metadata_url: &str,
    bootstrap_token: &Secret,
    listener: TcpListener,
    auth: InternalAuth,
    tasks: &mut Tasks,
    shutdown: &Shutdown,
) -> anyhow::Result<Probe> {
    let state = AdminState::connect_lazy(metadata_url, auth, bootstrap_token.expose())?;
    tasks.spawn(
        "admin",
        mailkeep_admin::serve(listener, shutdown.wait(), state),
    );
    Probe::grpc_peer("metadata", metadata_url)
}

pub async fn run(
    config: Config,
    shutdown: Shutdown,
    metrics: PrometheusHandle,
) -> anyhow::Result<()> {
    let token = config
        .admin
        .bootstrap_token()?
        .ok_or(ConfigError::Required {
            key: "admin.bootstrap_token",
        })?;
    let auth = internal_auth(&internal_token(&config)?)?;
    let mut tasks = Tasks::new(shutdown.clone());
    let listener = bind("admin", config.admin.listen).await?;
    let probe = start(
        &config.admin.metadata_url,
        &token,
        listener,
        auth,
        &mut tasks,
        &shutdown,
    )?;
    tasks
        .spawn_ops(config.ops.listen, vec![probe], metrics)
        .await?;
    tasks.wait().await
}
