//! NOTIFY (RFC 5465) across two gateway processes sharing a private Redis:
//! a client on gateway A that has set NOTIFY and sends nothing more hears,
//! between commands, about what a client on gateway B does: a new mailbox
//! (`* LIST`), a subscription, a message in a watched mailbox (`* STATUS`)
//! and, for its selected mailbox, `* EXISTS`. The gateways poll only once a
//! minute, so a prompt report came from the bus event.

use std::time::Duration;

use anyhow::{Context, ensure};
use mailkeep_tests::deployment::{Deployment, RolesOptions};
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::private_redis::PrivateRedis;
use mailkeep_tests::provision::AdminClient;

/// Bound on an event-driven report (a debug build on a shared machine).
const PROMPT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notify_client_hears_changes_made_on_another_gateway() -> anyhow::Result<()> {
    let redis = PrivateRedis::start()?;
    let deployment = Deployment::separate_roles_with(&RolesOptions {
        gateways: 2,
        env: vec![
            ("MAILKEEP_METADATA__BUS_URL".to_owned(), redis.url()),
            ("MAILKEEP_GATEWAY__BUS_URL".to_owned(), redis.url()),
            (
                "MAILKEEP_GATEWAY__POLL_INTERVAL".to_owned(),
                "60".to_owned(),
            ),
        ],
    })
    .await?;
    let outcome = notify_across_gateways(&deployment).await;
    let outcome = outcome.with_context(|| deployment.diagnostics());
    outcome.and(deployment.finish().await)
}

/// Reads `watcher`'s unsolicited lines up to one starting with `expected`.
async fn expect_report(watcher: &mut ImapLines, expected: &str) -> anyhow::Result<String> {
    let lines = tokio::time::timeout(PROMPT, watcher.until(expected))
        .await
        .with_context(|| format!("no {expected:?} within {PROMPT:?}"))??;
    for line in &lines {
        ensure!(line.starts_with("* "), "tagged {line:?} while waiting");
    }
    lines.last().cloned().context("no line read")
}

async fn notify_across_gateways(deployment: &Deployment) -> anyhow::Result<()> {
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "watcher").await?;
    let gateways = deployment.gateways();
    let mut watcher =
        ImapLines::logged_in(gateways[0].imap, &account.login, &account.password).await?;
    let mut changer =
        ImapLines::logged_in(gateways[1].imap, &account.login, &account.password).await?;

    watcher.ok("w1", "SELECT INBOX").await?;
    watcher
        .ok(
            "w2",
            "NOTIFY SET (selected (MessageNew MessageExpunge)) \
             (personal (MessageNew MessageExpunge MailboxName SubscriptionChange))",
        )
        .await?;

    changer.ok("c1", "CREATE Lists").await?;
    expect_report(&mut watcher, "* LIST () \"/\" Lists").await?;
    changer.ok("c2", "SUBSCRIBE Lists").await?;
    expect_report(&mut watcher, "* LIST (\\Subscribed) \"/\" Lists").await?;

    let raw = "Subject: hello\r\n\r\nhi\r\n";
    changer
        .send(&format!("c3 APPEND Lists {{{}+}}\r\n{raw}\r\n", raw.len()))
        .await?;
    changer.until("c3 OK").await?;
    let status = expect_report(&mut watcher, "* STATUS Lists (").await?;
    ensure!(status.contains("MESSAGES 1"), "{status:?}");

    changer.append("c4", raw).await?;
    expect_report(&mut watcher, "* 1 EXISTS").await?;

    // The connection still answers commands normally afterwards.
    watcher.ok("w3", "NOTIFY NONE").await?;
    changer.ok("c5", "CREATE Quiet").await?;
    let lines = watcher.ok("w4", "NOOP").await?;
    ensure!(lines.len() == 1, "reports after NOTIFY NONE: {lines:?}");
    Ok(())
}
