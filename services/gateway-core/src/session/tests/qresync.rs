//! QRESYNC (RFC 7162 §3.2) over the memory backend: ENABLE, SELECT with
//! QRESYNC parameters (VANISHED (EARLIER) and the changed messages), UID
//! FETCH with VANISHED, VANISHED instead of EXPUNGE, UID in unsolicited
//! FETCH, and `[CLOSED]`. The RFC's examples, with this backend's numbers.

use super::support::{
    assert_responses, deliver, expunge_elsewhere, flag_elsewhere, highest_modseq_in, logged_in,
    message, modseq_in, select_inbox,
};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

/// A logged-in client with QRESYNC enabled and `count` messages in INBOX
/// (UIDs 1..=count), INBOX not selected.
async fn qresync_client(count: u32) -> TestClient {
    let mut client = logged_in().await;
    for number in 1..=count {
        deliver(&client, &message(&number.to_string()), Flags::default());
    }
    let output = client.send("e1 ENABLE QRESYNC\r\n").await;
    assert_eq!(output, "* ENABLED QRESYNC\r\ne1 OK ENABLE completed\r\n");
    client
}

#[tokio::test]
async fn select_qresync_needs_enable_first() {
    // RFC 7162 §3.2.5: BAD without ENABLE QRESYNC.
    let mut client = logged_in().await;
    assert_eq!(
        client.send("A02 SELECT INBOX (QRESYNC (1 1))\r\n").await,
        "A02 BAD QRESYNC must be enabled first\r\n"
    );
}

#[tokio::test]
async fn rfc7162_select_qresync_reports_vanished_and_changed_messages() {
    let mut client = qresync_client(6).await;
    let output = client.send("s1 SELECT INBOX\r\n").await;
    let known = highest_modseq_in(&output);
    client.send("u1 UNSELECT\r\n").await;
    // While the client is away: 2 and 4 expunged, 5 flagged.
    expunge_elsewhere(&client, &[(2, 2), (4, 4)]).await;
    flag_elsewhere(&client, &[(5, 5)], SystemFlags::FLAGGED).await;
    // §3.2.5.2 example 1 shape: known UIDs given.
    let output = client
        .send(&format!(
            "A02 SELECT INBOX (QRESYNC (1002 {known} 1:6))\r\n"
        ))
        .await;
    assert!(output.contains("* 4 EXISTS\r\n"), "{output}");
    let resync = output
        .split("mailbox id\r\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{output}"));
    let changed = highest_modseq_in(&output);
    assert_eq!(
        resync,
        format!(
            "* VANISHED (EARLIER) 2,4\r\n\
             * 3 FETCH (UID 5 FLAGS (\\Flagged) MODSEQ ({changed}))\r\n\
             A02 OK [READ-WRITE] SELECT completed\r\n"
        )
    );
    assert_responses(&output.replace("* VANISHED (EARLIER) 2,4\r\n", ""));

    // Reselecting closes the mailbox first (§3.2.11); without known UIDs
    // the tombstones answer; a UIDVALIDITY mismatch answers nothing extra.
    let output = client
        .send(&format!("A03 EXAMINE INBOX (QRESYNC (1002 {known}))\r\n"))
        .await;
    assert!(output.starts_with("* OK [CLOSED] previous mailbox closed\r\n"));
    assert!(output.contains("* VANISHED (EARLIER) 2,4\r\n"), "{output}");
    let output = client
        .send(&format!("A04 EXAMINE INBOX (QRESYNC (99 {known} 1:6))\r\n"))
        .await;
    assert!(!output.contains("VANISHED"), "{output}");
    assert!(!output.contains("FETCH"), "{output}");
}

#[tokio::test]
async fn known_uids_cover_compacted_tombstones() {
    // A known UID that no longer exists vanishes even if no tombstone
    // newer than the client's MODSEQ says so (compaction rule).
    let mut client = qresync_client(3).await;
    expunge_elsewhere(&client, &[(1, 1)]).await;
    let output = client.send("s1 SELECT INBOX\r\n").await;
    let now = highest_modseq_in(&output);
    client.send("u1 UNSELECT\r\n").await;
    let output = client
        .send(&format!("A02 SELECT INBOX (QRESYNC (1002 {now} 1:3))\r\n"))
        .await;
    assert!(output.contains("* VANISHED (EARLIER) 1\r\n"), "{output}");
    let output = client
        .send(&format!("A03 SELECT INBOX (QRESYNC (1002 {now}))\r\n"))
        .await;
    assert!(!output.contains("VANISHED"), "{output}");
}

