//! The examples of RFC 5256 (SORT and THREAD) §3 / §4 replayed against a
//! session. The RFC's mailbox is not given, so six messages are built to
//! give answers of the same shape: base subjects ignoring `Re:`, REVERSE
//! DATE inside equal subjects, a SINCE that leaves some out, and threads
//! of one, two and three messages.

use super::support::{DELIVERED_AT, assert_responses, logged_in, select_inbox};
use crate::backend::Flags;
use crate::testing::TestClient;

/// Subject, Date header, and whether the message arrived a month before
/// [`DELIVERED_AT`] (so `SINCE 1-Jun-2024` leaves it out).
const MESSAGES: [(&str, &str, bool); 6] = [
    ("c", "Sat, 1 Jun 2024 10:00:00 +0000", false),
    ("c", "Sat, 1 Jun 2024 09:00:00 +0000", false),
    ("Re: b", "Sat, 1 Jun 2024 10:00:00 +0000", true),
    ("b", "Sat, 1 Jun 2024 08:30:00 +0000", true),
    ("a", "Sat, 1 Jun 2024 08:00:00 +0000", false),
    ("Re: c", "Sat, 1 Jun 2024 11:00:00 +0000", false),
];

const A_MONTH: i64 = 31 * 24 * 3600;

async fn sort_inbox() -> TestClient {
    let mut client = logged_in().await;
    for (subject, date, earlier) in MESSAGES {
        let raw =
            format!("From: bob@example.test\r\nSubject: {subject}\r\nDate: {date}\r\n\r\nbody\r\n");
        let arrived = if earlier {
            DELIVERED_AT - A_MONTH
        } else {
            DELIVERED_AT
        };
        client
            .backend
            .deliver(
                &client.principal,
                "INBOX",
                raw.as_bytes(),
                Flags::default(),
                arrived,
            )
            .unwrap();
    }
    select_inbox(&mut client).await;
    client
}

// RFC 5256 §3 SORT examples A282 (`SORT (SUBJECT) UTF-8 SINCE
// 1-Feb-1994`, a subset in subject order), A283 (`SORT (SUBJECT REVERSE
// DATE) UTF-8 ALL`, `* SORT 5 3 4 1 2`) and A284 (`SORT (SUBJECT)
// US-ASCII TEXT "not in mailbox"`, an empty `* SORT`).
#[tokio::test]
async fn rfc5256_sort_examples() {
    let mut client = sort_inbox().await;
    for (command, expected) in [
        (
            "A282 SORT (SUBJECT) UTF-8 SINCE 1-Jun-2024",
            "* SORT 5 1 2 6",
        ),
        (
            "A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL",
            "* SORT 5 3 4 6 1 2",
        ),
        (
            "A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"",
            "* SORT",
        ),
    ] {
        let output = client.send(&format!("{command}\r\n")).await;
        let tag = &command[..4];
        assert_eq!(
            output,
            format!("{expected}\r\n{tag} OK SORT completed\r\n"),
            "{command}"
        );
        assert_responses(&output);
    }
}

// RFC 5256 §3 THREAD examples A283 (`THREAD ORDEREDSUBJECT UTF-8 SINCE
// 5-MAR-2000`: threads by base subject ordered by their first message's
// date, `(194 195)` for two messages, `(174 (175)(176))` for more) and
// A284 (`THREAD ORDEREDSUBJECT US-ASCII TEXT "gewp"`, an empty `* THREAD`).
#[tokio::test]
async fn rfc5256_thread_orderedsubject_examples() {
    let mut client = sort_inbox().await;
    let output = client
        .send("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 1-May-2024\r\n")
        .await;
    assert_eq!(
        output,
        "* THREAD (5)(4 3)(2 (1)(6))\r\nA283 OK THREAD completed\r\n"
    );
    assert_responses(&output);
    let output = client
        .send("A284 THREAD ORDEREDSUBJECT US-ASCII TEXT \"gewp\"\r\n")
        .await;
    assert_eq!(output, "* THREAD\r\nA284 OK THREAD completed\r\n");
    assert_responses(&output);
}
