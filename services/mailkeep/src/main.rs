//! `mailkeep`: one binary, one subcommand per role (ARCHITECTURE.md §1).
//! Start-up order: parse the command line, start the runtime, install the
//! aws-lc-rs rustls provider, read the configuration, set up logs, traces
//! and metrics, hook SIGTERM and ctrl-c to the shared shutdown signal, run
//! the role until it ends, then flush the span exporter.
#![forbid(unsafe_code)]

mod admin_cli;
mod bus_metrics;
mod cli;
mod config;
mod imap_import;
mod import;
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
    if let Role::Admin(args) = &cli.role
        && let Some(command) = &args.command
    {
        return admin_cli::run(&args.connection, command);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
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
    let role = role_name(&cli.role);
    let telemetry = telemetry::init(&config.telemetry, cli.log_format, role)?;
    let outcome = run_role(cli.role, config, role).await;
    telemetry.shutdown().await;
    outcome
}

async fn run_role(role: Role, config: Config, name: &'static str) -> anyhow::Result<()> {
    let metrics = telemetry::init_metrics()?;
    let shutdown = Shutdown::new();
    shutdown.trigger_on_signals()?;
    metrics::counter!("mailkeep_role_starts_total", "role" => name).increment(1);
    tracing::info!(role = name, version = telemetry::VERSION, "starting");
    match role {
        Role::Gateway => roles::gateway::run(config, shutdown, metrics).await,
        Role::Metadata => roles::metadata::run(config, shutdown, metrics).await,
        Role::Blob => roles::blob::run(config, shutdown, metrics).await,
        Role::Admin(_) => roles::admin::run(config, shutdown, metrics).await,
        Role::Dev(args) => roles::dev::run(config, args, shutdown, metrics).await,
        Role::Migrate => roles::migrate::run(config).await,
        Role::Import(args) => import::run(args, &config).await,
    }
}

fn role_name(role: &Role) -> &'static str {
    match role {
        Role::Gateway => "gateway",
        Role::Metadata => "metadata",
        Role::Blob => "blob",
        Role::Admin(_) => "admin",
        Role::Migrate => "migrate",
        Role::Dev(_) => "dev",
        Role::Import(_) => "import",
    }
}
