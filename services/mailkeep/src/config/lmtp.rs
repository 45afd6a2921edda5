//! `[lmtp]`: the LMTP listener of the gateway role (RFC 2033). It is off
//! unless `listen` is set (`mailkeep dev` always serves it, on
//! `--lmtp-listen`). The shared secret comes from `auth_secret` or
//! `auth_secret_file` (`MAILKEEP_LMTP__AUTH_SECRET`), never both.

use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use super::{ConfigError, Secret};

/// How an account over its quota is answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverQuota {
    /// `452 4.2.2`: the MTA retries later.
    #[default]
    Temporary,
    /// `552 5.2.2`: the MTA bounces the message.
    Permanent,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LmtpSettings {
    /// Where to serve LMTP (production: `0.0.0.0:24`); unset, no listener.
    pub listen: Option<SocketAddr>,
    /// Networks (CIDR) whose MTAs may connect; others get `554`.
    pub allowed_networks: Vec<String>,
    /// When set, MTAs must `AUTH PLAIN` with this password before MAIL.
    pub auth_secret: Option<String>,
    pub auth_secret_file: Option<PathBuf>,
    /// Bytes; announced as SIZE (RFC 1870).
    pub max_message_size: u64,
    pub max_recipients: usize,
    pub over_quota: OverQuota,
    /// Seconds a session may wait for the client before `421`.
    pub timeout: u64,
}

impl Default for LmtpSettings {
    fn default() -> Self {
        Self {
            listen: None,
            allowed_networks: vec!["127.0.0.0/8".to_owned(), "::1/128".to_owned()],
            auth_secret: None,
            auth_secret_file: None,
            max_message_size: mailkeep_gateway_core::lmtp::DEFAULT_MAX_MESSAGE_BYTES,
            max_recipients: mailkeep_gateway_core::lmtp::DEFAULT_MAX_RECIPIENTS,
            over_quota: OverQuota::default(),
            timeout: mailkeep_gateway::DEFAULT_LMTP_TIMEOUT.as_secs(),
        }
    }
}

impl LmtpSettings {
    pub fn auth_secret(&self) -> Result<Option<Secret>, ConfigError> {
        Secret::resolve(
            "lmtp.auth_secret",
            self.auth_secret.as_deref(),
            self.auth_secret_file.as_deref(),
        )
    }
}

#[cfg(test)]
#[allow(clippy::result_large_err)] // figment::Jail closures return figment::Result
mod tests {
    use figment::Jail;

    use super::*;
    use crate::config::Config;

    #[test]
    fn lmtp_is_off_by_default_and_loopback_only() {
        Jail::expect_with(|_jail| {
            let config = Config::load(None).unwrap();
            assert_eq!(config.lmtp.listen, None);
            assert_eq!(config.lmtp.allowed_networks, ["127.0.0.0/8", "::1/128"]);
            assert_eq!(config.lmtp.max_message_size, 50 * 1024 * 1024);
            assert_eq!(config.lmtp.max_recipients, 100);
            assert_eq!(config.lmtp.over_quota, OverQuota::Temporary);
            assert!(config.lmtp.auth_secret().unwrap().is_none());
            Ok(())
        });
    }

    #[test]
    fn lmtp_settings_come_from_file_and_environment() {
        Jail::expect_with(|jail| {
            jail.set_env("MAILKEEP_LMTP__AUTH_SECRET", "from-env");
            jail.set_env("MAILKEEP_LMTP__OVER_QUOTA", "permanent");
            let path = jail.directory().join("mailkeep.toml");
            std::fs::write(
                &path,
                "[lmtp]\nlisten = \"0.0.0.0:24\"\nallowed_networks = [\"10.0.0.0/8\"]\nmax_recipients = 5\n",
            )
            .unwrap();
            let config = Config::load(Some(&path)).unwrap();
            assert_eq!(
                config.lmtp.listen,
                Some(SocketAddr::from(([0, 0, 0, 0], 24)))
            );
            assert_eq!(config.lmtp.allowed_networks, ["10.0.0.0/8"]);
            assert_eq!(config.lmtp.max_recipients, 5);
            assert_eq!(config.lmtp.over_quota, OverQuota::Permanent);
            let secret = config.lmtp.auth_secret().unwrap().unwrap();
            assert_eq!(secret.expose(), "from-env");
            jail.set_env("MAILKEEP_LMTP__OVER_QUOTA", "sometimes");
            assert!(Config::load(Some(&path)).is_err());
            Ok(())
        });
    }
}
