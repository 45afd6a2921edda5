//! RFC 8438 (STATUS=SIZE) example: `STATUS INBOX (MESSAGES SIZE)` gives
//! the total octets of the mailbox's messages.

use mailkeep_common::mail::Flags;

use super::support::{assert_responses, deliver, logged_in, message};

// RFC 8438's example (MESSAGES and SIZE together), with our messages' counts and sizes.
#[tokio::test]
async fn rfc8438_status_size_example() {
    let mut client = logged_in().await;
    for subject in ["one", "two", "three"] {
        deliver(&client, &message(subject), Flags::default());
    }
    let size: usize = ["one", "two", "three"]
        .iter()
        .map(|subject| message(subject).len())
        .sum();
    let output = client.send("A01 STATUS INBOX (MESSAGES SIZE)\r\n").await;
    assert_eq!(
        output,
        format!("* STATUS INBOX (MESSAGES 3 SIZE {size})\r\nA01 OK STATUS completed\r\n")
    );
    assert_responses(&output);
    let output = client.send("A02 STATUS Sent (SIZE)\r\n").await;
    assert_eq!(
        output,
        "* STATUS Sent (SIZE 0)\r\nA02 OK STATUS completed\r\n"
    );
}
