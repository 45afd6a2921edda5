//! [`GatewayConfig`]: the bound listeners, TLS, peer trust, session limits
//! and timeouts one `serve` call runs with. Listeners arrive already bound,
//! so the caller owns addresses (port 0 in tests) and reports them.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use mailkeep_gateway_core::session::SessionConfig;
use tokio::net::TcpListener;

use crate::events::AccountEvents;

/// RFC 9051 §5.4: an autologout timer must be at least 30 minutes.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
pub const DEFAULT_DRAIN_TIMEOUT: Duration = Duration::from_secs(20);
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// Issue 4 item 4: a session that heard no event this long polls itself.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(30);
/// Issue 4 item 4: how often sessions poll while the bus is down.
pub const DEFAULT_FALLBACK_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Issue 4 item 5: `* OK Still here` this often during IDLE, well inside
/// the few minutes after which mobile carrier NATs drop a silent flow.
pub const DEFAULT_IDLE_KEEPALIVE: Duration = Duration::from_secs(120);
/// Issue 4 item 5: an IDLE ends with `* BYE` after this long (RFC 9051
/// §6.3.13 asks clients to re-issue IDLE at least every 29 minutes).
pub const DEFAULT_IDLE_MAX: Duration = Duration::from_secs(30 * 60);

/// When an idling session looks for changes without being told, and how
/// IDLE is kept alive and bounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpdateTimers {
    /// Poll after this long without an event while the bus is up.
    pub poll_interval: Duration,
    /// Poll this often while the bus is down (or there is none).
    pub fallback_poll_interval: Duration,
    /// Send `* OK Still here` this often during IDLE.
    pub idle_keepalive: Duration,
    /// End an IDLE with `* BYE` after this long.
    pub idle_max: Duration,
}

impl Default for UpdateTimers {
    fn default() -> Self {
        Self {
            poll_interval: DEFAULT_POLL_INTERVAL,
            fallback_poll_interval: DEFAULT_FALLBACK_POLL_INTERVAL,
            idle_keepalive: DEFAULT_IDLE_KEEPALIVE,
            idle_max: DEFAULT_IDLE_MAX,
        }
    }
}

/// Everything [`serve`](crate::serve) needs besides the backend.
#[derive(Debug)]
pub struct GatewayConfig {
    /// Plain IMAP; offers STARTTLS when `tls` is set (RFC 3501 §6.2.1).
    pub imap: Option<TcpListener>,
    /// Implicit TLS (RFC 8314 §3.2); requires `tls`.
    pub imaps: Option<TcpListener>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Peers in these networks, like loopback peers, may send passwords
    /// without TLS (ARCHITECTURE.md §6).
    pub trusted_networks: Vec<IpNet>,
    pub session: Arc<SessionConfig>,
    /// How long sessions may finish after `* BYE` before they are cut.
    pub drain_timeout: Duration,
    /// Bound on a TLS handshake (implicit or after STARTTLS).
    pub handshake_timeout: Duration,
    /// A connection without a command for this long is logged out.
    pub idle_timeout: Duration,
    /// Polling, keepalive and IDLE bounds of idling sessions.
    pub update_timers: UpdateTimers,
    /// Bound on one write to a client that does not read.
    pub write_timeout: Duration,
    /// The pod's change-event registry; `None` means updates come from the
    /// fallback timer poll only.
    pub events: Option<Arc<AccountEvents>>,
}

impl GatewayConfig {
    /// No listeners, no TLS, no trusted networks, default timeouts.
    pub fn new(session: Arc<SessionConfig>) -> Self {
        Self {
            imap: None,
            imaps: None,
            tls: None,
            trusted_networks: Vec::new(),
            session,
            drain_timeout: DEFAULT_DRAIN_TIMEOUT,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            update_timers: UpdateTimers::default(),
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            events: None,
        }
    }
}

/// A loopback peer, or one inside a trusted network. IPv4-mapped IPv6
/// addresses are judged as the IPv4 address they carry.
pub(crate) fn is_trusted_peer(peer: IpAddr, trusted_networks: &[IpNet]) -> bool {
    let peer = peer.to_canonical();
    peer.is_loopback()
        || trusted_networks
            .iter()
            .any(|network| network.contains(&peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn networks(cidrs: &[&str]) -> Vec<IpNet> {
        cidrs.iter().map(|cidr| cidr.parse().unwrap()).collect()
    }

    #[test]
    fn loopback_is_always_trusted() {
        assert!(is_trusted_peer("127.0.0.1".parse().unwrap(), &[]));
        assert!(is_trusted_peer("127.8.9.10".parse().unwrap(), &[]));
        assert!(is_trusted_peer("::1".parse().unwrap(), &[]));
        assert!(is_trusted_peer("::ffff:127.0.0.1".parse().unwrap(), &[]));
    }

    #[test]
    fn other_peers_are_trusted_only_inside_a_configured_network() {
        let trusted = networks(&["10.0.0.0/8", "fd00::/8"]);
        assert!(is_trusted_peer("10.1.2.3".parse().unwrap(), &trusted));
        assert!(is_trusted_peer(
            "::ffff:10.1.2.3".parse().unwrap(),
            &trusted
        ));
        assert!(is_trusted_peer("fd12::1".parse().unwrap(), &trusted));
        assert!(!is_trusted_peer("192.0.2.1".parse().unwrap(), &trusted));
        assert!(!is_trusted_peer("2001:db8::1".parse().unwrap(), &trusted));
        assert!(!is_trusted_peer("192.0.2.1".parse().unwrap(), &[]));
    }
}
