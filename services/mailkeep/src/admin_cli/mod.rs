//! `mailkeep admin <resource> <verb>`: the operator CLI. It speaks the REST
//! admin API (URL and token from `--url`/`--token` or `MAILKEEP_ADMIN_URL`/
//! `MAILKEEP_ADMIN_TOKEN`), prints tables by default and the API's JSON with
//! `--json`. Without a resource, `mailkeep admin` runs the admin role.
//!
//! Exit codes: 0 success, 1 any other failure (server error, unreachable),
//! 2 usage error (bad flags, also clap's own), 3 not found, 4 conflict or
//! failed precondition, 5 authentication or permission refused.

mod client;
mod commands;
mod import_progress;
mod imports;
mod output;
mod resources;

use std::process::ExitCode;

use clap::Args;

pub use commands::AdminCommand;

/// `mailkeep admin [RESOURCE VERB ...]`.
#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    #[command(flatten)]
    pub connection: Connection,
    /// Without a resource, run the admin API role.
    #[command(subcommand)]
    pub command: Option<AdminCommand>,
}

/// Where the API is and how to authenticate.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// Base URL of the admin API.
    #[arg(
        long,
        global = true,
        env = "MAILKEEP_ADMIN_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub url: String,
    /// Bearer token (the bootstrap token or an API token).
    #[arg(
        long,
        global = true,
        env = "MAILKEEP_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Print the API's JSON instead of a table.
    #[arg(long, global = true)]
    pub json: bool,
}

/// Runs one CLI command and maps its outcome to an exit code.
pub fn run(connection: &Connection, command: &AdminCommand) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::execute(connection, command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
