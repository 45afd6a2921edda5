//! Protocol tests of the LMTP session: bytes in (often split mid-line, as
//! real clients send them), replies out, against [`FakeDelivery`].

mod bounds;
mod commands;
mod fake;
mod properties;
mod security;
mod transaction;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

use super::{LmtpConfig, LmtpSession};
use crate::session::{ConnectionInfo, Flow};
use fake::FakeDelivery;

/// Accounts every harness knows.
const ALICE: &str = "alice@example.test";
const BOB: &str = "bob@example.test";

fn loopback() -> ConnectionInfo {
    ConnectionInfo {
        tls_active: false,
        trusted_peer: true,
        starttls_available: true,
    }
}

fn arrival() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

/// One session and the backend it delivers to.
struct Harness {
    session: LmtpSession,
    backend: Arc<FakeDelivery>,
}

impl Harness {
    fn new() -> Self {
        Self::with(LmtpConfig::default(), loopback())
    }

    fn with(config: LmtpConfig, connection: ConnectionInfo) -> Self {
        let backend = Arc::new(FakeDelivery::new());
        backend.add_account(ALICE);
        backend.add_account(BOB);
        let session = LmtpSession::new(
            Arc::clone(&backend) as _,
            Arc::new(LmtpConfig {
                hostname: "mx.example.test".to_owned(),
                ..config
            }),
            connection,
        );
        Self { session, backend }
    }

    /// The greeting.
    async fn greet(&mut self) -> String {
        let mut out = Vec::new();
        self.session.greet(&mut out).await.unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Feeds `fragments` one by one; returns every reply and the last flow.
    async fn feed(&mut self, fragments: &[&[u8]]) -> (String, Flow) {
        let mut out = Vec::new();
        let mut flow = Flow::Continue;
        for fragment in fragments {
            flow = self
                .session
                .receive(fragment, arrival(), &mut out)
                .await
                .unwrap();
        }
        (String::from_utf8(out).unwrap(), flow)
    }

    /// Sends `text` in one piece and returns the replies.
    async fn send(&mut self, text: &str) -> String {
        self.feed(&[text.as_bytes()]).await.0
    }

    /// LHLO, answered.
    async fn ready(&mut self) {
        let answer = self.send("LHLO client.test\r\n").await;
        assert!(answer.starts_with("250-mx.example.test\r\n"), "{answer}");
    }
}

/// The reply codes of `answer`, one per complete reply (multi-line replies
/// count once).
fn codes(answer: &str) -> Vec<u16> {
    answer
        .split("\r\n")
        .filter(|line| line.len() >= 4 && line.as_bytes()[3] == b' ')
        .map(|line| line[..3].parse().unwrap())
        .collect()
}
