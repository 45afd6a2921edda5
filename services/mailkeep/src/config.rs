//! The configuration: one TOML file with one table per role (`[gateway]`,
//! `[lmtp]`, `[imports]`, `[metadata]`, `[blob]`, `[admin]`, `[ops]`,
//! `[internal]`, `[telemetry]`), overridden by `MAILKEEP_<TABLE>__<KEY>`
//! environment variables (figment). Unknown keys are rejected; every key
//! has a default. Secrets come by value (`token`) or from
//! a file (`token_file`), never both, and are resolved once by [`Secret::resolve`].
//! `deploy/config/mailkeep.example.toml` documents every key.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use mailkeep_gateway_core::framing::LiteralExtension;
use serde::Deserialize;

use crate::cli::LogFormat;

mod imports;
mod lmtp;

pub use imports::{ImportSettings, ValidImportSettings};
pub use lmtp::{LmtpSettings, OverQuota};

/// Prefix of every environment override.
pub const ENV_PREFIX: &str = "MAILKEEP_";
/// The tables an environment override may address.
const TABLES: [&str; 9] = [
    "gateway",
    "lmtp",
    "imports",
    "metadata",
    "blob",
    "admin",
    "ops",
    "internal",
    "telemetry",
];

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {path} does not exist")]
    MissingFile { path: PathBuf },
    #[error("invalid configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("{key} and {key}_file are both set; use one")]
    SecretTwice { key: String },
    #[error("cannot read {key}_file {path}")]
    SecretFile {
        key: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{key} is required for this role")]
    Required { key: &'static str },
}

/// The whole configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub gateway: GatewaySettings,
    pub lmtp: LmtpSettings,
    pub imports: ImportSettings,
    pub metadata: MetadataSettings,
    pub blob: BlobSettings,
    pub admin: AdminSettings,
    pub ops: OpsSettings,
    pub internal: InternalSettings,
    pub telemetry: TelemetrySettings,
}

impl Config {
    /// Reads `file` (when given), then applies `MAILKEEP_*` overrides.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.is_file() {
                return Err(ConfigError::MissingFile {
                    path: path.to_path_buf(),
                });
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(env_overrides())
            .extract()
            .map_err(|error| ConfigError::Invalid(Box::new(error)))
    }
}

/// `MAILKEEP_ADMIN__LISTEN` -> `admin.listen`. Variables that address no
/// table (`MAILKEEP_LOG`, `MAILKEEP_CONFIG`, test settings) are not config.
fn env_overrides() -> Env {
    Env::prefixed(ENV_PREFIX)
        .filter(|key| {
            let key = key.as_str().to_ascii_lowercase();
            TABLES.iter().any(|table| {
                key.strip_prefix(table)
                    .is_some_and(|rest| rest.starts_with("__"))
            })
        })
        .split("__")
}

/// `[internal]`: the shared secret of the internal gRPC calls.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InternalSettings {
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
}

impl InternalSettings {
    pub fn token(&self) -> Result<Option<Secret>, ConfigError> {
        Secret::resolve(
            "internal.token",
            self.token.as_deref(),
            self.token_file.as_deref(),
        )
    }
}

/// `[metadata]`: the metadata gRPC service.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetadataSettings {
    pub listen: SocketAddr,
    /// `postgres://...` or `sqlite://path`.
    pub database_url: Option<String>,
    /// Where change events are published: `redis://...` or `local://`;
    /// unset, none are (gateways then only poll).
    pub bus_url: Option<String>,
    /// Base64 of the 32-byte key sealing import job passwords at rest;
    /// unset, import jobs are refused.
    pub secrets_key: Option<String>,
    pub secrets_key_file: Option<PathBuf>,
}

impl MetadataSettings {
    pub fn secrets_key(&self) -> Result<Option<Secret>, ConfigError> {
        Secret::resolve(
            "metadata.secrets_key",
            self.secrets_key.as_deref(),
            self.secrets_key_file.as_deref(),
        )
    }
}

impl Default for MetadataSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 50051)),
            database_url: None,
            bus_url: None,
            secrets_key: None,
            secrets_key_file: None,
        }
    }
}

/// `[blob]`: the blob gRPC service and its store.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BlobSettings {
    pub listen: SocketAddr,
    /// `s3://bucket[/prefix]` or `file:///path`.
    pub url: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: String,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    pub s3_secret_access_key_file: Option<PathBuf>,
    /// Create the bucket at start-up when it is missing.
    pub s3_create_bucket: bool,
    pub max_blob_bytes: u64,
}

impl Default for BlobSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 50052)),
            url: None,
            s3_endpoint: None,
            s3_region: "us-east-1".to_owned(),
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_secret_access_key_file: None,
            s3_create_bucket: false,
            max_blob_bytes: mailkeep_blob::DEFAULT_MAX_BLOB_BYTES,
        }
    }
}

impl BlobSettings {
    pub fn s3_secret_access_key(&self) -> Result<Option<Secret>, ConfigError> {
        Secret::resolve(
            "blob.s3_secret_access_key",
            self.s3_secret_access_key.as_deref(),
            self.s3_secret_access_key_file.as_deref(),
        )
    }
}

