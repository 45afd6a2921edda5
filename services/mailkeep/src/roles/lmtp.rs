//! The LMTP listener's wiring, shared by the `gateway` role (when
//! `lmtp.listen` is set) and `dev` (always, on `--lmtp-listen`): `[lmtp]`
//! settings into the listener's configuration, with the gateway's TLS
//! certificate for STARTTLS and its trusted networks for AUTH in clear.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mailkeep_gateway::{IpNet, LmtpServerConfig};
use mailkeep_gateway_core::lmtp::{LmtpConfig, OverQuotaReply, SharedSecret};
use tokio::net::TcpListener;

use crate::config::{LmtpSettings, OverQuota};

/// Where the greeting's host name comes from (set in every Kubernetes pod).
const HOSTNAME_VARIABLE: &str = "HOSTNAME";

/// The listener's configuration from `[lmtp]`.
pub fn server_config(
    listener: TcpListener,
    settings: &LmtpSettings,
    tls: Option<Arc<rustls::ServerConfig>>,
    trusted_networks: Vec<IpNet>,
    drain_timeout: Duration,
) -> anyhow::Result<LmtpServerConfig> {
    let mut config = LmtpServerConfig::new(listener, Arc::new(session_config(settings)?));
    config.tls = tls;
    config.allowed_networks = allowed_networks(settings)?;
    config.trusted_networks = trusted_networks;
    config.timeout = seconds("timeout", settings.timeout)?;
    config.drain_timeout = drain_timeout;
    Ok(config)
}

/// The session limits and policy of `[lmtp]`.
fn session_config(settings: &LmtpSettings) -> anyhow::Result<LmtpConfig> {
    anyhow::ensure!(
        settings.max_message_size > 0,
        "lmtp.max_message_size must be at least 1 byte"
    );
    anyhow::ensure!(
        settings.max_recipients > 0,
        "lmtp.max_recipients must be at least 1"
    );
    let hostname = std::env::var(HOSTNAME_VARIABLE)
        .ok()
        .filter(|name| is_host_name(name))
        .unwrap_or_else(|| "localhost".to_owned());
    Ok(LmtpConfig {
        hostname,
        max_message_bytes: settings.max_message_size,
        max_recipients: settings.max_recipients,
        over_quota: match settings.over_quota {
            OverQuota::Temporary => OverQuotaReply::Temporary,
            OverQuota::Permanent => OverQuotaReply::Permanent,
        },
        auth_secret: settings
            .auth_secret()?
            .map(|secret| SharedSecret::new(secret.expose())),
        ..LmtpConfig::default()
    })
}

/// Letters, digits, dots and hyphens only: it goes into every reply line.
fn is_host_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-')
}

/// Parses `lmtp.allowed_networks` (CIDR, e.g. `10.0.0.0/8`).
fn allowed_networks(settings: &LmtpSettings) -> anyhow::Result<Vec<IpNet>> {
    settings
        .allowed_networks
        .iter()
        .map(|cidr| {
            cidr.parse()
                .with_context(|| format!("lmtp.allowed_networks: {cidr:?} is not a network"))
        })
        .collect()
}

fn seconds(key: &str, value: u64) -> anyhow::Result<Duration> {
    anyhow::ensure!(value > 0, "lmtp.{key} must be at least 1 second");
    Ok(Duration::from_secs(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_become_the_session_policy() {
        let settings = LmtpSettings {
            max_message_size: 1000,
            max_recipients: 3,
            over_quota: OverQuota::Permanent,
            auth_secret: Some("secret".to_owned()),
            ..LmtpSettings::default()
        };
        let config = session_config(&settings).unwrap();
        assert_eq!(config.max_message_bytes, 1000);
        assert_eq!(config.max_recipients, 3);
        assert_eq!(config.over_quota, OverQuotaReply::Permanent);
        assert_eq!(config.auth_secret, Some(SharedSecret::new("secret")));
        assert!(!format!("{config:?}").contains("secret\""));
    }

    #[test]
    fn bad_settings_are_refused() {
        let zero = LmtpSettings {
            max_recipients: 0,
            ..LmtpSettings::default()
        };
        assert!(session_config(&zero).is_err());
        let mut networks = LmtpSettings::default();
        assert_eq!(allowed_networks(&networks).unwrap().len(), 2);
        networks.allowed_networks.push("10.0.0.1".to_owned());
        assert!(allowed_networks(&networks).is_err());
        assert!(seconds("timeout", 0).is_err());
    }

    #[test]
    fn only_plain_host_names_reach_the_greeting() {
        assert!(is_host_name("gateway-7f9c.mail.svc"));
        assert!(!is_host_name("evil\r\n250 x"));
        assert!(!is_host_name(""));
    }
}
