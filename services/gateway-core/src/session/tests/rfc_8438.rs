//! RFC 8438 (STATUS=SIZE) replayed against a session. §3 has the RFC's
//! three examples: `A01 STATUS frop (MESSAGES SIZE UIDNEXT)`, the SELECT
//! and `A03 FETCH 1:* (RFC822.SIZE)` that give the same total "less
//! efficiently", and `A04 LIST "" % RETURN (STATUS (MESSAGES SIZE))`. Our
//! SIZE is exact: the sum of the messages' RFC822.SIZE, which §3 requires
//! as a lower bound ("MUST be equal to or greater than").

use mailkeep_common::mail::Flags;

use super::support::{assert_responses, defaults_with_status, deliver, logged_in, message};
use crate::testing::TestClient;

const FROP: [&str; 3] = ["one", "two", "three"];

/// A client with INBOX holding two messages and frop the three of [`FROP`].
async fn frop_client() -> TestClient {
    let mut client = logged_in().await;
    deliver(&client, &message("a"), Flags::default());
    deliver(&client, &message("b"), Flags::default());
    let output = client.send("c CREATE frop\r\n").await;
    assert!(output.starts_with("c OK "), "{output}");
    for subject in FROP {
        client
            .backend
            .deliver(
                &client.principal,
                "frop",
                message(subject).as_bytes(),
                Flags::default(),
                0,
            )
            .unwrap();
    }
    client
}

fn total_size(subjects: &[&str]) -> usize {
    subjects.iter().map(|subject| message(subject).len()).sum()
}

// RFC 8438 §3: `A01 STATUS frop (MESSAGES SIZE UIDNEXT)` answers `* STATUS
// frop (MESSAGES 8 SIZE 44421 UIDNEXT 242344)`, here with frop's 3 messages.
#[tokio::test]
async fn rfc8438_3_status_size() {
    let mut client = frop_client().await;
    let size = total_size(&FROP);
    let output = client
        .send("A01 STATUS frop (MESSAGES SIZE UIDNEXT)\r\n")
        .await;
    assert_eq!(
        output,
        format!("* STATUS frop (MESSAGES 3 SIZE {size} UIDNEXT 4)\r\nA01 OK STATUS completed\r\n")
    );
    assert_responses(&output);
    let output = client.send("A02 STATUS Sent (SIZE)\r\n").await;
    assert_eq!(
        output,
        "* STATUS Sent (SIZE 0)\r\nA02 OK STATUS completed\r\n"
    );
}

// RFC 8438 §3: `A02 SELECT "frop"` and `A03 FETCH 1:* (RFC822.SIZE)` give
// the sizes whose sum SIZE reports.
#[tokio::test]
async fn rfc8438_3_size_is_the_sum_of_rfc822_sizes() {
    let mut client = frop_client().await;
    let output = client.send("A01 STATUS frop (SIZE)\r\n").await;
    let size: usize = output
        .split("SIZE ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("{output}"));
    let output = client.send("A02 SELECT \"frop\"\r\n").await;
    assert!(output.contains("* 3 EXISTS\r\n"), "{output}");
    let output = client.send("A03 FETCH 1:* (RFC822.SIZE)\r\n").await;
    let expected: String = FROP
        .iter()
        .enumerate()
        .map(|(index, subject)| {
            format!(
                "* {} FETCH (RFC822.SIZE {})\r\n",
                index + 1,
                message(subject).len()
            )
        })
        .collect();
    assert_eq!(output, format!("{expected}A03 OK FETCH completed\r\n"));
    assert_responses(&output);
    assert_eq!(size, total_size(&FROP));
}

// RFC 8438 §3: `A04 LIST "" % RETURN (STATUS (MESSAGES SIZE))` follows each
// LIST line with the mailbox's STATUS (RFC 5819); our account also has the
// default special-use mailboxes, which `%` lists too.
#[tokio::test]
async fn rfc8438_3_size_through_list_status() {
    let mut client = frop_client().await;
    let output = client
        .send("A04 LIST \"\" % RETURN (STATUS (MESSAGES SIZE))\r\n")
        .await;
    let defaults = defaults_with_status("", "MESSAGES 0 SIZE 0");
    assert_eq!(
        output,
        format!(
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
             * STATUS INBOX (MESSAGES 2 SIZE {})\r\n\
             {defaults}\
             * LIST (\\HasNoChildren) \"/\" frop\r\n\
             * STATUS frop (MESSAGES 3 SIZE {})\r\n\
             A04 OK LIST completed\r\n",
            total_size(&["a", "b"]),
            total_size(&FROP)
        )
    );
    assert_responses(&output);
}
