//! Issue 6 acceptance, graceful drain: SIGTERM to `mailkeep dev` with one
//! client in IDLE and another halfway through a large APPEND literal. The
//! IDLE client gets `* BYE`, `/readyz` turns 503 at once, the APPEND
//! finishes (and its message is there after a restart on the same data) or
//! is refused cleanly (and is absent), and the process exits 0 in time.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use mailkeep_tests::dev_node::DevNode;
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::provision::AdminClient;

/// The APPEND literal: large enough to be in flight across several reads.
const LITERAL_BYTES: usize = 4 * 1024 * 1024;
const DRAIN_SECONDS: u64 = 10;

/// A message of exactly `LITERAL_BYTES` bytes.
fn large_message() -> Vec<u8> {
    let mut message = b"Subject: drain\r\n\r\n".to_vec();
    let line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01\r\n";
    while message.len() + line.len() <= LITERAL_BYTES {
        message.extend_from_slice(line);
    }
    message.resize(LITERAL_BYTES, b'x');
    message
}

#[tokio::test]
async fn sigterm_drains_idle_and_running_sessions_and_exits_zero() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let env = [("MAILKEEP_GATEWAY__DRAIN_TIMEOUT", DRAIN_SECONDS.to_string())];
    let mut node = DevNode::start(data.path(), &env)?;
    node.wait_ready().await?;
    let admin = AdminClient::new(&node.admin_url()?, node.admin_token()?);
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "drain").await?;
    let imap = node.imap()?;

    let mut idler = ImapLines::logged_in(imap, &account.login, &account.password).await?;
    idler.idle("i1").await?;
    let mut appender = ImapLines::logged_in(imap, &account.login, &account.password).await?;
    let message = large_message();
    appender
        .send(&format!("a1 APPEND INBOX {{{LITERAL_BYTES}}}\r\n"))
        .await?;
    let ready = appender.line().await?;
    assert!(ready.starts_with('+'), "{ready:?}");
    let (first_half, second_half) = message.split_at(LITERAL_BYTES / 2);
    appender.send(std::str::from_utf8(first_half)?).await?;

    let terminated = Instant::now();
    node.terminate()?;
    let readyz = node.ops_url("readyz")?;
    let mut unready = false;
    while terminated.elapsed() < Duration::from_secs(5) {
        let status = reqwest::get(&readyz).await?.status();
        if status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
            unready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(unready, "/readyz did not turn 503 after SIGTERM");
    let metrics = reqwest::get(node.ops_url("metrics")?).await?.text().await?;
    assert!(metrics.contains("mailkeep_draining 1"), "{metrics}");

    let bye = idler.until("* BYE").await?;
    assert!(
        bye.last().is_some_and(|line| line.starts_with("* BYE")),
        "{bye:?}"
    );

    appender.send(std::str::from_utf8(second_half)?).await?;
    appender.send("\r\n").await?;
    let answer = appender.until("a1 ").await?;
    let appended = match answer.last() {
        Some(line) if line.starts_with("a1 OK") => true,
        Some(line) if line.starts_with("a1 NO") => false,
        other => bail!("APPEND neither completed nor refused cleanly: {other:?}"),
    };
    let after = appender.until("* BYE").await?;
    assert!(!after.is_empty());

    let status = node.wait_exit(Duration::from_secs(DRAIN_SECONDS + 10))?;
    assert!(
        status.success(),
        "exit status {status}\n{}",
        node.diagnostics()
    );
    assert!(terminated.elapsed() < Duration::from_secs(DRAIN_SECONDS + 5));

    let node = DevNode::start(data.path(), &[])?;
    node.wait_ready().await?;
    let mut client = ImapLines::logged_in(node.imap()?, &account.login, &account.password).await?;
    let status = client.ok("s1", "STATUS INBOX (MESSAGES)").await?;
    let expected = if appended {
        "(MESSAGES 1)"
    } else {
        "(MESSAGES 0)"
    };
    let line = status
        .iter()
        .find(|line| line.starts_with("* STATUS"))
        .context("no STATUS answer")?;
    assert!(line.contains(expected), "appended={appended}: {line:?}");
    if appended {
        let size = client.ok("f1", "FETCH 1 RFC822.SIZE").await?;
        let wanted = format!("RFC822.SIZE {LITERAL_BYTES}");
        assert!(size.iter().any(|line| line.contains(&wanted)), "{size:?}");
    }
    Ok(())
}
