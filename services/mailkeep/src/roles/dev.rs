//! `mailkeep dev`: every role in one process, on `sqlite://<data>/metadata.db`
//! and `file://<data>/blobs`, with metadata and blob gRPC on loopback port 0
//! (the roles still talk gRPC, ARCHITECTURE.md §1). On first start it writes
//! a self-signed certificate into `<data>/tls/` and, unless
//! `admin.bootstrap_token` is configured, an admin token into
//! `<data>/admin-token` (mode 0600), and unless `metadata.secrets_key` is,
//! the import jobs' key into `<data>/secrets-key` (mode 0600); all are
//! reused on later starts, so data and credentials survive restarts. The internal gRPC secret is
//! `internal.token` when configured (so `mailkeep import` can call the
//! metadata and blob ports), else fresh per process. One
//! in-process change bus carries events from the metadata role to the
//! gateway role. The gateway's IMAP migration workers run here too. On
//! shutdown the gateway drains first; metadata and blob stop after it.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use mailkeep_blob::StoreOptions;
use mailkeep_bus::{ChangeBus, LocalBus};
use mailkeep_metadata::SecretsKey;
use metrics_exporter_prometheus::PrometheusHandle;
use rand::Rng;
use rand::distr::Alphanumeric;

use super::gateway::GatewayPeers;
use super::{Tasks, bind, internal_auth};
use crate::bus_metrics::MeteredBus;
use crate::cli::DevArgs;
use crate::config::{Config, Secret};
use crate::shutdown::Shutdown;

/// Length of generated secrets (alphanumeric: about 190 bits at 32).
const GENERATED_SECRET_LEN: usize = 32;
/// Names the self-signed certificate is valid for.
const DEV_HOSTNAMES: [&str; 2] = ["localhost", "127.0.0.1"];

pub async fn run(
    config: Config,
    args: DevArgs,
    shutdown: Shutdown,
    metrics: PrometheusHandle,
) -> anyhow::Result<()> {
    let data_dir = prepare_data_dir(&args.data_dir)?;
    let admin_token = match config.admin.bootstrap_token()? {
        Some(token) => token,
        None => {
            let path = data_dir.join("admin-token");
            let token = load_or_create_secret(&path, "admin token", generate_secret)?;
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "admin token: {}", token.expose())?;
            writeln!(stdout, "admin token file: {}", path.display())?;
            token
        }
    };
    let hostnames: Vec<String> = DEV_HOSTNAMES
        .iter()
        .map(|name| (*name).to_owned())
        .collect();
    let (cert, key) = mailkeep_gateway::generate_self_signed(&data_dir.join("tls"), &hostnames)
        .context("cannot create the dev tls certificate")?;
    let tls = super::gateway::load_tls(&cert, &key)?;

    // A configured `internal.token` lets operator tools (`mailkeep import`)
    // reach the loopback gRPC ports; otherwise the secret is per process.
    let internal_token = match config.internal.token()? {
        Some(token) => token.expose().to_owned(),
        None => generate_secret(),
    };
    let auth = internal_auth(&internal_token)?;
    let loopback = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut tasks = Tasks::new(shutdown.clone());
    let bus: Arc<dyn ChangeBus> = MeteredBus::wrap(Arc::new(LocalBus::new()));
    // Metadata and blob stop only after the gateway has drained, so the
    // commands it lets finish still reach them.
    let backends_shutdown = Shutdown::new();

    let metadata_listener = bind("metadata", loopback).await?;
    let metadata_url = format!("http://{}", metadata_listener.local_addr()?);
    let database_url = format!("sqlite://{}", data_dir.join("metadata.db").display());
    let metadata_probe = super::metadata::start(
        &database_url,
        metadata_listener,
        auth.clone(),
        Some(Arc::clone(&bus)),
        Some(dev_secrets_key(&config, &data_dir)?),
        &mut tasks,
        &backends_shutdown,
    )
    .await?;

    let blob_listener = bind("blob", loopback).await?;
    let blob_url = format!("http://{}", blob_listener.local_addr()?);
    let blob_store_url = format!("file://{}", data_dir.join("blobs").display());
    let options = StoreOptions {
        max_blob_bytes: config.blob.max_blob_bytes,
        ..StoreOptions::default()
    };
    let blob_probe = super::blob::start(
        &blob_store_url,
        &options,
        blob_listener,
        auth.clone(),
        &mut tasks,
        &backends_shutdown,
    )
    .await?;

    let imap = bind("imap", args.imap_listen).await?;
    let imaps = bind("imaps", args.imaps_listen).await?;
    let drain_timeout = Duration::from_secs(config.gateway.drain_timeout);
    let trusted_networks = super::gateway::trusted_networks(&config.gateway)?;
    let lmtp = super::lmtp::server_config(
        bind("lmtp", args.lmtp_listen).await?,
        &config.lmtp,
        Some(Arc::clone(&tls)),
        trusted_networks.clone(),
        drain_timeout,
    )?;
    let peers = GatewayPeers {
        metadata_url: &metadata_url,
        blob_url: &blob_url,
        internal_token: &internal_token,
        trusted_networks,
        bus: Some(bus),
        update_timers: super::gateway::update_timers(&config.gateway)?,
        admin_contact: config.gateway.admin_contact.clone(),
        max_message_size: config.gateway.max_message_size,
        literal_extension: config.gateway.literal_extension,
    };
    let mut probes = super::gateway::start(
        imap,
        Some(imaps),
        Some(tls),
        Some(lmtp),
        peers,
        drain_timeout,
        Some(backends_shutdown),
        &mut tasks,
        &shutdown,
    )
    .await?;

    crate::imap_import::start(
        crate::imap_import::WorkerContext {
            metadata_url: metadata_url.clone(),
            blob_url: blob_url.clone(),
            internal_token: internal_token.clone(),
            settings: config.imports.validated()?,
            max_message_size: config.gateway.max_message_size,
            shutdown: shutdown.clone(),
        },
        &mut tasks,
    )?;

    let admin_listener = bind("admin", args.admin_listen).await?;
    // Its only peer is the metadata service, which the gateway probes already cover.
    super::admin::start(
        &metadata_url,
        &admin_token,
        admin_listener,
        auth,
        &mut tasks,
        &shutdown,
    )?;

    probes.extend([metadata_probe, blob_probe]);
    tasks.spawn_ops(args.ops_listen, probes, metrics).await?;
    tracing::info!(data_dir = %data_dir.display(), "dev mode ready");
    tasks.wait().await
}

