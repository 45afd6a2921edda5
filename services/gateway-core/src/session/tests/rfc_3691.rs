//! RFC 3691 (UNSELECT) §2 example: leave the selected mailbox without
//! expunging, and refuse UNSELECT when nothing is selected.

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
    // Back in the authenticated state: a second UNSELECT has nothing to leave.
    let output = client.send("A342 UNSELECT\r\n").await;
    assert!(output.starts_with("A342 BAD "), "{output}");
}
