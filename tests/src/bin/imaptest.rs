//! `imaptest`: plays Dovecot's scripted IMAP conformance tests against a
//! server on loopback and prints per-test results (issue 3, item 4).
//! With `--provision` it first creates a fresh tenant and two accounts
//! over the admin REST API, so a run against `mailkeep dev` is one
//! command. Exits 1 when any test failed or ran no commands.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use mailkeep_tests::imaptest::run::{Config, Outcome, list_tests, run_test};
use mailkeep_tests::provision::AdminClient;

#[derive(Parser, Debug)]
#[command(about = "Run imaptest scripts against an IMAP server")]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    #[arg(long)]
    port: u16,
    /// Login of the main user (not needed with --provision).
    #[arg(long, required_unless_present = "provision")]
    user: Option<String>,
    #[arg(long, required_unless_present = "provision")]
    pass: Option<String>,
    /// Optional second user, for scripts with `user 2: $user2`.
    #[arg(long, requires = "pass2")]
    user2: Option<String>,
    #[arg(long)]
    pass2: Option<String>,
    /// Directory of scripts and their `.mbox` fixtures.
    #[arg(long)]
    scripts: PathBuf,
    /// Run only these tests (repeatable); default: all.
    #[arg(long = "group")]
    groups: Vec<String>,
    /// The test mailbox.
    #[arg(long, default_value = "imaptest")]
    mailbox: String,
    /// Seconds allowed for each setup step and each group.
    #[arg(long, default_value_t = 10)]
    timeout: u64,
    /// Print every failure of a failed test, not only the first.
    #[arg(long)]
    verbose: bool,
    /// Admin REST base URL: create a fresh tenant and two accounts.
    #[arg(long, requires = "admin_token")]
    provision: Option<String>,
    #[arg(long)]
    admin_token: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    match run(Args::parse()).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("imaptest: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn users(args: &Args) -> anyhow::Result<Vec<(String, String)>> {
    if let (Some(url), Some(token)) = (&args.provision, &args.admin_token) {
        let admin = AdminClient::new(url, token);
        let domain = admin
            .create_fresh_tenant()
            .await
            .context("provisioning a tenant")?;
        let mut users = Vec::new();
        for local in ["imaptest", "imaptest2"] {
            let account = admin
                .create_account(&domain, local)
                .await
                .context("provisioning an account")?;
            users.push((account.login, account.password));
        }
        return Ok(users);
    }
    let (Some(user), Some(pass)) = (&args.user, &args.pass) else {
        bail!("--user and --pass are required without --provision");
    };
    let mut users = vec![(user.clone(), pass.clone())];
    if let (Some(user2), Some(pass2)) = (&args.user2, &args.pass2) {
        users.push((user2.clone(), pass2.clone()));
    }
    Ok(users)
}

/// Runs the selected tests; `Ok(true)` when none failed.
async fn run(args: Args) -> anyhow::Result<bool> {
    let all =
        list_tests(&args.scripts).with_context(|| format!("listing {}", args.scripts.display()))?;
    let selected: Vec<String> = if args.groups.is_empty() {
        all
    } else {
        if let Some(unknown) = args.groups.iter().find(|g| !all.contains(g)) {
            bail!("no test named {unknown} in {}", args.scripts.display());
        }
        all.into_iter()
            .filter(|t| args.groups.contains(t))
            .collect()
    };
    let config = Config {
        addr: SocketAddr::new(args.host, args.port),
        host: args.host.to_string(),
        users: users(&args).await?,
        mailbox: args.mailbox.clone(),
        timeout: Duration::from_secs(args.timeout),
    };
    let (mut passed, mut failed, mut skipped, mut empty) = (0, 0, 0, 0);
    for name in &selected {
        match run_test(&config, &args.scripts, name).await {
            Outcome::Passed { commands } => {
                passed += 1;
                println!("PASS  {name} ({commands} commands)");
            }
            Outcome::Failed { commands, failures } => {
                failed += 1;
                println!(
                    "FAIL  {name} ({commands} commands, {} failures)",
                    failures.len()
                );
                let shown = if args.verbose { failures.len() } else { 1 };
                for failure in failures.iter().take(shown) {
                    println!("      {failure}");
                }
            }
            Outcome::Skipped(reason) => {
                skipped += 1;
                println!("SKIP  {name}: {reason}");
            }
            Outcome::NoCommands => {
                empty += 1;
                println!("EMPTY {name}: ran no commands");
            }
        }
    }
    println!(
        "\n{} tests: {passed} passed, {failed} failed, {skipped} skipped, {empty} ran no commands",
        selected.len()
    );
    Ok(failed == 0 && empty == 0)
}
