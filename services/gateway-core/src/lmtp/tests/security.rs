//! STARTTLS (RFC 3207) and `AUTH PLAIN` against the shared secret (RFC 4954).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::*;
use crate::lmtp::SharedSecret;

const SECRET: &str = "s3cret";

fn plain(login: &str, password: &str) -> String {
    BASE64.encode(format!("\0{login}\0{password}"))
}

fn with_secret(connection: ConnectionInfo) -> Harness {
    Harness::with(
        LmtpConfig {
            auth_secret: Some(SharedSecret::new(SECRET)),
            ..LmtpConfig::default()
        },
        connection,
    )
}

#[tokio::test]
async fn starttls_forgets_the_session_and_pipelined_input() {
    let mut harness = Harness::new();
    harness.ready().await;
    let (answer, flow) = harness.feed(&[b"STARTTLS\r\nMAIL FROM:<x@y>\r\n"]).await;
    assert_eq!(answer, "220 2.0.0 ready to start TLS\r\n");
    assert_eq!(flow, Flow::StartTls);
    harness.session.tls_established();
    let answer = harness
        .send("MAIL FROM:<x@y.test>\r\nLHLO c.test\r\nSTARTTLS\r\n")
        .await;
    assert!(
        answer.starts_with("503 5.5.1 send LHLO first\r\n"),
        "{answer}"
    );
    assert!(!answer.contains("250 STARTTLS"), "{answer}");
    assert!(
        answer.ends_with("503 5.5.1 TLS is already active\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn starttls_without_a_certificate_is_not_offered() {
    let mut harness = Harness::with(
        LmtpConfig::default(),
        ConnectionInfo {
            starttls_available: false,
            ..loopback()
        },
    );
    let answer = harness.send("LHLO c.test\r\nSTARTTLS\r\n").await;
    assert!(!answer.contains("STARTTLS\r\n250"), "{answer}");
    assert!(
        answer.ends_with("502 5.5.1 STARTTLS is not available\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn mail_needs_auth_when_a_secret_is_configured() {
    let mut harness = with_secret(loopback());
    let answer = harness
        .send("LHLO c.test\r\nMAIL FROM:<s@x.test>\r\n")
        .await;
    assert!(answer.contains("250 AUTH PLAIN\r\n"), "{answer}");
    assert!(
        answer.ends_with("530 5.7.0 authentication required\r\n"),
        "{answer}"
    );
    let answer = harness
        .send(&format!(
            "AUTH PLAIN {}\r\nMAIL FROM:<s@x.test>\r\n",
            plain("postfix", SECRET)
        ))
        .await;
    assert_eq!(
        answer,
        "235 2.7.0 authentication successful\r\n250 2.1.0 sender OK\r\n"
    );
}

#[tokio::test]
async fn auth_works_as_an_exchange_and_can_be_cancelled() {
    let mut harness = with_secret(loopback());
    harness.ready().await;
    let answer = harness.send("AUTH PLAIN\r\n*\r\nAUTH PLAIN\r\n").await;
    assert_eq!(
        answer,
        "334 \r\n501 5.0.0 authentication cancelled\r\n334 \r\n"
    );
    let (answer, _) = harness
        .feed(&[plain("any", SECRET).as_bytes(), b"\r\n"])
        .await;
    assert_eq!(answer, "235 2.7.0 authentication successful\r\n");
    let answer = harness.send("AUTH PLAIN =\r\n").await;
    assert_eq!(answer, "503 5.5.1 already authenticated\r\n");
}

#[tokio::test]
async fn wrong_secrets_are_refused_and_bounded() {
    let mut harness = with_secret(loopback());
    harness.ready().await;
    let wrong = format!("AUTH PLAIN {}\r\n", plain("postfix", "guess"));
    let answer = harness.send(&wrong).await;
    assert_eq!(answer, "535 5.7.8 authentication credentials invalid\r\n");
    assert_eq!(
        harness.send("AUTH PLAIN !!!\r\n").await,
        "501 5.5.2 malformed PLAIN response\r\n"
    );
    assert_eq!(
        harness.send("AUTH LOGIN\r\n").await,
        "504 5.5.4 unrecognized authentication type\r\n"
    );
    harness.send(&wrong).await;
    let (answer, flow) = harness.feed(&[wrong.as_bytes()]).await;
    assert_eq!(answer, "421 4.7.0 too many authentication failures\r\n");
    assert_eq!(flow, Flow::Close);
}

#[tokio::test]
async fn auth_needs_an_encrypted_or_trusted_transport() {
    let mut harness = with_secret(ConnectionInfo {
        trusted_peer: false,
        ..loopback()
    });
    let answer = harness
        .send(&format!(
            "LHLO c.test\r\nAUTH PLAIN {}\r\n",
            plain("p", SECRET)
        ))
        .await;
    assert!(!answer.contains("AUTH PLAIN\r\n"), "{answer}");
    assert!(
        answer.ends_with("538 5.7.11 encryption required for AUTH\r\n"),
        "{answer}"
    );
    harness.send("STARTTLS\r\n").await;
    harness.session.tls_established();
    let answer = harness
        .send(&format!(
            "LHLO c.test\r\nAUTH PLAIN {}\r\n",
            plain("p", SECRET)
        ))
        .await;
    assert!(
        answer.ends_with("235 2.7.0 authentication successful\r\n"),
        "{answer}"
    );
}

#[tokio::test]
async fn auth_is_not_available_without_a_secret() {
    let mut harness = Harness::new();
    harness.ready().await;
    let answer = harness.send("AUTH PLAIN =\r\n").await;
    assert_eq!(answer, "502 5.5.1 AUTH is not available\r\n");
}
