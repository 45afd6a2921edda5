//! Bad input gets a clear answer and the connection keeps serving: unknown
//! command, missing tag, unbalanced parenthesis, oversized line, literal over
//! the limit, invalid modified UTF-7, wrong state, and too many in a row.

use super::support::{assert_responses, logged_in};
use crate::session::{ConnectionInfo, Flow, MAX_CONSECUTIVE_BAD, SessionConfig};
use crate::testing::TestClient;

fn small_limits() -> TestClient {
    TestClient::new(
        ConnectionInfo {
            tls_active: true,
            trusted_peer: false,
            starttls_available: false,
        },
        SessionConfig {
            max_line_bytes: 100,
            max_literal_bytes: 10,
            ..SessionConfig::default()
        },
    )
}

#[tokio::test]
async fn bad_commands_are_answered_and_the_session_goes_on() {
    let mut client = logged_in().await;
    let cases: [(&str, &str); 5] = [
        ("e1 FROB\r\n", "e1 BAD unknown command FROB\r\n"),
        ("\r\n", "* BAD missing or invalid tag\r\n"),
        (" NOOP\r\n", "* BAD missing or invalid tag\r\n"),
        ("e2 SELECT\r\n", "e2 BAD "),
        ("e3 STATUS INBOX (MESSAGES\r\n", "e3 BAD "),
    ];
    for (input, expected) in cases {
        let output = client.send(input).await;
        assert!(output.starts_with(expected), "{input:?} -> {output:?}");
        assert_responses(&output);
        assert_eq!(client.send("ok NOOP\r\n").await, "ok OK NOOP completed\r\n");
    }
}

#[tokio::test]
async fn invalid_modified_utf7_is_a_no() {
    let mut client = logged_in().await;
    let output = client.send("u1 SELECT &Jjo\r\n").await;
    assert!(
        output.starts_with("u1 NO [CANNOT] invalid mailbox name"),
        "{output}"
    );
    assert_responses(&output);
    let output = client.send("u2 CREATE \"&AGE-\"\r\n").await;
    assert!(
        output.starts_with("u2 NO [CANNOT] invalid mailbox name"),
        "{output}"
    );
    assert_eq!(client.send("u3 NOOP\r\n").await, "u3 OK NOOP completed\r\n");
}

#[tokio::test]
async fn oversized_lines_and_literals_are_refused() {
    let mut client = small_limits();
    client.login().await;
    let long = format!("o1 NOOP {}\r\n", "a".repeat(200));
    let output = client
        .send_fragments(&[&long.as_bytes()[..50], &long.as_bytes()[50..]])
        .await;
    assert_eq!(output, "o1 BAD [TOOBIG] line too long\r\n");
    assert_eq!(client.send("o2 NOOP\r\n").await, "o2 OK NOOP completed\r\n");

    // A synchronising literal is refused before the client sends it.
    let output = client.send("o3 APPEND INBOX {20}\r\n").await;
    assert_eq!(output, "o3 NO [TOOBIG] literal too large\r\n");
    assert_responses(&output);
    assert_eq!(client.send("o4 NOOP\r\n").await, "o4 OK NOOP completed\r\n");

    // A non-synchronising one is read and thrown away.
    let output = client
        .send("o5 APPEND INBOX {20+}\r\n01234567890123456789\r\no6 NOOP\r\n")
        .await;
    assert_eq!(
        output,
        "o5 NO [TOOBIG] literal too large\r\no6 OK NOOP completed\r\n"
    );
    assert_eq!(client.flow, Flow::Continue);
}

#[tokio::test]
async fn commands_outside_their_state_are_refused() {
    let mut client = TestClient::trusted();
    let output = client.send("w1 SELECT INBOX\r\nw2 FETCH 1 FLAGS\r\n").await;
    assert_eq!(
        output,
        "w1 BAD command not valid in the not-authenticated state\r\n\
         w2 BAD command not valid in the not-authenticated state\r\n"
    );
    client.login().await;
    let output = client
        .send("w3 LOGIN a b\r\nw4 EXPUNGE\r\nw5 STARTTLS\r\n")
        .await;
    assert_eq!(
        output,
        "w3 BAD command not valid in the authenticated state\r\n\
         w4 BAD command not valid in the authenticated state\r\n\
         w5 BAD command not valid in the authenticated state\r\n"
    );
    client.send("w6 SELECT INBOX\r\n").await;
    let output = client.send("w7 ENABLE CONDSTORE\r\n").await;
    assert_eq!(output, "w7 BAD command not valid in the selected state\r\n");
    assert_responses(&output);
}

#[tokio::test]
async fn too_many_bad_commands_end_the_connection() {
    let mut client = logged_in().await;
    for index in 1..MAX_CONSECUTIVE_BAD {
        let output = client.send(&format!("b{index} BOGUS\r\n")).await;
        assert!(output.starts_with(&format!("b{index} BAD")), "{output}");
        assert_eq!(client.flow, Flow::Continue);
    }
    let output = client.send("last BOGUS\r\n").await;
    assert_eq!(
        output,
        "last BAD unknown command BOGUS\r\n* BYE too many invalid commands\r\n"
    );
    assert_eq!(client.flow, Flow::Close);
}

#[tokio::test]
async fn a_good_command_resets_the_bad_count() {
    let mut client = logged_in().await;
    for round in 0..3 {
        for index in 1..MAX_CONSECUTIVE_BAD {
            client.send(&format!("r{round}x{index} BOGUS\r\n")).await;
        }
        assert_eq!(client.send("n NOOP\r\n").await, "n OK NOOP completed\r\n");
    }
    assert_eq!(client.flow, Flow::Continue);
}
