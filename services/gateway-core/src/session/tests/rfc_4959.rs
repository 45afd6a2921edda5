//! RFC 4959 (SASL-IR) §3 example: SASL-IR and AUTH=PLAIN advertised, then
//! AUTHENTICATE PLAIN with its initial response on the command line.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::support::assert_responses;
use crate::testing::{TEST_LOGIN, TEST_PASSWORD, TestClient};

// RFC 4959 §3: `A01 CAPABILITY` then `A02 AUTHENTICATE PLAIN
// dGVzdAB0ZXN0AHRlc3Q=`, with our account's credentials encoded instead.
#[tokio::test]
async fn rfc4959_authenticate_with_initial_response() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client.send("A01 CAPABILITY\r\n").await;
    assert!(output.contains(" SASL-IR "), "{output}");
    assert!(output.contains(" AUTH=PLAIN"), "{output}");
    let response = BASE64.encode(format!("{TEST_LOGIN}\0{TEST_LOGIN}\0{TEST_PASSWORD}"));
    let output = client
        .send(&format!("A02 AUTHENTICATE PLAIN {response}\r\n"))
        .await;
    assert!(
        !output.starts_with('+'),
        "no continuation expected: {output}"
    );
    assert!(output.starts_with("A02 OK [CAPABILITY "), "{output}");
    assert_responses(&output);
}
