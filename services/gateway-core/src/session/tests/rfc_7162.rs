//! RFC 7162 (CONDSTORE, QRESYNC), every example of the RFC, with this
//! backend's MODSEQs, UIDs and UIDVALIDITY in place of the RFC's numbers
//! (and small message numbers standing for the RFC's large ones). The
//! RFC numbers the CONDSTORE examples 1 to 20; the QRESYNC ones are
//! named by section. Where each is replayed:
//!
//! - Example 1 (§3.1.2.1 `A142 SELECT INBOX`, `[HIGHESTMODSEQ ...]`) and
//!   18 (§3.1.8 `A142 SELECT INBOX (CONDSTORE)`): `condstore.rs`. Example
//!   2 (`[NOMODSEQ]`) is for mailboxes without mod-sequences; every
//!   mailbox here has them, so it never applies.
//! - §3.1.3: example 3 (`a103 UID STORE 6,4,8 (UNCHANGEDSINCE ...)`), 6
//!   (`d105 STORE 7,5,9`, `[MODIFIED 7,9]`) and 8 (`a102 STORE 12
//!   (UNCHANGEDSINCE 0)`): `condstore.rs`, 6 and 8 also here; 4 (`a104
//!   STORE *`), 5 (`c101`, `* OK [HIGHESTMODSEQ ...]` first), 7 (6 with
//!   the flags of 7 and 9 reported), 9 and 10 (`a106 STORE 100:150`,
//!   `a107` / `b107` / `b108`) and 11 (`B001 STORE 1:7`, `B002`, `b003`):
//!   here; the note's `e105 STORE 7,3:9`: `condstore.rs`.
//! - §3.1.4: example 12 (`s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE
//!   12345)`): `condstore.rs`; 13 (`a FETCH 1:3 (MODSEQ)`) and 14 (the
//!   A160 ... D390 sessions): here.
//! - §3.1.5: example 15 (`a SEARCH MODSEQ "/flags/\\draft" all
//!   620162338`): `condstore.rs`; 16 (`t SEARCH OR NOT MODSEQ 720162338
//!   LARGER 50000`): here. §3.1.7 example 17 (`A042 STATUS blurdybloop
//!   (UIDNEXT MESSAGES HIGHESTMODSEQ)`): `condstore.rs`.
//! - §3.1.10 examples 19 (`a SEARCH RETURN (ALL) MODSEQ 1234`) and 20
//!   (`a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234`), with §3.1.9's SORT
//!   rule (no example there): here.
//! - §3.2.5 `A02 SELECT INBOX (QRESYNC (...))` with a UIDVALIDITY
//!   mismatch, §3.2.5.1 `A03 SELECT ...` (`[CLOSED]`, VANISHED (EARLIER),
//!   the changed messages) and §6's `A142 SELECT INBOX (QRESYNC
//!   (3857529045 20010715194032001 1:198))`: `qresync.rs`; §3.2.5.2 `A04`
//!   and `B04 SELECT ...` (without and with sequence-match data): here.
//! - §3.2.6 `s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345
//!   VANISHED)`, §3.2.7 `A202` / `B202 EXPUNGE`, §3.2.8 `A202 CLOSE`,
//!   §3.2.9 `. UID EXPUNGE 3000:3002`, §3.2.10.2 `A202` / `A210 EXPUNGE`
//!   and §3.2.11 `[CLOSED]`: `qresync.rs`.
//! - §6 `A150 STORE 1:2 (UNCHANGEDSINCE 96)` ... `A152 NOOP`: a VANISHED
//!   withheld during STORE keeps the HIGHESTMODSEQ below it, then comes
//!   with the next NOOP: `qresync.rs`
//!   (`rfc7162_expunge_answers_vanished_and_unsolicited_fetch_has_uid`).
//!   The RFC's `A153 OK` answering `A152` is a typo.
//!
//! Server choices that differ from the RFC's traces: a conditional STORE
//! failing for a message whose other flags changed answers `[MODIFIED]`
//! and reports the message's flags with the next sync (examples 6 and 9),
//! not the §3.1.12 optimisation ("SHOULD avoid generating spurious
//! MODIFIED responses"); EXPUNGE responses come highest number first.

use super::support::{
    assert_responses, deliver, expunge_elsewhere, fetch_modseq, flag_elsewhere, highest_modseq_in,
    inbox_with, logged_in, message, modseq_in, uidvalidity,
};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

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

// RFC 7162 §3.1.3 examples 6 and 7: another session set \Seen on 7 and 9 after
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

