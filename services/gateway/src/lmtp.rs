//! [`serve_lmtp`]: the LMTP listener (RFC 2033) of the gateway role. It
//! accepts only peers inside the allowed networks (loopback by default:
//! the MTA runs beside us), runs one task per connection feeding the
//! sans-IO [`LmtpSession`](mailkeep_gateway_core::lmtp::LmtpSession), and
//! drains on shutdown like the IMAP listeners: stop accepting, let a message
//! in transit arrive and be answered, then `421`, and cut what remains at
//! the drain deadline. Invariant: `serve_lmtp` returns only after every
//! connection task has ended.
//!
//! Metrics (no per-user labels): `mailkeep_lmtp_connections_total{result}`
//! (`accepted`, `refused`), the `mailkeep_lmtp_sessions` gauge and
//! `mailkeep_lmtp_deliveries_total{result}` (`delivered`, `deferred`,
//! `rejected`), one per recipient answer after a message.

mod connection;

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use mailkeep_gateway_core::delivery::DeliveryBackend;
use mailkeep_gateway_core::lmtp::LmtpConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument;

use crate::config::{DEFAULT_DRAIN_TIMEOUT, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_WRITE_TIMEOUT};
use crate::server::{drain, report_panic};

/// RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for a command.
pub const DEFAULT_LMTP_TIMEOUT: Duration = Duration::from_secs(300);
/// Pause after a failed accept, so the loop does not spin.
const ACCEPT_ERROR_BACKOFF: Duration = Duration::from_millis(100);
/// Bound on writing the refusal to a peer outside the allowed networks.
const REFUSAL_WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// Everything [`serve_lmtp`] needs besides the backend.
#[derive(Debug)]
pub struct LmtpServerConfig {
    pub listener: TcpListener,
    pub session: Arc<LmtpConfig>,
    /// Offers STARTTLS when set (RFC 3207).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Only peers inside these networks are served.
    pub allowed_networks: Vec<IpNet>,
    /// Peers here, like loopback peers, may send the AUTH secret without TLS.
    pub trusted_networks: Vec<IpNet>,
    /// A session without input for this long is closed with `421`.
    pub timeout: Duration,
    pub handshake_timeout: Duration,
    pub write_timeout: Duration,
    pub drain_timeout: Duration,
}

impl LmtpServerConfig {
    /// Loopback only, no TLS, default timeouts.
    pub fn new(listener: TcpListener, session: Arc<LmtpConfig>) -> Self {
        Self {
            listener,
            session,
            tls: None,
            allowed_networks: default_allowed_networks(),
            trusted_networks: Vec::new(),
            timeout: DEFAULT_LMTP_TIMEOUT,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
        }
    }
}

/// `127.0.0.0/8` and `::1/128`.
pub fn default_allowed_networks() -> Vec<IpNet> {
    vec![
        IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::new(127, 0, 0, 0), 8)),
        IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::LOCALHOST, 128)),
    ]
}

/// Whether `peer` may deliver. IPv4-mapped IPv6 addresses are judged as
/// the IPv4 address they carry.
fn is_allowed(peer: IpAddr, allowed_networks: &[IpNet]) -> bool {
    let peer = peer.to_canonical();
    allowed_networks
        .iter()
        .any(|network| network.contains(&peer))
}

/// What every LMTP connection task shares.
struct Shared {
    backend: Arc<dyn DeliveryBackend>,
    session: Arc<LmtpConfig>,
    tls: Option<TlsAcceptor>,
    trusted_networks: Vec<IpNet>,
    timeout: Duration,
    handshake_timeout: Duration,
    write_timeout: Duration,
}

