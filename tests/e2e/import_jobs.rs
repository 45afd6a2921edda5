//! Issue 7's migration acceptance: an IMAP migration job pulls an account
//! of a second `mailkeep dev` (the source, filled by
//! `import_jobs_check.py` with a renamed `\Sent` folder, a plain "Sent
//! Items", a nested folder, keywords, zoned internal dates and a message
//! over 1 MiB) into a new account of the target. The target is killed
//! (SIGKILL) in the middle of the job and started again on the same data;
//! the job resumes (attempt 2) and completes, and both accounts then hold
//! the same messages per folder: bytes, flags and internal dates, no
//! duplicates, the two Sent folders merged into the target's Sent. A rerun
//! after 3 new source messages imports exactly those 3. Also: the same
//! pull over implicit TLS (self-signed certificate accepted), which finds
//! every message already present by its bytes, and a wrong source
//! password, which fails the job without showing the password.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use mailkeep_tests::dev_node::DevNode;
use mailkeep_tests::dev_tenant::DevTenant;
use mailkeep_tests::provision::{Account, AdminClient};
use mailkeep_tests::python;
use serde_json::{Value, json};

use crate::acceptance::shared_corpus;

const SCRIPT: &str = "import_jobs_check.py";
const SCRIPT_LIMIT: Duration = Duration::from_secs(300);
/// Corpus messages put into the source, besides the large one.
const CORPUS_MESSAGES: u64 = 180;
const SOURCE_MESSAGES: u64 = CORPUS_MESSAGES + 1;
/// Slow enough that the job is still running when the target is killed.
const SLOW_RATE: u64 = 20;
const JOB_LIMIT: Duration = Duration::from_secs(180);
/// Source folders the target maps to another name.
const RENAMED: [(&str, &str); 2] = [("Gesendet", "Sent"), ("Sent Items", "Sent")];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imap_migration_survives_a_target_crash_and_reruns_incrementally() -> anyhow::Result<()>
{
    let source = DevTenant::start(&[]).await?;
    let source_account = source.account("source").await?;
    let source_imap = source.node.imap()?;
    let corpus = shared_corpus()?;
    let filled = run_script(
        "fill",
        source_imap,
        &source_account,
        &[&corpus.to_string_lossy(), &CORPUS_MESSAGES.to_string()],
    )?;
    ensure!(filled == SOURCE_MESSAGES, "fill appended {filled}");

    // A short lease and a quick claim loop, so the resume comes soon.
    let target_env = [
        ("MAILKEEP_IMPORTS__LEASE_SECONDS", "3".to_owned()),
        ("MAILKEEP_IMPORTS__POLL_INTERVAL_SECONDS", "1".to_owned()),
    ];
    let target_dir = tempfile::tempdir()?;
    let target = DevNode::start(target_dir.path(), &target_env)?;
    target.wait_ready().await?;
    let admin = AdminClient::new(&target.admin_url()?, target.admin_token()?);
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "migrated").await?;
    let jobs = Jobs::new(&target, &domain, "migrated")?;
    let body = job_body(source_imap, "plain", &source_account, SLOW_RATE);
    let id = jobs.create(&body).await?;

    let midway = jobs
        .wait(&id, &target, |job| imported(job) > 0 || ended(job))
        .await?;
    ensure!(
        imported(&midway) < SOURCE_MESSAGES && !ended(&midway),
        "the job was not midway when the target was to be killed: {midway}"
    );
    // SIGKILL: a crash, not a graceful stop.
    drop(target);
    let target = DevNode::start(target_dir.path(), &target_env)?;
    target.wait_ready().await?;
    let admin = AdminClient::new(&target.admin_url()?, target.admin_token()?);
    let jobs = Jobs::new(&target, &domain, "migrated")?;
    let finished = jobs.wait(&id, &target, ended).await?;
    let progress = &finished["progress"];
    ensure!(
        finished["state"] == "completed"
            && finished["attempts"] == 2
            && progress["messages_total"] == SOURCE_MESSAGES
            && progress["messages_failed"] == 0
            && imported(&finished) + skipped(&finished) == SOURCE_MESSAGES,
        "the resumed job did not complete as expected: {finished}"
    );
    let target_imap = target.imap()?;
    let expected = by_folder(&dump(source_imap, &source_account)?, &RENAMED)?;
    ensure!(
        expected.get("Sent").map(Vec::len) == Some(2 * (SOURCE_MESSAGES as usize / 4)),
        "the two source Sent folders were not filled as planned"
    );
    expect_same(&expected, &dump(target_imap, &account)?)?;

    // A rerun after new source mail pulls only that mail.
    let added = run_script("add", source_imap, &source_account, &["3"])?;
    ensure!(added == 3, "add appended {added}");
    let rerun = jobs.create(&body).await?;
    let rerun = jobs.wait(&rerun, &target, ended).await?;
    ensure!(
        rerun["state"] == "completed"
            && imported(&rerun) == 3
            && skipped(&rerun) == 0
            && rerun["progress"]["messages_total"] == 3,
        "the rerun should import exactly the 3 new messages: {rerun}"
    );
    let expected = by_folder(&dump(source_imap, &source_account)?, &RENAMED)?;
    expect_same(&expected, &dump(target_imap, &account)?)?;

    // Over implicit TLS the source is another (host, port): no checkpoints,
    // so the job looks at every message again, and finds each one already
    // in the target by its bytes (the crash window's safety net).
    let mut tls_body = job_body(source.node.address("imaps")?, "tls", &source_account, 1000);
    tls_body["source"]["accept_invalid_certs"] = json!(true);
    let tls_job = jobs.create(&tls_body).await?;
    let tls_job = jobs.wait(&tls_job, &target, ended).await?;
    ensure!(
        tls_job["state"] == "completed"
            && imported(&tls_job) == 0
            && skipped(&tls_job) == SOURCE_MESSAGES + 3,
        "the tls job should find every message present: {tls_job}"
    );
    expect_same(&expected, &dump(target_imap, &account)?)?;

    // A wrong password fails the job at once, and is never shown.
    admin.create_account(&domain, "refused").await?;
    let refused_jobs = Jobs::new(&target, &domain, "refused")?;
    let wrong_password = "wrong-password-7d1f3c";
    let mut refused_body = job_body(source_imap, "plain", &source_account, SLOW_RATE);
    refused_body["source"]["password"] = json!(wrong_password);
    let refused = refused_jobs.create(&refused_body).await?;
    let refused = refused_jobs.wait(&refused, &target, ended).await?;
    let error = refused["error"].as_str().unwrap_or_default();
    ensure!(
        refused["state"] == "failed" && error.starts_with("source login failed"),
        "a wrong password should fail the job: {refused}"
    );
    ensure!(
        !refused.to_string().contains(wrong_password),
        "the job shows the password: {refused}"
    );
    Ok(())
}

