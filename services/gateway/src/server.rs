//! [`serve`]: the accept loops of the IMAP and IMAPS listeners, one task per
//! connection, and the drain on shutdown (ARCHITECTURE.md §7): stop
//! accepting, tell every session `* BYE` once it is between commands or in
//! IDLE (a command in flight finishes first), wait for them up to the drain
//! deadline, then cut the rest. Invariant: `serve` returns only after every
//! connection task has ended.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mailkeep_gateway_core::backend::MailBackend;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument;

use crate::config::GatewayConfig;
use crate::connection::{self, ListenerKind, Shared};

/// Pause after a failed accept (e.g. out of file descriptors), so the loop
/// does not spin while the condition lasts.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);

/// Serves IMAP on the configured listeners until `shutdown` completes, then
/// drains. Fails at once when IMAPS is configured without TLS or when there
/// is no listener at all.
pub async fn serve(
    config: GatewayConfig,
    backend: Arc<dyn MailBackend>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    if config.imap.is_none() && config.imaps.is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "no imap listener configured",
        ));
    }
    if config.imaps.is_some() && config.tls.is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "imaps listener needs a tls configuration",
        ));
    }
    let shared = Arc::new(Shared {
        backend,
        session: config.session,
        tls: config.tls.map(TlsAcceptor::from),
        trusted_networks: config.trusted_networks,
        handshake_timeout: config.handshake_timeout,
        idle_timeout: config.idle_timeout,
        update_timers: config.update_timers,
        write_timeout: config.write_timeout,
        events: config.events,
    });
    // Exported from the start, not only after the first IDLE.
    metrics::gauge!("mailkeep_imap_idle_sessions").set(0.0);
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    let (imap, imaps) = (config.imap, config.imaps);
    tokio::pin!(shutdown);
    loop {
        let (accepted, kind) = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(imap.as_ref()) => (accepted, ListenerKind::Imap),
            accepted = accept(imaps.as_ref()) => (accepted, ListenerKind::Imaps),
            Some(joined) = connections.join_next() => {
                report_panic(joined);
                continue;
            }
        };
        match accepted {
            Ok((stream, peer)) => {
                spawn_connection(
                    &mut connections,
                    &shared,
                    stream,
                    peer,
                    kind,
                    stopped.clone(),
                );
            }
            Err(error) => {
                tracing::warn!(listener = kind.name(), error = %error, "accept failed");
                tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
            }
        }
    }
    drop((imap, imaps));
    drain(connections, &stop, config.drain_timeout, "imap").await;
    Ok(())
}

/// The next connection on `listener`; never completes without one.
async fn accept(listener: Option<&TcpListener>) -> io::Result<(TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

fn spawn_connection(
    connections: &mut JoinSet<()>,
    shared: &Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    kind: ListenerKind,
    shutdown: watch::Receiver<bool>,
) {
    metrics::counter!("mailkeep_gateway_connections_total", "listener" => kind.name()).increment(1);
    let open = OpenConnection::new(kind);
    let span = tracing::info_span!("connection", peer = %peer, listener = kind.name());
    let shared = Arc::clone(shared);
    connections.spawn(
        async move {
            let _open = open;
            connection::handle(shared, stream, peer, kind, shutdown).await;
        }
        .instrument(span),
    );
}

/// Stops every session with `* BYE`, waits up to `deadline`, then aborts
/// the connections still running.
pub(crate) async fn drain(
    mut connections: JoinSet<()>,
    stop: &watch::Sender<bool>,
    deadline: Duration,
    protocol: &'static str,
) {
    let open = connections.len();
    tracing::info!(connections = open, protocol, "draining connections");
    stop.send_replace(true);
    let finished = tokio::time::timeout(deadline, async {
        while let Some(joined) = connections.join_next().await {
            report_panic(joined);
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            remaining = connections.len(),
            "drain deadline passed, closing connections"
        );
        connections.shutdown().await;
    }
}

pub(crate) fn report_panic(joined: Result<(), tokio::task::JoinError>) {
    if let Err(error) = joined
        && error.is_panic()
    {
        tracing::error!(error = %error, "connection task panicked");
    }
}

/// Keeps `mailkeep_imap_sessions` right, including for aborted tasks.
struct OpenConnection {
    kind: ListenerKind,
}

impl OpenConnection {
    fn new(kind: ListenerKind) -> Self {
        metrics::gauge!("mailkeep_imap_sessions", "listener" => kind.name()).increment(1.0);
        Self { kind }
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        metrics::gauge!("mailkeep_imap_sessions", "listener" => self.kind.name()).decrement(1.0);
    }
}
