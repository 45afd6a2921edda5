//! Issue 7 item 1 acceptance, protocol half: Postfix-compatible LMTP as
//! Python's `smtplib.LMTP` sees it, against `mailkeep dev` with a small
//! maximum message size. `lmtp_protocol.py` checks per-recipient replies,
//! an unknown and an over-quota recipient, a message over SIZE, a bad
//! command mid-session followed by a good delivery, and over IMAP the
//! arrived messages with `Return-Path` and `Delivered-To`. Then the
//! delivery counter is on `/metrics`.

use std::time::Duration;

use anyhow::{Context, ensure};
use mailkeep_tests::dev_tenant::DevTenant;
use serde_json::json;

const SCRIPT: &str = "lmtp_protocol.py";
const SCRIPT_LIMIT: Duration = Duration::from_secs(120);
/// Small, so an oversized message is quick to send.
const MAX_MESSAGE_SIZE: u64 = 200_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtplib_lmtp_gets_postfix_compatible_answers() -> anyhow::Result<()> {
    let env = [(
        "MAILKEEP_LMTP__MAX_MESSAGE_SIZE",
        MAX_MESSAGE_SIZE.to_string(),
    )];
    let tenant = DevTenant::start(&env).await?;
    let (node, domain) = (&tenant.node, &tenant.domain);
    let alice = tenant.account("alice").await?;
    let bob = tenant.account("bob").await?;
    // One byte of quota: nothing fits.
    let url = format!("{}/v1/tenants/{domain}/accounts", node.admin_url()?);
    let created = reqwest::Client::new()
        .post(&url)
        .bearer_auth(node.admin_token()?)
        .json(&json!({ "local_part": "tiny", "password": "tiny-password-1", "quota_bytes": 1 }))
        .send()
        .await
        .with_context(|| url.clone())?;
    ensure!(
        created.status() == reqwest::StatusCode::CREATED,
        "creating the tiny account answered {}",
        created.status()
    );

    let lmtp = node.address("lmtp")?;
    let imap = node.imap()?;
    let args: [&str; 7] = [
        &lmtp.ip().to_string(),
        &lmtp.port().to_string(),
        &imap.port().to_string(),
        domain,
        &MAX_MESSAGE_SIZE.to_string(),
        &alice.password,
        &bob.password,
    ];
    tenant.run_scenario(SCRIPT, "lmtp_protocol", &args, SCRIPT_LIMIT)?;

    let metrics = reqwest::get(node.ops_url("metrics")?).await?.text().await?;
    ensure!(
        metrics
            .lines()
            .any(|line| line.starts_with("mailkeep_lmtp_deliveries_total{result=\"delivered\"}")),
        "no delivery counter on /metrics:\n{metrics}"
    );
    Ok(())
}
