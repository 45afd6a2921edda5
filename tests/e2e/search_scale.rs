//! Issue 3 acceptance: SEARCH TEXT and BODY over a 20,000-message mailbox
//! answer from the metadata text index and read no blob: the blob service's
//! request counter (ops `/metrics`) does not move during the searches. The
//! mailbox is filled with MULTIAPPEND batches; most messages share one body
//! (one content-addressed blob), and one in a thousand is distinct and
//! carries the searched words. Timing is the benchmark's job
//! (`search_bench`), not this test's.

use anyhow::{Context, ensure};
use mailkeep_tests::deployment::Deployment;
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::provision::AdminClient;

const MESSAGES: usize = 20_000;
const BATCH: usize = 500;
/// Every message whose index is 7 modulo this carries the words.
const NEEDLE_EVERY: usize = 1_000;

/// Message `index`: a trip to Zanzibar, or the shared filler.
fn message(index: usize) -> String {
    if index % NEEDLE_EVERY == 7 {
        format!("Subject: trip {index}\r\n\r\nMeet me in ZANZIBAR on day {index}.\r\n")
    } else {
        "Subject: filler\r\n\r\nnothing to see here\r\n".to_owned()
    }
}

/// The UIDs of the Zanzibar messages (MULTIAPPEND numbers from 1).
fn trip_uids() -> Vec<String> {
    (0..MESSAGES)
        .filter(|index| index % NEEDLE_EVERY == 7)
        .map(|index| (index + 1).to_string())
        .collect()
}

/// Requests the blob service has answered, summed over method and code.
async fn blob_requests(ops: std::net::SocketAddr) -> anyhow::Result<f64> {
    let text = reqwest::get(format!("http://{ops}/metrics"))
        .await?
        .text()
        .await?;
    let mut total = 0.0;
    for line in text.lines() {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        if series.starts_with("mailkeep_grpc_server_requests_total{")
            && series.contains("service=\"blob\"")
        {
            total += value
                .parse::<f64>()
                .with_context(|| format!("bad sample {line:?}"))?;
        }
    }
    Ok(total)
}

/// The numbers of the `* SEARCH` line among `lines`.
fn search_numbers(lines: &[String]) -> anyhow::Result<Vec<String>> {
    let line = lines
        .iter()
        .find(|line| line.starts_with("* SEARCH"))
        .with_context(|| format!("no SEARCH answer in {lines:?}"))?;
    Ok(line.split_whitespace().skip(2).map(str::to_owned).collect())
}

#[tokio::test]
async fn text_search_over_20000_messages_reads_no_blob() -> anyhow::Result<()> {
    let deployment = Deployment::dev().await?;
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "scale").await?;
    let mut client =
        ImapLines::logged_in(deployment.imap(), &account.login, &account.password).await?;
    for batch in 0..MESSAGES / BATCH {
        let tag = format!("m{batch}");
        let mut command = format!("{tag} APPEND INBOX");
        for index in batch * BATCH..(batch + 1) * BATCH {
            let raw = message(index);
            command.push_str(&format!(" {{{}+}}\r\n{raw}", raw.len()));
        }
        command.push_str("\r\n");
        client.send(&command).await?;
        let lines = client.until(&format!("{tag} ")).await?;
        let done = lines
            .last()
            .is_some_and(|line| line.starts_with(&format!("{tag} OK")));
        ensure!(done, "MULTIAPPEND batch {batch} failed: {lines:?}");
    }
    let selected = client.ok("s0", "SELECT INBOX").await?;
    ensure!(
        selected
            .iter()
            .any(|line| line.trim_end() == format!("* {MESSAGES} EXISTS")),
        "{selected:?}"
    );

    let ops = deployment.gateways()[0].ops;
    let before = blob_requests(ops).await?;
    let text = client.ok("s1", "UID SEARCH TEXT zanzibar").await?;
    assert_eq!(search_numbers(&text)?, trip_uids());
    let body = client
        .ok("s2", "UID SEARCH BODY \"Meet me in Zanz\"")
        .await?;
    assert_eq!(search_numbers(&body)?, trip_uids());
    let subject_only = client.ok("s3", "UID SEARCH BODY trip").await?;
    assert!(search_numbers(&subject_only)?.is_empty());
    let header = client.ok("s4", "UID SEARCH TEXT \"trip 1007\"").await?;
    assert_eq!(search_numbers(&header)?, vec!["1008".to_owned()]);
    assert_eq!(blob_requests(ops).await?, before, "a search read a blob");

    client.ok("z", "LOGOUT").await?;
    deployment.finish().await
}
