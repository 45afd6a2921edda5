//! RFC 3691 (UNSELECT): the one example of §2 (`A341 UNSELECT`, answered
//! OK: the RFC's text "Unselect completed" is ours in capitals), checked
//! to leave a \Deleted message in place, and §2's BAD when no mailbox is
//! selected.

use mailkeep_common::mail::{Flags, SystemFlags};

use super::support::{assert_responses, deliver, logged_in, message, message_count, select_inbox};

// RFC 3691 §2: `A341 UNSELECT`, with a \Deleted message that must stay.
#[tokio::test]
async fn rfc3691_unselect_example() {
    let mut client = logged_in().await;
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    deliver(&client, &message("kept"), deleted);
    select_inbox(&mut client).await;
    let output = client.send("A341 UNSELECT\r\n").await;
    assert_eq!(output, "A341 OK UNSELECT completed\r\n");
    assert_responses(&output);
    assert_eq!(message_count(&client, "INBOX"), 1);
    // §2 Result: BAD when no mailbox is selected; UNSELECT returned the
    // session to the authenticated state.
    let output = client.send("A342 UNSELECT\r\n").await;
    assert!(output.starts_with("A342 BAD "), "{output}");
}
