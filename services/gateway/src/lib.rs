//! The IMAP I/O driver: bound listeners (IMAP with STARTTLS, and IMAPS),
//! one task per connection feeding bytes to the sans-IO
//! [`Session`](mailkeep_gateway_core::session::Session), TLS, peer trust,
//! drain on shutdown, and [`GrpcBackend`], the `MailBackend` implementation
//! over the metadata and blob gRPC contracts. With a change bus,
//! [`AccountEvents`] wakes idling sessions when their account changes.
//! [`serve_lmtp`] is the LMTP listener over a `DeliveryBackend`.
#![forbid(unsafe_code)]

mod backend;
mod config;
mod connection;
mod events;
mod idle_timers;
mod lmtp;
mod server;
pub mod tls;

pub use backend::{CoalescingBackend, ConnectError, GrpcBackend, connect_backend};
pub use config::{
    DEFAULT_DRAIN_TIMEOUT, DEFAULT_FALLBACK_POLL_INTERVAL, DEFAULT_HANDSHAKE_TIMEOUT,
    DEFAULT_IDLE_KEEPALIVE, DEFAULT_IDLE_MAX, DEFAULT_IDLE_TIMEOUT, DEFAULT_POLL_INTERVAL,
    DEFAULT_WRITE_TIMEOUT, GatewayConfig, UpdateTimers,
};
pub use events::{AccountEvents, AccountWatch};
pub use ipnet::IpNet;
pub use lmtp::{DEFAULT_LMTP_TIMEOUT, LmtpServerConfig, default_allowed_networks, serve_lmtp};
pub use server::serve;
pub use tls::{TlsError, generate_self_signed, load_tls};
