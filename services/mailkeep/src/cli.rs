//! The command line: clap picks the config file, the log format and the
//! role; everything else is configuration (see [`crate::config`]). `dev`
//! alone takes its listen addresses as flags, so tests can pass port 0.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Mailkeep: a horizontally scalable IMAP mail-storage service.
#[derive(Debug, Parser)]
#[command(name = "mailkeep", version = crate::telemetry::VERSION, about)]
pub struct Cli {
    /// The TOML configuration file; `MAILKEEP_<TABLE>__<KEY>` variables override it.
    #[arg(long, global = true, env = "MAILKEEP_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Log output format (logs go to stderr; stdout carries the bound
    /// addresses); overrides `telemetry.log_format`, whose default is text.
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,
    #[command(subcommand)]
    pub role: Role,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Which role this process plays.
#[derive(Debug, Subcommand)]
pub enum Role {
    /// The IMAP front-end (stateless; talks gRPC to metadata and blob).
    Gateway,
    /// The metadata gRPC service (PostgreSQL or SQLite).
    Metadata,
    /// The blob gRPC service (S3 or the filesystem).
    Blob,
    /// The REST admin API; with a resource (`mailkeep admin tenant list`),
    /// the operator CLI that calls it.
    Admin(crate::admin_cli::AdminArgs),
    /// Applies pending metadata database migrations and exits.
    Migrate,
    /// Every role in one process on SQLite and filesystem blobs.
    Dev(DevArgs),
    /// Imports a Maildir tree or an mbox file into an account (an operator
    /// tool: it calls the metadata and blob services with the internal secret).
    Import(crate::import::ImportArgs),
}

/// Where `dev` keeps its data and listens (ARCHITECTURE.md §8).
#[derive(Debug, Clone, Args)]
pub struct DevArgs {
    /// Holds metadata.db, blobs/, tls/ and admin-token; kept across restarts.
    #[arg(long, env = "MAILKEEP_DEV_DATA_DIR", default_value = "./.data")]
    pub data_dir: PathBuf,
    #[arg(
        long,
        env = "MAILKEEP_DEV_IMAP_LISTEN",
        default_value = "127.0.0.1:1143"
    )]
    pub imap_listen: SocketAddr,
    #[arg(
        long,
        env = "MAILKEEP_DEV_IMAPS_LISTEN",
        default_value = "127.0.0.1:1993"
    )]
    pub imaps_listen: SocketAddr,
    /// LMTP (RFC 2033) for a local MTA such as Postfix.
    #[arg(
        long,
        env = "MAILKEEP_DEV_LMTP_LISTEN",
        default_value = "127.0.0.1:2424"
    )]
    pub lmtp_listen: SocketAddr,
    #[arg(
        long,
        env = "MAILKEEP_DEV_ADMIN_LISTEN",
        default_value = "127.0.0.1:8080"
    )]
    pub admin_listen: SocketAddr,
    #[arg(
        long,
        env = "MAILKEEP_DEV_OPS_LISTEN",
        default_value = "127.0.0.1:9090"
    )]
    pub ops_listen: SocketAddr,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_defaults_follow_the_port_table() {
        let cli = Cli::try_parse_from(["mailkeep", "dev"]).unwrap();
        let Role::Dev(args) = cli.role else {
            panic!("expected dev");
        };
        assert_eq!(args.data_dir, PathBuf::from("./.data"));
        assert_eq!(args.imap_listen.port(), 1143);
        assert_eq!(args.imaps_listen.port(), 1993);
        assert_eq!(args.lmtp_listen.port(), 2424);
        assert_eq!(args.admin_listen.port(), 8080);
        assert_eq!(args.ops_listen.port(), 9090);
    }

    #[test]
    fn the_config_flag_is_global() {
        let cli = Cli::try_parse_from([
            "mailkeep",
            "admin",
            "--config",
            "/etc/mk.toml",
            "--log-format",
            "json",
        ])
        .unwrap();
        assert!(matches!(cli.role, Role::Admin(ref args) if args.command.is_none()));
        assert_eq!(cli.config, Some(PathBuf::from("/etc/mk.toml")));
        assert_eq!(cli.log_format, Some(LogFormat::Json));
        assert!(Cli::try_parse_from(["mailkeep", "smtp"]).is_err());
    }
}