/// Creates the data directory and returns its absolute path.
fn prepare_data_dir(dir: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    dir.canonicalize()
        .with_context(|| format!("cannot resolve the data directory {}", dir.display()))
}

fn generate_secret() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(GENERATED_SECRET_LEN)
        .map(char::from)
        .collect()
}

/// `metadata.secrets_key` when configured, else the key kept in
/// `<data>/secrets-key` (created on first start), so import jobs survive a
/// restart.
fn dev_secrets_key(config: &Config, data_dir: &Path) -> anyhow::Result<SecretsKey> {
    if let Some(key) = super::metadata::secrets_key(config)? {
        return Ok(key);
    }
    let path = data_dir.join("secrets-key");
    let encoded = load_or_create_secret(&path, "secrets key", SecretsKey::generate_base64)?;
    SecretsKey::from_base64(encoded.expose())
        .with_context(|| format!("invalid secrets key in {}", path.display()))
}

/// Reads the `what` secret at `path`, or creates it (mode 0600) with
/// `generate`.
fn load_or_create_secret(
    path: &Path,
    what: &str,
    generate: fn() -> String,
) -> anyhow::Result<Secret> {
    let existing = Secret::resolve(what, None, Some(path).filter(|path| path.is_file()))?;
    if let Some(token) = existing {
        return Ok(token);
    }
    let token = generate();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    writeln!(file, "{token}")?;
    file.sync_all()?;
    tracing::info!(path = %path.display(), "generated a new {what}");
    Ok(Secret::new(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_token_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("admin-token");
        let first = load_or_create_secret(&path, "admin token", generate_secret).unwrap();
        assert_eq!(first.expose().len(), GENERATED_SECRET_LEN);
        assert!(first.expose().chars().all(|c| c.is_ascii_alphanumeric()));
        let again = load_or_create_secret(&path, "admin token", generate_secret).unwrap();
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_dev_secrets_key_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::default();
        let first = dev_secrets_key(&config, dir.path()).unwrap();
        let sealed = first.seal(b"pw", b"job").unwrap();
        let again = dev_secrets_key(&config, dir.path()).unwrap();
        assert_eq!(again.open(&sealed, b"job").unwrap(), b"pw");
    }

    #[test]
    fn generated_secrets_differ() {
        assert_ne!(generate_secret(), generate_secret());
    }
}