/// The admin API's import routes of one account.
struct Jobs {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Jobs {
    fn new(node: &DevNode, domain: &str, local_part: &str) -> anyhow::Result<Self> {
        Ok(Self {
            http: reqwest::Client::new(),
            base: format!(
                "{}/v1/tenants/{domain}/accounts/{local_part}/imports",
                node.admin_url()?
            ),
            token: node.admin_token()?.to_owned(),
        })
    }

    /// Creates a job; its id.
    async fn create(&self, body: &Value) -> anyhow::Result<String> {
        let answer = self
            .http
            .post(&self.base)
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await?;
        let status = answer.status();
        let job: Value = answer.json().await?;
        ensure!(
            status == reqwest::StatusCode::ACCEPTED,
            "POST {} answered {status}: {job}",
            self.base
        );
        job["id"].as_str().map(str::to_owned).context("no job id")
    }

    async fn get(&self, id: &str) -> anyhow::Result<Value> {
        let url = format!("{}/{id}", self.base);
        let answer = self.http.get(&url).bearer_auth(&self.token).send().await?;
        ensure!(
            answer.status().is_success(),
            "GET {url}: {}",
            answer.status()
        );
        Ok(answer.json().await?)
    }

    /// Polls the job until `done` holds; the job then.
    async fn wait(
        &self,
        id: &str,
        node: &DevNode,
        done: impl Fn(&Value) -> bool,
    ) -> anyhow::Result<Value> {
        let started = Instant::now();
        loop {
            let job = self.get(id).await?;
            if done(&job) {
                return Ok(job);
            }
            if started.elapsed() > JOB_LIMIT {
                bail!(
                    "job {id} still at {job} after {JOB_LIMIT:?}\n{}",
                    node.diagnostics()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn job_body(address: SocketAddr, tls: &str, source: &Account, rate: u64) -> Value {
    json!({
        "source": {
            "host": address.ip().to_string(),
            "port": address.port(),
            "tls": tls,
            "username": source.login,
            "password": source.password,
        },
        "max_messages_per_second": rate,
    })
}

fn counter(job: &Value, name: &str) -> u64 {
    job["progress"][name].as_u64().unwrap_or_default()
}

fn imported(job: &Value) -> u64 {
    counter(job, "messages_imported")
}

fn skipped(job: &Value) -> u64 {
    counter(job, "messages_skipped")
}

fn ended(job: &Value) -> bool {
    matches!(
        job["state"].as_str(),
        Some("completed" | "failed" | "cancelled")
    )
}

/// Runs `command` of the checker on `account` at `imap`.
fn run_script(
    command: &str,
    imap: SocketAddr,
    account: &Account,
    extra: &[&str],
) -> anyhow::Result<Value> {
    python::run_json_on_account(SCRIPT, command, imap, account, extra, SCRIPT_LIMIT)
}

/// `{folder: sorted [[sha256, size, flags, internaldate], ...]}` over IMAP.
fn dump(imap: SocketAddr, account: &Account) -> anyhow::Result<Value> {
    run_script("dump", imap, account, &[])
}

/// A dump by folder, with the folders `renamed` names merged into their
/// new names (the source as the target should hold it).
fn by_folder(
    dump: &Value,
    renamed: &[(&str, &str)],
) -> anyhow::Result<BTreeMap<String, Vec<Value>>> {
    let mut folders: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (name, messages) in dump.as_object().context("dump is not an object")? {
        let target = renamed
            .iter()
            .find(|(from, _)| from == name)
            .map_or(name.as_str(), |(_, to)| to);
        let list = folders.entry(target.to_owned()).or_default();
        list.extend(messages.as_array().cloned().unwrap_or_default());
    }
    for list in folders.values_mut() {
        list.sort_by_key(Value::to_string);
    }
    Ok(folders)
}

fn expect_same(expected: &BTreeMap<String, Vec<Value>>, target: &Value) -> anyhow::Result<()> {
    let actual = by_folder(target, &[])?;
    ensure!(
        expected.keys().eq(actual.keys()),
        "folders differ: expected {:?}, target {:?}",
        expected.keys(),
        actual.keys()
    );
    for (folder, messages) in expected {
        let held = &actual[folder];
        ensure!(
            messages == held,
            "folder {folder}: expected {} messages, the target holds {}; first difference: {:?}",
            messages.len(),
            held.len(),
            messages.iter().zip(held).find(|(want, got)| want != got)
        );
    }
    Ok(())
}
