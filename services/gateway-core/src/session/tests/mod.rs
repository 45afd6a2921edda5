//! Protocol tests for the session core: byte fragments in, responses out,
//! over `testing::MemoryBackend`. Every response the server writes is
//! checked with imap-codec's parser as an independent oracle; the setup the
//! command tests share lives in [`support`].

mod auth;
mod condstore;
mod errors;
mod flow;
mod imap4rev2;
mod list_ext;
mod mailboxes;
mod metadata;
mod objectid;
mod qresync;
mod quota;
mod rfc_2177;
mod rfc_2342;
mod rfc_2971;
mod rfc_3348;
mod rfc_3502;
mod rfc_3516;
mod rfc_3691;
mod rfc_4315;
mod rfc_4469;
mod rfc_4731;
mod rfc_4959;
mod rfc_4978;
mod rfc_5032;
mod rfc_5161;
mod rfc_5182;
mod rfc_5256;
mod rfc_5258;
mod rfc_5267;
mod rfc_5464;
mod rfc_5465;
mod rfc_5819;
mod rfc_5957;
mod rfc_6154;
mod rfc_6851;
mod rfc_6855;
mod rfc_7162;
mod rfc_7888;
mod rfc_7889;
mod rfc_8438;
mod rfc_8474;
mod rfc_9208;
mod search_context;
mod searchres;
mod select;
pub(in crate::session) mod support;
mod wire;

use imap_codec::GreetingCodec;
use imap_codec::decode::Decoder;

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

#[track_caller]
fn assert_greeting(output: &str) {
    let (rest, _) = GreetingCodec::default()
        .decode(output.as_bytes())
        .unwrap_or_else(|error| panic!("imap-codec rejects greeting {output:?}: {error:?}"));
    assert!(rest.is_empty());
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
