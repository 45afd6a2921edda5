//! `idle_latency`: the notification-latency benchmark of issue 4 (a load
//! tool, not a timed test). N clients of one account IDLE on INBOX, spread
//! evenly over two gateway pods; a client on pod B APPENDs; for every idler
//! the tool measures from the APPEND's tagged OK to that idler's
//! `* n EXISTS` (0 when the update beat the OK) and prints p50, p99 and max
//! per N.
//!
//! Without `--imap` it starts its own deployment through the harness: two
//! gateway processes, metadata on a fresh PostgreSQL database, blob on the
//! S3 test server (`MAILKEEP_TEST_S3_ENDPOINT`) and a private redis-server.
//! 1,000 idlers need about 1,100 open files here and 600 per gateway:
//! raise `ulimit -n` first if it is lower.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use clap::Parser;
use mailkeep_tests::deployment::{Deployment, RolesOptions};
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::private_redis::PrivateRedis;
use mailkeep_tests::provision::{Account, AdminClient};
use mailkeep_tests::scrape::metric_value;
use tokio::io::AsyncBufReadExt;
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;

/// Logins in flight at once: more would queue on the metadata service's
/// database pool (each LOGIN verifies an argon2 hash).
const CONCURRENT_LOGINS: usize = 16;

#[derive(Parser, Debug)]
#[command(about = "Measure APPEND-to-EXISTS latency for idle clients on two gateways")]
struct Args {
    /// Idle client counts to measure, one run each.
    #[arg(long, value_delimiter = ',', default_value = "1,100,1000")]
    idlers: Vec<usize>,
    /// APPENDs per run; every idler gives one sample per APPEND.
    #[arg(long, default_value_t = 20)]
    appends: usize,
    /// Plain IMAP address of pod A and then pod B (both or neither); the
    /// tool starts its own deployment when absent.
    #[arg(long, num_args = 2, requires_all = ["login", "password"])]
    imap: Vec<SocketAddr>,
    #[arg(long)]
    login: Option<String>,
    #[arg(long)]
    password: Option<String>,
}

/// One idler's sighting of `* count EXISTS`.
struct Sighting {
    count: usize,
    at: Instant,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(
        !args.idlers.is_empty() && args.appends > 0,
        "nothing to measure"
    );
    if let (Some(login), Some(password)) = (&args.login, &args.password) {
        ensure!(args.imap.len() == 2, "--imap takes pod A and pod B");
        let account = Account {
            login: login.clone(),
            password: password.clone(),
        };
        return measure_all(&args, [args.imap[0], args.imap[1]], None, &account).await;
    }
    let redis = PrivateRedis::start()?;
    let options = RolesOptions {
        gateways: 2,
        env: vec![
            ("MAILKEEP_METADATA__BUS_URL".to_owned(), redis.url()),
            ("MAILKEEP_GATEWAY__BUS_URL".to_owned(), redis.url()),
        ],
    };
    let deployment = Deployment::separate_roles_with(&options).await?;
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "bench").await?;
    let [a, b] = [deployment.gateways()[0], deployment.gateways()[1]];
    let outcome = measure_all(&args, [a.imap, b.imap], Some([a.ops, b.ops]), &account).await;
    outcome.and(deployment.finish().await)
}

/// Measures every idler count; with the pods' ops addresses also reports
/// the changes RPCs each pod sent per APPEND (coalescing at work).
async fn measure_all(
    args: &Args,
    pods: [SocketAddr; 2],
    ops: Option<[SocketAddr; 2]>,
    account: &Account,
) -> anyhow::Result<()> {
    println!("idlers  samples      p50      p99      max  changes-rpcs/append (pod A, pod B)");
    for &idlers in &args.idlers {
        let (mut latencies, [before, after]) =
            measure(pods, ops, account, idlers, args.appends).await?;
        latencies.sort_unstable();
        let per_append = |pod: usize| (after[pod] - before[pod]) / args.appends as f64;
        let rpcs = match ops {
            Some(_) => format!("{:.1}, {:.1}", per_append(0), per_append(1)),
            None => "-".to_owned(),
        };
        println!(
            "{idlers:>6} {:>8} {:>8} {:>8} {:>8}  {rpcs}",
            latencies.len(),
            format_ms(percentile(&latencies, 50)),
            format_ms(percentile(&latencies, 99)),
            format_ms(latencies.last().copied().unwrap_or_default()),
        );
    }
    Ok(())
}