// RFC 7162 §3.2.5.2 examples A04 (without the fourth parameter) and
// B04: `SELECT INBOX (QRESYNC (67890007
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
            "A04 SELECT INBOX (QRESYNC ({validity} {known} 1:8))\r\n"
        ))
        .await;
    assert!(output.contains("* VANISHED (EARLIER) 3,7\r\n"), "{output}");
    client.send("u2 UNSELECT\r\n").await;
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

/// A second session on the same account with INBOX selected and CONDSTORE
/// enabled: what it stores is "another client's" change.
async fn other_session(client: &TestClient, tag: &str) -> TestClient {
    let mut other = client.another_connection();
    other.login().await;
    let output = other
        .send(&format!("{tag} SELECT INBOX (CONDSTORE)\r\n"))
        .await;
    assert!(
        output.ends_with(" OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
    other
}

// RFC 7162 §3.1 example: a conditional STORE is a CONDSTORE-enabling
// command, so `c101 STORE 50 (UNCHANGEDSINCE ...) +FLAGS.SILENT ...`
// answers `* OK [HIGHESTMODSEQ 12111230047]` before `* 50 FETCH (MODSEQ
// (12111230048))` and the tagged OK (3 stands for 50 here).
#[tokio::test]
async fn rfc7162_conditional_store_enables_condstore() {
    let mut client = inbox_with(&["1", "2", "3"]).await;
    let output = client
        .send("c101 STORE 3 (UNCHANGEDSINCE 1000) +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let highest = highest_modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* OK [HIGHESTMODSEQ {highest}] CONDSTORE enabled\r\n\
             * 3 FETCH (MODSEQ ({}))\r\nc101 OK STORE completed\r\n",
            highest + 1
        )
    );
    assert_responses(&output);
}

// RFC 7162 §3.1.3 example `a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT
// ($MDNSent)` answers `a102 OK [MODIFIED 12] Conditional STORE failed`:
// UNCHANGEDSINCE 0 always fails, as every message has a mod-sequence.
#[tokio::test]
async fn rfc7162_unchangedsince_zero_always_fails() {
    let mut client = inbox_with(&["1", "2"]).await;
    fetch_modseq(&mut client, 1).await;
    let output = client
        .send("a102 STORE 2 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)\r\n")
        .await;
    assert_eq!(
        output,
        "a102 OK [MODIFIED 2] conditional STORE failed for some messages\r\n"
    );
    assert_responses(&output);
    let output = client.send("f FETCH 2 (FLAGS)\r\n").await;
    assert!(!output.contains("$MDNSent"), "{output}");
}

// RFC 7162 §3.1.3 example a106: `STORE 100:150 (UNCHANGEDSINCE
// 212030000000) +FLAGS.SILENT ($Processed)` stores every message but 101,
// which another client changed, answering MODSEQs and `[MODIFIED 101]`.
// Case a107: the other client had set `$Processed` itself, so the client
// learns from the reported FLAGS that nothing is left to do. Case b107 /
// b108: it had set other flags; the client retries with 101's new
// mod-sequence and succeeds. (Message 3 stands for 101, 2:5 for 100:150.)
// The RFC's variant answering `a106 OK Conditional STORE completed` for a
// message that already had the flag is a server option; we report MODIFIED.
#[tokio::test]
async fn rfc7162_conditional_store_retry_example() {
    for (other_flags, retry) in [("$Processed", false), ("(\\Deleted \\Answered)", true)] {
        let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
        let known = fetch_modseq(&mut client, 5).await;
        let mut other = other_session(&client, "o1").await;
        other
            .send(&format!("o2 STORE 3 +FLAGS.SILENT {other_flags}\r\n"))
            .await;
        let mut output = client
            .send(&format!(
                "a106 STORE 2:5 (UNCHANGEDSINCE {known}) +FLAGS.SILENT ($Processed)\r\n"
            ))
            .await;
        for seq in [2, 4, 5] {
            assert!(
                output.contains(&format!("* {seq} FETCH (MODSEQ (")),
                "{output}"
            );
        }
        assert!(
            output.ends_with("a106 OK [MODIFIED 3] conditional STORE failed for some messages\r\n"),
            "{output}"
        );
        assert_responses(&output);
        output.push_str(&client.send("a107 NOOP\r\n").await);
        let reported: Vec<&str> = output
            .lines()
            .filter(|line| line.starts_with("* 3 FETCH (FLAGS ("))
            .collect();
        assert_eq!(reported.len(), 1, "{output}");
        if !retry {
            assert!(reported[0].contains("$Processed"), "{output}");
            continue;
        }
        let changed = modseq_in(reported[0]);
        let output = client
            .send(&format!(
                "b108 STORE 3 (UNCHANGEDSINCE {changed}) +FLAGS.SILENT ($Processed)\r\n"
            ))
            .await;
        let stored = modseq_in(&output);
        assert!(stored > changed);
        assert_eq!(
            output,
            format!("* 3 FETCH (MODSEQ ({stored}))\r\nb108 OK STORE completed\r\n")
        );
    }
}

// RFC 7162 §3.1.3 example B001: messages 4:7 were expunged and 2 changed
// by another session, neither reported yet; `B001 STORE 1:7
// (UNCHANGEDSINCE 320172338) +FLAGS (\SEEN)` stores 1 and 3 and ends `NO
// [MODIFIED 2] Some of the messages no longer exist.`; `B002 NOOP` then
// reports the four expunges and 2's flags, and `b003 STORE 2
// (UNCHANGEDSINCE 320172340) +FLAGS (\Seen)` with 2's new mod-sequence
// succeeds.
#[tokio::test]
async fn rfc7162_conditional_store_over_expunged_messages() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5", "6", "7"]).await;
    let known = fetch_modseq(&mut client, 7).await;
    let mut other = other_session(&client, "o1").await;
    other
        .send("o2 STORE 2 +FLAGS.SILENT (\\Deleted \\Answered)\r\n")
        .await;
    other
        .send("o3 STORE 4:7 +FLAGS.SILENT (\\Deleted)\r\no4 UID EXPUNGE 4:7\r\n")
        .await;
    let output = client
        .send(&format!(
            "B001 STORE 1:7 (UNCHANGEDSINCE {known}) +FLAGS (\\Seen)\r\n"
        ))
        .await;
    for seq in [1, 3] {
        assert!(
            output.contains(&format!("* {seq} FETCH (FLAGS (\\Seen \\Recent) MODSEQ (")),
            "{output}"
        );
    }
    assert!(
        output.ends_with("B001 NO [MODIFIED 2] some of the messages no longer exist\r\n"),
        "{output}"
    );
    assert_responses(&output);
    let output = client.send("B002 NOOP\r\n").await;
    assert!(
        output.starts_with("* 7 EXPUNGE\r\n* 6 EXPUNGE\r\n* 5 EXPUNGE\r\n* 4 EXPUNGE\r\n"),
        "{output}"
    );
    let changed = modseq_in(&output);
    assert!(
        output.contains("* 2 FETCH (FLAGS (\\Answered \\Deleted \\Recent) MODSEQ ("),
        "{output}"
    );
    let output = client
        .send(&format!(
            "b003 STORE 2 (UNCHANGEDSINCE {changed}) +FLAGS (\\Seen)\r\n"
        ))
        .await;
    let stored = modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* 2 FETCH (FLAGS (\\Answered \\Deleted \\Seen \\Recent) MODSEQ ({stored}))\r\n\
             b003 OK STORE completed\r\n"
        )
    );
}