#[tokio::test]
async fn rfc7162_uid_fetch_vanished() {
    let mut client = qresync_client(5).await;
    let output = client.send("s1 SELECT INBOX\r\n").await;
    let known = highest_modseq_in(&output);
    let mut other = client.another_connection();
    other.login().await;
    select_inbox(&mut other).await;
    other
        .send("o1 STORE 2:3 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    other.send("o2 STORE 5 +FLAGS.SILENT (\\Seen)\r\n").await;
    other.send("o3 EXPUNGE\r\n").await;
    // §3.2.6: expunges this session has not reported yet are left to the
    // sync that ends the command, as plain VANISHED.
    let output = client
        .send(&format!(
            "s99 UID FETCH 1:5 (FLAGS) (CHANGEDSINCE {known} VANISHED)\r\n"
        ))
        .await;
    let seen = modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* 5 FETCH (UID 5 FLAGS (\\Seen \\Recent) MODSEQ ({seen}))\r\n\
             * VANISHED 2:3\r\n\
             s99 OK FETCH completed\r\n"
        )
    );
    // A client resynchronising from its old MODSEQ: VANISHED (EARLIER)
    // first, then the changed messages (§3.2.6 example).
    let output = client
        .send(&format!(
            "s100 UID FETCH 1:5 (FLAGS) (CHANGEDSINCE {known} VANISHED)\r\n"
        ))
        .await;
    assert_eq!(
        output,
        format!(
            "* VANISHED (EARLIER) 2:3\r\n\
             * 3 FETCH (UID 5 FLAGS (\\Seen \\Recent) MODSEQ ({seen}))\r\n\
             s100 OK FETCH completed\r\n"
        )
    );
    // VANISHED needs UID FETCH and CHANGEDSINCE.
    assert_eq!(
        client
            .send("b1 FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n")
            .await,
        "b1 BAD VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC\r\n"
    );
    assert_eq!(
        client.send("b2 UID FETCH 1 (FLAGS) (VANISHED)\r\n").await,
        "b2 BAD VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC\r\n"
    );
}

