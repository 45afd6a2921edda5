//! CONDSTORE (RFC 7162 §3.1) over the memory backend: how it is enabled,
//! HIGHESTMODSEQ on SELECT and STATUS, MODSEQ in every FETCH of flags once
//! enabled (also after `.SILENT`), `[MODIFIED]`, and the MODSEQ that SEARCH
//! and ESEARCH report. The RFC's examples, with this backend's numbers.

use super::support::{
    assert_responses, fetch_modseq, flag_elsewhere, inbox_with, logged_in, modseq_in,
};
use crate::backend::SystemFlags;

#[tokio::test]
async fn enable_condstore_and_select_condstore() {
    // RFC 7162 §3.1.1 / RFC 5161 §4.
    let mut client = logged_in().await;
    let output = client.send("a1 ENABLE CONDSTORE X-UNKNOWN\r\n").await;
    assert_eq!(output, "* ENABLED CONDSTORE\r\na1 OK ENABLE completed\r\n");
    assert_eq!(
        client.send("a2 ENABLE CONDSTORE\r\n").await,
        "* ENABLED\r\na2 OK ENABLE completed\r\n"
    );
    // RFC 7162 §3.1.8: SELECT (CONDSTORE) answers HIGHESTMODSEQ.
    let output = client.send("a3 SELECT INBOX (CONDSTORE)\r\n").await;
    assert!(output.contains("* OK [HIGHESTMODSEQ "), "{output}");
    assert!(!output.contains("NOMODSEQ"), "{output}");
    assert!(output.ends_with("a3 OK [READ-WRITE] SELECT completed\r\n"));
    assert_responses(&output);
}

#[tokio::test]
async fn a_condstore_enabling_command_reports_highestmodseq_once() {
    // RFC 7162 §3.1: enabled by FETCH MODSEQ while selected.
    let mut client = inbox_with(&["one", "two"]).await;
    let output = client.send("f1 FETCH 1 (MODSEQ)\r\n").await;
    assert!(
        output.starts_with("* OK [HIGHESTMODSEQ 3] CONDSTORE enabled\r\n* 1 FETCH (MODSEQ ("),
        "{output}"
    );
    assert_responses(&output);
    let output = client.send("f2 FETCH 2 (MODSEQ)\r\n").await;
    assert!(output.starts_with("* 2 FETCH (MODSEQ ("), "{output}");
    // Enabled: flags come with their MODSEQ, in STORE and FETCH answers.
    let output = client.send("s1 STORE 1 +FLAGS (\\Seen)\r\n").await;
    let stored = modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ ({stored}))\r\ns1 OK STORE completed\r\n"
        )
    );
    let output = client.send("f3 FETCH 1 FLAGS\r\n").await;
    assert_eq!(
        output,
        format!(
            "* 1 FETCH (FLAGS (\\Seen \\Recent) MODSEQ ({stored}))\r\nf3 OK FETCH completed\r\n"
        )
    );
    // RFC 7162 §3.1.3: .SILENT drops FLAGS, never MODSEQ.
    let output = client.send("s2 STORE 2 +FLAGS.SILENT (\\Seen)\r\n").await;
    let silenced = modseq_in(&output);
    assert!(silenced > stored);
    assert_eq!(
        output,
        format!("* 2 FETCH (MODSEQ ({silenced}))\r\ns2 OK STORE completed\r\n")
    );
    assert_responses(&output);
    // Another session's change reaches us with MODSEQ.
    flag_elsewhere(&client, &[(2, 2)], SystemFlags::FLAGGED).await;
    let output = client.send("n1 NOOP\r\n").await;
    let elsewhere = modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* 2 FETCH (FLAGS (\\Flagged \\Seen \\Recent) MODSEQ ({elsewhere}))\r\n\
             n1 OK NOOP completed\r\n"
        )
    );
}

