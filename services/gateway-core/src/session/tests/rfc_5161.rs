//! RFC 5161 (ENABLE): the two examples of §3.1. In the first, the RFC's
//! server knows X-GOOD-IDEA but not CONDSTORE; this one is the other way
//! round, so `* ENABLED` names CONDSTORE, and the point of the example,
//! CAPABILITY unchanged by ENABLE, is asserted as is. Then ENABLE before
//! login, which §3.1 confines to the authenticated state.

use super::support::{assert_responses, logged_in};
use crate::testing::TestClient;

// RFC 5161 §3.1, first example: t1 CAPABILITY, t2 ENABLE CONDSTORE
// X-GOOD-IDEA (the unknown name is ignored), t3 CAPABILITY the same as t1.
#[tokio::test]
async fn rfc5161_capability_is_unchanged_by_enable() {
    let mut client = logged_in().await;
    let before = client.send("t1 CAPABILITY\r\n").await;
    assert!(before.contains(" ENABLE "), "{before}");
    assert!(!before.contains("X-GOOD-IDEA"), "{before}");
    let output = client.send("t2 ENABLE CONDSTORE X-GOOD-IDEA\r\n").await;
    assert_eq!(output, "* ENABLED CONDSTORE\r\nt2 OK ENABLE completed\r\n");
    assert_responses(&output);
    let after = client.send("t3 CAPABILITY\r\n").await;
    assert_eq!(after.replace("t3 ", "t1 "), before);
}

// RFC 5161 §3.1, second example: `a1 ENABLE CONDSTORE`; a second ENABLE
// of it answers only what that command enabled (§3.1: nothing new here).
#[tokio::test]
async fn rfc5161_enable_condstore() {
    let mut client = logged_in().await;
    let output = client.send("a1 ENABLE CONDSTORE\r\n").await;
    assert_eq!(output, "* ENABLED CONDSTORE\r\na1 OK ENABLE completed\r\n");
    assert_responses(&output);
    assert_eq!(
        client.send("a2 ENABLE CONDSTORE\r\n").await,
        "* ENABLED\r\na2 OK ENABLE completed\r\n"
    );
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