/// `[gateway]`: the IMAP front-end.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewaySettings {
    /// IMAP with STARTTLS (RFC 9051 §6.2.1).
    pub imap_listen: SocketAddr,
    /// Implicit TLS (RFC 8314 §3.2); served only when a certificate is set.
    pub imaps_listen: SocketAddr,
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    pub metadata_url: String,
    pub blob_url: String,
    /// Networks (CIDR) whose clients may log in without TLS, besides loopback.
    pub trusted_networks: Vec<String>,
    /// Where change events arrive from: `redis://...` or `local://`; unset,
    /// idling sessions only poll.
    pub bus_url: Option<String>,
    /// Seconds that running commands may take to finish after SIGTERM
    /// before their connections are cut (keep below the pod's grace period).
    pub drain_timeout: u64,
    /// Seconds an idling session waits for an event before it polls for
    /// changes itself.
    pub poll_interval: u64,
    /// Seconds between polls while the change bus is down.
    pub fallback_poll_interval: u64,
    /// Seconds between `* OK Still here` lines during IDLE.
    pub idle_keepalive: u64,
    /// Seconds after which an IDLE ends with `* BYE`.
    pub idle_max: u64,
    /// METADATA server entry `/shared/admin` (RFC 5464 §3.2.1.1), e.g.
    /// `mailto:postmaster@example.com`; read-only, unset: not served.
    pub admin_contact: Option<String>,
    /// Bytes: the most literal data one IMAP command may carry, so the
    /// largest message APPEND accepts; advertised as APPENDLIMIT (RFC 7889).
    pub max_message_size: u64,
    /// `"LITERAL+"` or `"LITERAL-"`: the one advertised (RFC 7888 §5);
    /// LITERAL- refuses non-synchronising literals over 4096 bytes.
    #[serde(with = "LiteralExtensionName")]
    pub literal_extension: LiteralExtension,
}

/// `gateway.literal_extension` spelled as its capability name.
#[derive(Deserialize)]
#[serde(remote = "LiteralExtension")]
enum LiteralExtensionName {
    #[serde(rename = "LITERAL+")]
    Plus,
    #[serde(rename = "LITERAL-")]
    Minus,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            imap_listen: SocketAddr::from(([0, 0, 0, 0], 143)),
            imaps_listen: SocketAddr::from(([0, 0, 0, 0], 993)),
            tls_cert_file: None,
            tls_key_file: None,
            metadata_url: "http://127.0.0.1:50051".to_owned(),
            blob_url: "http://127.0.0.1:50052".to_owned(),
            trusted_networks: Vec::new(),
            bus_url: None,
            drain_timeout: mailkeep_gateway::DEFAULT_DRAIN_TIMEOUT.as_secs(),
            poll_interval: mailkeep_gateway::DEFAULT_POLL_INTERVAL.as_secs(),
            fallback_poll_interval: mailkeep_gateway::DEFAULT_FALLBACK_POLL_INTERVAL.as_secs(),
            idle_keepalive: mailkeep_gateway::DEFAULT_IDLE_KEEPALIVE.as_secs(),
            idle_max: mailkeep_gateway::DEFAULT_IDLE_MAX.as_secs(),
            admin_contact: None,
            max_message_size: mailkeep_gateway_core::session::SessionConfig::default()
                .max_literal_bytes,
            literal_extension: LiteralExtension::default(),
        }
    }
}

/// `[admin]`: the REST admin API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminSettings {
    pub listen: SocketAddr,
    pub metadata_url: String,
    pub bootstrap_token: Option<String>,
    pub bootstrap_token_file: Option<PathBuf>,
}

impl Default for AdminSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            metadata_url: "http://127.0.0.1:50051".to_owned(),
            bootstrap_token: None,
            bootstrap_token_file: None,
        }
    }
}

impl AdminSettings {
    pub fn bootstrap_token(&self) -> Result<Option<Secret>, ConfigError> {
        Secret::resolve(
            "admin.bootstrap_token",
            self.bootstrap_token.as_deref(),
            self.bootstrap_token_file.as_deref(),
        )
    }
}

/// `[ops]`: `/healthz`, `/readyz` and `/metrics`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpsSettings {
    pub listen: SocketAddr,
}

impl Default for OpsSettings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 9090)),
        }
    }
}

/// `[telemetry]`: log format and trace export.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetrySettings {
    /// `text` (default) or `json`; the `--log-format` flag wins when given.
    pub log_format: Option<LogFormat>,
    /// OTLP/gRPC collector (`http://collector:4317`); unset, no spans are exported.
    pub otlp_endpoint: Option<String>,
}

/// A secret string; `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Resolves `key` given by value or by `key_file`. A file's trailing line
    /// break is dropped; an empty value counts as unset.
    pub fn resolve(
        key: &str,
        value: Option<&str>,
        file: Option<&Path>,
    ) -> Result<Option<Self>, ConfigError> {
        match (value.filter(|v| !v.is_empty()), file) {
            (Some(_), Some(_)) => Err(ConfigError::SecretTwice {
                key: key.to_owned(),
            }),
            (Some(value), None) => Ok(Some(Self(value.to_owned()))),
            (None, Some(path)) => {
                let text =
                    std::fs::read_to_string(path).map_err(|source| ConfigError::SecretFile {
                        key: key.to_owned(),
                        path: path.to_path_buf(),
                        source,
                    })?;
                let secret = text.trim_end_matches(['\r', '\n']);
                Ok((!secret.is_empty()).then(|| Self(secret.to_owned())))
            }
            (None, None) => Ok(None),
        }
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[cfg(test)]
mod tests;
