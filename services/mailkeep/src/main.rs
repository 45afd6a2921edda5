//! `mailkeep`: one binary, one subcommand per role (ARCHITECTURE.md §1).
//! Start-up order: parse the command line, set up logs and metrics, install
//! the aws-lc-rs rustls provider, read the configuration, hook SIGTERM and
//! ctrl-c to the shared shutdown signal, then run the role until it ends.
#![forbid(unsafe_code)]

mod cli;
mod config;
mod ops;
mod roles;
mod shutdown;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Role};
use crate::config::Config;
use crate::shutdown::Shutdown;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init_logging(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(error = %error, "cannot start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "mailkeep stopped");
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // Every TLS config names aws-lc-rs explicitly too; installing it as the
    // process default keeps any other rustls user on the same provider.
    // It fails only when a provider is already installed, which is fine.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let config = Config::load(cli.config.as_deref())?;
    let metrics = telemetry::init_metrics()?;
    let shutdown = Shutdown::new();
    shutdown.trigger_on_signals()?;
    let role = role_name(&cli.role);
    metrics::counter!("mailkeep_role_starts_total", "role" => role).increment(1);
    tracing::info!(role, version = env!("CARGO_PKG_VERSION"), "starting");
    match cli.role {
        Role::Gateway => roles::gateway::run(config, shutdown, metrics).await,
        Role::Metadata => roles::metadata::run(config, shutdown, metrics).await,
        Role::Blob => roles::blob::run(config, shutdown, metrics).await,
        Role::Admin => roles::admin::run(config, shutdown, metrics).await,
        Role::Dev(args) => roles::dev::run(config, args, shutdown, metrics).await,
        Role::Migrate => roles::migrate::run(config).await,
    }
}

fn role_name(role: &Role) -> &'static str {
    match role {
        Role::Gateway => "gateway",
        Role::Metadata => "metadata",
        Role::Blob => "blob",
        Role::Admin => "admin",
        Role::Migrate => "migrate",
        Role::Dev(_) => "dev",
    }
}
