//! Benchmark of SEARCH TEXT over a 20,000-message mailbox (issue 3), on the
//! SQLite and the PostgreSQL metadata store, through the text index
//! (`TEXT word`) and through the full scan (the same key under a one-armed
//! OR, which the index never serves). Messages go straight into the store
//! (no blobs: a search never reads one). One in `--needle-every` messages
//! carries the searched word.
//!
//! `cargo run --release -p mailkeep-tests --bin search_bench -- \
//!   --postgres postgres://postgres@127.0.0.1:5432/postgres`

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use mailkeep_common::mail::{Flags, MessageAnalysis, NewMessageMeta, SearchQuery};
use mailkeep_common::{AccountId, BlobId, MailboxId};
use mailkeep_metadata::model::NewAccount;
use mailkeep_metadata::{MetadataStore, open_store};
use sqlx::Connection;

#[derive(Parser)]
struct Args {
    /// Messages in the mailbox.
    #[arg(long, default_value_t = 20_000)]
    messages: usize,
    /// One message in this many contains the searched word.
    #[arg(long, default_value_t = 1_000)]
    needle_every: usize,
    /// Timed runs per variant (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// An administrative PostgreSQL URL; a scratch database is created and
    /// dropped. Without it only SQLite runs.
    #[arg(long)]
    postgres: Option<String>,
}

const WORD: &str = "zanzibar";
const APPEND_BATCH: usize = 1_000;

fn message(index: usize, needle_every: usize) -> NewMessageMeta {
    let body = if index % needle_every == 7 {
        format!("Meet me in Zanzibar on day {index}. {}", filler(index))
    } else {
        filler(index)
    };
    NewMessageMeta {
        blob_id: BlobId::from_digest([(index % 251) as u8; 32]),
        size: body.len() as u64 + 200,
        prefix: Vec::new(),
        internal_date: 1_717_200_000 + index as i64,
        internal_date_offset: 0,
        flags: Flags::default(),
        analysis: MessageAnalysis {
            header_text: format!(
                "subject: message {index}\nfrom: sender{}@example.test\n",
                index % 97
            ),
            body_text: body,
            subject: format!("message {index}"),
            ..MessageAnalysis::default()
        },
    }
}

/// About 1.5 KB of ordinary text that differs per message.
fn filler(index: usize) -> String {
    let sentence = format!(
        "Quarterly figures for region {} are attached; please review the numbers before the call. ",
        index % 53
    );
    sentence.repeat(16)
}

async fn fill(
    store: &Arc<dyn MetadataStore>,
    args: &Args,
) -> anyhow::Result<(AccountId, MailboxId)> {
    let domain = format!("bench{}.example", std::process::id());
    store.create_tenant(&domain).await?;
    let account = store
        .create_account(NewAccount::new(&domain, "bench", "secret-bench-password"))
        .await?
        .id;
    let inbox = store
        .list_mailboxes(account)
        .await?
        .into_iter()
        .find(|mailbox| mailbox.name == "INBOX")
        .context("no INBOX")?
        .id;
    for start in (0..args.messages).step_by(APPEND_BATCH) {
        let end = (start + APPEND_BATCH).min(args.messages);
        let batch = (start..end)
            .map(|index| message(index, args.needle_every))
            .collect();
        store.append(account, inbox, batch).await?;
    }
    Ok((account, inbox))
}

/// The median of `runs` timed searches, and the number of matches.
async fn time_search(
    store: &Arc<dyn MetadataStore>,
    account: AccountId,
    inbox: MailboxId,
    query: &SearchQuery,
    runs: usize,
) -> anyhow::Result<(Duration, usize)> {
    let mut times = Vec::with_capacity(runs);
    let mut found = 0;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        found = store.search(account, inbox, query).await?.uids.len();
        times.push(started.elapsed());
    }
    times.sort_unstable();
    Ok((times[times.len() / 2], found))
}

/// Fills a mailbox and times the index against the scan; with
/// `postgres_url`, once more after `ANALYZE` (what autovacuum does soon
/// after a bulk load: without statistics the planner may prefer the
/// primary key over the trigram index).
async fn bench(
    name: &str,
    store: Arc<dyn MetadataStore>,
    args: &Args,
    postgres_url: Option<&str>,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let (account, inbox) = fill(&store, args).await?;
    println!(
        "{name}: {} messages stored in {:.1?}",
        args.messages,
        started.elapsed()
    );
    compare(name, &store, account, inbox, args).await?;
    if let Some(url) = postgres_url {
        let mut connection = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql("ANALYZE messages")
            .execute(&mut connection)
            .await?;
        compare(
            &format!("{name} after ANALYZE"),
            &store,
            account,
            inbox,
            args,
        )
        .await?;
    }
    Ok(())
}

async fn compare(
    name: &str,
    store: &Arc<dyn MetadataStore>,
    account: AccountId,
    inbox: MailboxId,
    args: &Args,
) -> anyhow::Result<()> {
    let indexed = SearchQuery::Text(WORD.to_owned());
    let scanned = SearchQuery::Or(vec![indexed.clone()]);
    let (index_time, index_found) = time_search(store, account, inbox, &indexed, args.runs).await?;
    let (scan_time, scan_found) = time_search(store, account, inbox, &scanned, args.runs).await?;
    anyhow::ensure!(
        index_found == scan_found,
        "index found {index_found}, scan {scan_found}"
    );
    println!(
        "{name}: SEARCH TEXT {WORD} ({index_found} matches): index {index_time:.2?}, scan {scan_time:.2?} (median of {})",
        args.runs
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let directory = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", directory.path().join("bench.db").display());
    bench("sqlite", open_store(&sqlite).await?, &args, None).await?;
    let Some(admin_url) = &args.postgres else {
        return Ok(());
    };
    let database = format!("mailkeep_search_bench_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}")))
        .execute(&mut admin)
        .await?;
    let (base, _) = admin_url
        .rsplit_once('/')
        .context("postgres URL without a database")?;
    let result = async {
        let url = format!("{base}/{database}");
        bench("postgres", open_store(&url).await?, &args, Some(&url)).await
    }
    .await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
    )))
    .execute(&mut admin)
    .await?;
    result
}