// RFC 7162 §3.1.4.2 example: `a FETCH 1:3 (MODSEQ)` answers each
// message's own mod-sequence (`* 1 FETCH (MODSEQ (624140003))`, ...),
// after the HIGHESTMODSEQ that enabling CONDSTORE reports.
#[tokio::test]
async fn rfc7162_fetch_modseq_example() {
    let mut client = inbox_with(&["1", "2", "3"]).await;
    client.send("s STORE 2 +FLAGS.SILENT (\\Seen)\r\n").await;
    let output = client.send("a FETCH 1:3 (MODSEQ)\r\n").await;
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 5, "{output}");
    assert!(lines[0].starts_with("* OK [HIGHESTMODSEQ "), "{output}");
    let modseqs: Vec<u64> = lines[1..4].iter().map(|line| modseq_in(line)).collect();
    for (index, line) in lines[1..4].iter().enumerate() {
        assert!(line.starts_with(&format!("* {} FETCH (MODSEQ (", index + 1)));
    }
    assert!(
        modseqs[1] > modseqs[2] && modseqs[2] > modseqs[0],
        "{output}"
    );
    assert_eq!(highest_modseq_in(&output), modseqs[1]);
    assert_eq!(lines[4], "a OK FETCH completed");
    assert_responses(&output);
}

