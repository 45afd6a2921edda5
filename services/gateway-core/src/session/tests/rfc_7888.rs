//! RFC 7888 (LITERAL+) §3 example: a LOGIN whose arguments are both
//! non-synchronising literals, sent without waiting for continuations.

use super::support::assert_responses;
use crate::testing::{TEST_LOGIN, TEST_PASSWORD, TestClient};

// RFC 7888 §3: `A001 LOGIN {11+} FRED FOOBAR {7+} fat man`, with our test
// account's name and password in place of the example's.
#[tokio::test]
async fn rfc7888_login_with_non_synchronising_literals() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client
        .send(&format!(
            "A001 LOGIN {{{}+}}\r\n{TEST_LOGIN} {{{}+}}\r\n{TEST_PASSWORD}\r\n",
            TEST_LOGIN.len(),
            TEST_PASSWORD.len()
        ))
        .await;
    assert!(
        !output.starts_with('+'),
        "no continuation expected: {output}"
    );
    assert!(output.starts_with("A001 OK [CAPABILITY "), "{output}");
    assert_responses(&output);
}