#[tokio::test]
async fn rfc7162_conditional_store_examples() {
    // §3.1.3 example 3 shape: UID STORE (UNCHANGEDSINCE) +FLAGS.SILENT
    // answers UID and MODSEQ of each stored message.
    let mut client = inbox_with(&["1", "2", "3", "4"]).await;
    let known = fetch_modseq(&mut client, 4).await;
    let output = client
        .send(&format!(
            "a103 UID STORE 4,2 (UNCHANGEDSINCE {known}) +FLAGS.SILENT (\\Deleted)\r\n"
        ))
        .await;
    assert!(output.starts_with("* 2 FETCH (UID 2 MODSEQ ("), "{output}");
    assert!(output.contains("* 4 FETCH (UID 4 MODSEQ ("), "{output}");
    assert!(output.ends_with("a103 OK STORE completed\r\n"), "{output}");
    assert_responses(&output);
    // §3.1.3 example 6 shape: messages changed since the client's MODSEQ
    // fail and are listed in MODIFIED (sequence numbers for STORE).
    let output = client
        .send(&format!(
            "d105 STORE 3,2,4 (UNCHANGEDSINCE {known}) +FLAGS.SILENT (\\Seen)\r\n"
        ))
        .await;
    assert!(output.starts_with("* 3 FETCH (MODSEQ ("), "{output}");
    assert!(
        output.ends_with("d105 OK [MODIFIED 2,4] conditional STORE failed for some messages\r\n"),
        "{output}"
    );
    // ... and UIDs for UID STORE.
    let output = client
        .send(&format!(
            "d106 UID STORE 2 (UNCHANGEDSINCE {known}) FLAGS (\\Seen)\r\n"
        ))
        .await;
    assert_eq!(
        output,
        "d106 OK [MODIFIED 2] conditional STORE failed for some messages\r\n"
    );
    // Example 8: UNCHANGEDSINCE 0 always fails: every message has a MODSEQ.
    let output = client
        .send("a106 STORE 1,3 (UNCHANGEDSINCE 0) +FLAGS (\\Answered)\r\n")
        .await;
    assert_eq!(
        output,
        "a106 OK [MODIFIED 1,3] conditional STORE failed for some messages\r\n"
    );
    let output = client.send("f1 FETCH 1 FLAGS\r\n").await;
    assert!(!output.contains("Answered"), "{output}");
}

#[tokio::test]
async fn rfc7162_fetch_changedsince_and_search_modseq() {
    let mut client = inbox_with(&["1", "2", "3"]).await;
    let before = fetch_modseq(&mut client, 3).await;
    client.send("s1 STORE 2 +FLAGS.SILENT (\\Draft)\r\n").await;
    // §3.1.4.1: only messages changed since, with MODSEQ (and UID).
    let output = client
        .send(&format!(
            "s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE {before})\r\n"
        ))
        .await;
    let draft = modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* 2 FETCH (UID 2 FLAGS (\\Draft \\Recent) MODSEQ ({draft}))\r\n\
             s100 OK FETCH completed\r\n"
        )
    );
    // §3.1.5: SEARCH MODSEQ, with the entry-name form, answers the
    // highest MODSEQ of the matches; nothing found, no MODSEQ.
    let output = client
        .send(&format!(
            "a SEARCH MODSEQ \"/flags/\\\\draft\" all {}\r\n",
            before + 1
        ))
        .await;
    assert_eq!(
        output,
        format!("* SEARCH 2 (MODSEQ {draft})\r\na OK SEARCH completed\r\n")
    );
    assert_responses(&output);
    let output = client
        .send(&format!("b SEARCH MODSEQ {}\r\n", draft + 1))
        .await;
    assert_eq!(output, "* SEARCH\r\nb OK SEARCH completed\r\n");
    // RFC 4731 + RFC 7162 §3.1.5: ESEARCH carries MODSEQ too.
    let output = client.send("c SEARCH RETURN (COUNT) MODSEQ 1\r\n").await;
    assert!(
        output.starts_with("* ESEARCH (TAG \"c\") COUNT 3 MODSEQ "),
        "{output}"
    );
}

