//! Issue 7's import acceptance: `mailkeep import --mbox` over the corpus and
//! `--maildir` over a Maildir that `mbsync` pulled from an account filled
//! from the corpus (flags, a nested folder) each give the source's folders,
//! flags and message bytes over IMAP, and a second run imports nothing.
//! `import_check.py` fills accounts and dumps them over IMAP; the mbox
//! expectation is Python's own mbox split. A missing `mbsync` fails the
//! test (scripts/test installs it).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use mailkeep_tests::operator_dev::OperatorDev;
use mailkeep_tests::provision::{Account, AdminClient};
use mailkeep_tests::python;
use serde_json::Value;

use crate::acceptance::shared_corpus;

const SCRIPT: &str = "import_check.py";
const SCRIPT_LIMIT: Duration = Duration::from_secs(600);
const CORPUS_MESSAGES: u64 = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbox_import_matches_the_corpus_and_a_rerun_imports_nothing() -> anyhow::Result<()> {
    let corpus = shared_corpus()?;
    let corpus = corpus.to_string_lossy();
    let dev = OperatorDev::start().await?;
    let account = fresh_account(&dev, "mbox").await?;
    let import = ["import", "--account", &account.login, "--mbox", &corpus];

    expect_counts(&dev, &import, CORPUS_MESSAGES, 0).await?;
    let expected = python::run_json(SCRIPT, &["expect-mbox", &corpus], SCRIPT_LIMIT)?;
    let actual = dump(&dev, &account)?;
    let inbox = actual.get("INBOX").context("no INBOX in the dump")?;
    ensure!(
        Some(inbox) == expected.get("INBOX"),
        "INBOX differs from the corpus: {}",
        first_difference(inbox, &expected["INBOX"])
    );
    for (folder, messages) in actual.as_object().context("dump is not an object")? {
        ensure!(
            folder == "INBOX" || messages.as_array().is_some_and(Vec::is_empty),
            "the mbox import put messages into {folder}"
        );
    }
    expect_counts(&dev, &import, 0, CORPUS_MESSAGES).await?;

    // A file that is no mbox is a failure with its reason and a nonzero exit.
    let script = python::scripts_dir().join(SCRIPT);
    let script = script.to_string_lossy();
    let bad = ["import", "--account", &account.login, "--mbox", &script];
    let output = dev.run_tool(&bad).await?;
    ensure!(
        !output.success
            && output.stdout.contains("failed 1\n")
            && output.stdout.contains("not an mbox file"),
        "a non-mbox import should fail: {output:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn maildir_from_mbsync_imports_the_source_folders_flags_and_bytes() -> anyhow::Result<()> {
    let mbsync = Command::new("mbsync").arg("--version").output();
    if !mbsync.is_ok_and(|output| output.status.success()) {
        bail!("mbsync is not installed: run scripts/test, which installs Debian's isync");
    }
    let corpus = shared_corpus()?;
    let dev = OperatorDev::start().await?;
    let source = fresh_account(&dev, "source").await?;
    let imap = dev.node().imap()?;
    let (host, port) = (imap.ip().to_string(), imap.port().to_string());
    let filled = python::run_json_on_account(
        SCRIPT,
        "fill",
        imap,
        &source,
        &[&corpus.to_string_lossy()],
        SCRIPT_LIMIT,
    )?;
    ensure!(filled == CORPUS_MESSAGES, "fill appended {filled}");

    let work = tempfile::tempdir()?;
    let maildir = work.path().join("mail");
    pull_with_mbsync(work.path(), &maildir, &host, &port, &source)?;

    let target = fresh_account(&dev, "target").await?;
    let maildir = maildir.to_string_lossy();
    let import = ["import", "--account", &target.login, "--maildir", &maildir];
    expect_counts(&dev, &import, CORPUS_MESSAGES, 0).await?;
    let expected = by_folder(&dump(&dev, &source)?)?;
    let actual = by_folder(&dump(&dev, &target)?)?;
    ensure!(
        expected.keys().eq(actual.keys()),
        "folders differ: source {:?}, import {:?}",
        expected.keys(),
        actual.keys()
    );
    for (folder, messages) in &expected {
        ensure!(
            Some(messages) == actual.get(folder),
            "folder {folder} differs: {}",
            first_difference(
                &Value::from(actual[folder].clone()),
                &Value::from(messages.clone())
            )
        );
    }
    ensure!(
        expected["Projects/Reports"].len() == 40 && expected["Projects"].len() == 40,
        "the nested folders were not filled as planned"
    );
    expect_counts(&dev, &import, 0, CORPUS_MESSAGES).await
}

async fn fresh_account(dev: &OperatorDev, local_part: &str) -> anyhow::Result<Account> {
    let admin = AdminClient::new(&dev.node().admin_url()?, dev.node().admin_token()?);
    let domain = admin.create_fresh_tenant().await?;
    admin.create_account(&domain, local_part).await
}

/// Runs `import`, which must succeed with exactly these counts.
async fn expect_counts(
    dev: &OperatorDev,
    import: &[&str],
    imported: u64,
    skipped: u64,
) -> anyhow::Result<()> {
    let output = dev.run_tool(import).await?;
    let summary = format!("imported {imported}, skipped {skipped} (already present), failed 0");
    ensure!(
        output.success && output.stdout.contains(&summary),
        "expected {summary:?}\n--- stdout ---\n{}\n--- stderr ---\n{}\n{}",
        output.stdout,
        output.stderr,
        dev.node().diagnostics()
    );
    Ok(())
}

/// `{folder: [[sha256, size, flags], ...]}` of `account` over IMAP.
fn dump(dev: &OperatorDev, account: &Account) -> anyhow::Result<Value> {
    python::run_json_on_account(
        SCRIPT,
        "dump",
        dev.node().imap()?,
        account,
        &[],
        SCRIPT_LIMIT,
    )
}

/// Each folder's messages as a sorted list (Maildir order is not UID order).
fn by_folder(dump: &Value) -> anyhow::Result<BTreeMap<String, Vec<Value>>> {
    let folders = dump.as_object().context("dump is not an object")?;
    Ok(folders
        .iter()
        .map(|(name, messages)| {
            let mut list = messages.as_array().cloned().unwrap_or_default();
            list.sort_by_key(Value::to_string);
            (name.clone(), list)
        })
        .collect())
}

fn first_difference(actual: &Value, expected: &Value) -> String {
    let (Some(actual), Some(expected)) = (actual.as_array(), expected.as_array()) else {
        return format!("{actual} vs {expected}");
    };
    match actual.iter().zip(expected).position(|(a, e)| a != e) {
        Some(index) => format!(
            "message {index}: got {} want {}",
            actual[index], expected[index]
        ),
        None => format!("{} messages, want {}", actual.len(), expected.len()),
    }
}

/// Pulls every folder of `account` into a Maildir++ tree at `maildir`
/// (isync 1.4 syntax: `SSLType`; Maildir++ wants `Inbox` and no `Path`).
fn pull_with_mbsync(
    work: &Path,
    maildir: &Path,
    host: &str,
    port: &str,
    account: &Account,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(maildir)?;
    let root = maildir.display();
    let config = format!(
        "IMAPAccount source\nHost {host}\nPort {port}\nUser {}\nPass {}\nSSLType None\n\
         AuthMechs LOGIN\n\nIMAPStore remote\nAccount source\n\n\
         MaildirStore local\nInbox {root}/\nSubFolders Maildir++\n\n\
         Channel pull\nFar :remote:\nNear :local:\nPatterns *\nCreate Near\nSync Pull\n\
         SyncState *\n",
        account.login, account.password
    );
    let config_path = work.join("mbsyncrc");
    std::fs::write(&config_path, config)?;
    let output = Command::new("mbsync")
        .arg("-c")
        .arg(&config_path)
        .arg("-a")
        .output()
        .context("cannot run mbsync")?;
    ensure!(
        output.status.success(),
        "mbsync failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}
