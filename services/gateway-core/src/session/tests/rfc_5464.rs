//! RFC 5464 (METADATA) §4 examples not replayed in `metadata.rs`: several
//! entries set in one SETMETADATA and read back together, on a mailbox and
//! on the server.

use super::support::logged_in;

// RFC 5464 §4.3, the example setting a private and a shared comment in one
// command, then §4.2's GETMETADATA of both entries.
#[tokio::test]
async fn rfc5464_set_several_entries_example() {
    let mut client = logged_in().await;
    let output = client
        .send(
            "a SETMETADATA INBOX (/private/comment \"My new comment\" \
             /shared/comment \"This one is for you!\")\r\n",
        )
        .await;
    assert_eq!(output, "a OK SETMETADATA completed\r\n");
    let output = client
        .send("b GETMETADATA INBOX (/shared/comment /private/comment)\r\n")
        .await;
    assert_eq!(
        output,
        "* METADATA INBOX (/private/comment \"My new comment\" \
         /shared/comment \"This one is for you!\")\r\nb OK GETMETADATA completed\r\n"
    );
    // The same entries on the server (mailbox name "") are separate.
    let output = client
        .send("c GETMETADATA \"\" (/shared/comment /private/comment)\r\n")
        .await;
    assert_eq!(
        output,
        "* METADATA \"\" (/private/comment NIL /shared/comment NIL)\r\n\
         c OK GETMETADATA completed\r\n"
    );
}
