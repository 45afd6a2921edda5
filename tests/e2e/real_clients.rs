//! Issue 3, item 5: real clients against `mailkeep dev`. `real_clients.py`
//! drives each one and checks both sides: mbsync and offlineimap sync a
//! Maildir both ways (flags, deletions, new folders on each side), curl
//! speaks imap:// URLs (LIST, EXAMINE, SEARCH, FETCH by UID and section,
//! APPEND), and fetchmail fetches with `keep`, then only the new mail.
//! scripts/test installs the clients; a missing one fails the test.

use std::time::Duration;

use mailkeep_tests::dev_tenant::DevTenant;

const SCRIPT: &str = "real_clients.py";
const SCENARIO_LIMIT: Duration = Duration::from_secs(300);

async fn scenario(name: &str) -> anyhow::Result<()> {
    let tenant = DevTenant::start(&[]).await?;
    let account = tenant.account("client").await?;
    let imap = tenant.node.imap()?;
    let work = tempfile::tempdir()?;
    let args = [
        name,
        &imap.ip().to_string(),
        &imap.port().to_string(),
        &account.login,
        &account.password,
        &work.path().to_string_lossy(),
    ];
    tenant.run_scenario(SCRIPT, name, &args, SCENARIO_LIMIT)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mbsync_syncs_a_maildir_both_ways() -> anyhow::Result<()> {
    scenario("mbsync").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offlineimap_syncs_a_maildir_both_ways() -> anyhow::Result<()> {
    scenario("offlineimap").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_lists_examines_searches_fetches_and_appends() -> anyhow::Result<()> {
    scenario("curl").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fetchmail_keeps_mail_and_refetches_only_new_mail() -> anyhow::Result<()> {
    scenario("fetchmail").await
}
