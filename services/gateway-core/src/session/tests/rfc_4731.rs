//! RFC 4731 (ESEARCH): the five examples of §3.1 replayed over one mailbox
//! built so that each gives the RFC's exact answer, the four CONDSTORE
//! examples of §3.2 (MODSEQ values are this backend's, so they are
//! compared with the messages' own MODSEQ), and the result rules of §3.1:
//! MIN, MAX and ALL only when something matched, COUNT always.

use super::support::{
    assert_responses, deliver, fetch_modseq, logged_in, message, select_inbox, uidvalidity,
};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

/// Sixteen messages, UIDs 7, 8..21 and 3800. 1 to 3 are \Seen; 2, 5, 10
/// and 11 are \Flagged, 5 is from Smith; 2 to 16 (fifteen) are \Deleted.
async fn example_mailbox() -> TestClient {
    let mut client = logged_in().await;
    let principal = client.principal.clone();
    let validity = uidvalidity(&client, "INBOX").await;
    for number in 1..=16_u32 {
        let uid_next = match number {
            1 => 7,
            16 => 3800,
            _ => 0,
        };
        client
            .backend
            .renumber(&principal, "INBOX", validity, uid_next)
            .unwrap();
        let mut system = 0;
        for (flag, applies) in [
            (SystemFlags::SEEN, number <= 3),
            (SystemFlags::FLAGGED, [2, 5, 10, 11].contains(&number)),
            (SystemFlags::DELETED, number >= 2),
        ] {
            if applies {
                system |= flag;
            }
        }
        let from = if number == 5 { "Smith" } else { "Bob" };
        let raw =
            format!("From: {from} <{from}@example.test>\r\nSubject: m{number}\r\n\r\nHi.\r\n");
        let flags = Flags {
            system: SystemFlags(system),
            keywords: Vec::new(),
        };
        deliver(&client, &raw, flags);
    }
    select_inbox(&mut client).await;
    client
}

// RFC 4731 §3.1, the examples A282 to A286.
#[tokio::test]
async fn rfc4731_3_1_examples() {
    let mut client = example_mailbox().await;
    for (command, expected) in [
        (
            "A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",
            "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3",
        ),
        (
            "A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"",
            "* ESEARCH (TAG \"A283\") ALL 2,10:11",
        ),
        (
            "A284 SEARCH RETURN (MIN) UNSEEN",
            "* ESEARCH (TAG \"A284\") MIN 4",
        ),
        (
            "A285 UID SEARCH RETURN (MIN MAX) 1:5000",
            "* ESEARCH (TAG \"A285\") UID MIN 7 MAX 3800",
        ),
        (
            "A286 SEARCH RETURN (COUNT) DELETED",
            "* ESEARCH (TAG \"A286\") COUNT 15",
        ),
    ] {
        let output = client.send(&format!("{command}\r\n")).await;
        let tag = &command[..4];
        assert_eq!(
            output,
            format!("{expected}\r\n{tag} OK SEARCH completed\r\n"),
            "{command}"
        );
    }
}

// RFC 4731 §3.1 rules: ALL as a sequence set, MIN/MAX/ALL left out when
// nothing matched while COUNT stays, the unextended answer without
// RETURN, and a RETURN without its list is BAD. PARTIAL is RFC 9394 §3.1.
#[tokio::test]
async fn rfc4731_3_1_result_options_and_their_absence() {
    let mut client = example_mailbox().await;
    assert_eq!(
        client
            .send("e1 UID SEARCH RETURN (COUNT ALL MAX MIN) FLAGGED\r\n")
            .await,
        "* ESEARCH (TAG \"e1\") UID COUNT 4 ALL 8,11,16:17 MAX 17 MIN 8\r\ne1 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send("e2 SEARCH RETURN (MIN MAX ALL COUNT) DRAFT\r\n")
            .await,
        "* ESEARCH (TAG \"e2\") COUNT 0\r\ne2 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client.send("e3 SEARCH FLAGGED\r\n").await,
        "* SEARCH 2 5 10 11\r\ne3 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send("e4 SEARCH RETURN (PARTIAL 3:2) FLAGGED\r\n")
            .await,
        "* ESEARCH (TAG \"e4\") PARTIAL (2:3 5,10)\r\ne4 OK SEARCH completed\r\n"
    );
    let output = client.send("e5 SEARCH RETURN MIN ALL\r\n").await;
    assert!(output.starts_with("e5 BAD "), "{output}");
    assert_responses(&output);
}

// RFC 4731 §3.2, examples a1 to a4 (RFC 7162's Example 15 with result
// options): 23 messages, ten of them given \Draft after the threshold, 23
// first, then 2, then 3 to 10. MIN or MAX alone carry their message's
// MODSEQ; MIN and MAX the higher of the two; with COUNT the highest found.
#[tokio::test]
async fn rfc4731_3_2_modseq_with_result_options() {
    let mut client = logged_in().await;
    for number in 1..=23 {
        deliver(&client, &message(&format!("m{number}")), Flags::default());
    }
    select_inbox(&mut client).await;
    let threshold = fetch_modseq(&mut client, 23).await + 1;
    for number in [23, 2, 3, 4, 5, 6, 7, 8, 9, 10] {
        client
            .send(&format!("s STORE {number} +FLAGS.SILENT (\\Draft)\r\n"))
            .await;
    }
    let of_2 = fetch_modseq(&mut client, 2).await;
    let of_23 = fetch_modseq(&mut client, 23).await;
    let of_10 = fetch_modseq(&mut client, 10).await;
    assert!(of_23 < of_2 && of_2 < of_10);
    let criteria = format!("MODSEQ \"/flags/\\\\draft\" all {threshold}");
    for (tag, options, expected, modseq) in [
        ("a1", "MIN", "MIN 2", of_2),
        ("a2", "MAX", "MAX 23", of_23),
        ("a3", "MIN MAX", "MIN 2 MAX 23", of_2),
        ("a4", "MIN COUNT", "MIN 2 COUNT 10", of_10),
    ] {
        let output = client
            .send(&format!("{tag} SEARCH RETURN ({options}) {criteria}\r\n"))
            .await;
        assert_eq!(
            output,
            format!(
                "* ESEARCH (TAG \"{tag}\") {expected} MODSEQ {modseq}\r\n{tag} OK SEARCH completed\r\n"
            )
        );
    }
}
