//! Issue 4's acceptance over real processes: two gateway processes, one
//! metadata service on a fresh PostgreSQL database, one blob service on the
//! S3 test server, and a private `redis-server` this test starts, stops and
//! restarts. A client idling on gateway A sees, in order and with the right
//! sequence numbers, what another client does on gateway B; while Redis is
//! down updates still arrive within the fallback interval; after it is back
//! they are immediate again on the same connection. Also: a gateway with no
//! session of an account receives none of its events (counted on its ops
//! `/metrics`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use mailkeep_tests::deployment::{Deployment, RolesOptions};
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::private_redis::PrivateRedis;
use mailkeep_tests::provision::{Account, AdminClient};
use mailkeep_tests::scrape::metric_value;

/// Sessions poll this rarely while the bus is up: an update seen sooner
/// came from an event.
const POLL_INTERVAL_SECS: u64 = 60;
const FALLBACK_POLL_SECS: u64 = 2;
/// Bound on an event-driven update (a debug build on a shared machine).
const PROMPT: Duration = Duration::from_secs(1);
/// Bound on an update while Redis is down: one fallback interval, plus slack.
const FALLBACK_BOUND: Duration = Duration::from_millis(FALLBACK_POLL_SECS * 1000 + 1500);
/// How long the pods may take to notice Redis went away.
const OUTAGE_NOTICE: Duration = Duration::from_secs(1);
/// Attempts, one per [`PROMPT`], to see an immediate update after the restart.
const RECONNECT_ATTEMPTS: usize = 20;

async fn two_gateways_on(redis: &PrivateRedis) -> anyhow::Result<Deployment> {
    let env = [
        ("MAILKEEP_METADATA__BUS_URL", redis.url()),
        ("MAILKEEP_GATEWAY__BUS_URL", redis.url()),
        (
            "MAILKEEP_GATEWAY__POLL_INTERVAL",
            POLL_INTERVAL_SECS.to_string(),
        ),
        (
            "MAILKEEP_GATEWAY__FALLBACK_POLL_INTERVAL",
            FALLBACK_POLL_SECS.to_string(),
        ),
    ];
    Deployment::separate_roles_with(&RolesOptions {
        gateways: 2,
        env: env
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    })
    .await
}

async fn fresh_account(deployment: &Deployment, name: &str) -> anyhow::Result<Account> {
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    admin.create_account(&domain, name).await
}

async fn client(address: SocketAddr, account: &Account) -> anyhow::Result<ImapLines> {
    ImapLines::logged_in(address, &account.login, &account.password).await
}

fn message(subject: &str) -> String {
    format!("From: b@example.test\r\nSubject: {subject}\r\n\r\nbody of {subject}\r\n")
}

