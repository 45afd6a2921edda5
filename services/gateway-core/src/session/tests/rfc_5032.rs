//! RFC 5032 (WITHIN): the example of §4 over a mailbox built to give its
//! answer, and §2's boundary: a message exactly as old as the interval
//! matches both OLDER and YOUNGER. The RFC prints the answer as
//! `a1 * SEARCH ...`, an evident slip for the untagged `* SEARCH ...`
//! followed by the tagged OK. The session clock is 2024-06-01 12:00 UTC.

use super::support::{assert_responses, logged_in, select_inbox};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

const THREE_DAYS: i64 = 259_200;

/// INBOX with one message per `(seconds before the clock, seen)`.
async fn inbox(messages: &[(i64, bool)]) -> TestClient {
    let mut client = logged_in().await;
    let now = client.now.timestamp();
    for &(age, seen) in messages {
        let flags = Flags {
            system: SystemFlags(if seen { SystemFlags::SEEN } else { 0 }),
            keywords: Vec::new(),
        };
        let raw = "From: bob@example.test\r\nSubject: w\r\n\r\nHi.\r\n";
        client
            .backend
            .deliver(&client.principal, "INBOX", raw.as_bytes(), flags, now - age)
            .unwrap();
    }
    select_inbox(&mut client).await;
    client
}

// RFC 5032 §4: `a1 SEARCH UNSEEN YOUNGER 259200` answers `* SEARCH 4 8 15
// 16 23 42`: of 42 messages those six are unseen and arrived in the last
// three days; the other odd ones are unseen but four days old, the other
// even ones recent but \Seen.
#[tokio::test]
async fn rfc5032_4_unseen_younger_than_three_days() {
    let wanted = [4, 8, 15, 16, 23, 42];
    let messages: Vec<(i64, bool)> = (1..=42)
        .map(|number| match (wanted.contains(&number), number % 2) {
            (true, _) => (3600, false),
            (false, 1) => (4 * 86_400, false),
            (false, _) => (3600, true),
        })
        .collect();
    let mut client = inbox(&messages).await;
    let output = client.send("a1 SEARCH UNSEEN YOUNGER 259200\r\n").await;
    assert_eq!(
        output,
        "* SEARCH 4 8 15 16 23 42\r\na1 OK SEARCH completed\r\n"
    );
    assert_responses(&output);
}

// RFC 5032 §2: OLDER matches an INTERNALDATE "less recent than or equal
// to" the target, YOUNGER one "more recent than or equal to" it, to the
// second.
#[tokio::test]
async fn rfc5032_2_the_boundary_second_matches_both() {
    let mut client = inbox(&[
        (THREE_DAYS + 1, false),
        (THREE_DAYS, false),
        (THREE_DAYS - 1, false),
    ])
    .await;
    assert_eq!(
        client.send("a2 SEARCH OLDER 259200\r\n").await,
        "* SEARCH 1 2\r\na2 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client.send("a3 SEARCH YOUNGER 259200\r\n").await,
        "* SEARCH 2 3\r\na3 OK SEARCH completed\r\n"
    );
}
