//! `idle_latency`: the notification-latency benchmark of issue 4 (a load
//! tool, not a timed test). N clients of one account IDLE on INBOX, spread
//! evenly over two gateway pods; a client on pod B APPENDs; for every idler
//! the tool measures from the APPEND's tagged OK to that idler's
//! `* n EXISTS` (0 when the update beat the OK) and prints p50, p99 and max
//! per N. The idlers are read on one thread from one epoll set, so the
//! tool, which shares the machine with the pods, costs little CPU per idler.
//!
//! Without `--imap` it starts its own deployment through the harness: two
//! gateway processes, metadata on a fresh PostgreSQL database, blob on the
//! S3 test server (`MAILKEEP_TEST_S3_ENDPOINT`) and a private redis-server.
//! 1,000 idlers need about 1,100 open files here and 600 per gateway:
//! raise `ulimit -n` first if it is lower.

use std::io::{ErrorKind, Read};
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
use mio::{Events, Interest, Poll, Token};
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
    let mut streams = Vec::with_capacity(idlers);
    while let Some(logged_in) = logins.join_next().await {
        streams.push(idle_socket(logged_in??)?);
    }
    let watcher = std::thread::spawn(move || watch_idlers(streams, sightings));
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
            let Ok(batch) = tokio::time::timeout(Duration::from_secs(30), sighted.recv()).await
            else {
                bail!("an idler heard nothing within 30 s");
            };
            let Some(batch) = batch else {
                // The watcher ended: its error says why.
                watcher.join().expect("the idler watcher panicked")?;
                bail!("the idler watcher stopped");
            };
            for sighting in batch {
                ensure!(
                    sighting.count == expected,
                    "an idler saw {} EXISTS, expected {expected}",
                    sighting.count
                );
                latencies.push(sighting.at.saturating_duration_since(ok_at));
                seen += 1;
            }
        }
    }
    let after = changes_queries(ops).await?;
    // Dropping the receiver ends the watcher at its next wakeup.
    drop(sighted);
    watcher.join().expect("the idler watcher panicked")?;
    Ok((latencies, [before, after]))
}

/// The idler's socket, handed over from tokio to the watcher thread.
fn idle_socket(idler: ImapLines) -> anyhow::Result<std::net::TcpStream> {
    let stream = idler.into_stream();
    ensure!(
        stream.buffer().is_empty(),
        "an idler received data before any APPEND"
    );
    // Left in non-blocking mode, as mio needs it.
    Ok(stream.into_inner().into_std()?)
}

/// Reads every idler on this one thread, from one epoll set, and forwards
/// each `* n EXISTS` with the instant its bytes were read, one batch per
/// wakeup. One thread with no task or channel per idler keeps the tool's
/// own CPU use (it shares the machine with the pods it measures) small.
/// Ends when the receiver is gone or an idler's connection closes.
fn watch_idlers(
    streams: Vec<std::net::TcpStream>,
    sightings: mpsc::UnboundedSender<Vec<Sighting>>,
) -> anyhow::Result<()> {
    let mut poll = Poll::new()?;
    let mut idlers = Vec::with_capacity(streams.len());
    for (index, stream) in streams.into_iter().enumerate() {
        let mut stream = mio::net::TcpStream::from_std(stream);
        poll.registry()
            .register(&mut stream, Token(index), Interest::READABLE)?;
        idlers.push((stream, Vec::new()));
    }
    let mut events = Events::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    while !sightings.is_closed() {
        poll.poll(&mut events, Some(Duration::from_millis(100)))?;
        let mut batch = Vec::new();
        for event in &events {
            let (stream, pending) = &mut idlers[event.token().0];
            // Edge-triggered: read until the socket is drained. A short
            // read drained it (Linux signals every later arrival), which
            // spares each idler a second read that would find nothing.
            loop {
                match stream.read(&mut chunk) {
                    Ok(0) => bail!("idler connection closed"),
                    Ok(count) => {
                        let at = Instant::now();
                        pending.extend_from_slice(&chunk[..count]);
                        take_sightings(pending, at, &mut batch);
                        if count < chunk.len() {
                            break;
                        }
                    }
                    Err(error) if error.kind() == ErrorKind::WouldBlock => break,
                    Err(error) if error.kind() == ErrorKind::Interrupted => {}
                    Err(error) => return Err(error.into()),
                }
            }
        }
        if !batch.is_empty() && sightings.send(batch).is_err() {
            break;
        }
    }
    Ok(())
}

/// Moves every complete line out of `pending`, keeping the `* n EXISTS`
/// ones as sightings at `at`.
fn take_sightings(pending: &mut Vec<u8>, at: Instant, batch: &mut Vec<Sighting>) {
    let Some(end) = pending.windows(2).rposition(|pair| pair == b"\r\n") else {
        return;
    };
    let complete: Vec<u8> = pending.drain(..end + 2).collect();
    for line in complete.split_inclusive(|byte| *byte == b'\n') {
        if let Some(count) = std::str::from_utf8(line).ok().and_then(exists_of) {
            batch.push(Sighting { count, at });
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
