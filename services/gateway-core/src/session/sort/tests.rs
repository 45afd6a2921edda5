//! SORT, ESORT and THREAD through the session over the in-memory backend:
//! the answers of RFC 5256 §4 and RFC 5267 §3.2 / §4.4 in shape, sequence
//! numbers versus UIDs, and every line checked with the imap-codec oracle.

use super::super::tests::support::{assert_responses, deliver, logged_in, select_inbox};
use crate::backend::Flags;
use crate::testing::TestClient;

/// Message-ID, References, Subject, Date and From of five messages:
/// 1 starts a thread, 2 and 3 answer it, 4 answers 2, 5 is alone.
const MESSAGES: [(&str, &str, &str, &str, &str); 5] = [
    (
        "<1@x>",
        "",
        "lunch",
        "Mon, 3 Jun 2024 10:00:00 +0000",
        "Zed <z@x>",
    ),
    (
        "<2@x>",
        "<1@x>",
        "Re: lunch",
        "Mon, 3 Jun 2024 09:00:00 -0300",
        "amy <a@x>",
    ),
    (
        "<3@x>",
        "<1@x>",
        "Re: lunch",
        "Mon, 3 Jun 2024 11:00:00 +0000",
        "Bob <y@x>",
    ),
    (
        "<4@x>",
        "<1@x> <2@x>",
        "Re: Re: lunch",
        "Mon, 3 Jun 2024 14:00:00 +0000",
        "<c@x>",
    ),
    (
        "<5@x>",
        "",
        "agenda",
        "Mon, 3 Jun 2024 08:00:00 +0000",
        "Dan <d@x>",
    ),
];

async fn threaded_inbox() -> TestClient {
    let mut client = logged_in().await;
    for (id, references, subject, date, from) in MESSAGES {
        let mut raw =
            format!("Message-ID: {id}\r\nSubject: {subject}\r\nDate: {date}\r\nFrom: {from}\r\n");
        if !references.is_empty() {
            raw.push_str(&format!("References: {references}\r\n"));
        }
        raw.push_str("\r\nbody\r\n");
        deliver(&client, &raw, Flags::default());
    }
    select_inbox(&mut client).await;
    client
}

#[tokio::test]
async fn sort_answers_in_criteria_order() {
    let mut client = threaded_inbox().await;
    let cases = [
        ("S1 SORT (DATE) UTF-8 ALL", "* SORT 5 1 3 2 4"),
        ("S2 SORT (REVERSE DATE) US-ASCII ALL", "* SORT 4 2 3 1 5"),
        ("S3 SORT (SUBJECT DATE) UTF-8 ALL", "* SORT 5 1 3 2 4"),
        ("S4 SORT (FROM) UTF-8 ALL", "* SORT 2 4 5 3 1"),
        ("S5 SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 2 3 4 5 1"),
        ("S6 SORT (ARRIVAL) UTF-8 2:4", "* SORT 2 3 4"),
        (
            "S7 UID SORT (REVERSE SUBJECT REVERSE DATE) UTF-8 ALL",
            "* SORT 4 2 3 1 5",
        ),
    ];
    for (command, expected) in cases {
        let output = client.send(&format!("{command}\r\n")).await;
        let tag = command.split(' ').next().unwrap_or_default();
        assert_eq!(
            output,
            format!("{expected}\r\n{tag} OK SORT completed\r\n"),
            "{command}"
        );
        assert_responses(&output);
    }
}

#[tokio::test]
async fn esort_and_partial_keep_sort_order() {
    let mut client = threaded_inbox().await;
    let cases = [
        (
            "E1 SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 ALL",
            "* ESEARCH (TAG \"E1\") MIN 5 MAX 4 COUNT 5",
        ),
        (
            "E2 SORT RETURN () (DATE) UTF-8 ALL",
            "* ESEARCH (TAG \"E2\") ALL 5,1,3,2,4",
        ),
        (
            "E3 SORT RETURN (ALL) (ARRIVAL) UTF-8 ALL",
            "* ESEARCH (TAG \"E3\") ALL 1:5",
        ),
        (
            "E4 SORT RETURN (PARTIAL 2:3) (REVERSE DATE) UTF-8 ALL",
            "* ESEARCH (TAG \"E4\") PARTIAL (2:3 2:3)",
        ),
        (
            "E5 UID SORT RETURN (PARTIAL 6:9) (DATE) UTF-8 ALL",
            "* ESEARCH (TAG \"E5\") UID PARTIAL (6:9 NIL)",
        ),
        (
            "E6 SORT RETURN (COUNT) (DATE) UTF-8 DELETED",
            "* ESEARCH (TAG \"E6\") COUNT 0",
        ),
    ];
    for (command, expected) in cases {
        let output = client.send(&format!("{command}\r\n")).await;
        let tag = command.split(' ').next().unwrap_or_default();
        assert_eq!(
            output,
            format!("{expected}\r\n{tag} OK SORT completed\r\n"),
            "{command}"
        );
    }
}

#[tokio::test]
async fn thread_answers_nested_lists() {
    let mut client = threaded_inbox().await;
    let output = client.send("T1 THREAD REFERENCES UTF-8 ALL\r\n").await;
    assert_eq!(
        output,
        "* THREAD (5)(1 (3)(2 4))\r\nT1 OK THREAD completed\r\n"
    );
    assert_responses(&output);
    let output = client.send("T2 THREAD ORDEREDSUBJECT UTF-8 ALL\r\n").await;
    assert_eq!(
        output,
        "* THREAD (5)(1 (3)(2)(4))\r\nT2 OK THREAD completed\r\n"
    );
    assert_eq!(
        client.send("T3 THREAD REFERENCES UTF-8 DELETED\r\n").await,
        "* THREAD\r\nT3 OK THREAD completed\r\n"
    );
    assert_eq!(
        client.send("T4 THREAD REFERENCES KOI8-R ALL\r\n").await,
        "T4 NO [BADCHARSET (US-ASCII UTF-8)] unsupported charset\r\n"
    );
}

#[tokio::test]
async fn uid_thread_answers_uids() {
    let mut client = threaded_inbox().await;
    client.send("X1 STORE 1 +FLAGS (\\Deleted)\r\n").await;
    client.send("X2 EXPUNGE\r\n").await;
    // <1@x> is gone: its placeholder keeps 2 and 3 together at the root.
    assert_eq!(
        client.send("T5 UID THREAD REFERENCES UTF-8 ALL\r\n").await,
        "* THREAD (5)((3)(2 4))\r\nT5 OK THREAD completed\r\n"
    );
    assert_eq!(
        client.send("T6 THREAD REFERENCES UTF-8 ALL\r\n").await,
        "* THREAD (4)((2)(1 3))\r\nT6 OK THREAD completed\r\n"
    );
}
