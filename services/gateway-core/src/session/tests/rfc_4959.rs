//! RFC 4959 (SASL-IR): the four examples of §4, on a connection that counts
//! as protected (loopback stands in for the RFC's TLS), with the RFC's own
//! credentials `test`/`test` (`dGVzdAB0ZXN0AHRlc3Q=`); and §3's rule that
//! BASE64 with a misplaced pad is a syntax error. This server offers PLAIN
//! but not EXTERNAL, so the EXTERNAL examples get the NO RFC 3501 §6.2.2
//! gives an unsupported mechanism.

use super::support::assert_responses;
use crate::testing::TestClient;

/// A greeted loopback client with the RFC's account `test`/`test`, after
/// `C01 CAPABILITY` showed SASL-IR and AUTH=PLAIN.
async fn rfc_client() -> TestClient {
    let mut client = TestClient::trusted();
    client.backend.add_account("test", "test");
    client.greet().await;
    let output = client.send("C01 CAPABILITY\r\n").await;
    assert!(output.starts_with("* CAPABILITY IMAP4rev1 "), "{output}");
    assert!(output.contains(" SASL-IR "), "{output}");
    assert!(output.contains(" AUTH=PLAIN"), "{output}");
    assert!(!output.contains("AUTH=EXTERNAL"), "{output}");
    assert!(
        output.ends_with("C01 OK CAPABILITY completed\r\n"),
        "{output}"
    );
    client
}

// RFC 4959 §4, first example: PLAIN with the initial response on the
// command line, no continuation.
#[tokio::test]
async fn rfc4959_plain_with_initial_response() {
    let mut client = rfc_client().await;
    let output = client
        .send("A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n")
        .await;
    assert!(output.starts_with("A01 OK [CAPABILITY "), "{output}");
    assert_responses(&output);
}

// RFC 4959 §4, second example: without the initial response the server
// sends an empty challenge (`+ `) and the client answers on its own line.
#[tokio::test]
async fn rfc4959_plain_without_initial_response() {
    let mut client = rfc_client().await;
    assert_eq!(client.send("A01 AUTHENTICATE PLAIN\r\n").await, "+ \r\n");
    let output = client.send("dGVzdAB0ZXN0AHRlc3Q=\r\n").await;
    assert!(output.starts_with("A01 OK [CAPABILITY "), "{output}");
    assert_responses(&output);
}

// RFC 4959 §4, third and fourth examples: EXTERNAL with an empty initial
// response (`=`) and without one. EXTERNAL is not offered here, so both
// are refused with NO at once, with no continuation.
#[tokio::test]
async fn rfc4959_external_is_not_offered() {
    let mut client = rfc_client().await;
    for command in ["A01 AUTHENTICATE EXTERNAL =", "A02 AUTHENTICATE EXTERNAL"] {
        let output = client.send(&format!("{command}\r\n")).await;
        assert!(
            output.starts_with(&format!("{} NO ", &command[..3])),
            "{output}"
        );
        assert_responses(&output);
    }
}

// RFC 4959 §3: `=` is a present but empty response, which is not a PLAIN
// message (RFC 4616 §2), and a pad anywhere but at the end (`=AAA`,
// `AAA=BBB`) is not BASE64: both are arguments RFC 3501 §6.2.2 answers
// with BAD.
#[tokio::test]
async fn rfc4959_3_empty_and_malformed_initial_responses() {
    let mut client = rfc_client().await;
    for (tag, response) in [("A01", "="), ("A02", "=AAA"), ("A03", "AAA=BBB")] {
        let output = client
            .send(&format!("{tag} AUTHENTICATE PLAIN {response}\r\n"))
            .await;
        assert!(output.starts_with(&format!("{tag} BAD ")), "{output}");
    }
}
