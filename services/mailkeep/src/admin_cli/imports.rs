//! `mailkeep admin import create|list|show|cancel`: IMAP import jobs of an
//! account, as API requests (`--follow` is in [`super::import_progress`]).
//! The source password comes from a file, an environment variable or a
//! no-echo prompt, never from a flag (flags show up in `ps`).

use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate};
use clap::{Args, Subcommand};
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{ApiRequest, CliError};
use super::import_progress::describe;
use super::output::View;

/// Largest password file read.
const MAX_PASSWORD_FILE_BYTES: u64 = 4096;
const LIST_COLUMNS: &[&str] = &[
    "id",
    "state",
    "source.host",
    "progress.messages_total",
    "progress.messages_imported",
    "progress.messages_failed",
    "created_at",
];

#[derive(Debug, Clone, Subcommand)]
pub enum ImportCommand {
    /// Starts importing mail from another IMAP server into ADDRESS.
    Create(Box<CreateImportArgs>),
    /// Lists the import jobs of ADDRESS, newest first.
    List { address: String },
    /// Shows one import job and its progress.
    Show {
        address: String,
        id: String,
        /// Poll until the job ends, showing its progress.
        #[arg(long)]
        follow: bool,
    },
    /// Cancels a queued or running import; mail already imported stays.
    Cancel { address: String, id: String },
}

