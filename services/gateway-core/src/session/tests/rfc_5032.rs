//! The example of RFC 5032 (WITHIN) §3 replayed against a session.

use super::support::{assert_responses, inbox_with};

// RFC 5032 §3 example: `a1 SEARCH UNSEEN YOUNGER 259200` answers the unseen
// messages that arrived within the last three days. Here every message
// arrived two hours before the session clock; 2 and 4 are \Seen.
#[tokio::test]
async fn rfc5032_unseen_younger_than_three_days() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
    client.send("a0 STORE 2,4 +FLAGS.SILENT (\\Seen)\r\n").await;
    let output = client.send("a1 SEARCH UNSEEN YOUNGER 259200\r\n").await;
    assert_eq!(output, "* SEARCH 1 3 5\r\na1 OK SEARCH completed\r\n");
    assert_responses(&output);
    assert_eq!(
        client.send("a2 SEARCH UNSEEN OLDER 259200\r\n").await,
        "* SEARCH\r\na2 OK SEARCH completed\r\n"
    );
}
