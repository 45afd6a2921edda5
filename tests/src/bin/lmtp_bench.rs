//! `lmtp_bench`: LMTP delivery throughput (issue 7) for the reference
//! corpus, a load tool rather than a timed test. It delivers the 400
//! corpus messages to `--recipients` accounts of one tenant over
//! `--connections` concurrent LMTP connections, each transaction pipelined,
//! and prints messages (transactions) and stored copies per second.
//!
//! `--mode dev` runs against `mailkeep dev` (SQLite, filesystem blobs);
//! `--mode roles` against separate metadata, blob, admin and gateway
//! processes on PostgreSQL and the S3 test server
//! (`MAILKEEP_TEST_S3_ENDPOINT`); `--mode both` (the default) runs both.
//! Build with `--release` for figures worth quoting.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use clap::{Parser, ValueEnum};
use mailkeep_tests::corpus;
use mailkeep_tests::deployment::{Deployment, RolesOptions};
use mailkeep_tests::dev_node::DevNode;
use mailkeep_tests::lmtp::{LmtpClient, mbox_messages};
use mailkeep_tests::provision::AdminClient;
use tokio::task::JoinSet;

const SENDER: &str = "bench@example.org";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    Dev,
    Roles,
    Both,
}

#[derive(Parser, Debug)]
#[command(about = "Measure LMTP delivery throughput for the reference corpus")]
struct Args {
    #[arg(long, value_enum, default_value_t = Mode::Both)]
    mode: Mode,
    /// Concurrent LMTP connections sharing the corpus.
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Recipients per message (accounts of one tenant).
    #[arg(long, default_value_t = 3)]
    recipients: usize,
    /// Where the reference corpus is cached.
    #[arg(long, default_value = "target/corpus")]
    corpus_cache: String,
}

/// One run's figures.
struct Throughput {
    messages: usize,
    copies: usize,
    elapsed: Duration,
}

impl Throughput {
    fn print(&self, label: &str, connections: usize) {
        let seconds = self.elapsed.as_secs_f64();
        println!(
            "{label:<28} {:>5} messages {:>6} copies in {seconds:>7.2}s over {connections} \
             connections: {:>8.1} messages/s {:>8.1} copies/s",
            self.messages,
            self.copies,
            self.messages as f64 / seconds,
            self.copies as f64 / seconds,
        );
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    ensure!(
        args.connections > 0 && args.recipients > 0,
        "nothing to measure"
    );
    std::fs::create_dir_all(&args.corpus_cache)?;
    // Absolute: the generator runs in another directory.
    let cache = std::fs::canonicalize(&args.corpus_cache)?;
    let messages = Arc::new(mbox_messages(&corpus::reference_corpus(&cache)?)?);
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    if matches!(args.mode, Mode::Dev | Mode::Both) {
        let data = tempfile::tempdir()?;
        let node = DevNode::start(data.path(), &[])?;
        node.wait_ready().await?;
        let admin = AdminClient::new(&node.admin_url()?, node.admin_token()?);
        let figures = run(&args, &admin, node.address("lmtp")?, &messages).await?;
        figures.print(&format!("dev (sqlite+fs, {build})"), args.connections);
    }
    if matches!(args.mode, Mode::Roles | Mode::Both) {
        let options = RolesOptions {
            gateways: 1,
            env: vec![("MAILKEEP_LMTP__LISTEN".to_owned(), "127.0.0.1:0".to_owned())],
        };
        let deployment = Deployment::separate_roles_with(&options).await?;
        let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
        let lmtp = deployment.gateways()[0]
            .lmtp
            .context("the gateway announced no lmtp listener")?;
        let figures = run(&args, &admin, lmtp, &messages).await;
        let finished = deployment.finish().await;
        figures?.print(&format!("roles (postgres+s3, {build})"), args.connections);
        finished?;
    }
    Ok(())
}

/// Provisions the recipients, then delivers the corpus once, timed.
async fn run(
    args: &Args,
    admin: &AdminClient,
    lmtp: SocketAddr,
    messages: &Arc<Vec<Vec<u8>>>,
) -> anyhow::Result<Throughput> {
    let domain = admin.create_fresh_tenant().await?;
    let mut recipients = Vec::with_capacity(args.recipients);
    for index in 0..args.recipients {
        let account = admin.create_account(&domain, &format!("r{index}")).await?;
        recipients.push(account.login);
    }
    let recipients = Arc::new(recipients);
    let mut clients = Vec::with_capacity(args.connections);
    for _ in 0..args.connections {
        clients.push(LmtpClient::connect(lmtp).await?);
    }
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for (worker, mut client) in clients.into_iter().enumerate() {
        let (messages, recipients) = (Arc::clone(messages), Arc::clone(&recipients));
        let connections = args.connections;
        workers.spawn(async move {
            let mut copies = 0;
            for message in messages.iter().skip(worker).step_by(connections) {
                let replies = client.deliver(SENDER, &recipients, message).await?;
                let stored = replies
                    .data
                    .iter()
                    .filter(|reply| reply.is_positive())
                    .count();
                ensure!(stored == recipients.len(), "a delivery failed: {replies:?}");
                copies += stored;
            }
            client.quit().await?;
            anyhow::Ok(copies)
        });
    }
    let mut copies = 0;
    while let Some(worker) = workers.join_next().await {
        copies += worker??;
    }
    Ok(Throughput {
        messages: messages.len(),
        copies,
        elapsed: started.elapsed(),
    })
}
