//! CONTEXT=SEARCH (RFC 5267 §4) and PARTIAL over a session, after the
//! imaptest `search-context-update*` and `search-partial` scripts: the
//! session's own STORE, EXPUNGE and new arrivals update a live search with
//! ADDTO/REMOVEFROM, other sessions' changes arrive with the next sync,
//! CANCELUPDATE ends a context and too many contexts get NOUPDATE.

use super::support::{deliver, expunge_elsewhere, flag_elsewhere, inbox_with, message};
use crate::backend::{Flags, SystemFlags};
use crate::session::search_context::MAX_SEARCH_CONTEXTS;

#[tokio::test]
async fn own_store_expunge_and_arrivals_update_the_context() {
    let mut client = inbox_with(&["a", "b", "c", "d", "e"]).await;
    assert_eq!(
        client.send("S1 SEARCH RETURN (UPDATE) SEEN\r\n").await,
        "* ESEARCH (TAG \"S1\")\r\nS1 OK SEARCH completed\r\n"
    );
    let output = client
        .send("A1 STORE 1,2,4 +FLAGS.SILENT (\\Seen)\r\n")
        .await;
    assert_eq!(
        output,
        "* ESEARCH (TAG \"S1\") ADDTO (0 1:2,4)\r\nA1 OK STORE completed\r\n"
    );
    let output = client.send("A2 STORE 1,2 -FLAGS.SILENT (\\Seen)\r\n").await;
    assert_eq!(
        output,
        "* ESEARCH (TAG \"S1\") REMOVEFROM (0 1:2)\r\nA2 OK STORE completed\r\n"
    );
    client
        .send("A3 STORE 3:5 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    // REMOVEFROM uses the numbers before the EXPUNGEs it precedes.
    assert_eq!(
        client.send("A4 EXPUNGE\r\n").await,
        "* ESEARCH (TAG \"S1\") REMOVEFROM (0 4)\r\n\
         * 5 EXPUNGE\r\n* 4 EXPUNGE\r\n* 3 EXPUNGE\r\nA4 OK EXPUNGE completed\r\n"
    );
    let seen = Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: Vec::new(),
    };
    deliver(&client, &message("f"), seen);
    let output = client.send("A5 NOOP\r\n").await;
    assert!(output.starts_with("* 3 EXISTS\r\n"), "{output}");
    assert!(
        output.ends_with("* ESEARCH (TAG \"S1\") ADDTO (0 3)\r\nA5 OK NOOP completed\r\n"),
        "{output}"
    );
    assert_eq!(
        client.send("A6 CANCELUPDATE \"S1\"\r\n").await,
        "A6 OK CANCELUPDATE completed\r\n"
    );
    assert_eq!(
        client.send("A7 STORE 1 +FLAGS.SILENT (\\Seen)\r\n").await,
        "A7 OK STORE completed\r\n"
    );
    let output = client.send("A8 CANCELUPDATE \"S1\"\r\n").await;
    assert!(output.starts_with("A8 BAD "), "{output}");
}

#[tokio::test]
async fn other_sessions_changes_update_uid_contexts_by_uid() {
    let mut client = inbox_with(&["a", "b", "c", "d"]).await;
    assert_eq!(
        client
            .send("U1 UID SEARCH RETURN (UPDATE ALL) OR FLAGGED SUBJECT b\r\n")
            .await,
        "* ESEARCH (TAG \"U1\") UID ALL 2\r\nU1 OK SEARCH completed\r\n"
    );
    flag_elsewhere(&client, &[(3, 4)], SystemFlags::FLAGGED).await;
    let output = client.poll().await;
    assert!(
        output.ends_with("* ESEARCH (TAG \"U1\") UID ADDTO (0 3:4)\r\n"),
        "{output}"
    );
    expunge_elsewhere(&client, &[(2, 3)]).await;
    // EXPUNGE waits for a command that allows it.
    let output = client.send("N1 NOOP\r\n").await;
    assert!(
        output.starts_with("* ESEARCH (TAG \"U1\") UID REMOVEFROM (0 2:3)\r\n"),
        "{output}"
    );
    assert!(
        output.contains("* 3 EXPUNGE\r\n* 2 EXPUNGE\r\n"),
        "{output}"
    );
}

// RFC 5267 §4.3.1: past the limit a search is answered but not kept.
#[tokio::test]
async fn too_many_contexts_answer_noupdate() {
    let mut client = inbox_with(&["a"]).await;
    for index in 0..MAX_SEARCH_CONTEXTS {
        let output = client
            .send(&format!("C{index} SEARCH RETURN (UPDATE COUNT) ALL\r\n"))
            .await;
        assert!(output.ends_with(" OK SEARCH completed\r\n"), "{output}");
    }
    assert_eq!(
        client.send("X1 SEARCH RETURN (UPDATE COUNT) ALL\r\n").await,
        "* ESEARCH (TAG \"X1\") COUNT 1\r\n* NO [NOUPDATE \"X1\"] Too many search contexts\r\n\
         X1 OK SEARCH completed\r\n"
    );
}

// The search-partial script's sequence-number cases.
#[tokio::test]
async fn partial_windows_of_sequence_numbers() {
    let mut client = inbox_with(&["a", "b", "c", "d", "e"]).await;
    for (range, criteria, expected) in [
        ("1:1", "ALL", "1:1 1"),
        ("4:2", "ALL", "2:4 2:4"),
        ("1:6", "ALL", "1:6 1:5"),
        ("6:6", "ALL", "6:6 NIL"),
        ("2:3", "1:2,4:5", "2:3 2,4"),
        ("2:10", "1:2,4:5", "2:10 2,4:5"),
    ] {
        let output = client
            .send(&format!(
                "P1 SEARCH RETURN (PARTIAL {range}) {criteria}\r\n"
            ))
            .await;
        assert_eq!(
            output,
            format!("* ESEARCH (TAG \"P1\") PARTIAL ({expected})\r\nP1 OK SEARCH completed\r\n")
        );
    }
}