// RFC 7162 §3.1.10 example 19 `* ESEARCH (TAG "a") ALL 1:3,5 MODSEQ 1236`
// and example 20 `* ESEARCH (TAG "a") ALL 5,3,2,1 MODSEQ 1236`, and §3.1.9's
// rule that a SORT with MODSEQ appends `(MODSEQ n)`: the highest
// mod-sequence of the returned messages; ESORT's ALL keeps the sort order
// (RFC 5267 §3.2). Our messages share one date, so REVERSE SUBJECT stands
// for the example's DATE to give the order 5,3,2,1.
#[tokio::test]
async fn rfc7162_esearch_and_esort_modseq_examples() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
    let known = fetch_modseq(&mut client, 5).await;
    for seq in [1, 2, 3, 5] {
        client
            .send(&format!("s STORE {seq} +FLAGS.SILENT (\\Seen)\r\n"))
            .await;
    }
    let highest = fetch_modseq(&mut client, 5).await;
    let output = client
        .send(&format!("a SEARCH RETURN (ALL) MODSEQ {}\r\n", known + 1))
        .await;
    assert_eq!(
        output,
        format!("* ESEARCH (TAG \"a\") ALL 1:3,5 MODSEQ {highest}\r\na OK SEARCH completed\r\n")
    );
    // imap-codec 2.0 does not know ESEARCH's MODSEQ: no oracle here.
    let output = client
        .send(&format!(
            "a SORT (REVERSE SUBJECT) UTF-8 MODSEQ {}\r\n",
            known + 1
        ))
        .await;
    assert_eq!(
        output,
        format!("* SORT 5 3 2 1 (MODSEQ {highest})\r\na OK SORT completed\r\n")
    );
    assert_responses(&output);
    let output = client
        .send(&format!(
            "a SORT RETURN (ALL) (REVERSE SUBJECT) UTF-8 MODSEQ {}\r\n",
            known + 1
        ))
        .await;
    assert_eq!(
        output,
        format!("* ESEARCH (TAG \"a\") ALL 5,3,2,1 MODSEQ {highest}\r\na OK SORT completed\r\n")
    );
}

// RFC 7162 §3.1.4 example with sessions A, C and D on one mailbox: each
// STORE by A (`A160 STORE 7 +FLAGS.SILENT (\Deleted)`, `A240 ... (\Seen)`,
// `A330 ...`) answers A its MODSEQ only, and C's and D's NOOPs (C180,
// D210, C270, C360, D390) report message 7's new flags with that MODSEQ.
// In the RFC, D is another user and \Seen is private, so D300 sees
// nothing; here every session is the mailbox owner's (no sharing), so D300
// is told of \Seen like C270 (RFC 3501 §6.1.2: NOOP reports changes). The
// RFC's A160 answer `MODSEQ (2121231000)` against C180's `12121231000`
// looks like a dropped digit. Message 1 stands for 7.
#[tokio::test]
async fn rfc7162_three_sessions_example() {
    let mut a = logged_in().await;
    let answered = Flags {
        system: SystemFlags(SystemFlags::ANSWERED),
        keywords: Vec::new(),
    };
    deliver(&a, &message("7"), answered);
    let output = a.send("A1 SELECT INBOX (CONDSTORE)\r\n").await;
    assert!(output.contains("[HIGHESTMODSEQ "), "{output}");
    let mut c = other_session(&a, "C1").await;
    let mut d = other_session(&a, "D1").await;
    let steps = [
        (
            "A160",
            "+FLAGS.SILENT (\\Deleted)",
            "\\Answered \\Deleted",
            "C180",
            "D210",
        ),
        (
            "A240",
            "+FLAGS.SILENT (\\Seen)",
            "\\Answered \\Deleted \\Seen",
            "C270",
            "D300",
        ),
        (
            "A330",
            "-FLAGS.SILENT (\\Answered \\Seen)",
            "\\Deleted",
            "C360",
            "D390",
        ),
    ];
    for (store, change, flags, c_noop, d_noop) in steps {
        let output = a.send(&format!("{store} STORE 1 {change}\r\n")).await;
        let modseq = modseq_in(&output);
        assert_eq!(
            output,
            format!("* 1 FETCH (MODSEQ ({modseq}))\r\n{store} OK STORE completed\r\n")
        );
        for (session, tag) in [(&mut c, c_noop), (&mut d, d_noop)] {
            let output = session.send(&format!("{tag} NOOP\r\n")).await;
            assert_eq!(
                output,
                format!(
                    "* 1 FETCH (FLAGS ({flags}) MODSEQ ({modseq}))\r\n{tag} OK NOOP completed\r\n"
                )
            );
            assert_responses(&output);
        }
    }
}
