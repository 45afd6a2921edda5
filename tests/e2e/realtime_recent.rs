//! `\Recent` with many idlers (RFC 3501 §2.3.2, issue 4 item 1): each
//! gateway pod claims a new message's `\Recent` once for all its sessions
//! and hands it to one of them, so across two gateway processes exactly one
//! idling session reports `* 1 RECENT` for an APPEND and every other one
//! `* 0 RECENT`.

use std::time::Duration;

use anyhow::{Context, ensure};
use mailkeep_tests::deployment::{Deployment, RolesOptions};
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::private_redis::PrivateRedis;
use mailkeep_tests::provision::AdminClient;

/// Idlers per gateway.
const IDLERS_PER_POD: usize = 4;
const APPENDS: usize = 3;
/// Bound on an event-driven update (a debug build on a shared machine).
const PROMPT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_one_idler_across_two_gateways_sees_a_new_message_as_recent() -> anyhow::Result<()>
{
    let redis = PrivateRedis::start()?;
    let deployment = Deployment::separate_roles_with(&RolesOptions {
        gateways: 2,
        env: vec![
            ("MAILKEEP_METADATA__BUS_URL".to_owned(), redis.url()),
            ("MAILKEEP_GATEWAY__BUS_URL".to_owned(), redis.url()),
        ],
    })
    .await?;
    let outcome = recent_goes_to_one_idler(&deployment).await;
    let outcome = outcome.with_context(|| deployment.diagnostics());
    outcome.and(deployment.finish().await)
}

async fn recent_goes_to_one_idler(deployment: &Deployment) -> anyhow::Result<()> {
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "recent").await?;
    let gateways = deployment.gateways();
    let mut idlers = Vec::new();
    for index in 0..2 * IDLERS_PER_POD {
        let pod = gateways[index % 2].imap;
        let mut idler = ImapLines::logged_in(pod, &account.login, &account.password).await?;
        idler.idle("i1").await?;
        idlers.push(idler);
    }
    // Not selected: the appender's own sync claims nothing.
    let mut appender = ImapLines::connect(gateways[1].imap).await?;
    appender
        .ok(
            "a0",
            &format!("LOGIN {} \"{}\"", account.login, account.password),
        )
        .await?;
    for round in 1..=APPENDS {
        let message = format!("From: r@example.test\r\nSubject: {round}\r\n\r\nhello\r\n");
        appender.append(&format!("a{round}"), &message).await?;
        let mut recent_total = 0;
        for idler in &mut idlers {
            let lines = tokio::time::timeout(PROMPT, idler.until("* "))
                .await
                .context("no update in time")??;
            let exists = lines.last().context("no line")?;
            ensure!(exists == &format!("* {round} EXISTS\r\n"), "{lines:?}");
            let recent = idler.line_within(PROMPT).await?;
            recent_total += recent_count(&recent).with_context(|| format!("{recent:?}"))?;
        }
        // Each idler's RECENT counts what it holds of all the messages so far.
        ensure!(
            recent_total == round,
            "after {round} appends the idlers hold {recent_total} recent messages"
        );
    }
    Ok(())
}

fn recent_count(line: &str) -> Option<usize> {
    line.strip_prefix("* ")?
        .strip_suffix(" RECENT\r\n")?
        .parse()
        .ok()
}
