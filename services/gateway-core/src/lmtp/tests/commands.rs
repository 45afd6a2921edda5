//! Single commands and their sequencing rules (RFC 2033 §4, RFC 5321 §4.1).

use super::*;

#[tokio::test]
async fn the_greeting_names_the_host() {
    let mut harness = Harness::new();
    assert_eq!(
        harness.greet().await,
        "220 mx.example.test LMTP Mailkeep ready\r\n"
    );
}

#[tokio::test]
async fn lhlo_announces_the_extensions() {
    let mut harness = Harness::new();
    let answer = harness.send("LHLO client.test\r\n").await;
    assert_eq!(
        answer,
        "250-mx.example.test\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n\
         250-SMTPUTF8\r\n250-CHUNKING\r\n250-BINARYMIME\r\n250-SIZE 52428800\r\n250 STARTTLS\r\n"
    );
}

#[tokio::test]
async fn helo_and_ehlo_are_refused_and_the_session_continues() {
    // RFC 2033 §4.1: an LMTP server must not accept HELO or EHLO.
    let mut harness = Harness::new();
    let answer = harness
        .send("EHLO client.test\r\nHELO client.test\r\n")
        .await;
    assert_eq!(codes(&answer), vec![500, 500]);
    harness.ready().await;
}

#[tokio::test]
async fn mail_needs_lhlo_first() {
    let mut harness = Harness::new();
    let answer = harness.send("MAIL FROM:<a@b.test>\r\n").await;
    assert_eq!(answer, "503 5.5.1 send LHLO first\r\n");
}

#[tokio::test]
async fn simple_commands_answer_at_any_time() {
    let mut harness = Harness::new();
    let answer = harness.send("NOOP\r\nRSET\r\nVRFY alice\r\nHELP\r\n").await;
    assert_eq!(codes(&answer), vec![250, 250, 252, 214]);
    assert!(answer.contains("252 2.5.0 "), "{answer}");
}

#[tokio::test]
async fn quit_closes_the_connection() {
    let mut harness = Harness::new();
    let (answer, flow) = harness.feed(&[b"QUIT\r\nNOOP\r\n"]).await;
    assert_eq!(answer, "221 2.0.0 mx.example.test closing connection\r\n");
    assert_eq!(flow, Flow::Close);
}

#[tokio::test]
async fn a_bad_command_mid_session_gets_a_5xx_and_the_session_continues() {
    let mut harness = Harness::new();
    harness.ready().await;
    let answer = harness
        .send("MAIL FROM:<s@x.test>\r\nFROB\r\nRCPT TO:<alice@example.test>\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 500, 250]);
    assert!(
        answer.contains("500 5.5.1 command unrecognized\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn sequencing_errors_get_503() {
    let mut harness = Harness::new();
    harness.ready().await;
    let answer = harness
        .send("RCPT TO:<alice@example.test>\r\nDATA\r\nBDAT 3 LAST\r\nabc")
        .await;
    assert_eq!(codes(&answer), vec![503, 503, 503]);
    let answer = harness
        .send("MAIL FROM:<>\r\nMAIL FROM:<>\r\nDATA\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 503, 503]);
    assert!(
        answer.ends_with("503 5.5.1 no valid recipients\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn rset_ends_the_transaction() {
    let mut harness = Harness::new();
    harness.ready().await;
    let answer = harness
        .send("MAIL FROM:<s@x.test>\r\nRCPT TO:<bob@example.test>\r\nRSET\r\nDATA\r\n")
        .await;
    assert_eq!(codes(&answer), vec![250, 250, 250, 503]);
}

#[tokio::test]
async fn repeated_bad_commands_end_the_session() {
    let mut harness = Harness::new();
    let junk = "FROB\r\n".repeat(crate::session::MAX_CONSECUTIVE_BAD as usize);
    let (answer, flow) = harness.feed(&[junk.as_bytes()]).await;
    assert_eq!(flow, Flow::Close);
    assert!(
        answer.ends_with("421 4.7.0 mx.example.test too many errors\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn shutdown_and_timeout_say_421() {
    let mut harness = Harness::new();
    let mut out = Vec::new();
    harness.session.timed_out(&mut out).await.unwrap();
    harness.session.shutdown(&mut out).await.unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "421 4.4.2 mx.example.test timeout waiting for input\r\n"
    );
}
