//! LOGINDISABLED and PRIVACYREQUIRED before TLS on a non-loopback peer,
//! STARTTLS (discarding pipelined plaintext), LOGIN and AUTHENTICATE PLAIN
//! with and without SASL-IR.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::support::assert_responses;
use super::{assert_greeting, untrusted_client};
use crate::session::Flow;
use crate::testing::{TEST_LOGIN, TEST_PASSWORD, TestClient};

fn plain(authzid: &str, login: &str, password: &str) -> String {
    BASE64.encode(format!("{authzid}\0{login}\0{password}"))
}

/// `<tag> AUTHENTICATE PLAIN <initial response>` (RFC 4959 SASL-IR).
fn authenticate_plain(tag: &str, authzid: &str, login: &str, password: &str) -> String {
    format!(
        "{tag} AUTHENTICATE PLAIN {}\r\n",
        plain(authzid, login, password)
    )
}

#[tokio::test]
async fn insecure_peers_get_logindisabled_and_privacyrequired() {
    let mut client = untrusted_client();
    let greeting = client.greet().await;
    assert!(greeting.contains(" STARTTLS LOGINDISABLED] "), "{greeting}");
    assert!(!greeting.contains("AUTH=PLAIN"));
    assert_greeting(&greeting);
    let output = client.login().await;
    assert_eq!(
        output,
        "L0 NO [PRIVACYREQUIRED] authentication requires TLS\r\n"
    );
    let output = client
        .send(&authenticate_plain("a1", "", TEST_LOGIN, TEST_PASSWORD))
        .await;
    assert_eq!(
        output,
        "a1 NO [PRIVACYREQUIRED] authentication requires TLS\r\n"
    );
    let output = client.send("a2 AUTHENTICATE PLAIN\r\n").await;
    assert_eq!(
        output,
        "a2 NO [PRIVACYREQUIRED] authentication requires TLS\r\n"
    );
    assert_responses(&output);
    assert_eq!(
        client.send("a3 SELECT INBOX\r\n").await,
        "a3 BAD command not valid in the not-authenticated state\r\n"
    );
}

#[tokio::test]
async fn starttls_discards_pipelined_plaintext() {
    let mut client = untrusted_client();
    client.greet().await;
    let output = client
        .send("s1 STARTTLS\r\ns2 LOGIN alice@example.test \"correct horse\"\r\n")
        .await;
    assert_eq!(output, "s1 OK Begin TLS negotiation now\r\n");
    assert_eq!(client.flow, Flow::StartTls);
    client.session.tls_established();
    let output = client.send("s3 CAPABILITY\r\n").await;
    assert!(output.contains(" AUTH=PLAIN\r\n"), "{output}");
    assert!(!output.contains("STARTTLS"));
    assert!(!output.contains("s2"), "injected command ran: {output}");
    assert_eq!(
        client.send("s4 STARTTLS\r\n").await,
        "s4 BAD STARTTLS is not available\r\n"
    );
    let output = client.login().await;
    assert!(output.starts_with("L0 OK [CAPABILITY "), "{output}");
}

#[tokio::test]
async fn authenticate_plain_with_sasl_ir() {
    let mut client = TestClient::trusted();
    let output = client
        .send(&authenticate_plain("a1", "", TEST_LOGIN, "wrong"))
        .await;
    assert_eq!(
        output,
        "a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
    );
    let output = client
        .send(&authenticate_plain("a2", "bob", TEST_LOGIN, TEST_PASSWORD))
        .await;
    assert!(
        output.starts_with("a2 NO [AUTHORIZATIONFAILED] "),
        "{output}"
    );
    let output = client.send("a3 AUTHENTICATE PLAIN =\r\n").await;
    assert_eq!(output, "a3 BAD malformed PLAIN credentials\r\n");
    let output = client.send("a4 AUTHENTICATE CRAM-MD5\r\n").await;
    assert_eq!(
        output,
        "a4 NO [CANNOT] unsupported authentication mechanism\r\n"
    );
    let output = client
        .send(&format!(
            "a5 authenticate plain {}\r\n",
            plain(TEST_LOGIN, TEST_LOGIN, TEST_PASSWORD)
        ))
        .await;
    assert!(
        output.starts_with("a5 OK [CAPABILITY IMAP4rev1 "),
        "{output}"
    );
    assert_responses(&output);
}

#[tokio::test]
async fn authenticate_plain_with_continuation() {
    let mut client = TestClient::trusted();
    assert_eq!(client.send("c1 AUTHENTICATE PLAIN\r\n").await, "+ \r\n");
    assert_eq!(
        client.send("*\r\n").await,
        "c1 BAD authentication cancelled\r\n"
    );
    assert_eq!(client.send("c2 AUTHENTICATE PLAIN\r\n").await, "+ \r\n");
    assert_eq!(
        client.send("!!!\r\n").await,
        "c2 BAD invalid base64 in authentication response\r\n"
    );
    let response = plain("", TEST_LOGIN, TEST_PASSWORD);
    let (head, tail) = response.split_at(7);
    let output = client
        .send_fragments(&[
            b"c3 AUTHENTICATE PLAIN\r\n",
            head.as_bytes(),
            tail.as_bytes(),
            b"\r\nc4 NOOP\r\n",
        ])
        .await;
    assert!(
        output.starts_with("+ \r\nc3 OK [CAPABILITY IMAP4rev1 "),
        "{output}"
    );
    assert!(output.ends_with("c4 OK NOOP completed\r\n"), "{output}");
    assert_responses(&output);
}

#[tokio::test]
async fn backend_outage_is_unavailable() {
    let mut client = TestClient::trusted();
    client.backend.set_unavailable(true);
    assert_eq!(
        client.login().await,
        "L0 NO [UNAVAILABLE] backend unavailable\r\n"
    );
    client.backend.set_unavailable(false);
    assert!(client.login().await.starts_with("L0 OK "));
}
