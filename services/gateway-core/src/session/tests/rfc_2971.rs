//! RFC 2971 (ID). The RFC's own text was not found in the sources this was
//! checked against: the two exchanges below (`a023 ID (...)` with the
//! "sodr" client's parameters, and `a042 ID NIL`) are the examples as
//! quoted by third-party parser test suites, not verified against the RFC,
//! and their section numbers are unknown. Whatever the client sends, the
//! server answers its own `* ID` parameter list, before or after login.

use super::support::{assert_responses, logged_in};
use crate::testing::TestClient;

/// Our `* ID` response line.
fn server_id() -> String {
    format!(
        "* ID (\"name\" \"Mailkeep\" \"version\" \"{}\")\r\n",
        env!("CARGO_PKG_VERSION")
    )
}

// The `a023 ID (...)` example, sent before login.
#[tokio::test]
async fn rfc2971_id_with_parameters() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client
        .send("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\")\r\n")
        .await;
    assert_eq!(output, format!("{}a023 OK ID completed\r\n", server_id()));
    assert_responses(&output);
}

// The `a042 ID NIL` example, here after login.
#[tokio::test]
async fn rfc2971_id_nil() {
    let mut client = logged_in().await;
    let output = client.send("a042 ID NIL\r\n").await;
    assert_eq!(output, format!("{}a042 OK ID completed\r\n", server_id()));
    assert_responses(&output);
}