#[tokio::test]
async fn rfc7162_expunge_answers_vanished_and_unsolicited_fetch_has_uid() {
    let mut client = qresync_client(4).await;
    select_inbox(&mut client).await;
    // §3.2.10 example: EXPUNGE answers VANISHED, not EXPUNGE.
    client
        .send("a1 STORE 1,3 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let output = client.send("a2 EXPUNGE\r\n").await;
    assert_eq!(
        output,
        "* VANISHED 1,3\r\na2 OK [HIGHESTMODSEQ 8] EXPUNGE completed\r\n"
    );
    // §3.2.4: UID in every unsolicited FETCH, MODSEQ too (CONDSTORE).
    flag_elsewhere(&client, &[(4, 4)], SystemFlags::SEEN).await;
    let output = client.send("n1 NOOP\r\n").await;
    assert!(
        output.starts_with("* 2 FETCH (UID 4 FLAGS (\\Seen \\Recent) MODSEQ ("),
        "{output}"
    );
    assert_responses(&output);
    // Another session's expunge reaches us as VANISHED too, and MOVE.
    expunge_elsewhere(&client, &[(2, 2)]).await;
    assert_eq!(
        client.send("n2 NOOP\r\n").await,
        "* VANISHED 2\r\nn2 OK NOOP completed\r\n"
    );
    // §3.2: an expunge withheld during STORE by number keeps HIGHESTMODSEQ
    // below it, whatever MODSEQ the STORE answered.
    deliver(&client, &message("five"), Flags::default());
    assert!(
        client
            .send("n3 NOOP\r\n")
            .await
            .starts_with("* 2 EXISTS\r\n")
    );
    let before = modseq_in(&client.send("f1 FETCH 1 (MODSEQ)\r\n").await);
    expunge_elsewhere(&client, &[(5, 5)]).await;
    let output = client.send("s1 STORE 1 +FLAGS (\\Answered)\r\n").await;
    assert!(!output.contains("VANISHED"), "{output}");
    assert!(output.contains("* OK [HIGHESTMODSEQ "), "{output}");
    let pending: u64 = output
        .split("[HIGHESTMODSEQ ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or_default();
    assert!(
        pending >= before && pending < modseq_in(&output),
        "{output}"
    );
    assert_eq!(
        client.send("n4 NOOP\r\n").await,
        "* VANISHED 5\r\nn4 OK NOOP completed\r\n"
    );
    let output = client.send("m1 MOVE 1 Trash\r\n").await;
    assert!(output.contains("* VANISHED 4\r\n"), "{output}");
    assert!(!output.contains("EXPUNGE"), "{output}");
}

/// Delivers 11 messages (UIDs 1 to 11) and marks 3, 4, 7 and 11 \Deleted,
/// the mailbox of the RFC 7162 §3.2.7 and §3.2.10.2 EXPUNGE examples.
async fn deleted_3_4_7_11(client: &mut TestClient) {
    for number in 1..=11 {
        deliver(client, &message(&number.to_string()), Flags::default());
    }
    flag_elsewhere(client, &[(3, 4), (7, 7), (11, 11)], SystemFlags::DELETED).await;
}

// RFC 7162 §3.2.7 `A202 EXPUNGE` without QRESYNC (CONDSTORE enabled):
// `* 3 EXPUNGE`, `* 3 EXPUNGE`, `* 5 EXPUNGE`, `* 8 EXPUNGE` and `OK
// [HIGHESTMODSEQ ...]` ("optional in this case"; we send it). We report
// the same four messages highest number first (`* 11`, `* 7`, `* 4`,
// `* 3`): each EXPUNGE takes effect at once (RFC 3501 §7.4.1), so either
// order names the same messages. §3.2.7 `B202
// EXPUNGE` / §3.2.10.2 `A202 EXPUNGE` with QRESYNC: one `* VANISHED` of the
// UIDs (there 405,407,410,425 or 505,507,510,625; here 3:4,7,11), and the
// HIGHESTMODSEQ the RFC makes a MUST; then §3.2.10.2 `A210 EXPUNGE` reports
// only the newly expunged UIDs (there 504,508; here 2,5).
#[tokio::test]
async fn rfc7162_expunge_examples() {
    let mut client = logged_in().await;
    deleted_3_4_7_11(&mut client).await;
    client.send("s1 SELECT INBOX (CONDSTORE)\r\n").await;
    let output = client.send("A202 EXPUNGE\r\n").await;
    let highest = highest_modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* 11 EXPUNGE\r\n* 7 EXPUNGE\r\n* 4 EXPUNGE\r\n* 3 EXPUNGE\r\n\
             A202 OK [HIGHESTMODSEQ {highest}] EXPUNGE completed\r\n"
        )
    );
    assert_responses(&output);
    let status = client.send("s2 STATUS INBOX (HIGHESTMODSEQ)\r\n").await;
    assert!(
        status.contains(&format!("HIGHESTMODSEQ {highest})")),
        "{status}"
    );

    let mut client = qresync_client(0).await;
    deleted_3_4_7_11(&mut client).await;
    select_inbox(&mut client).await;
    let output = client.send("B202 EXPUNGE\r\n").await;
    let first = highest_modseq_in(&output);
    assert_eq!(
        output,
        format!("* VANISHED 3:4,7,11\r\nB202 OK [HIGHESTMODSEQ {first}] EXPUNGE completed\r\n")
    );
    client
        .send("s2 UID STORE 2,5 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let output = client.send("A210 EXPUNGE\r\n").await;
    let second = highest_modseq_in(&output);
    assert!(second > first);
    assert_eq!(
        output,
        format!("* VANISHED 2,5\r\nA210 OK [HIGHESTMODSEQ {second}] EXPUNGE completed\r\n")
    );
}

// RFC 7162 §3.2.9 `. UID EXPUNGE 3000:3002` without QRESYNC: three `* 3
// EXPUNGE` and `. OK [HIGHESTMODSEQ ...]` (UIDs 3:5 here, reported highest
// number first as above); with QRESYNC a
// VANISHED instead. Only messages both \Deleted and in the set go.
#[tokio::test]
async fn rfc7162_uid_expunge_example() {
    let mut client = logged_in().await;
    deleted_3_4_7_11(&mut client).await;
    flag_elsewhere(&client, &[(5, 5)], SystemFlags::DELETED).await;
    client.send("s1 SELECT INBOX (CONDSTORE)\r\n").await;
    let output = client.send(". UID EXPUNGE 3:5\r\n").await;
    let highest = highest_modseq_in(&output);
    assert_eq!(
        output,
        format!(
            "* 5 EXPUNGE\r\n* 4 EXPUNGE\r\n* 3 EXPUNGE\r\n\
             . OK [HIGHESTMODSEQ {highest}] EXPUNGE completed\r\n"
        )
    );
    let mut client = qresync_client(0).await;
    deleted_3_4_7_11(&mut client).await;
    select_inbox(&mut client).await;
    let output = client.send(". UID EXPUNGE 1:7\r\n").await;
    let highest = highest_modseq_in(&output);
    assert_eq!(
        output,
        format!("* VANISHED 3:4,7\r\n. OK [HIGHESTMODSEQ {highest}] EXPUNGE completed\r\n")
    );
}

// RFC 7162 §3.2.8 `A202 CLOSE` answers `A202 OK done`: no VANISHED, and
// "The server MUST NOT send the updated per-mailbox modification sequence
// using the HIGHESTMODSEQ response code"; the messages are gone all the same.
#[tokio::test]
async fn rfc7162_close_example() {
    let mut client = qresync_client(0).await;
    deleted_3_4_7_11(&mut client).await;
    select_inbox(&mut client).await;
    assert_eq!(
        client.send("A202 CLOSE\r\n").await,
        "A202 OK CLOSE completed\r\n"
    );
    assert_eq!(
        client.send("s1 STATUS INBOX (MESSAGES)\r\n").await,
        "* STATUS INBOX (MESSAGES 7)\r\ns1 OK STATUS completed\r\n"
    );
}
