//! RFC 6851 (MOVE) replayed against a session. The RFC has one example
//! exchange, §3.3's `a UID MOVE 42:69 foo`; the other tests follow its
//! normative text: COPYUID in an untagged OK before the expunges (§4.3),
//! VANISHED instead of EXPUNGE and the HIGHESTMODSEQ response code with
//! QRESYNC/CONDSTORE (§4.4), new MODSEQs for the moved messages (§4.4) and
//! a MOVE into the selected mailbox itself (§3.3).

use super::support::{
    assert_responses, deliver, fetch_modseq, inbox_with, logged_in, message, select_inbox,
    uidvalidity,
};
use crate::backend::Flags;

// RFC 6851 §3.3: `a UID MOVE 42:69 foo` answers `* OK [COPYUID 432432
// 42:69 1202:1229]`, `* 22 EXPUNGE`, "(more expunges)", `a OK Done`. Here
// UIDs 2:4 are messages 2 to 4 and foo is new, so its UIDs start at 1. The
// order of the expunges is ours to choose (RFC 3501 §7.4.1 only asks that
// each number be right when sent): highest first, so none renumbers
// another.
#[tokio::test]
async fn rfc6851_3_3_uid_move_example() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
    client.send("a0 CREATE foo\r\n").await;
    let validity = uidvalidity(&client, "foo").await;
    let output = client.send("a UID MOVE 2:4 foo\r\n").await;
    assert_eq!(
        output,
        format!(
            "* OK [COPYUID {validity} 2:4 1:3] moved\r\n\
             * 4 EXPUNGE\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\na OK MOVE completed\r\n"
        )
    );
    assert_responses(&output);
    assert_eq!(
        client.send("b UID SEARCH ALL\r\n").await,
        "* SEARCH 1 5\r\nb OK SEARCH completed\r\n"
    );
}

// RFC 6851 §4.4: with QRESYNC the UID MOVE answers VANISHED ("SHOULD send
// VANISHED rather than EXPUNGE"), and "the server MUST send the updated
// per-mailbox modification sequence using the HIGHESTMODSEQ response code
// ... in the tagged or untagged OK response".
#[tokio::test]
async fn rfc6851_4_4_uid_move_with_qresync() {
    let mut client = logged_in().await;
    for number in 1..=5 {
        deliver(&client, &message(&number.to_string()), Flags::default());
    }
    client.send("e1 ENABLE QRESYNC\r\n").await;
    select_inbox(&mut client).await;
    client.send("a0 CREATE foo\r\n").await;
    let validity = uidvalidity(&client, "foo").await;
    let before = fetch_modseq(&mut client, 5).await;
    let output = client.send("a UID MOVE 2:4 foo\r\n").await;
    let (untagged, tagged) = output
        .split_once("a OK [HIGHESTMODSEQ ")
        .unwrap_or_else(|| panic!("{output}"));
    assert_eq!(
        untagged,
        format!("* OK [COPYUID {validity} 2:4 1:3] moved\r\n* VANISHED 2:4\r\n")
    );
    let highest: u64 = tagged
        .strip_suffix("] MOVE completed\r\n")
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("{output}"));
    assert!(highest > before, "{output}");
    // imap-codec 2.0 does not know VANISHED.
    assert_responses(&format!("a OK [HIGHESTMODSEQ {tagged}"));
}

// RFC 6851 §4.4, without QRESYNC: a CONDSTORE client gets EXPUNGEs and the
// HIGHESTMODSEQ code; "the server MUST generate and assign new
// modification sequence numbers to the moved messages that are higher
// than the highest modification sequence of the messages originally in
// the mailbox". A client that enabled neither gets no code (RFC 7162 §3.1
// sends MODSEQ data to CONDSTORE-aware clients only).
#[tokio::test]
async fn rfc6851_4_4_move_with_condstore_and_new_modseqs() {
    let mut client = inbox_with(&["1", "2", "3"]).await;
    client
        .send("a0 CREATE foo\r\na1 APPEND foo {1+}\r\nx\r\n")
        .await;
    let output = client.send("a MOVE 3 foo\r\n").await;
    assert!(output.ends_with("\r\na OK MOVE completed\r\n"), "{output}");
    // FETCH MODSEQ is a CONDSTORE-enabling command (RFC 7162 §3.1).
    fetch_modseq(&mut client, 1).await;
    let output = client.send("b MOVE 1 foo\r\n").await;
    assert!(
        output.contains("* 1 EXPUNGE\r\nb OK [HIGHESTMODSEQ "),
        "{output}"
    );
    assert_responses(&output);
    client.send("d SELECT foo\r\n").await;
    let appended = fetch_modseq(&mut client, 1).await;
    for seq in [2, 3] {
        let moved = fetch_modseq(&mut client, seq).await;
        assert!(moved > appended, "message {seq}: {moved} <= {appended}");
    }
}

// RFC 6851 §3.3: "moving a message to the currently selected mailbox ...
// is allowed when copying the message to the currently selected mailbox is
// allowed": the message gets a new UID and the old one is expunged.
#[tokio::test]
async fn rfc6851_3_3_move_into_the_selected_mailbox() {
    let mut client = inbox_with(&["1", "2"]).await;
    let validity = uidvalidity(&client, "INBOX").await;
    let output = client.send("a UID MOVE 1 INBOX\r\n").await;
    assert!(
        output.starts_with(&format!("* OK [COPYUID {validity} 1 3] moved\r\n")),
        "{output}"
    );
    assert!(output.ends_with("a OK MOVE completed\r\n"), "{output}");
    assert!(output.contains("* 1 EXPUNGE\r\n"), "{output}");
    assert_eq!(
        client.send("b UID SEARCH ALL\r\n").await,
        "* SEARCH 2 3\r\nb OK SEARCH completed\r\n"
    );
}
