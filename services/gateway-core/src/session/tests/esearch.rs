//! ESEARCH (RFC 4731): `SEARCH RETURN (...)` answers with one
//! `* ESEARCH (TAG "t")` line, after the examples of RFC 4731 §3.1 and the
//! result rules (MIN/MAX/ALL only when something matched, COUNT always).

use super::support::{deliver, logged_in, message, select_inbox};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

/// Eleven messages; 2, 10 and 11 are \Flagged and not from Smith, 5 is
/// \Flagged and from Smith.
async fn flagged_mailbox() -> TestClient {
    let mut client = logged_in().await;
    let flagged = || Flags {
        system: SystemFlags(SystemFlags::FLAGGED),
        keywords: Vec::new(),
    };
    for number in 1..=11 {
        let (raw, flags) = match number {
            2 | 10 | 11 => (message(&format!("m{number}")), flagged()),
            5 => (
                "From: Smith <smith@example.test>\r\nSubject: m5\r\n\r\nHi.\r\n".to_owned(),
                flagged(),
            ),
            _ => (message(&format!("m{number}")), Flags::default()),
        };
        deliver(&client, &raw, flags);
    }
    select_inbox(&mut client).await;
    client
}

#[tokio::test]
async fn rfc4731_examples() {
    let mut client = flagged_mailbox().await;
    assert_eq!(
        client
            .send("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n")
            .await,
        "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\nA282 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send("A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n")
            .await,
        "* ESEARCH (TAG \"A283\") ALL 2,10:11\r\nA283 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send("A284 SEARCH RETURN (MIN) FLAGGED NOT FROM \"Smith\" UNSEEN SEEN\r\n")
            .await,
        "* ESEARCH (TAG \"A284\")\r\nA284 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send("A285 UID SEARCH RETURN (MIN MAX) UID 1:5000\r\n")
            .await,
        "* ESEARCH (TAG \"A285\") UID MIN 1 MAX 11\r\nA285 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client
            .send("A286 SEARCH RETURN (COUNT ALL MAX) 9:* NOT 10\r\n")
            .await,
        "* ESEARCH (TAG \"A286\") COUNT 2 ALL 9,11 MAX 11\r\nA286 OK SEARCH completed\r\n",
    );
}

#[tokio::test]
async fn result_options_and_their_absence() {
    let mut client = flagged_mailbox().await;
    assert_eq!(
        client
            .send("e1 UID SEARCH RETURN (COUNT ALL MAX MIN) FLAGGED\r\n")
            .await,
        "* ESEARCH (TAG \"e1\") UID COUNT 4 ALL 2,5,10:11 MAX 11 MIN 2\r\ne1 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client.send("e2 SEARCH RETURN (COUNT) DELETED\r\n").await,
        "* ESEARCH (TAG \"e2\") COUNT 0\r\ne2 OK SEARCH completed\r\n"
    );
    // Without RETURN the RFC 3501 answer is unchanged.
    assert_eq!(
        client.send("e3 SEARCH FLAGGED\r\n").await,
        "* SEARCH 2 5 10 11\r\ne3 OK SEARCH completed\r\n"
    );
    // RFC 9394 §3.1: a window of the ascending result.
    assert_eq!(
        client
            .send("e4 SEARCH RETURN (PARTIAL 3:2) FLAGGED\r\n")
            .await,
        "* ESEARCH (TAG \"e4\") PARTIAL (2:3 5,10)\r\ne4 OK SEARCH completed\r\n"
    );
    let output = client.send("e5 SEARCH RETURN MIN ALL\r\n").await;
    assert!(output.starts_with("e5 BAD "), "{output}");
}
