//! The `gateway` role: IMAP (STARTTLS) on `gateway.imap_listen` and, when a
//! certificate is configured, IMAPS on `gateway.imaps_listen`, talking gRPC
//! to the metadata and blob services; idling sessions are woken by change
//! events from `gateway.bus_url` when set. Ready when both accept
//! connections.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use mailkeep_bus::ChangeBus;
use mailkeep_gateway::{AccountEvents, GatewayConfig, IpNet};
use mailkeep_gateway_core::backend::MailBackend;
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

/// Starts the IMAP server; returns the probes of its two gRPC peers.
pub async fn start(
    imap: TcpListener,
    imaps: Option<TcpListener>,
    tls: Option<Arc<rustls::ServerConfig>>,
    peers: GatewayPeers<'_>,
    tasks: &mut Tasks,
    shutdown: &Shutdown,
) -> anyhow::Result<Vec<Probe>> {
    let backend: Arc<dyn MailBackend> =
        mailkeep_gateway::connect_backend(peers.metadata_url, peers.blob_url, peers.internal_token)
            .await?;
    let mut config = GatewayConfig::new(Arc::new(SessionConfig::default()));
    config.imap = Some(imap);
    config.imaps = imaps;
    config.tls = tls;
    config.trusted_networks = peers.trusted_networks;
    config.events = peers.bus.map(AccountEvents::new);
    tasks.spawn(
        "imap",
        mailkeep_gateway::serve(config, backend, shutdown.wait()),
    );
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
    let probes = start(imap, imaps, tls, peers, &mut tasks, &shutdown).await?;
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
    fn a_certificate_without_a_key_is_refused() {
        let settings = GatewaySettings {
            tls_cert_file: Some("/etc/cert.pem".into()),
            ..GatewaySettings::default()
        };
        assert!(tls(&settings).is_err());
        assert!(tls(&GatewaySettings::default()).unwrap().is_none());
    }
}
