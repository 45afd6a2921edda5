//! The RFC 8474 (OBJECTID) examples that `objectid.rs` does not already
//! replay: CREATE of an existing name and STATUS of two mailboxes (§4.1),
//! MAILBOXID through LIST-STATUS (§4.2), and UID FETCH of EMAILID and
//! THREADID (§5.1/§5.2: MOVE keeps both). The ids are this server's;
//! lines with MAILBOXID, EMAILID or THREADID skip the imap-codec oracle,
//! which does not know them.

use super::objectid::object_id;
use super::support::{DELIVERED_AT, assert_responses, logged_in, select_inbox};
use crate::backend::Flags;

// RFC 8474 §4.1 example: `3 create foo` and `4 create bar` answer distinct
// MAILBOXIDs, `5 create foo` fails, and `6 status renamed (mailboxid)` /
// `7 status bar (mailboxid)` report each mailbox's own id.
#[tokio::test]
async fn rfc8474_4_1_create_and_status() {
    let mut client = logged_in().await;
    let output = client.send("3 CREATE foo\r\n").await;
    let foo = object_id(&output, "MAILBOXID").to_owned();
    let output = client.send("4 CREATE bar\r\n").await;
    let bar = object_id(&output, "MAILBOXID").to_owned();
    assert_ne!(foo, bar);
    let output = client.send("5 CREATE foo\r\n").await;
    assert!(output.starts_with("5 NO "), "{output}");
    assert!(!output.contains("MAILBOXID"), "{output}");
    client.send("5 RENAME foo renamed\r\n").await;
    assert_eq!(
        client.send("6 STATUS renamed (MAILBOXID)\r\n").await,
        format!("* STATUS renamed (MAILBOXID ({foo}))\r\n6 OK STATUS completed\r\n")
    );
    assert_eq!(
        client.send("7 STATUS bar (MAILBOXID)\r\n").await,
        format!("* STATUS bar (MAILBOXID ({bar}))\r\n7 OK STATUS completed\r\n")
    );
}

// RFC 8474 §4.2 example: `LIST "" "*" RETURN (STATUS (MAILBOXID))` follows
// each LIST line with the mailbox's STATUS carrying its MAILBOXID.
#[tokio::test]
async fn rfc8474_4_2_list_status_mailboxid() {
    let mut client = logged_in().await;
    let output = client.send("3 CREATE foo\r\n").await;
    let foo = object_id(&output, "MAILBOXID").to_owned();
    let output = client
        .send("8 LIST \"\" \"foo\" RETURN (STATUS (MAILBOXID))\r\n")
        .await;
    let (list, status) = output
        .split_once("\r\n")
        .unwrap_or_else(|| panic!("{output}"));
    assert!(list.starts_with("* LIST ("), "{output}");
    assert_responses(&format!("{list}\r\n"));
    assert!(
        status == format!("* STATUS foo (MAILBOXID ({foo}))\r\n8 OK LIST completed\r\n"),
        "{output}"
    );
}

// RFC 8474 §5.1/§5.2 example: `27 uid fetch 20:22 (emailid threadid)`
// answers EMAILID, THREADID and UID; after `28 move 2 foo` the moved
// message keeps both ids.
#[tokio::test]
async fn rfc8474_5_uid_fetch_emailid_threadid_and_move() {
    let mut client = logged_in().await;
    for (id, header, subject) in [
        ("<a@x>", "", "lunch"),
        (
            "<b@x>",
            "In-Reply-To: <a@x>\r\nReferences: <a@x>\r\n",
            "Re: lunch",
        ),
        ("<c@x>", "", "other"),
    ] {
        let raw = format!(
            "Message-ID: {id}\r\n{header}Subject: {subject}\r\nFrom: bob@example.test\r\n\r\nbody\r\n"
        );
        client
            .backend
            .deliver(
                &client.principal,
                "INBOX",
                raw.as_bytes(),
                Flags::default(),
                DELIVERED_AT,
            )
            .unwrap();
    }
    select_inbox(&mut client).await;
    let output = client.send("27 UID FETCH 1:3 (EMAILID THREADID)\r\n").await;
    assert!(output.ends_with("27 OK FETCH completed\r\n"), "{output}");
    let lines: Vec<&str> = output.lines().collect();
    for (index, line) in lines[..3].iter().enumerate() {
        assert!(
            line.starts_with(&format!("* {} FETCH (", index + 1)),
            "{output}"
        );
        assert!(line.contains(&format!("UID {}", index + 1)), "{output}");
    }
    // Replies sharing their parent's THREADID is the metadata store's
    // threading (`metadata/src/sql/threads.rs`); `MemoryBackend` starts a
    // thread per message.
    let email = object_id(lines[1], "EMAILID").to_owned();
    let thread = object_id(lines[1], "THREADID").to_owned();
    client.send("28a CREATE foo\r\n").await;
    let output = client.send("28 MOVE 2 foo\r\n").await;
    assert!(output.starts_with("* OK [COPYUID "), "{output}");
    client.send("29 SELECT foo\r\n").await;
    let output = client.send("30 FETCH 1 (EMAILID THREADID)\r\n").await;
    assert!(output.contains(&format!("EMAILID ({email})")), "{output}");
    assert!(output.contains(&format!("THREADID ({thread})")), "{output}");
}
