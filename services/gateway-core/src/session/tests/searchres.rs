//! SEARCHRES (RFC 5182) and WITHIN (RFC 5032) over a session: `$` in
//! FETCH, STORE, SEARCH and UID commands after the examples of RFC 5182
//! §2.1 and §3, its life cycle (expunged messages drop out, SELECT resets
//! it, a failed SEARCH empties it), and OLDER/YOUNGER against the clock.

use super::support::{assert_responses, inbox_with, select_inbox};
use crate::testing::TestClient;

/// Five messages, 2 and 4 `\Flagged`.
async fn flagged_inbox() -> TestClient {
    let mut client = inbox_with(&["one", "two", "three", "four", "five"]).await;
    let output = client
        .send("F0 STORE 2,4 +FLAGS.SILENT (\\Flagged)\r\n")
        .await;
    assert!(output.ends_with("F0 OK STORE completed\r\n"), "{output}");
    client
}

#[tokio::test]
async fn rfc5182_save_then_fetch_and_store_dollar() {
    let mut client = flagged_inbox().await;
    // SAVE alone answers no ESEARCH (RFC 5182 §2.1).
    assert_eq!(
        client
            .send("A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n")
            .await,
        "A282 OK SEARCH completed\r\n"
    );
    let output = client.send("A283 FETCH $ (UID FLAGS)\r\n").await;
    assert_eq!(
        output,
        "* 2 FETCH (UID 2 FLAGS (\\Flagged \\Recent))\r\n\
         * 4 FETCH (UID 4 FLAGS (\\Flagged \\Recent))\r\n\
         A283 OK FETCH completed\r\n"
    );
    let output = client.send("A284 STORE $ +FLAGS (\\Answered)\r\n").await;
    assert_responses(&output);
    assert!(
        output.contains("* 2 FETCH (FLAGS (\\Answered \\Flagged \\Recent))"),
        "{output}"
    );
    assert!(
        output.contains("* 4 FETCH (FLAGS (\\Answered \\Flagged \\Recent))"),
        "{output}"
    );
    assert_eq!(
        client.send("A285 UID SEARCH $ ANSWERED\r\n").await,
        "* SEARCH 2 4\r\nA285 OK SEARCH completed\r\n"
    );
}

// RFC 5182 §2.1: with MIN and/or MAX but not ALL or COUNT only those are
// saved, and the ESEARCH line still answers them.
#[tokio::test]
async fn save_with_min_keeps_only_the_minimum() {
    let mut client = flagged_inbox().await;
    assert_eq!(
        client.send("A1 SEARCH RETURN (MIN SAVE) FLAGGED\r\n").await,
        "* ESEARCH (TAG \"A1\") MIN 2\r\nA1 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client.send("A2 SEARCH $\r\n").await,
        "* SEARCH 2\r\nA2 OK SEARCH completed\r\n"
    );
    // A search may use `$` while saving a new result.
    assert_eq!(
        client
            .send("A3 SEARCH RETURN (SAVE COUNT) OR $ 5\r\n")
            .await,
        "* ESEARCH (TAG \"A3\") COUNT 2\r\nA3 OK SEARCH completed\r\n"
    );
    assert_eq!(
        client.send("A4 UID SEARCH $\r\n").await,
        "* SEARCH 2 5\r\nA4 OK SEARCH completed\r\n"
    );
}

#[tokio::test]
async fn expunged_messages_leave_and_select_resets_the_result() {
    let mut client = flagged_inbox().await;
    client.send("A1 SEARCH RETURN (SAVE) FLAGGED\r\n").await;
    client
        .send("A2 STORE 2 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let output = client.send("A3 EXPUNGE\r\n").await;
    assert!(output.starts_with("* 2 EXPUNGE\r\n"), "{output}");
    assert_eq!(
        client.send("A4 FETCH $ UID\r\n").await,
        "* 3 FETCH (UID 4)\r\nA4 OK FETCH completed\r\n"
    );
    select_inbox(&mut client).await;
    assert_eq!(
        client.send("A5 FETCH $ UID\r\n").await,
        "A5 OK FETCH completed\r\n"
    );
}

// RFC 5182 §2.1: a SEARCH with SAVE that fails leaves `$` empty.
#[tokio::test]
async fn a_failed_save_empties_the_result() {
    let mut client = flagged_inbox().await;
    client.send("A1 SEARCH RETURN (SAVE) FLAGGED\r\n").await;
    client.backend.set_unavailable(true);
    let output = client.send("A2 SEARCH RETURN (SAVE) ALL\r\n").await;
    assert!(output.starts_with("A2 NO [UNAVAILABLE]"), "{output}");
    client.backend.set_unavailable(false);
    assert_eq!(
        client.send("A3 UID SEARCH $\r\n").await,
        "* SEARCH\r\nA3 OK SEARCH completed\r\n"
    );
}

// RFC 5032 §2: the messages were delivered two hours (7200 s) before the
// session's clock; OLDER and YOUNGER both include that very second.
#[tokio::test]
async fn within_older_and_younger_use_the_session_clock() {
    let mut client = inbox_with(&["one", "two"]).await;
    for (criteria, expected) in [
        ("OLDER 7200", "* SEARCH 1 2\r\n"),
        ("OLDER 7201", "* SEARCH\r\n"),
        ("YOUNGER 7200", "* SEARCH 1 2\r\n"),
        ("YOUNGER 7199", "* SEARCH\r\n"),
    ] {
        let output = client.send(&format!("W1 SEARCH {criteria}\r\n")).await;
        assert_eq!(
            output,
            format!("{expected}W1 OK SEARCH completed\r\n"),
            "{criteria}"
        );
    }
}