/// Serves LMTP until `shutdown` completes, then drains.
pub async fn serve_lmtp(
    config: LmtpServerConfig,
    backend: Arc<dyn DeliveryBackend>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let tls = config.tls.map(|tls| {
        // The IMAP configuration offers ALPN `imap`; LMTP has no ALPN id.
        let mut tls = (*tls).clone();
        tls.alpn_protocols.clear();
        TlsAcceptor::from(Arc::new(tls))
    });
    let shared = Arc::new(Shared {
        backend,
        session: config.session,
        tls,
        trusted_networks: config.trusted_networks,
        timeout: config.timeout,
        handshake_timeout: config.handshake_timeout,
        write_timeout: config.write_timeout,
    });
    metrics::gauge!("mailkeep_lmtp_sessions").set(0.0);
    let (stop, stopped) = watch::channel(false);
    let mut connections = JoinSet::new();
    let listener = config.listener;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
            Some(joined) = connections.join_next() => {
                report_panic(joined);
                continue;
            }
        };
        match accepted {
            Ok((stream, peer)) if is_allowed(peer.ip(), &config.allowed_networks) => {
                metrics::counter!("mailkeep_lmtp_connections_total", "result" => "accepted")
                    .increment(1);
                spawn_connection(&mut connections, &shared, stream, peer, stopped.clone());
            }
            Ok((stream, peer)) => {
                metrics::counter!("mailkeep_lmtp_connections_total", "result" => "refused")
                    .increment(1);
                tracing::info!(peer = %peer, "lmtp connection from outside the allowed networks refused");
                connections.spawn(refuse(stream, Arc::clone(&shared.session)));
            }
            Err(error) => {
                tracing::warn!(listener = "lmtp", error = %error, "accept failed");
                tokio::time::sleep(ACCEPT_ERROR_BACKOFF).await;
            }
        }
    }
    drop(listener);
    drain(connections, &stop, config.drain_timeout, "lmtp").await;
    Ok(())
}

/// RFC 5321 §3.1: a server may answer a connection it will not serve
/// with 554 instead of the greeting.
async fn refuse(mut stream: TcpStream, session: Arc<LmtpConfig>) {
    let refusal = format!("554 5.7.1 {} access denied\r\n", session.hostname);
    let write = async {
        stream.write_all(refusal.as_bytes()).await?;
        stream.shutdown().await
    };
    if let Err(error) = tokio::time::timeout(REFUSAL_WRITE_TIMEOUT, write)
        .await
        .unwrap_or_else(|_| Err(io::ErrorKind::TimedOut.into()))
    {
        tracing::debug!(error = %error, "cannot send the lmtp refusal");
    }
}

fn spawn_connection(
    connections: &mut JoinSet<()>,
    shared: &Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    shutdown: watch::Receiver<bool>,
) {
    let span = tracing::info_span!("connection", peer = %peer, listener = "lmtp");
    let shared = Arc::clone(shared);
    connections.spawn(
        async move {
            metrics::gauge!("mailkeep_lmtp_sessions").increment(1.0);
            let _open = OpenSession;
            connection::handle(shared, stream, peer, shutdown).await;
        }
        .instrument(span),
    );
}

/// Keeps `mailkeep_lmtp_sessions` right, including for aborted tasks.
struct OpenSession;

impl Drop for OpenSession {
    fn drop(&mut self) {
        metrics::gauge!("mailkeep_lmtp_sessions").decrement(1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowed_networks_are_served() {
        let loopback = default_allowed_networks();
        assert!(is_allowed("127.0.0.1".parse().unwrap(), &loopback));
        assert!(is_allowed("::1".parse().unwrap(), &loopback));
        assert!(is_allowed("::ffff:127.0.0.2".parse().unwrap(), &loopback));
        assert!(!is_allowed("10.0.0.1".parse().unwrap(), &loopback));
        let cluster: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert!(is_allowed("10.1.2.3".parse().unwrap(), &cluster));
        assert!(!is_allowed("127.0.0.1".parse().unwrap(), &cluster));
        assert!(!is_allowed("192.0.2.1".parse().unwrap(), &[]));
    }
}
