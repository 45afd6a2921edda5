//! RFC 7889 (APPENDLIMIT) replayed against a session. Its examples: §2's
//! `t1 CAPABILITY` in form (a), `APPENDLIMIT=257890` (one limit for every
//! mailbox), and in form (b), a bare `APPENDLIMIT` (per-mailbox limits);
//! §3.1's `t1 STATUS INBOX (APPENDLIMIT)`; §3.2's `t1 LIST "" % RETURN
//! (STATUS (APPENDLIMIT))`. Our limit is the same for every mailbox, so we
//! use form (a), which §2 offers as one of the "two formats"; §4's tagged
//! `TOOBIG` for a larger APPEND has a test too. imap-codec 2.0 does not
//! know the APPENDLIMIT status item, so those lines skip the oracle.

use super::support::{assert_responses, defaults_with_status};
use crate::session::{ConnectionInfo, SessionConfig};
use crate::testing::TestClient;

/// A logged-in client whose server accepts messages of up to 257890 octets.
async fn limited_client() -> TestClient {
    let config = SessionConfig {
        max_literal_bytes: 257_890,
        ..SessionConfig::default()
    };
    let connection = ConnectionInfo {
        tls_active: true,
        trusted_peer: true,
        starttls_available: false,
    };
    let mut client = TestClient::new(connection, config);
    client.greet().await;
    let output = client.send("t1 CAPABILITY\r\n").await;
    assert!(output.contains(" APPENDLIMIT=257890"), "{output}");
    assert!(client.login().await.contains(" APPENDLIMIT=257890"));
    client
}

// RFC 7889 §2 (a): `t1 CAPABILITY` answers `APPENDLIMIT=257890`, before
// and after login (the capability is advertised "in the authenticated
// state" and "may also" be before).
#[tokio::test]
async fn rfc7889_2_capability_with_a_limit() {
    let mut client = limited_client().await;
    let output = client.send("t1 CAPABILITY\r\n").await;
    assert!(output.contains(" APPENDLIMIT=257890\r\n"), "{output}");
    assert!(
        output.ends_with("t1 OK CAPABILITY completed\r\n"),
        "{output}"
    );
    assert_responses(&output);
}

// RFC 7889 §3.1: `t1 STATUS INBOX (APPENDLIMIT)` answers `* STATUS INBOX
// (APPENDLIMIT 257890)`.
#[tokio::test]
async fn rfc7889_3_1_status_appendlimit() {
    let mut client = limited_client().await;
    let output = client.send("t1 STATUS INBOX (APPENDLIMIT)\r\n").await;
    assert_eq!(
        output,
        "* STATUS INBOX (APPENDLIMIT 257890)\r\nt1 OK STATUS completed\r\n"
    );
}

// RFC 7889 §3.2: `t1 LIST "" % RETURN (STATUS (APPENDLIMIT))` answers a
// STATUS with the limit after each LIST line ("include an appropriate
// STATUS response for each matching mailbox"); `%` also lists our default
// special-use mailboxes.
#[tokio::test]
async fn rfc7889_3_2_appendlimit_through_list_status() {
    let mut client = limited_client().await;
    let output = client
        .send("t1 LIST \"\" % RETURN (STATUS (APPENDLIMIT))\r\n")
        .await;
    let defaults = defaults_with_status("", "APPENDLIMIT 257890");
    assert_eq!(
        output,
        format!(
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
             * STATUS INBOX (APPENDLIMIT 257890)\r\n\
             {defaults}t1 OK LIST completed\r\n"
        )
    );
}

// RFC 7889 §4: a message over the limit "SHALL" be rejected "with a tagged
// TOOBIG response code"; with a synchronising literal the server refuses
// before the client sends it, and the next command is served.
#[tokio::test]
async fn rfc7889_4_append_over_the_limit_is_toobig() {
    let mut client = limited_client().await;
    let output = client.send("t2 APPEND INBOX {257891}\r\nt3 NOOP\r\n").await;
    assert!(output.starts_with("t2 NO [TOOBIG] "), "{output}");
    assert!(!output.starts_with('+'), "{output}");
    assert!(output.ends_with("t3 OK NOOP completed\r\n"), "{output}");
    assert_responses(&output);
}
