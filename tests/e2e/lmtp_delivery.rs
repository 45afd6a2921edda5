//! Issue 7 item 1 acceptance, storage half: the 400-message reference corpus
//! delivered over LMTP (pipelined) to `mailkeep dev`, to three recipients of
//! one tenant, one of them an alias. Each account then holds 400 messages
//! in INBOX, each byte-identical over IMAP `BODY[]` to what was sent behind
//! its own `Return-Path` and `Delivered-To`, while the blob store holds one
//! object per distinct body, not three. A `+detail` delivery lands in the
//! folder of that name.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use mailkeep_tests::corpus;
use mailkeep_tests::dev_node::DevNode;
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::lmtp::{LmtpClient, mbox_messages};
use mailkeep_tests::provision::{Account, AdminClient};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const SENDER: &str = "sender@example.org";
const READ_LIMIT: Duration = Duration::from_secs(60);
const DETAIL_MESSAGE: &[u8] = b"Subject: for the list\r\n\r\nSorted by detail.\r\n";

/// The message a recipient sees: the delivery's prefix, then what was sent.
fn as_delivered(address: &str, sent: &[u8]) -> Vec<u8> {
    let mut message =
        format!("Return-Path: <{SENDER}>\r\nDelivered-To: {address}\r\n").into_bytes();
    message.extend_from_slice(sent);
    message
}

/// A minimal IMAP reader of `UID FETCH 1:* BODY.PEEK[]`: every message of
/// `mailbox`, by ascending UID, as raw bytes (literals read exactly).
async fn fetch_bodies(
    address: SocketAddr,
    account: &Account,
    mailbox: &str,
) -> anyhow::Result<Vec<Vec<u8>>> {
    let mut stream = BufReader::new(TcpStream::connect(address).await?);
    let commands = format!(
        "a LOGIN {} \"{}\"\r\nb SELECT {mailbox}\r\nc UID FETCH 1:* BODY.PEEK[]\r\n",
        account.login, account.password
    );
    stream.get_mut().write_all(commands.as_bytes()).await?;
    let mut bodies = Vec::new();
    loop {
        let mut line = Vec::new();
        let read = tokio::time::timeout(READ_LIMIT, stream.read_until(b'\n', &mut line))
            .await
            .context("no IMAP answer in time")??;
        ensure!(read > 0, "the IMAP server closed the connection");
        if line.starts_with(b"c ") {
            ensure!(
                line.starts_with(b"c OK"),
                "FETCH failed: {}",
                String::from_utf8_lossy(&line)
            );
            return Ok(bodies);
        }
        if line.starts_with(b"a NO") || line.starts_with(b"b NO") || line.starts_with(b"a BAD") {
            bail!("IMAP refused: {}", String::from_utf8_lossy(&line));
        }
        let Some(length) = literal_length(&line) else {
            continue;
        };
        let mut body = vec![0; length];
        tokio::time::timeout(READ_LIMIT, stream.read_exact(&mut body))
            .await
            .context("literal not read in time")??;
        bodies.push(body);
    }
}

/// `N` of a line ending in `{N}` CRLF.
fn literal_length(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"}\r\n")?;
    let open = line.iter().rposition(|&byte| byte == b'{')?;
    std::str::from_utf8(&line[open + 1..]).ok()?.parse().ok()
}

/// Stored objects: files named by a 64-digit hex content address.
fn blob_objects(root: &Path) -> anyhow::Result<usize> {
    let mut count = 0;
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type()?.is_dir() {
                pending.push(entry.path());
            } else if name.len() == 64 && name.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                count += 1;
            }
        }
    }
    Ok(count)
}

async fn create_alias(
    node: &DevNode,
    domain: &str,
    alias: &str,
    target: &str,
) -> anyhow::Result<()> {
    let url = format!("{}/v1/tenants/{domain}/aliases/{alias}", node.admin_url()?);
    let answer = reqwest::Client::new()
        .put(&url)
        .bearer_auth(node.admin_token()?)
        .json(&json!({ "target": target }))
        .send()
        .await
        .with_context(|| url.clone())?;
    ensure!(
        answer.status() == reqwest::StatusCode::CREATED,
        "creating the alias answered {}",
        answer.status()
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_corpus_over_lmtp_is_stored_once_and_reads_back_byte_identical() -> anyhow::Result<()> {
    let corpus_path = corpus::reference_corpus(Path::new(env!("CARGO_TARGET_TMPDIR")))?;
    let messages = mbox_messages(&corpus_path)?;
    ensure!(
        messages.len() == 400,
        "the corpus has {} messages",
        messages.len()
    );

    let data = tempfile::tempdir()?;
    let node = DevNode::start(data.path(), &[])?;
    node.wait_ready().await?;
    let admin = AdminClient::new(&node.admin_url()?, node.admin_token()?);
    let domain = admin.create_fresh_tenant().await?;
    let alice = admin.create_account(&domain, "alice").await?;
    let bob = admin.create_account(&domain, "bob").await?;
    let carol = admin.create_account(&domain, "carol").await?;
    create_alias(&node, &domain, "team", "carol").await?;
    let imap = node.imap()?;
    let mut session = ImapLines::logged_in(imap, &alice.login, &alice.password).await?;
    session.ok("c1", "CREATE Lists").await?;

    let recipients = [
        (alice.clone(), format!("alice@{domain}")),
        (bob.clone(), format!("bob@{domain}")),
        (carol.clone(), format!("team@{domain}")),
    ];
    let addresses: Vec<String> = recipients
        .iter()
        .map(|(_, address)| address.clone())
        .collect();
    let mut lmtp = LmtpClient::connect(node.address("lmtp")?).await?;
    for (index, message) in messages.iter().enumerate() {
        let replies = lmtp.deliver(SENDER, &addresses, message).await?;
        ensure!(
            replies.mail.is_positive()
                && replies.rcpt.iter().all(|reply| reply.is_positive())
                && replies.data.len() == addresses.len()
                && replies.data.iter().all(|reply| reply.is_positive()),
            "message {index} was not delivered: {replies:?}\n{}",
            node.diagnostics()
        );
    }
    // `+detail` picks the folder of that name, ignoring case.
    let detail_address = format!("alice+lists@{domain}");
    let replies = lmtp
        .deliver(
            SENDER,
            std::slice::from_ref(&detail_address),
            DETAIL_MESSAGE,
        )
        .await?;
    ensure!(
        replies.data.len() == 1 && replies.data[0].is_positive(),
        "the +detail delivery failed: {replies:?}"
    );
    lmtp.quit().await?;

    for (account, address) in &recipients {
        let bodies = fetch_bodies(imap, account, "INBOX").await?;
        ensure!(
            bodies.len() == 400,
            "{} holds {} messages",
            account.login,
            bodies.len()
        );
        for (index, (body, sent)) in bodies.iter().zip(&messages).enumerate() {
            ensure!(
                *body == as_delivered(address, sent),
                "message {index} of {} differs from what was sent",
                account.login
            );
        }
    }
    let listed = fetch_bodies(imap, &alice, "Lists").await?;
    ensure!(
        listed == [as_delivered(&detail_address, DETAIL_MESSAGE)],
        "Lists holds {listed:?}"
    );

    let distinct: HashSet<[u8; 32]> = messages
        .iter()
        .chain([&DETAIL_MESSAGE.to_vec()])
        .map(|message| Sha256::digest(message).into())
        .collect();
    let stored = blob_objects(&data.path().join("blobs"))?;
    ensure!(
        stored == distinct.len(),
        "the blob store holds {stored} objects for {} distinct bodies",
        distinct.len()
    );
    Ok(())
}
