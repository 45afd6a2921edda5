//! The CLI's resources and verbs, each turned into one API request and a
//! [`View`] of its answer. Accounts, aliases and app passwords are named by
//! address (`local@domain`), as operators and users write them.

use clap::{Args, Subcommand};

use super::client::{ApiClient, ApiRequest, CliError};
use super::import_progress;
use super::imports::{self, ImportCommand};
use super::output::{self, View};
use super::{Connection, resources};

/// `mailkeep admin <resource> ...`.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// Tenants (mail domains).
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// Accounts, named `local@domain`.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Aliases: extra addresses that deliver to an account.
    #[command(subcommand)]
    Alias(AliasCommand),
    /// App passwords of an account.
    #[command(subcommand)]
    AppPassword(AppPasswordCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The audit log, newest first.
    Audit(AuditArgs),
    /// IMAP import jobs of an account.
    #[command(subcommand)]
    Import(ImportCommand),
}

/// Filters and page of a list.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    #[arg(long)]
    pub status: Option<String>,
    #[arg(long)]
    pub prefix: Option<String>,
    #[arg(long)]
    pub limit: Option<u32>,
    #[arg(long)]
    pub cursor: Option<String>,
}

/// Quota flags; 0 means unlimited.
#[derive(Debug, Clone, Args)]
pub struct QuotaArgs {
    #[arg(long)]
    pub quota_bytes: Option<u64>,
    #[arg(long)]
    pub quota_messages: Option<u64>,
}

#[derive(Debug, Clone, Subcommand)]
pub enum TenantCommand {
    Create {
        domain: String,
        #[command(flatten)]
        quota: QuotaArgs,
        #[arg(long)]
        default_quota_bytes: Option<u64>,
        #[arg(long)]
        default_quota_messages: Option<u64>,
    },
    List(ListArgs),
    Get {
        domain: String,
    },
    Update {
        domain: String,
        /// `active` or `suspended`.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        quota: QuotaArgs,
        /// Only if the tenant still has this ETag.
        #[arg(long)]
        if_match: Option<String>,
    },
    /// Starts the purge of the tenant and all its data.
    Delete {
        domain: String,
    },
    /// Progress of the tenant's purge.
    Purge {
        domain: String,
    },
    Usage {
        domain: String,
    },
    /// Recounts the usage of every account from the stored messages.
    Recalculate {
        domain: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum AccountCommand {
    /// Creates an account; without a password one is generated and shown once.
    Create {
        address: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        quota: QuotaArgs,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        app_passwords_only: bool,
    },
    List {
        domain: String,
        #[command(flatten)]
        list: ListArgs,
    },
    Get {
        address: String,
    },
    Update {
        address: String,
        #[arg(long)]
        password_stdin: bool,
        #[arg(long, conflicts_with = "password_stdin")]
        generate_password: bool,
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        quota: QuotaArgs,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        app_passwords_only: Option<bool>,
        #[arg(long)]
        if_match: Option<String>,
    },
    /// Deletes the account and all its mail.
    Delete {
        address: String,
    },
    Usage {
        address: String,
    },
    Mailboxes {
        address: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum AliasCommand {
    /// Creates (or confirms) `alias@domain` delivering to the account `target`.
    Put {
        alias: String,
        target: String,
    },
    List {
        domain: String,
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        prefix: Option<String>,
    },
    Delete {
        alias: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum AppPasswordCommand {
    /// Creates an app password; its secret is shown once.
    Create {
        address: String,
        #[arg(long)]
        name: String,
        /// `imap` or `lmtp-submit`; repeatable. Default imap.
        #[arg(long = "scope")]
        scopes: Vec<String>,
    },
    List {
        address: String,
    },
    /// Revokes an app password at once.
    Delete {
        address: String,
        id: String,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum TokenCommand {
    /// Creates an API token; its secret is shown once.
    Create {
        name: String,
        /// `admin`, `tenant-admin` or `read-only`.
        #[arg(long)]
        role: String,
        #[arg(long)]
        tenant: Option<String>,
        /// Unix seconds.
        #[arg(long)]
        expires_at: Option<i64>,
    },
    List {
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        include_revoked: bool,
    },
    Revoke {
        id: String,
    },
}

#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    #[arg(long)]
    pub tenant: Option<String>,
    #[arg(long)]
    pub actor: Option<String>,
    #[arg(long)]
    pub action: Option<String>,
    #[arg(long)]
    pub since: Option<i64>,
    #[arg(long)]
    pub until: Option<i64>,
    #[arg(long)]
    pub limit: Option<u32>,
    #[arg(long)]
    pub cursor: Option<String>,
}

/// Runs `command` against the API and prints its answer.
pub async fn execute(connection: &Connection, command: &AdminCommand) -> Result<(), CliError> {
    let client = ApiClient::new(&connection.url, connection.token.as_deref())?;
    let (request, view) = build(command)?;
    let answer = client.send(&request).await?;
    if let AdminCommand::Import(import) = command
        && import.follows()
    {
        return import_progress::follow(&client, connection.json, answer).await;
    }
    let text = match (&answer, connection.json) {
        (Some(json), true) => format!("{json:#}\n"),
        _ => output::render(view, answer.as_ref()),
    };
    print!("{text}");
    Ok(())
}

fn build(command: &AdminCommand) -> Result<(ApiRequest, View), CliError> {
    match command {
        AdminCommand::Tenant(command) => Ok(resources::tenant(command)),
        AdminCommand::Account(command) => resources::account(command),
        AdminCommand::Alias(command) => resources::alias(command),
        AdminCommand::AppPassword(command) => resources::app_password(command),
        AdminCommand::Token(command) => Ok(resources::token(command)),
        AdminCommand::Audit(args) => Ok(resources::audit(args)),
        AdminCommand::Import(command) => imports::request(command),
    }
}