#[tokio::test]
async fn rfc7162_status_highestmodseq() {
    // §3.1.6.
    let mut client = inbox_with(&["1", "2"]).await;
    let output = client
        .send("A042 STATUS INBOX (UIDNEXT MESSAGES HIGHESTMODSEQ)\r\n")
        .await;
    // Enabled while INBOX is selected: its HIGHESTMODSEQ comes first.
    assert_eq!(
        output,
        "* OK [HIGHESTMODSEQ 3] CONDSTORE enabled\r\n\
         * STATUS INBOX (UIDNEXT 3 MESSAGES 2 HIGHESTMODSEQ 3)\r\n\
         A042 OK STATUS completed\r\n"
    );
    assert_responses(&output);
    // STATUS HIGHESTMODSEQ is CONDSTORE-enabling.
    let output = client.send("s1 STORE 1 +FLAGS (\\Seen)\r\n").await;
    assert!(output.contains(" MODSEQ ("), "{output}");
}

#[tokio::test]
async fn esearch_modseq_follows_the_returned_messages() {
    // RFC 7162 §3.1.5 with RFC 4731: MIN/MAX alone report their own
    // message's MODSEQ; ALL and COUNT the highest of every match.
    let mut client = inbox_with(&["1", "2", "3", "4"]).await;
    // FETCH MODSEQ enables CONDSTORE, so STORE answers MODSEQ.
    fetch_modseq(&mut client, 1).await;
    let mut modseqs = [0; 5];
    for seq in [1, 3, 2, 4] {
        let output = client
            .send(&format!("s{seq} STORE {seq} +FLAGS (\\Seen)\r\n"))
            .await;
        modseqs[seq] = modseq_in(&output);
    }
    let cases = [
        ("RETURN (MIN) 1:3", format!("MIN 1 MODSEQ {}", modseqs[1])),
        ("RETURN (MAX) 1:3", format!("MAX 3 MODSEQ {}", modseqs[3])),
        ("RETURN () 1:3", format!("ALL 1:3 MODSEQ {}", modseqs[2])),
        (
            "RETURN (MIN MAX) 2:3",
            format!("MIN 2 MAX 3 MODSEQ {}", modseqs[2]),
        ),
        (
            "RETURN (COUNT) 3:4",
            format!("COUNT 2 MODSEQ {}", modseqs[4]),
        ),
    ];
    for (criteria, expected) in cases {
        let output = client
            .send(&format!("e SEARCH {criteria} MODSEQ 1\r\n"))
            .await;
        assert_eq!(
            output,
            format!("* ESEARCH (TAG \"e\") {expected}\r\ne OK SEARCH completed\r\n"),
            "{criteria}"
        );
    }
}

// RFC 7162 §3.1.3, the note after example 11: `e105 STORE 7,3:9
// (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\Deleted)` names 7 twice,
// and "the server must not fail the operation for message 7 as part of
// processing "3:9" if it succeeded when message 7 was processed the first
// time". We fold the set first, so 7 is stored and reported once.
#[tokio::test]
async fn rfc7162_conditional_store_with_a_repeated_message() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5", "6", "7", "8", "9"]).await;
    let known = fetch_modseq(&mut client, 9).await;
    let output = client
        .send(&format!(
            "e105 STORE 7,3:9 (UNCHANGEDSINCE {known}) +FLAGS.SILENT (\\Deleted)\r\n"
        ))
        .await;
    assert!(output.ends_with("e105 OK STORE completed\r\n"), "{output}");
    for seq in 3..=9 {
        let line = format!("* {seq} FETCH (MODSEQ (");
        assert_eq!(output.matches(&line).count(), 1, "{output}");
    }
    assert_responses(&output);
}
