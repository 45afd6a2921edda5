//! The RFC 7162 (CONDSTORE, QRESYNC) examples that `condstore.rs` and
//! `qresync.rs` do not already replay: a conditional STORE of `*` with a
//! keyword, a conditional STORE racing another session's change, the
//! empty SEARCH with NOT MODSEQ, and SELECT QRESYNC with
//! sequence-match data. MODSEQs and UIDVALIDITY are this backend's.

use super::support::{
    assert_responses, deliver, expunge_elsewhere, fetch_modseq, flag_elsewhere, inbox_with,
    logged_in, message, modseq_in, uidvalidity,
};
use crate::backend::{Flags, SystemFlags};

// RFC 7162 §3.1.3 example 4: `a104 STORE * (UNCHANGEDSINCE 12121230045)
// +FLAGS.SILENT (\Deleted $Processed)` answers only `* 50 FETCH (MODSEQ
// (12111230047))` and the tagged OK.
#[tokio::test]
async fn rfc7162_conditional_store_of_the_last_message() {
    let mut client = inbox_with(&["1", "2", "3"]).await;
    let known = fetch_modseq(&mut client, 3).await;
    let output = client
        .send(&format!(
            "a104 STORE * (UNCHANGEDSINCE {known}) +FLAGS.SILENT (\\Deleted $Processed)\r\n"
        ))
        .await;
    let stored = modseq_in(&output);
    assert!(stored > known);
    assert_eq!(
        output,
        format!("* 3 FETCH (MODSEQ ({stored}))\r\na104 OK STORE completed\r\n")
    );
    assert_responses(&output);
    let output = client.send("a105 FETCH 3 FLAGS\r\n").await;
    assert!(
        output.starts_with("* 3 FETCH (FLAGS (\\Deleted $Processed \\Recent) MODSEQ ("),
        "{output}"
    );
}

// RFC 7162 §3.1.3 example 6: another session set \Seen on 7 and 9 after
// the client's UNCHANGEDSINCE: `a105 STORE 7,5,9 (UNCHANGEDSINCE
// 320162338) +FLAGS.SILENT (\Deleted)` stores only 5 and answers
// `[MODIFIED 7,9]`; the other session's flags on 7 and 9 reach the client
// with their MODSEQ (here 1 and 3 stand for 7 and 9, 2 for 5).
#[tokio::test]
async fn rfc7162_conditional_store_racing_another_session() {
    let mut client = inbox_with(&["1", "2", "3"]).await;
    let known = fetch_modseq(&mut client, 3).await;
    flag_elsewhere(&client, &[(1, 1), (3, 3)], SystemFlags::SEEN).await;
    let output = client
        .send(&format!(
            "a105 STORE 1,2,3 (UNCHANGEDSINCE {known}) +FLAGS.SILENT (\\Deleted)\r\n"
        ))
        .await;
    assert!(
        output.ends_with("a105 OK [MODIFIED 1,3] conditional STORE failed for some messages\r\n"),
        "{output}"
    );
    assert!(output.contains("* 2 FETCH (MODSEQ ("), "{output}");
    assert_responses(&output);
    let reported = format!("{output}{}", client.send("a106 NOOP\r\n").await);
    for seq in [1, 3] {
        assert!(
            reported.contains(&format!("* {seq} FETCH (FLAGS (\\Seen \\Recent) MODSEQ (")),
            "{reported}"
        );
    }
    assert!(!reported.contains("\\Deleted \\Seen"), "{reported}");
}

// RFC 7162 §3.1.5 second example: `t SEARCH OR NOT MODSEQ 720162338
// LARGER 50000` finds nothing and answers `* SEARCH` without MODSEQ. As
// MODSEQ in SEARCH enables CONDSTORE, the first one also reports
// HIGHESTMODSEQ (§3.1).
#[tokio::test]
async fn rfc7162_search_not_modseq_finding_nothing() {
    let mut client = inbox_with(&["1", "2"]).await;
    let output = client
        .send("t SEARCH OR NOT MODSEQ 1 LARGER 50000\r\n")
        .await;
    assert_eq!(
        output,
        "* OK [HIGHESTMODSEQ 3] CONDSTORE enabled\r\n* SEARCH\r\nt OK SEARCH completed\r\n"
    );
    assert_responses(&output);
}

// RFC 7162 §3.2.5.2 example B04: `SELECT INBOX (QRESYNC (67890007
// 90060115194045000 1:29997 (5000,7500,... 15000,22500,...)))`: the
// sequence-match data tells the server which UIDs the client saw at which
// sequence numbers; messages expunged meanwhile are reported VANISHED
// (EARLIER) whether the data lets the server narrow the range or not.
#[tokio::test]
async fn rfc7162_select_qresync_with_sequence_match_data() {
    let mut client = logged_in().await;
    for number in 1..=8 {
        deliver(&client, &message(&number.to_string()), Flags::default());
    }
    client.send("e1 ENABLE QRESYNC\r\n").await;
    let output = client.send("s1 SELECT INBOX\r\n").await;
    let known = output
        .split("[HIGHESTMODSEQ ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("{output}"))
        .to_owned();
    let validity = uidvalidity(&client, "INBOX").await;
    client.send("u1 UNSELECT\r\n").await;
    expunge_elsewhere(&client, &[(3, 3), (7, 7)]).await;
    let output = client
        .send(&format!(
            "B04 SELECT INBOX (QRESYNC ({validity} {known} 1:8 (2,4,6,8 2,4,6,8)))\r\n"
        ))
        .await;
    assert!(output.contains("* 6 EXISTS\r\n"), "{output}");
    assert!(output.contains("* VANISHED (EARLIER) 3,7\r\n"), "{output}");
    assert!(!output.contains(" FETCH "), "{output}");
    assert!(
        output.ends_with("B04 OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
    assert_responses(&output.replace("* VANISHED (EARLIER) 3,7\r\n", ""));
}
