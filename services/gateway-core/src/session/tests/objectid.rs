//! OBJECTID (RFC 8474) over the memory backend: MAILBOXID on CREATE,
//! SELECT and STATUS (kept by RENAME), EMAILID and THREADID fetch items
//! (EMAILID kept by MOVE and COPY), and the EMAILID/THREADID search keys.
//! imap-codec does not know EMAILID/THREADID, so those lines skip the oracle.

use super::support::{assert_responses, inbox_with};

/// The id inside `<item> (<id>)` in `output`.
pub(super) fn object_id<'a>(output: &'a str, item: &str) -> &'a str {
    output
        .split(&format!("{item} ("))
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no {item} in {output:?}"))
}

#[tokio::test]
async fn rfc8474_mailbox_ids_are_stable_across_rename() {
    let mut client = inbox_with(&["one"]).await;
    // §4.1: CREATE answers the new id.
    let output = client.send("3 CREATE foo\r\n").await;
    let created = object_id(&output, "MAILBOXID").to_owned();
    assert_eq!(
        output,
        format!("3 OK [MAILBOXID ({created})] CREATE completed\r\n")
    );
    assert_responses(&output);
    // §4.2: RENAME keeps it; STATUS and SELECT report it.
    client.send("5 RENAME foo bar\r\n").await;
    let output = client.send("6 STATUS bar (MAILBOXID)\r\n").await;
    assert_eq!(
        output,
        format!("* STATUS bar (MAILBOXID ({created}))\r\n6 OK STATUS completed\r\n")
    );
    let output = client.send("7 SELECT bar\r\n").await;
    assert!(
        output.contains(&format!("* OK [MAILBOXID ({created})] mailbox id\r\n")),
        "{output}"
    );
    assert_responses(&output);
    // Object ids are 1-255 of [A-Za-z0-9_-] (§7).
    assert!(created.len() <= 255);
    assert!(
        created
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'))
    );
}

#[tokio::test]
async fn rfc8474_email_and_thread_ids() {
    let mut client = inbox_with(&["one", "two"]).await;
    // §5.1 / §5.2: the fetch items.
    let output = client.send("27 FETCH 1:2 (EMAILID THREADID)\r\n").await;
    assert!(output.ends_with("27 OK FETCH completed\r\n"), "{output}");
    let lines: Vec<&str> = output.lines().collect();
    let first = object_id(lines[0], "EMAILID").to_owned();
    let second = object_id(lines[1], "EMAILID").to_owned();
    assert_ne!(first, second);
    assert!(lines[0].contains("THREADID ("), "{output}");
    // §6: SEARCH EMAILID / THREADID, also combined with other keys.
    let output = client
        .send(&format!("28 SEARCH EMAILID {second}\r\n"))
        .await;
    assert_eq!(output, "* SEARCH 2\r\n28 OK SEARCH completed\r\n");
    let thread = object_id(lines[0], "THREADID").to_owned();
    let output = client
        .send(&format!(
            "29 UID SEARCH OR THREADID {thread} EMAILID nope\r\n"
        ))
        .await;
    assert_eq!(output, "* SEARCH 1\r\n29 OK SEARCH completed\r\n");
    let output = client
        .send(&format!("30 SEARCH NOT EMAILID {first}\r\n"))
        .await;
    assert_eq!(output, "* SEARCH 2\r\n30 OK SEARCH completed\r\n");
    // §5.1: MOVE and COPY keep EMAILID.
    client.send("31 COPY 1 Archive\r\n").await;
    client.send("32 MOVE 2 Archive\r\n").await;
    client.send("33 SELECT Archive\r\n").await;
    let output = client.send("34 FETCH 1:2 (EMAILID)\r\n").await;
    assert!(
        output.starts_with(&format!(
            "* 1 FETCH (EMAILID ({first}))\r\n* 2 FETCH (EMAILID ({second}))\r\n"
        )),
        "{output}"
    );
}
