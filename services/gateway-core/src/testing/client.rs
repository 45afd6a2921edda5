//! [`TestClient`]: a `Session` over a [`MemoryBackend`] with one account,
//! fed byte fragments the way real clients split them, returning what the
//! server wrote as text.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};

use super::MemoryBackend;
use crate::backend::Principal;
use crate::session::{ConnectionInfo, Flow, Session, SessionConfig};

pub const TEST_LOGIN: &str = "alice@example.test";
pub const TEST_PASSWORD: &str = "correct horse";

/// A loopback connection: secure without TLS, STARTTLS offered.
const LOOPBACK: ConnectionInfo = ConnectionInfo {
    tls_active: false,
    trusted_peer: true,
    starttls_available: true,
};

pub struct TestClient {
    pub session: Session,
    pub backend: Arc<MemoryBackend>,
    /// The account `TEST_LOGIN` / `TEST_PASSWORD`.
    pub principal: Principal,
    /// The clock the session is given (2024-06-01 12:00 UTC).
    pub now: DateTime<Utc>,
    /// The flow the last `send` ended with.
    pub flow: Flow,
}

impl TestClient {
    pub fn new(connection: ConnectionInfo, config: SessionConfig) -> Self {
        let backend = Arc::new(MemoryBackend::new());
        let principal = backend.add_account(TEST_LOGIN, TEST_PASSWORD);
        let session = Session::new(backend.clone(), Arc::new(config), connection);
        Self {
            session,
            backend,
            principal,
            now: Utc
                .with_ymd_and_hms(2024, 6, 1, 12, 0, 0)
                .single()
                .unwrap_or_default(),
            flow: Flow::Continue,
        }
    }

    /// A second loopback connection to the same backend, not yet logged in:
    /// what it changes is a concurrent change for this one.
    pub fn another_connection(&self) -> Self {
        let config = Arc::new(SessionConfig::default());
        Self {
            session: Session::new(self.backend.clone(), config, LOOPBACK),
            backend: self.backend.clone(),
            principal: self.principal.clone(),
            now: self.now,
            flow: Flow::Continue,
        }
    }

    /// A client on [`LOOPBACK`].
    pub fn trusted() -> Self {
        Self::new(LOOPBACK, SessionConfig::default())
    }

    pub async fn greet(&mut self) -> String {
        let mut out = Vec::new();
        let result = self.session.greet(&mut out).await;
        text(out, result.err())
    }

    /// Sends one fragment.
    pub async fn send(&mut self, input: &str) -> String {
        self.send_fragments(&[input.as_bytes()]).await
    }

    /// Sends each fragment with its own `receive` call; returns all output.
    pub async fn send_fragments(&mut self, fragments: &[&[u8]]) -> String {
        let mut out = Vec::new();
        for fragment in fragments {
            match self.session.receive(fragment, self.now, &mut out).await {
                Ok(flow) => self.flow = flow,
                Err(error) => return text(out, Some(error)),
            }
        }
        text(out, None)
    }

    /// Logs in with LOGIN; returns the tagged answer.
    pub async fn login(&mut self) -> String {
        self.send(&format!("L0 LOGIN {TEST_LOGIN} \"{TEST_PASSWORD}\"\r\n"))
            .await
    }

    pub async fn poll(&mut self) -> String {
        let mut out = Vec::new();
        let result = self.session.poll_updates(self.now, &mut out).await;
        text(out, result.err())
    }
}

fn text(out: Vec<u8>, error: Option<std::io::Error>) -> String {
    let mut text = String::from_utf8_lossy(&out).into_owned();
    if let Some(error) = error {
        text.push_str(&format!("<io error: {error}>"));
    }
    text
}