async fn changes_queries(ops: Option<[SocketAddr; 2]>) -> anyhow::Result<[f64; 2]> {
    let Some(ops) = ops else {
        return Ok([0.0; 2]);
    };
    let name = "mailkeep_gateway_changes_queries_total";
    Ok([
        metric_value(ops[0], name).await?,
        metric_value(ops[1], name).await?,
    ])
}

/// One run: `idlers` idle clients (even ones on pod A, odd ones on pod B),
/// `appends` APPENDs on pod B; the latency of every idler for every APPEND,
/// and the pods' changes-query counters before and after the APPENDs (the
/// logins and IDLE starts query too; they are not counted).
async fn measure(
    pods: [SocketAddr; 2],
    ops: Option<[SocketAddr; 2]>,
    account: &Account,
    idlers: usize,
    appends: usize,
) -> anyhow::Result<(Vec<Duration>, [[f64; 2]; 2])> {
    let mut changer = ImapLines::logged_in(pods[1], &account.login, &account.password).await?;
    let existing = exists_count(&mut changer).await?;
    let (sightings, mut sighted) = mpsc::unbounded_channel();
    let mut logins = JoinSet::new();
    let login_slots = Arc::new(Semaphore::new(CONCURRENT_LOGINS));
    for index in 0..idlers {
        let (pod, account) = (pods[index % 2], account.clone());
        let login_slots = Arc::clone(&login_slots);
        logins.spawn(async move {
            let _slot = login_slots.acquire().await?;
            let mut idler = ImapLines::logged_in(pod, &account.login, &account.password)
                .await
                .with_context(|| format!("idler {index} (raise ulimit -n?)"))?;
            idler.idle("i1").await?;
            anyhow::Ok(idler)
        });
    }
    let mut tasks = JoinSet::new();
    while let Some(logged_in) = logins.join_next().await {
        let idler = logged_in??;
        tasks.spawn(report_exists(idler, sightings.clone()));
    }
    drop(sightings);
    eprintln!("{idlers} idlers idling; appending");
    let before = changes_queries(ops).await?;
    let mut latencies = Vec::with_capacity(idlers * appends);
    let message = "From: bench@example.test\r\nSubject: ping\r\n\r\nping\r\n";
    for round in 1..=appends {
        let expected = existing + round;
        changer.append("b1", message).await?;
        let ok_at = Instant::now();
        let mut seen = 0;
        while seen < idlers {
            let sighting = tokio::time::timeout(Duration::from_secs(30), sighted.recv())
                .await
                .context("an idler heard nothing within 30 s")?
                .context("every idler stopped")?;
            ensure!(
                sighting.count == expected,
                "an idler saw {} EXISTS, expected {expected}",
                sighting.count
            );
            latencies.push(sighting.at.saturating_duration_since(ok_at));
            seen += 1;
        }
    }
    let after = changes_queries(ops).await?;
    tasks.abort_all();
    Ok((latencies, [before, after]))
}

/// Forwards every `* n EXISTS` the idler reads, until it fails. The reads
/// are not bounded (the measuring loop bounds the wait for sightings), so
/// an idler costs no timer per line; the line buffer is reused.
async fn report_exists(
    idler: ImapLines,
    sightings: mpsc::UnboundedSender<Sighting>,
) -> anyhow::Result<()> {
    let mut stream = idler.into_stream();
    let mut line = String::new();
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            bail!("idler connection closed");
        }
        let at = Instant::now();
        let Some(count) = exists_of(&line) else {
            continue;
        };
        if sightings.send(Sighting { count, at }).is_err() {
            return Ok(());
        }
    }
}

/// The message count SELECT reported (the changer selected INBOX).
async fn exists_count(changer: &mut ImapLines) -> anyhow::Result<usize> {
    let lines = changer.ok("s1", "SELECT INBOX").await?;
    match lines.iter().find_map(|line| exists_of(line)) {
        Some(count) => Ok(count),
        None => bail!("SELECT reported no EXISTS: {lines:?}"),
    }
}

fn exists_of(line: &str) -> Option<usize> {
    line.strip_prefix("* ")?
        .strip_suffix(" EXISTS\r\n")?
        .parse()
        .ok()
}

/// The nearest-rank percentile of ascending `sorted`.
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn format_ms(duration: Duration) -> String {
    format!("{:.2}ms", duration.as_secs_f64() * 1000.0)
}
