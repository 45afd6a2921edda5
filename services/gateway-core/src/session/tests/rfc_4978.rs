//! RFC 4978 (COMPRESS=DEFLATE), the command and response side; the deflate
//! stream itself is the gateway crate's. The RFC has two examples, both in
//! §3: the login sequence (`c compress deflate` answered OK) and a server
//! refusing to compress twice (`c NO [COMPRESSIONACTIVE] DEFLATE active
//! via TLS`). Also §3's Result list (BAD for an unknown argument or for
//! COMPRESS already active) and §5's grammar (`command-auth`, strings
//! case-insensitive).

use super::support::{assert_responses, logged_in};
use crate::session::{ConnectionInfo, Flow, SessionConfig};
use crate::testing::{TEST_LOGIN, TEST_PASSWORD, TestClient};

// RFC 4978 §3, the first example: after STARTTLS and LOGIN, `c compress
// deflate` is answered OK and from the octet after its CRLF on the stream
// is compressed (the session hands `Flow::Compress` to the driver). The
// RFC's trace answers `d OK DEFLATE active`, a typo for tag `c`. Lower
// case works, as §5 requires.
#[tokio::test]
async fn rfc4978_login_sequence_example() {
    let connection = ConnectionInfo {
        tls_active: true,
        trusted_peer: false,
        starttls_available: false,
    };
    let mut client = TestClient::new(connection, SessionConfig::default());
    let greeting = client.greet().await;
    assert!(greeting.contains(" COMPRESS=DEFLATE"), "{greeting}");
    let output = client
        .send(&format!("b login {TEST_LOGIN} \"{TEST_PASSWORD}\"\r\n"))
        .await;
    assert!(output.starts_with("b OK "), "{output}");
    let output = client.send("c compress deflate\r\n").await;
    assert_eq!(output, "c OK DEFLATE active\r\n");
    assert_responses(&output);
    assert_eq!(client.flow, Flow::Compress);
}

// RFC 4978 §3, the second example refuses with `NO [COMPRESSIONACTIVE]`
// because TLS already compresses; "NO Compression is already active via
// another layer". Our TLS never negotiates compression, so that case does
// not arise; a second COMPRESS on the same layer is "BAD ... COMPRESS
// already active" (Result list), and the stream stays as it is.
#[tokio::test]
async fn rfc4978_second_compress_is_bad() {
    let mut client = logged_in().await;
    assert_eq!(
        client.send("a COMPRESS DEFLATE\r\n").await,
        "a OK DEFLATE active\r\n"
    );
    let output = client.send("c compress deflate\r\n").await;
    assert_eq!(output, "c BAD COMPRESS is already active\r\n");
    assert_responses(&output);
    assert_eq!(client.flow, Flow::Continue);
}

// RFC 4978 §5: `command-auth =/ compress`, so not before authentication;
// §3: BAD for an unknown argument, and "If the server issues a BAD or NO
// response, the server MUST NOT turn on compression."
#[tokio::test]
async fn rfc4978_bad_before_login_and_for_unknown_mechanisms() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client.send("a COMPRESS DEFLATE\r\n").await;
    assert!(output.starts_with("a BAD "), "{output}");
    assert_eq!(client.flow, Flow::Continue);
    let mut client = logged_in().await;
    let output = client.send("b COMPRESS X-UNKNOWN\r\n").await;
    assert!(output.starts_with("b BAD "), "{output}");
    assert_eq!(client.flow, Flow::Continue);
    assert_eq!(client.send("c NOOP\r\n").await, "c OK NOOP completed\r\n");
}
