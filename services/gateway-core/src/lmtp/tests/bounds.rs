//! Input bounds (issue 7): message size, recipients per transaction,
//! command and message line length. Each is answered and the session goes on.

use super::*;

fn small(max_message_bytes: u64) -> Harness {
    Harness::with(
        LmtpConfig {
            max_message_bytes,
            max_recipients: 2,
            max_command_line_bytes: 128,
            max_data_line_bytes: 64,
            ..LmtpConfig::default()
        },
        loopback(),
    )
}

#[tokio::test]
async fn a_declared_size_over_the_limit_is_refused_at_mail() {
    // RFC 1870 §6.1: 552 5.3.4 when the declared size is too big.
    let mut harness = small(100);
    harness.ready().await;
    let answer = harness
        .send("MAIL FROM:<s@x.test> SIZE=101\r\nMAIL FROM:<s@x.test> SIZE=100\r\n")
        .await;
    assert_eq!(
        answer,
        "552 5.3.4 message exceeds the maximum size\r\n250 2.1.0 sender OK\r\n"
    );
}

#[tokio::test]
async fn an_oversized_data_body_gets_552_for_each_recipient() {
    let mut harness = small(100);
    harness.ready().await;
    let body = "x".repeat(50) + "\r\n";
    let message = format!(
        "MAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n\
         DATA\r\n{body}{body}{body}.\r\nNOOP\r\n"
    );
    let answer = harness.send(&message).await;
    assert_eq!(codes(&answer), vec![250, 250, 250, 354, 552, 552, 250]);
    assert!(harness.backend.delivered().is_empty());
    assert_eq!(harness.session.take_tally().rejected, 2);
}

#[tokio::test]
async fn an_oversized_chunk_is_consumed_and_ends_the_transaction() {
    let mut harness = small(10);
    harness.ready().await;
    let answer = harness
        .send("MAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nBDAT 12 LAST\r\n0123456789abNOOP\r\nDATA\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 250, 552, 250, 503]);
    assert!(harness.backend.delivered().is_empty());
}

#[tokio::test]
async fn too_many_recipients_get_452() {
    // RFC 5321 §4.5.3.1.10.
    let mut harness = small(100);
    harness.backend.add_account("carol@example.test");
    harness.ready().await;
    let answer = harness
        .send(
            "MAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n\
             RCPT TO:<carol@example.test>\r\nDATA\r\nhi\r\n.\r\n",
        )
        .await;
    assert_eq!(codes(&answer), vec![250, 250, 250, 452, 354, 250, 250]);
    assert!(
        answer.contains("452 4.5.3 too many recipients\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn an_over_long_command_line_is_answered_and_dropped() {
    let mut harness = small(100);
    harness.ready().await;
    let long = format!("NOOP {}\r\n", "y".repeat(500));
    let (answer, flow) = harness
        .feed(&[
            &long.as_bytes()[..200],
            &long.as_bytes()[200..],
            b"NOOP\r\n",
        ])
        .await;
    assert_eq!(answer, "500 5.5.2 line too long\r\n250 2.0.0 OK\r\n");
    assert_eq!(flow, Flow::Continue);
}

#[tokio::test]
async fn an_over_long_message_line_rejects_the_message() {
    let mut harness = small(1000);
    harness.ready().await;
    let message = format!(
        "MAIL FROM:<s@x.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n{}\r\n.\r\n",
        "z".repeat(100)
    );
    let answer = harness.send(&message).await;
    assert!(
        answer.ends_with("554 5.6.0 <alice@example.test> message has a line that is too long\r\n"),
        "{answer}"
    );
}