impl ImportCommand {
    /// True when the command polls the job until it ends.
    pub fn follows(&self) -> bool {
        match self {
            ImportCommand::Create(args) => args.follow,
            ImportCommand::Show { follow, .. } => *follow,
            ImportCommand::List { .. } | ImportCommand::Cancel { .. } => false,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct CreateImportArgs {
    /// The account the mail goes to, `local@domain`.
    pub address: String,
    /// The source IMAP server.
    #[arg(long)]
    pub host: String,
    /// Default 993 with `--tls tls`, else 143.
    #[arg(long)]
    pub port: Option<u16>,
    /// `tls` (implicit TLS, the default), `starttls` or `plain`.
    #[arg(long, value_parser = ["tls", "starttls", "plain"])]
    pub tls: Option<String>,
    /// The login name on the source server.
    #[arg(long)]
    pub username: String,
    /// Read the source password from the first line of this file.
    #[arg(long, conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,
    /// Read the source password from this environment variable.
    #[arg(long)]
    pub password_env: Option<String>,
    /// Put source folder SRC into folder DST; repeatable.
    #[arg(long = "map", value_name = "SRC=DST")]
    pub maps: Vec<String>,
    /// Do not import source folder SRC; repeatable.
    #[arg(long = "skip", value_name = "SRC")]
    pub skips: Vec<String>,
    /// Only messages received on or after this date (YYYY-MM-DD or RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// Only messages received before this date (YYYY-MM-DD or RFC 3339).
    #[arg(long)]
    pub before: Option<String>,
    /// Pull at most this many messages a second (server default 100).
    #[arg(long)]
    pub rate: Option<u32>,
    /// Accept any certificate of the source server.
    #[arg(long)]
    pub accept_invalid_certs: bool,
    /// Poll until the job ends, showing its progress.
    #[arg(long)]
    pub follow: bool,
}

/// The API request of `command` and how to show its answer.
pub fn request(command: &ImportCommand) -> Result<(ApiRequest, View), CliError> {
    let (method, path, body, view) = match command {
        ImportCommand::Create(args) => (
            Method::POST,
            imports_path(&args.address, None)?,
            Some(create_body(args, read_password(args)?)?),
            View::Custom(describe),
        ),
        ImportCommand::List { address } => (
            Method::GET,
            imports_path(address, None)?,
            None,
            View::Table(LIST_COLUMNS),
        ),
        ImportCommand::Show { address, id, .. } => (
            Method::GET,
            imports_path(address, Some(id))?,
            None,
            View::Custom(describe),
        ),
        ImportCommand::Cancel { address, id } => (
            Method::DELETE,
            imports_path(address, Some(id))?,
            None,
            View::Custom(describe),
        ),
    };
    Ok((
        ApiRequest {
            method,
            segments: path,
            body,
            ..ApiRequest::default()
        },
        view,
    ))
}

/// `tenants/D/accounts/L/imports[/ID]` for the address `L@D`.
pub fn imports_path(address: &str, id: Option<&str>) -> Result<Vec<String>, CliError> {
    let (local, domain) = match address.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => (local, domain),
        _ => {
            return Err(CliError::Usage(format!(
                "{address:?} is not an address of the form local@domain"
            )));
        }
    };
    let mut path: Vec<String> = ["tenants", domain, "accounts", local, "imports"]
        .map(str::to_owned)
        .into();
    path.extend(id.map(str::to_owned));
    Ok(path)
}

fn create_body(args: &CreateImportArgs, password: String) -> Result<Value, CliError> {
    let mut folders = Vec::new();
    for map in &args.maps {
        let (source, target) = map
            .split_once('=')
            .ok_or_else(|| CliError::Usage(format!("--map {map:?} is not of the form SRC=DST")))?;
        folders.push(json!({"source": source, "target": target}));
    }
    folders.extend(
        args.skips
            .iter()
            .map(|source| json!({"source": source, "target": null})),
    );
    let mut source = json!({
        "host": args.host,
        "username": args.username,
        "password": password,
        "accept_invalid_certs": args.accept_invalid_certs,
    });
    if let Some(port) = args.port {
        source["port"] = port.into();
    }
    if let Some(tls) = &args.tls {
        source["tls"] = tls.as_str().into();
    }
    let mut body = json!({"source": source, "folders": folders});
    for (field, value) in [("since", &args.since), ("before", &args.before)] {
        if let Some(value) = value {
            body[field] = instant(field, value)?.into();
        }
    }
    if let Some(rate) = args.rate {
        body["max_messages_per_second"] = rate.into();
    }
    Ok(body)
}

/// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time, as RFC 3339.
fn instant(flag: &str, raw: &str) -> Result<String, CliError> {
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        return Ok(format!("{date}T00:00:00Z"));
    }
    DateTime::parse_from_rfc3339(raw)
        .map(|_| raw.to_owned())
        .map_err(|_| {
            CliError::Usage(format!(
                "--{flag} {raw:?} is neither YYYY-MM-DD nor an RFC 3339 time"
            ))
        })
}

fn read_password(args: &CreateImportArgs) -> Result<String, CliError> {
    let password = if let Some(path) = &args.password_file {
        let text = std::fs::read(path)
            .map_err(|error| CliError::Usage(format!("cannot read {}: {error}", path.display())))?;
        if text.len() as u64 > MAX_PASSWORD_FILE_BYTES {
            return Err(CliError::Usage(format!(
                "{} is larger than {MAX_PASSWORD_FILE_BYTES} bytes",
                path.display()
            )));
        }
        let text = String::from_utf8(text)
            .map_err(|_| CliError::Usage(format!("{} is not UTF-8", path.display())))?;
        text.lines().next().unwrap_or_default().to_owned()
    } else if let Some(variable) = &args.password_env {
        std::env::var(variable)
            .map_err(|_| CliError::Usage(format!("environment variable {variable} is not set")))?
    } else {
        prompt_password(args)?
    };
    if password.is_empty() {
        return Err(CliError::Usage("the source password is empty".to_owned()));
    }
    Ok(password)
}

fn prompt_password(args: &CreateImportArgs) -> Result<String, CliError> {
    let terminal = console::Term::stderr();
    if !std::io::stdin().is_terminal() || !terminal.is_term() {
        return Err(CliError::Usage(
            "no source password: pass --password-file or --password-env".to_owned(),
        ));
    }
    terminal
        .write_str(&format!("password of {} at {}: ", args.username, args.host))
        .and_then(|()| terminal.read_secure_line())
        .map_err(|error| CliError::Usage(format!("cannot read the password: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        command: ImportCommand,
    }

    fn parse(args: &[&str]) -> Result<ImportCommand, clap::Error> {
        Cli::try_parse_from(std::iter::once("import").chain(args.iter().copied()))
            .map(|cli| cli.command)
    }

    #[test]
    fn create_builds_rules_dates_and_the_source_without_flags_for_the_password() {
        let command = parse(&[
            "create",
            "alice@ex.test",
            "--host",
            "imap.old.test",
            "--tls",
            "starttls",
            "--username",
            "alice",
            "--password-env",
            "X",
            "--map",
            "Sent Items=Sent",
            "--skip",
            "Spam",
            "--since",
            "2020-01-01",
            "--rate",
            "5",
            "--follow",
        ])
        .unwrap();
        assert!(command.follows());
        let ImportCommand::Create(args) = command else {
            panic!("not create");
        };
        let body = create_body(&args, "pw".to_owned()).unwrap();
        assert_eq!(
            body,
            json!({
                "source": {"host": "imap.old.test", "username": "alice", "password": "pw",
                           "accept_invalid_certs": false, "tls": "starttls"},
                "folders": [{"source": "Sent Items", "target": "Sent"},
                            {"source": "Spam", "target": null}],
                "since": "2020-01-01T00:00:00Z",
                "max_messages_per_second": 5
            })
        );
        // A password on the command line, and an unknown TLS mode.
        for refused in [["--password", "p"], ["--tls", "ssl"]] {
            let mut args = vec!["create", "a@b.test", "--host", "h", "--username", "u"];
            args.extend(refused);
            assert!(parse(&args).is_err(), "{args:?}");
        }
        assert!(instant("since", "last week").is_err());
        assert_eq!(
            imports_path("alice@ex.test", Some("j1")).unwrap(),
            ["tenants", "ex.test", "accounts", "alice", "imports", "j1"]
        );
        assert!(matches!(
            imports_path("alice", None),
            Err(CliError::Usage(_))
        ));
    }
}
