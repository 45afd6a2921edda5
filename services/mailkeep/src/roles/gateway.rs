//! The `gateway` role: IMAP (STARTTLS) on `gateway.imap_listen`, when a
//! certificate is configured IMAPS on `gateway.imaps_listen`, and when
//! `lmtp.listen` is set LMTP (RFC 2033, see `roles::lmtp`), talking gRPC
//! to the metadata and blob services; idling sessions are woken by change
//! events from `gateway.bus_url` when set. It also runs the IMAP migration
//! workers (`[imports]`, `crate::imap_import`). Ready when both accept
//! connections. On SIGTERM sessions drain for up to `gateway.drain_timeout`
//! seconds.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mailkeep_bus::ChangeBus;
use mailkeep_gateway::{
    AccountEvents, CoalescingBackend, GatewayConfig, IpNet, LmtpServerConfig, UpdateTimers,
};
use mailkeep_gateway_core::backend::MailBackend;
use mailkeep_gateway_core::delivery::DeliveryBackend;
use mailkeep_gateway_core::framing::LiteralExtension;
use mailkeep_gateway_core::session::SessionConfig;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;

use super::{Tasks, bind, internal_token, open_bus};
use crate::config::{Config, GatewaySettings};
use crate::ops::Probe;
use crate::shutdown::Shutdown;

/// What one gateway needs besides its listeners.
pub struct GatewayPeers<'a> {
    pub metadata_url: &'a str,
    pub blob_url: &'a str,
    pub internal_token: &'a str,
    pub trusted_networks: Vec<IpNet>,
    /// Change events for the sessions' accounts; `None`: poll only.
    pub bus: Option<Arc<dyn ChangeBus>>,
    /// Polling, keepalive and IDLE bounds of idling sessions.
    pub update_timers: UpdateTimers,
    /// `gateway.admin_contact`, served as METADATA `/shared/admin`.
    pub admin_contact: Option<String>,
    /// `gateway.max_message_size`, the IMAP literal bound and APPENDLIMIT.
    pub max_message_size: u64,
    /// `gateway.literal_extension`: LITERAL+ or LITERAL- (RFC 7888 §5).
    pub literal_extension: LiteralExtension,
}

/// Reads `gateway.poll_interval`, `gateway.fallback_poll_interval`,
/// `gateway.idle_keepalive` and `gateway.idle_max` (seconds, none zero).
pub fn update_timers(settings: &GatewaySettings) -> anyhow::Result<UpdateTimers> {
    let seconds = |key: &str, value: u64| {
        anyhow::ensure!(value > 0, "gateway.{key} must be at least 1 second");
        Ok(Duration::from_secs(value))
    };
    Ok(UpdateTimers {
        poll_interval: seconds("poll_interval", settings.poll_interval)?,
        fallback_poll_interval: seconds("fallback_poll_interval", settings.fallback_poll_interval)?,
        idle_keepalive: seconds("idle_keepalive", settings.idle_keepalive)?,
        idle_max: seconds("idle_max", settings.idle_max)?,
    })
}

/// Parses `gateway.trusted_networks` (CIDR, e.g. `10.0.0.0/8`).
pub fn trusted_networks(settings: &GatewaySettings) -> anyhow::Result<Vec<IpNet>> {
    settings
        .trusted_networks
        .iter()
        .map(|cidr| {
            cidr.parse()
                .with_context(|| format!("gateway.trusted_networks: {cidr:?} is not a network"))
        })
        .collect()
}

/// Loads the certificate pair, when configured.
pub fn tls(settings: &GatewaySettings) -> anyhow::Result<Option<Arc<rustls::ServerConfig>>> {
    match (&settings.tls_cert_file, &settings.tls_key_file) {
        (Some(cert), Some(key)) => load_tls(cert, key).map(Some),
        (None, None) => Ok(None),
        _ => anyhow::bail!("gateway.tls_cert_file and gateway.tls_key_file must be set together"),
    }
}

pub fn load_tls(cert: &Path, key: &Path) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    mailkeep_gateway::load_tls(cert, key).context("cannot load the tls certificate")
}

