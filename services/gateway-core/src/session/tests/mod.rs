//! Protocol tests for the session core: byte fragments in, responses out,
//! over `testing::MemoryBackend`. Every response the server writes is
//! checked with imap-codec's parser as an independent oracle.

mod auth;
mod errors;
mod flow;
mod mailboxes;
mod select;

use imap_codec::decode::Decoder;
use imap_codec::{GreetingCodec, ResponseCodec};

use crate::session::{ConnectionInfo, SessionConfig};
use crate::testing::TestClient;

/// A client on a non-loopback address without TLS.
fn untrusted_client() -> TestClient {
    TestClient::new(
        ConnectionInfo {
            tls_active: false,
            trusted_peer: false,
            starttls_available: true,
        },
        SessionConfig::default(),
    )
}

/// Asserts that `output` is a sequence of complete, valid IMAP responses.
#[track_caller]
fn assert_responses(output: &str) {
    let mut rest = output.as_bytes();
    while !rest.is_empty() {
        match ResponseCodec::default().decode(rest) {
            Ok((remaining, _)) => rest = remaining,
            Err(error) => panic!(
                "imap-codec rejects {:?}: {error:?}",
                String::from_utf8_lossy(rest)
            ),
        }
    }
}

#[track_caller]
fn assert_greeting(output: &str) {
    let (rest, _) = GreetingCodec::default()
        .decode(output.as_bytes())
        .unwrap_or_else(|error| panic!("imap-codec rejects greeting {output:?}: {error:?}"));
    assert!(rest.is_empty());
}

/// A logged-in client over loopback.
async fn logged_in() -> TestClient {
    let mut client = TestClient::trusted();
    client.greet().await;
    let answer = client.login().await;
    assert!(
        answer.starts_with("L0 OK [CAPABILITY IMAP4rev1 "),
        "{answer}"
    );
    client
}

/// A small RFC 5322 message.
fn message(subject: &str) -> String {
    format!(
        "From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: {subject}\r\n\
         Date: Sat, 01 Jun 2024 10:00:00 +0000\r\nMessage-ID: <{subject}@example.test>\r\n\r\n\
         Hello {subject}.\r\n"
    )
}

/// The driver spawns one task per connection, so the session and the
/// futures of its methods must be `Send`.
#[test]
fn session_futures_are_send() {
    fn assert_send<T: Send>(value: T) -> T {
        value
    }
    let mut client = assert_send(TestClient::trusted());
    let mut out = Vec::new();
    let now = client.now;
    drop(assert_send(client.session.receive(b"", now, &mut out)));
    drop(assert_send(client.session.poll_updates(now, &mut out)));
    let session = assert_send(client.session);
    assert!(!session.is_idling());
}