/// Reads the idler's lines up to one starting with `expected`, within
/// `bound`; every line before it must be an untagged FETCH (a flag update
/// may precede an expunge) or RECENT (RFC 3501 §7.3.2), so updates arrive
/// in order and nothing else slips in. Returns the matching line and how long it took.
async fn expect_update(
    idler: &mut ImapLines,
    expected: &str,
    bound: Duration,
) -> anyhow::Result<(String, Duration)> {
    let started = Instant::now();
    let lines = tokio::time::timeout(bound, idler.until(expected))
        .await
        .with_context(|| format!("no {expected:?} within {bound:?}"))??;
    let elapsed = started.elapsed();
    let (last, before) = lines.split_last().context("no line read")?;
    for line in before {
        let allowed = line.contains(" FETCH ") || line.ends_with(" RECENT\r\n");
        ensure!(
            line.starts_with("* ") && allowed,
            "unexpected {line:?} before {expected:?}"
        );
    }
    Ok((last.clone(), elapsed))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idler_on_one_gateway_sees_changes_from_another_through_a_redis_outage()
-> anyhow::Result<()> {
    let mut redis = PrivateRedis::start()?;
    let deployment = two_gateways_on(&redis).await?;
    let outcome = idle_across_gateways(&deployment, &mut redis).await;
    let outcome = outcome.with_context(|| deployment.diagnostics());
    outcome.and(deployment.finish().await)
}

async fn idle_across_gateways(
    deployment: &Deployment,
    redis: &mut PrivateRedis,
) -> anyhow::Result<()> {
    let account = fresh_account(deployment, "idler").await?;
    let gateways = deployment.gateways();
    let mut idler = client(gateways[0].imap, &account).await?;
    let mut changer = client(gateways[1].imap, &account).await?;
    idler.idle("a1").await?;

    changer.append("b1", &message("one")).await?;
    expect_update(&mut idler, "* 1 EXISTS", PROMPT).await?;
    changer.append("b2", &message("two")).await?;
    expect_update(&mut idler, "* 2 EXISTS", PROMPT).await?;
    changer
        .ok("b3", "STORE 1 +FLAGS.SILENT (\\Flagged)")
        .await?;
    let (flagged, _) = expect_update(&mut idler, "* 1 FETCH ", PROMPT).await?;
    ensure!(flagged.contains("\\Flagged"), "{flagged}");
    changer
        .ok("b4", "STORE 1 +FLAGS.SILENT (\\Deleted)")
        .await?;
    changer.ok("b5", "EXPUNGE").await?;
    // Message 2 is message 1 now.
    expect_update(&mut idler, "* 1 EXPUNGE", PROMPT).await?;
    changer
        .ok("b6", "STORE 1 +FLAGS.SILENT (\\Answered)")
        .await?;
    let (answered, _) = expect_update(&mut idler, "* 1 FETCH ", PROMPT).await?;
    ensure!(answered.contains("\\Answered"), "{answered}");

    redis.stop();
    tokio::time::sleep(OUTAGE_NOTICE).await;
    changer.append("b7", &message("three")).await?;
    let (_, during_outage) = expect_update(&mut idler, "* 2 EXISTS", FALLBACK_BOUND).await?;
    changer.ok("b8", "STORE 2 +FLAGS.SILENT (\\Seen)").await?;
    let (seen, _) = expect_update(&mut idler, "* 2 FETCH ", FALLBACK_BOUND).await?;
    ensure!(seen.contains("\\Seen"), "{seen}");
    eprintln!("redis down: update after {during_outage:?}");

    redis.restart()?;
    let reconnected = Instant::now();
    wait_for_immediate_updates(&mut idler, &mut changer).await?;
    eprintln!(
        "redis back: updates immediate after {:?}",
        reconnected.elapsed()
    );
    for attempt in 0..3 {
        let keyword = format!("again{attempt}");
        changer
            .ok("b9", &format!("STORE 2 +FLAGS.SILENT ({keyword})"))
            .await?;
        let (line, took) = expect_update(&mut idler, "* 2 FETCH ", PROMPT).await?;
        ensure!(line.contains(&keyword), "{line}");
        eprintln!("redis back: update after {took:?}");
    }

    idler.send("DONE\r\n").await?;
    let done = idler.until("a1 ").await?;
    ensure!(
        done.last().is_some_and(|line| line.starts_with("a1 OK")),
        "{done:?}"
    );
    Ok(())
}

/// Changes a keyword once per [`PROMPT`] until the idler hears of a change
/// within [`PROMPT`]: the pods have reconnected and resubscribed. The idler
/// keeps its connection throughout.
async fn wait_for_immediate_updates(
    idler: &mut ImapLines,
    changer: &mut ImapLines,
) -> anyhow::Result<()> {
    for attempt in 0..RECONNECT_ATTEMPTS {
        let keyword = format!("back{attempt}");
        changer
            .ok("r1", &format!("STORE 2 +FLAGS.SILENT ({keyword})"))
            .await?;
        let started = Instant::now();
        while started.elapsed() < PROMPT {
            let Ok(line) = tokio::time::timeout(PROMPT - started.elapsed(), idler.line()).await
            else {
                break;
            };
            if line?.contains(&keyword) {
                return Ok(());
            }
        }
    }
    bail!("updates never became immediate after redis came back")
}

/// `mailkeep_bus_events_received_total` on a gateway's ops `/metrics`.
async fn events_received(ops: SocketAddr) -> anyhow::Result<u64> {
    let received = metric_value(ops, "mailkeep_bus_events_received_total").await?;
    // A counter: a whole, non-negative number.
    Ok(received as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_without_a_session_of_an_account_receives_none_of_its_events()
-> anyhow::Result<()> {
    let redis = PrivateRedis::start()?;
    let deployment = two_gateways_on(&redis).await?;
    let outcome = count_events_per_pod(&deployment).await;
    let outcome = outcome.with_context(|| deployment.diagnostics());
    outcome.and(deployment.finish().await)
}

async fn count_events_per_pod(deployment: &Deployment) -> anyhow::Result<()> {
    let gateways = deployment.gateways();
    let (serving, other) = (gateways[0], gateways[1]);
    let x = fresh_account(deployment, "x").await?;
    let y = fresh_account(deployment, "y").await?;
    // X lives on the serving pod only; Y keeps the other pod subscribed to
    // something, so its silence about X is not a dead bus.
    let mut x_idler = client(serving.imap, &x).await?;
    let mut x_changer = client(serving.imap, &x).await?;
    let mut y_idler = client(other.imap, &y).await?;
    let mut y_changer = client(other.imap, &y).await?;
    x_idler.idle("x1").await?;
    y_idler.idle("y1").await?;
    let other_before = events_received(other.ops).await?;
    let serving_before = events_received(serving.ops).await?;

    const X_CHANGES: u64 = 3;
    for change in 1..=X_CHANGES {
        x_changer.append("x2", &message("for x")).await?;
        expect_update(&mut x_idler, &format!("* {change} EXISTS"), PROMPT).await?;
    }
    // Let any stray delivery land before counting.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let serving_after = events_received(serving.ops).await?;
    let other_after = events_received(other.ops).await?;
    eprintln!(
        "events received for x's {X_CHANGES} changes: serving pod {}, other pod {}",
        serving_after - serving_before,
        other_after - other_before
    );
    ensure!(
        serving_after - serving_before >= X_CHANGES,
        "the serving pod missed events"
    );
    ensure!(
        other_after == other_before,
        "a pod without x's sessions received x's events"
    );

    y_changer.append("y2", &message("for y")).await?;
    expect_update(&mut y_idler, "* 1 EXISTS", PROMPT).await?;
    ensure!(
        events_received(other.ops).await? > other_after,
        "the other pod hears y"
    );
    Ok(())
}