/// Starts the IMAP server and, when given, the LMTP listener; returns the
/// probes of its two gRPC peers. On shutdown both drain for up to their
/// drain timeout, then `drained` (when given) is triggered, so in-process
/// backends outlive the commands and deliveries still running.
#[allow(clippy::too_many_arguments)] // the wiring `dev` and `run` share
pub async fn start(
    imap: TcpListener,
    imaps: Option<TcpListener>,
    tls: Option<Arc<rustls::ServerConfig>>,
    lmtp: Option<LmtpServerConfig>,
    peers: GatewayPeers<'_>,
    drain_timeout: Duration,
    drained: Option<Shutdown>,
    tasks: &mut Tasks,
    shutdown: &Shutdown,
) -> anyhow::Result<Vec<Probe>> {
    let grpc =
        mailkeep_gateway::connect_backend(peers.metadata_url, peers.blob_url, peers.internal_token)
            .await?;
    let delivery: Arc<dyn DeliveryBackend> = grpc.clone();
    let backend: Arc<dyn MailBackend> = grpc;
    // Sessions of one account on this pod share one changes query per event.
    let backend: Arc<dyn MailBackend> = Arc::new(CoalescingBackend::new(backend));
    anyhow::ensure!(
        peers.max_message_size > 0,
        "gateway.max_message_size must be at least 1 byte"
    );
    let session = SessionConfig {
        admin_contact: peers.admin_contact,
        max_literal_bytes: peers.max_message_size,
        literal_extension: peers.literal_extension,
        ..SessionConfig::default()
    };
    let mut config = GatewayConfig::new(Arc::new(session));
    config.imap = Some(imap);
    config.imaps = imaps;
    config.tls = tls;
    config.trusted_networks = peers.trusted_networks;
    config.events = peers.bus.map(AccountEvents::new);
    config.update_timers = peers.update_timers;
    config.drain_timeout = drain_timeout;
    let serve = mailkeep_gateway::serve(config, backend, shutdown.wait());
    let serve_lmtp = lmtp.map(|lmtp| mailkeep_gateway::serve_lmtp(lmtp, delivery, shutdown.wait()));
    tasks.spawn("imap", async move {
        let lmtp_served = async {
            match serve_lmtp {
                Some(serve_lmtp) => serve_lmtp.await,
                None => Ok(()),
            }
        };
        let (served, lmtp_served) = tokio::join!(serve, lmtp_served);
        if let Some(drained) = drained {
            drained.trigger();
        }
        served.and(lmtp_served)
    });
    Ok(vec![
        Probe::grpc_peer("metadata", peers.metadata_url)?,
        Probe::grpc_peer("blob", peers.blob_url)?,
    ])
}

pub async fn run(
    config: Config,
    shutdown: Shutdown,
    metrics: PrometheusHandle,
) -> anyhow::Result<()> {
    let settings = &config.gateway;
    let tls = tls(settings)?;
    let token = internal_token(&config)?;
    let peers = GatewayPeers {
        metadata_url: &settings.metadata_url,
        blob_url: &settings.blob_url,
        internal_token: &token,
        trusted_networks: trusted_networks(settings)?,
        bus: open_bus("gateway.bus_url", settings.bus_url.as_deref()).await?,
        update_timers: update_timers(settings)?,
        admin_contact: settings.admin_contact.clone(),
        max_message_size: settings.max_message_size,
        literal_extension: settings.literal_extension,
    };
    let mut tasks = Tasks::new(shutdown.clone());
    let imap = bind("imap", settings.imap_listen).await?;
    let imaps = match tls {
        Some(_) => Some(bind("imaps", settings.imaps_listen).await?),
        None => {
            tracing::warn!("no tls certificate configured: imaps and starttls are off");
            None
        }
    };
    let drain_timeout = Duration::from_secs(settings.drain_timeout);
    let lmtp = match config.lmtp.listen {
        Some(address) => Some(super::lmtp::server_config(
            bind("lmtp", address).await?,
            &config.lmtp,
            tls.clone(),
            peers.trusted_networks.clone(),
            drain_timeout,
        )?),
        None => None,
    };
    let probes = start(
        imap,
        imaps,
        tls,
        lmtp,
        peers,
        drain_timeout,
        None,
        &mut tasks,
        &shutdown,
    )
    .await?;
    crate::imap_import::start(
        crate::imap_import::WorkerContext {
            metadata_url: settings.metadata_url.clone(),
            blob_url: settings.blob_url.clone(),
            internal_token: token.clone(),
            settings: config.imports.validated()?,
            max_message_size: settings.max_message_size,
            shutdown: shutdown.clone(),
        },
        &mut tasks,
    )?;
    tasks.spawn_ops(config.ops.listen, probes, metrics).await?;
    tasks.wait().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_networks_must_be_cidrs() {
        let mut settings = GatewaySettings {
            trusted_networks: vec!["10.0.0.0/8".into(), "fd00::/8".into()],
            ..GatewaySettings::default()
        };
        assert_eq!(trusted_networks(&settings).unwrap().len(), 2);
        settings.trusted_networks.push("10.0.0.1".into());
        assert!(trusted_networks(&settings).is_err());
    }

    #[test]
    fn update_timers_come_from_seconds_and_refuse_zero() {
        let mut settings = GatewaySettings {
            poll_interval: 5,
            idle_max: 60,
            ..GatewaySettings::default()
        };
        let timers = update_timers(&settings).unwrap();
        assert_eq!(timers.poll_interval, Duration::from_secs(5));
        assert_eq!(timers.idle_max, Duration::from_secs(60));
        assert_eq!(
            timers.fallback_poll_interval,
            mailkeep_gateway::DEFAULT_FALLBACK_POLL_INTERVAL
        );
        assert_eq!(
            timers.idle_keepalive,
            mailkeep_gateway::DEFAULT_IDLE_KEEPALIVE
        );
        settings.fallback_poll_interval = 0;
        assert!(update_timers(&settings).is_err());
    }

    #[test]
    fn a_certificate_without_a_key_is_refused() {
        let settings = GatewaySettings {
            tls_cert_file: Some("/etc/cert.pem".into()),
            ..GatewaySettings::default()
        };
        assert!(tls(&settings).is_err());
        assert!(tls(&GatewaySettings::default()).unwrap().is_none());
    }
}
