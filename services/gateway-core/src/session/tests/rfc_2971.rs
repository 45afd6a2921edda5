//! RFC 2971 (ID) §3 examples: the client's parameter list and NIL, answered
//! with our own `* ID` in every state.

use super::support::{assert_responses, logged_in};
use crate::testing::TestClient;

/// Our `* ID` response line.
fn server_id() -> String {
    format!(
        "* ID (\"name\" \"Mailkeep\" \"version\" \"{}\")\r\n",
        env!("CARGO_PKG_VERSION")
    )
}

// RFC 2971 §3, the `a023 ID (...)` example, sent before login (ID is valid
// in every state).
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

// RFC 2971 §3, the `ID NIL` example: `ID NIL`, here after login.
#[tokio::test]
async fn rfc2971_id_nil() {
    let mut client = logged_in().await;
    let output = client.send("a042 ID NIL\r\n").await;
    assert_eq!(output, format!("{}a042 OK ID completed\r\n", server_id()));
    assert_responses(&output);
}
