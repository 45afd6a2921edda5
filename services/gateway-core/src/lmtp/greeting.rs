//! The commands that set a session up rather than move mail: LHLO and the
//! extensions it announces (RFC 2033 §4.1, RFC 5321 §4.1.1.1), STARTTLS
//! (RFC 3207) and `AUTH PLAIN` against the listener's shared secret (RFC
//! 4954, RFC 4616).
//!
//! Invariants: the secret is compared in constant time and never logged;
//! AUTH is refused on a transport where the password would travel in clear
//! (not TLS, not a trusted peer); after STARTTLS the session forgets
//! everything it was told before (RFC 3207 §4.2), buffered input included.

use std::io;

use super::input::{LineEvent, LineReader};
use super::{LmtpSession, Mode, Reply, Step};
use crate::session::{Flow, ResponseSink, plain_credentials};

/// Failed AUTH attempts after which the connection is closed.
pub(super) const MAX_AUTH_FAILURES: u32 = 3;

impl LmtpSession {
    /// `250-host` and one line per extension; a new LHLO resets the
    /// transaction (RFC 5321 §4.1.4).
    pub(super) fn lhlo(&mut self) -> Reply {
        self.greeted = true;
        self.transaction = None;
        let mut lines = vec![
            self.config.hostname.clone(),
            "PIPELINING".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
            "8BITMIME".to_owned(),
            "SMTPUTF8".to_owned(),
            "CHUNKING".to_owned(),
            "BINARYMIME".to_owned(),
            format!("SIZE {}", self.config.max_message_bytes),
        ];
        if self.connection.starttls_available && !self.connection.tls_active {
            lines.push("STARTTLS".to_owned());
        }
        if self.config.auth_secret.is_some() && !self.authenticated && self.connection.is_secure() {
            lines.push("AUTH PLAIN".to_owned());
        }
        Reply::plain(250, lines)
    }

    pub(super) fn start_tls(&mut self) -> Step {
        if self.connection.tls_active {
            return Step::Reply(Reply::bad_sequence("TLS is already active"));
        }
        if !self.connection.starttls_available {
            return Step::Reply(Reply::new(502, "5.5.1", "STARTTLS is not available"));
        }
        if self.transaction.is_some() {
            return Step::Reply(Reply::bad_sequence("STARTTLS inside a mail transaction"));
        }
        self.greeted = false;
        self.authenticated = false;
        self.input.clear();
        self.lines = LineReader::default();
        Step::Done {
            reply: Reply::new(220, "2.0.0", "ready to start TLS"),
            flow: Flow::StartTls,
        }
    }

    pub(super) fn auth(&mut self, mechanism: &str, initial_response: Option<&str>) -> Step {
        let refusal = if self.config.auth_secret.is_none() {
            Some(Reply::new(502, "5.5.1", "AUTH is not available"))
        } else if !self.greeted {
            Some(Reply::bad_sequence("send LHLO first"))
        } else if self.authenticated {
            Some(Reply::bad_sequence("already authenticated"))
        } else if self.transaction.is_some() {
            Some(Reply::bad_sequence("AUTH inside a mail transaction"))
        } else if !self.connection.is_secure() {
            // RFC 4954 §6: a password needs an encrypted transport.
            Some(Reply::new(538, "5.7.11", "encryption required for AUTH"))
        } else if mechanism != "PLAIN" {
            Some(Reply::new(504, "5.5.4", "unrecognized authentication type"))
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return Step::Reply(refusal);
        }
        match initial_response {
            // RFC 4954 §4: `=` is an empty initial response.
            Some("=") => Step::Reply(self.check_plain(b"")),
            Some(response) => Step::Reply(self.check_plain(response.as_bytes())),
            None => {
                self.mode = Mode::AuthResponse;
                Step::Done {
                    reply: Reply::plain(334, vec![String::new()]),
                    flow: Flow::Continue,
                }
            }
        }
    }

    /// The client's line after `334`.
    pub(super) async fn auth_response(
        &mut self,
        event: LineEvent,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let reply = match event {
            LineEvent::TooLong => Reply::new(500, "5.5.6", "authentication exchange line too long"),
            LineEvent::Line(line) if line == b"*" => {
                Reply::new(501, "5.0.0", "authentication cancelled")
            }
            LineEvent::Line(line) => self.check_plain(&line),
        };
        self.answer(reply, out).await
    }

    fn check_plain(&mut self, encoded: &[u8]) -> Reply {
        let Some(secret) = &self.config.auth_secret else {
            return Reply::new(502, "5.5.1", "AUTH is not available");
        };
        let accepted = match plain_credentials(encoded) {
            Ok((_login, password)) => secret.matches(&password),
            Err(_) => return Reply::new(501, "5.5.2", "malformed PLAIN response"),
        };
        if accepted {
            self.authenticated = true;
            return Reply::new(235, "2.7.0", "authentication successful");
        }
        self.auth_failures += 1;
        tracing::info!(failures = self.auth_failures, "lmtp authentication failed");
        if self.auth_failures >= MAX_AUTH_FAILURES {
            self.closed = true;
            return Reply::new(421, "4.7.0", "too many authentication failures");
        }
        Reply::new(535, "5.7.8", "authentication credentials invalid")
    }
}
