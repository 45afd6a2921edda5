//! The roles. Each module has `run(config, shutdown)` for its own process
//! and a `start` that `dev` reuses to run every role in one process, still
//! over gRPC on loopback. Shared here: binding a listener (and announcing it
//! on stdout as `<name> listening on <addr>`, which tests parse), and
//! [`Tasks`], which runs a role's servers and shuts all of them down when
//! one fails, and opening the optional change bus.

pub mod admin;
pub mod blob;
pub mod dev;
pub mod gateway;
pub mod lmtp;
pub mod metadata;
pub mod migrate;

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use mailkeep_bus::ChangeBus;
use mailkeep_proto::InternalAuth;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::bus_metrics::MeteredBus;
use crate::config::Config;
use crate::ops::{self, OpsState, Probe};
use crate::shutdown::Shutdown;

/// Opens the change bus `key` names, when configured. The URL may carry a
/// password, so it is never logged.
pub async fn open_bus(
    key: &'static str,
    url: Option<&str>,
) -> anyhow::Result<Option<Arc<dyn ChangeBus>>> {
    let Some(url) = url else {
        tracing::info!(key, "no change bus configured: sessions poll for updates");
        return Ok(None);
    };
    let bus = mailkeep_bus::open_bus(url)
        .await
        .with_context(|| format!("cannot open the change bus of {key}"))?;
    Ok(Some(MeteredBus::wrap(bus)))
}

/// Binds `address` and prints the bound address (port 0 resolved).
pub async fn bind(name: &str, address: SocketAddr) -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot bind the {name} listener to {address}"))?;
    let bound = listener.local_addr()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{name} listening on {bound}")?;
    stdout.flush()?;
    tracing::info!(listener = name, address = %bound, "listening");
    Ok(listener)
}

/// The internal gRPC secret from `[internal]` (empty when unset, which
/// disables the check: acceptable only on a private network).
pub fn internal_token(config: &Config) -> anyhow::Result<String> {
    let token = config.internal.token()?;
    if token.is_none() {
        tracing::warn!("internal.token is not set: internal grpc calls are not authenticated");
    }
    Ok(token
        .map(|secret| secret.expose().to_owned())
        .unwrap_or_default())
}

/// The shared-secret interceptor state for `token`.
pub fn internal_auth(token: &str) -> anyhow::Result<InternalAuth> {
    InternalAuth::new(token)
        .map_err(|status| anyhow::anyhow!("internal.token: {}", status.message()))
}

/// The servers of one process. When one ends before shutdown was asked
/// for, the others are shut down too and its error is reported.
/// The ops port outlives them: it answers (`/readyz` 503) while they drain,
/// and stops once they all have ended.
pub struct Tasks {
    set: JoinSet<anyhow::Result<()>>,
    shutdown: Shutdown,
    ops: Option<OpsServer>,
}

/// The running ops port and the latch that stops it.
struct OpsServer {
    stop: Shutdown,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Tasks {
    pub fn new(shutdown: Shutdown) -> Self {
        Self {
            set: JoinSet::new(),
            shutdown,
            ops: None,
        }
    }

    /// Runs a server; `what` names it in errors.
    pub fn spawn<E>(
        &mut self,
        what: &'static str,
        server: impl Future<Output = Result<(), E>> + Send + 'static,
    ) where
        E: Into<anyhow::Error> + Send + 'static,
    {
        self.set.spawn(async move {
            server
                .await
                .map_err(|error| error.into().context(format!("the {what} server failed")))
        });
    }

    /// Starts the ops port with `probes`.
    pub async fn spawn_ops(
        &mut self,
        address: SocketAddr,
        probes: Vec<Probe>,
        metrics: PrometheusHandle,
    ) -> anyhow::Result<()> {
        let listener = bind("ops", address).await?;
        let state = OpsState::new(probes, metrics, self.shutdown.clone());
        let stop = Shutdown::new();
        let task = tokio::spawn(ops::serve(listener, stop.wait(), state));
        self.ops = Some(OpsServer { stop, task });
        Ok(())
    }

    /// Waits for every server to end, then stops the ops port; the first
    /// failure triggers shutdown and is returned.
    pub async fn wait(mut self) -> anyhow::Result<()> {
        let mut first_error = None;
        while let Some(joined) = self.set.join_next().await {
            let outcome = joined
                .map_err(anyhow::Error::from)
                .and_then(|result| result);
            if let Err(error) = outcome {
                tracing::error!(error = format!("{error:#}"), "server stopped");
                self.shutdown.trigger();
                first_error.get_or_insert(error);
            }
        }
        if let Some(ops) = self.ops.take() {
            ops.stop.trigger();
            match ops.task.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(error = %error, "the ops server failed"),
                Err(error) => tracing::warn!(error = %error, "the ops server task failed"),
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn one_failing_server_stops_the_others() {
        let shutdown = Shutdown::new();
        let mut tasks = Tasks::new(shutdown.clone());
        let wait = shutdown.wait();
        tasks.spawn("patient", async move {
            wait.await;
            Ok::<(), std::io::Error>(())
        });
        tasks.spawn("broken", async { Err(std::io::Error::other("boom")) });
        let outcome = tokio::time::timeout(Duration::from_secs(2), tasks.wait())
            .await
            .unwrap();
        let error = outcome.unwrap_err();
        assert!(format!("{error:#}").contains("broken"), "{error:#}");
    }

    #[tokio::test]
    async fn bind_resolves_port_zero() {
        let listener = bind("test", SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap();
        assert_ne!(listener.local_addr().unwrap().port(), 0);
    }
}
