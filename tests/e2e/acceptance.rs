//! Issue 2's acceptance scenario in both deployment modes: a fresh tenant
//! over REST, then `scenario.py` once with imaplib and once with
//! imapclient (each on its own fresh account, both reusing one corpus
//! file), through a recording proxy whose server transcript must decode
//! with imap-codec. One failure message carries everything: the Python
//! report, the oracle's verdict and every role's stderr tail.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, bail};
use mailkeep_tests::corpus;
use mailkeep_tests::deployment::Deployment;
use mailkeep_tests::provision::AdminClient;
use mailkeep_tests::proxy::RecordingProxy;
use mailkeep_tests::python;

use crate::codec_oracle::check_transcripts;

const CLIENTS: [&str; 2] = ["imaplib", "imapclient"];
/// One client run appends and fetches 400 messages; debug builds are slow.
const SCENARIO_LIMIT: Duration = Duration::from_secs(600);

/// The corpus, generated once per test process however many tests need it.
pub fn shared_corpus() -> anyhow::Result<PathBuf> {
    static CORPUS: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    CORPUS
        .get_or_init(|| {
            corpus::reference_corpus(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")))
                .map_err(|error| format!("{error:#}"))
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_passes_in_dev_mode() -> anyhow::Result<()> {
    let corpus = shared_corpus()?;
    let deployment = Deployment::dev().await?;
    let outcome = run_scenario(&deployment, &corpus).await;
    outcome.and(deployment.finish().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scenario_passes_with_separate_roles_on_postgres_and_s3() -> anyhow::Result<()> {
    let corpus = shared_corpus()?;
    let deployment = Deployment::separate_roles().await?;
    // Stop the roles and drop the database whether or not the scenario passed.
    let outcome = run_scenario(&deployment, &corpus).await;
    outcome.and(deployment.finish().await)
}

async fn run_scenario(deployment: &Deployment, corpus: &std::path::Path) -> anyhow::Result<()> {
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin
        .create_fresh_tenant()
        .await
        .with_context(|| deployment.diagnostics())?;
    let mut failures = Vec::new();
    for client in CLIENTS {
        let account = admin.create_account(&domain, client).await?;
        let proxy = RecordingProxy::start(deployment.imap()).await?;
        let port = proxy.address().port().to_string();
        let corpus_arg = corpus.to_string_lossy().into_owned();
        let args = [
            "scenario.py",
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--user",
            &account.login,
            "--password",
            &account.password,
            "--corpus",
            &corpus_arg,
            "--client",
            client,
        ];
        let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
        let output = tokio::task::spawn_blocking(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            python::run(&args, &[], SCENARIO_LIMIT)
        })
        .await??;
        if !output.success {
            failures.push(format!("{client} scenario failed\n{}", output.describe()));
        }
        match check_transcripts(&proxy.finish().await?) {
            Ok(count) => eprintln!("{client}: {count} server responses decoded by imap-codec"),
            Err(error) => failures.push(format!("{client}: imap-codec oracle: {error}")),
        }
    }
    if !failures.is_empty() {
        bail!("{}\n{}", failures.join("\n\n"), deployment.diagnostics());
    }
    Ok(())
}
