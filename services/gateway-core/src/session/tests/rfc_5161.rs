//! RFC 5161 (ENABLE) §3.1 example: CAPABILITY, then ENABLE of an
//! advertised and an unknown extension; only the advertised one is
//! answered in `* ENABLED`.

use super::support::{assert_responses, logged_in};
use crate::testing::TestClient;

// RFC 5161 §3.1: `t2 ENABLE CONDSTORE X-GOOD-IDEA` names one extension we
// advertise (CONDSTORE, standing in for the example's X-GOOD-IDEA) and one
// we do not; `t4 ENABLE MYEXT` names only unknown ones.
#[tokio::test]
async fn rfc5161_enable_example() {
    let mut client = logged_in().await;
    let output = client.send("t1 CAPABILITY\r\n").await;
    assert!(output.contains(" ENABLE "), "{output}");
    assert!(output.contains(" CONDSTORE "), "{output}");
    let output = client.send("t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n").await;
    assert_eq!(output, "* ENABLED CONDSTORE\r\nt2 OK ENABLE completed\r\n");
    assert_responses(&output);
    let output = client.send("t4 ENABLE MYEXT\r\n").await;
    assert_eq!(output, "* ENABLED\r\nt4 OK ENABLE completed\r\n");
}

// RFC 5161 §3.1: ENABLE is valid only in the authenticated state.
#[tokio::test]
async fn rfc5161_enable_before_login_is_refused() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client.send("t1 ENABLE CONDSTORE\r\n").await;
    assert!(output.starts_with("t1 BAD "), "{output}");
    assert_responses(&output);
}
