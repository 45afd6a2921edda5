//! NOTIFY (RFC 5465) across two gateway processes sharing a private Redis:
//! a client on gateway A that has set NOTIFY and sends nothing more hears,
//! between commands, about what a client on gateway B does: a new mailbox
//! (`* LIST`), a subscription, a message in a watched mailbox (`* STATUS`)
//! and, for its selected mailbox, `* EXISTS`. While it IDLEs it also hears
//! of METADATA changes (§5.6 MailboxMetadataChange, §5.7
//! ServerMetadataChange) as `* METADATA mailbox entry` names (RFC 5464
//! §4.4.2), removals included, but not of its own SETMETADATA; every byte
//! it receives then decodes with the imap-codec oracle. The gateways poll
//! only once a minute, so a prompt report came from the bus event.

use std::time::Duration;

use anyhow::{Context, anyhow, ensure};
use mailkeep_tests::deployment::{Deployment, RolesOptions};
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::private_redis::PrivateRedis;
use mailkeep_tests::provision::AdminClient;
use mailkeep_tests::proxy::RecordingProxy;
use tokio::time::Instant;

use crate::codec_oracle::check_transcripts;

/// Bound on an event-driven report (a debug build on a shared machine).
const PROMPT: Duration = Duration::from_secs(5);

/// A deployment with two gateways on one private Redis bus, polling once
/// a minute. The Redis must outlive the deployment.
async fn two_gateways_on_one_bus() -> anyhow::Result<(PrivateRedis, Deployment)> {
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
    Ok((redis, deployment))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notify_client_hears_changes_made_on_another_gateway() -> anyhow::Result<()> {
    let (_redis, deployment) = two_gateways_on_one_bus().await?;
    let outcome = notify_across_gateways(&deployment).await;
    let outcome = outcome.with_context(|| deployment.diagnostics());
    outcome.and(deployment.finish().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idling_notify_client_hears_metadata_changes_from_another_gateway() -> anyhow::Result<()>
{
    let (_redis, deployment) = two_gateways_on_one_bus().await?;
    let outcome = metadata_changes_across_gateways(&deployment).await;
    let outcome = outcome.with_context(|| deployment.diagnostics());
    outcome.and(deployment.finish().await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notify_client_is_not_told_of_its_own_setmetadata() -> anyhow::Result<()> {
    let (_redis, deployment) = two_gateways_on_one_bus().await?;
    let outcome = own_metadata_change_unreported(&deployment).await;
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

/// One account's two connections for the METADATA tests: `watcher` on
/// gateway A, through a recording proxy for the imap-codec oracle, logged
/// in (nothing selected) and watching METADATA events in `personal`; and
/// `changer` on gateway B.
struct MetadataClients {
    proxy: RecordingProxy,
    watcher: ImapLines,
    changer: ImapLines,
}

impl MetadataClients {
    async fn start(deployment: &Deployment) -> anyhow::Result<Self> {
        let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
        let domain = admin.create_fresh_tenant().await?;
        let account = admin.create_account(&domain, "annotator").await?;
        let gateways = deployment.gateways();
        let proxy = RecordingProxy::start(gateways[0].imap).await?;
        let mut watcher = ImapLines::connect(proxy.address()).await?;
        watcher
            .ok(
                "w1",
                &format!("LOGIN {} \"{}\"", account.login, account.password),
            )
            .await?;
        watcher
            .ok(
                "w2",
                "NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))",
            )
            .await?;
        let changer =
            ImapLines::logged_in(gateways[1].imap, &account.login, &account.password).await?;
        Ok(Self {
            proxy,
            watcher,
            changer,
        })
    }

    /// Logs the watcher out and decodes all it was sent with imap-codec.
    async fn finish(mut self) -> anyhow::Result<()> {
        self.watcher.ok("w0", "LOGOUT").await?;
        drop(self.watcher);
        let count = check_transcripts(&self.proxy.finish().await?)
            .map_err(|error| anyhow!("imap-codec oracle: {error}"))?;
        eprintln!("watcher: {count} server responses decoded by imap-codec");
        Ok(())
    }
}

/// The names on a `* METADATA` line, quotes removed: the mailbox first
/// (empty for the server), then the entries. `None` for any other line.
fn metadata_names(line: &str) -> Option<Vec<String>> {
    let names = line.strip_prefix("* METADATA ")?;
    Some(
        names
            .split_whitespace()
            .map(|name| name.trim_matches('"').to_owned())
            .collect(),
    )
}

/// Reads `watcher`'s unsolicited lines up to a `* METADATA` one, within
/// [`PROMPT`]; that line must name exactly `mailbox` and `entries`.
async fn expect_metadata(
    watcher: &mut ImapLines,
    mailbox: &str,
    entries: &[&str],
) -> anyhow::Result<()> {
    let expected: Vec<&str> = std::iter::once(mailbox)
        .chain(entries.iter().copied())
        .collect();
    let deadline = Instant::now() + PROMPT;
    loop {
        let line = watcher
            .line_within(deadline.saturating_duration_since(Instant::now()))
            .await
            .with_context(|| format!("no METADATA {expected:?} within {PROMPT:?}"))?;
        ensure!(line.starts_with("* "), "tagged {line:?} while waiting");
        if let Some(names) = metadata_names(&line) {
            ensure!(names == expected, "{line:?}, expected names {expected:?}");
            return Ok(());
        }
    }
}

/// Ends the watcher's IDLE `tag`; fails on a METADATA line still pending.
async fn end_idle(watcher: &mut ImapLines, tag: &str) -> anyhow::Result<()> {
    watcher.send("DONE\r\n").await?;
    let lines = watcher.until(&format!("{tag} ")).await?;
    ensure!(
        lines
            .last()
            .is_some_and(|last| last.starts_with(&format!("{tag} OK"))),
        "IDLE did not end in OK: {lines:?}"
    );
    ensure_no_metadata(&lines)
}

/// Fails when any of `lines` is a `* METADATA` report.
fn ensure_no_metadata(lines: &[String]) -> anyhow::Result<()> {
    let reported: Vec<&String> = lines
        .iter()
        .filter(|line| metadata_names(line).is_some())
        .collect();
    ensure!(reported.is_empty(), "unexpected reports {reported:?}");
    Ok(())
}

async fn metadata_changes_across_gateways(deployment: &Deployment) -> anyhow::Result<()> {
    let mut clients = MetadataClients::start(deployment).await?;
    let (watcher, changer) = (&mut clients.watcher, &mut clients.changer);
    watcher.idle("w3").await?;
    changer
        .ok("c1", "SETMETADATA INBOX (/private/comment \"hello\")")
        .await?;
    expect_metadata(watcher, "INBOX", &["/private/comment"]).await?;
    // A server entry the client may write: `/shared/admin` is read-only.
    changer
        .ok("c2", "SETMETADATA \"\" (/shared/comment \"x\")")
        .await?;
    expect_metadata(watcher, "", &["/shared/comment"]).await?;
    changer
        .ok("c3", "SETMETADATA INBOX (/private/comment NIL)")
        .await?;
    expect_metadata(watcher, "INBOX", &["/private/comment"]).await?;
    end_idle(watcher, "w3").await?;
    clients.finish().await
}

async fn own_metadata_change_unreported(deployment: &Deployment) -> anyhow::Result<()> {
    let mut clients = MetadataClients::start(deployment).await?;
    let (watcher, changer) = (&mut clients.watcher, &mut clients.changer);
    let own = watcher
        .ok("w3", "SETMETADATA INBOX (/private/mine \"own\")")
        .await?;
    ensure_no_metadata(&own)?;
    ensure_no_metadata(&watcher.ok("w4", "NOOP").await?)?;
    // A change from the other gateway still arrives, alone: had the own
    // change been kept back, it would be named on the same INBOX line.
    watcher.idle("w5").await?;
    changer
        .ok("c1", "SETMETADATA INBOX (/private/comment \"from B\")")
        .await?;
    expect_metadata(watcher, "INBOX", &["/private/comment"]).await?;
    end_idle(watcher, "w5").await?;
    clients.finish().await
}
