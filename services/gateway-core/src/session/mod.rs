//! The IMAP session core (RFC 3501, RFC 9051 where compatible): bytes in,
//! responses out, awaiting only the [`MailBackend`] port. [`Session`] owns
//! the framer, the protocol state and the flows that read raw lines (the
//! AUTHENTICATE exchange, IDLE); command handlers live in one module per
//! command family and return a `Reply`.
//!
//! Invariants: every complete command gets exactly one tagged answer (IDLE
//! and AUTHENTICATE answer at their end); bad input is answered and the
//! connection keeps serving, until [`MAX_CONSECUTIVE_BAD`] in a row; the
//! state changes only through `State::apply`.

mod append;
mod auth;
mod catenate;
mod compress;
mod context;
mod copy;
mod dispatch;
mod enable;
mod esearch;
mod expunge;
mod fetch;
pub(crate) mod flags;
mod list_ext;
mod mailboxes;
mod metadata;
mod notify;
mod object_ids;
mod qresync;
mod quota;
mod requirement;
mod search;
mod search_context;
mod search_modseq;
mod select;
mod sort;
mod special_use;
mod state;
mod store;
#[cfg(test)]
mod tests;

use std::io;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use mailkeep_common::MailboxId;

/// The SASL PLAIN decoder, shared with the LMTP `AUTH PLAIN`.
pub(crate) use auth::plain_credentials;
pub use context::*;
pub use enable::Enabled;
pub use state::SessionError;

use crate::backend::{MailBackend, Principal};
use crate::command::{Command, CommandBody, Tag};
use crate::framing::{FrameEvent, Framer, FramingLimits, Limit, LiteralExtension};
use crate::parser::{ParseError, ParseErrorKind, parse_command_utf8};
use crate::response::{Line, Status, condition};
use requirement::{allowed, requirement};
use state::{State, StateKind, Transition};

/// After this many consecutive `BAD` answers the server says `BYE`.
pub const MAX_CONSECUTIVE_BAD: u32 = 20;

/// Per-connection limits and names, shared by every session of a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    pub max_line_bytes: usize,
    pub max_literal_bytes: u64,
    /// LITERAL+ or LITERAL-, advertised and enforced (RFC 7888 §5).
    pub literal_extension: LiteralExtension,
    /// Shown in the greeting.
    pub server_name: String,
    /// METADATA `/shared/admin` (RFC 5464 §3.2.1.1): how to reach the
    /// administrator, e.g. a `mailto:` URI; read-only, absent when `None`.
    pub admin_contact: Option<String>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            max_line_bytes: 64 * 1024,
            max_literal_bytes: 64 * 1024 * 1024,
            literal_extension: LiteralExtension::Plus,
            server_name: "Mailkeep".to_owned(),
            admin_contact: None,
        }
    }
}

/// What the driver knows about the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub tls_active: bool,
    /// Loopback or a configured trusted network (ARCHITECTURE.md §6).
    pub trusted_peer: bool,
    pub starttls_available: bool,
}

impl ConnectionInfo {
    /// Whether passwords may cross this transport (RFC 9051 §11.1).
    pub const fn is_secure(&self) -> bool {
        self.tls_active || self.trusted_peer
    }
}

/// What the driver does after feeding input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Start the TLS handshake now, then call [`Session::tls_established`].
    StartTls,
    /// Flush and close the connection.
    Close,
    /// Wrap both directions in raw deflate now (RFC 4978 §4).
    Compress,
}

/// What a dispatched command produced: a tagged reply still to complete, or
/// a flow that already answered (LOGOUT, STARTTLS) or awaits more input
/// (IDLE, an AUTHENTICATE exchange).
#[derive(Debug)]
pub(crate) enum Step {
    Reply(Reply),
    Done(Flow),
}

/// A handler's answer: the tagged completion and the state change it asks for.
#[derive(Debug)]
pub(crate) struct Reply {
    pub completion: Completion,
    pub transition: Transition,
}

impl From<Completion> for Reply {
    fn from(completion: Completion) -> Self {
        Self {
            completion,
            transition: Transition::None,
        }
    }
}

/// One IMAP connection's protocol state machine.
pub struct Session {
    backend: Arc<dyn MailBackend>,
    config: Arc<SessionConfig>,
    connection: ConnectionInfo,
    framer: Framer,
    state: State,
    /// AUTHENTICATE waiting for the client's response line (RFC 3501 §6.2.2).
    pending_authentication: Option<Tag>,
    consecutive_bad: u32,
    enabled: Enabled,
    /// COMPRESS=DEFLATE is on (RFC 4978).
    compression_active: bool,
    /// NOTIFY SET in force (RFC 5465).
    notifications: Option<notify::Notifications>,
}

impl Session {
    pub fn new(
        backend: Arc<dyn MailBackend>,
        config: Arc<SessionConfig>,
        connection: ConnectionInfo,
    ) -> Self {
        let framer = Framer::new(FramingLimits {
            max_line_bytes: config.max_line_bytes,
            max_literal_bytes: config.max_literal_bytes,
            literal_extension: config.literal_extension,
        });
        Self {
            backend,
            config,
            connection,
            framer,
            state: State::NotAuthenticated,
            pending_authentication: None,
            consecutive_bad: 0,
            enabled: Enabled::default(),
            compression_active: false,
            notifications: None,
        }
    }

    /// `* OK [CAPABILITY ...] <server> ready` (RFC 3501 §7.1.1).
    pub async fn greet(&mut self, out: &mut dyn ResponseSink) -> io::Result<()> {
        let mut line = Line::untagged();
        line.atom("OK")
            .code(&auth::capabilities(&self.connection, &self.config, false))
            .text(&format!("{} ready", self.config.server_name));
        out.send(&line.finish()).await
    }

    /// Feeds bytes from the client, runs every complete command, writes responses.
    pub async fn receive(
        &mut self,
        input: &[u8],
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        self.framer.push(input);
        loop {
            let flow = match self.state.kind() {
                StateKind::Logout => return Ok(Flow::Close),
                StateKind::Idle => {
                    let Some(line) = self.framer.next_line() else {
                        return Ok(Flow::Continue);
                    };
                    select::idle_line(self, line.ok(), now, out).await?
                }
                _ if self.pending_authentication.is_some() => {
                    let Some(line) = self.framer.next_line() else {
                        return Ok(Flow::Continue);
                    };
                    self.authentication_response(line.ok(), now, out).await?
                }
                _ => {
                    let Some(event) = self.framer.next_command() else {
                        return Ok(Flow::Continue);
                    };
                    self.frame_event(event, now, out).await?
                }
            };
            if flow != Flow::Continue {
                return Ok(flow);
            }
        }
    }

    /// After the TLS handshake that [`Flow::StartTls`] asked for.
    pub fn tls_established(&mut self) {
        self.connection.tls_active = true;
    }

    pub fn is_idling(&self) -> bool {
        self.state.kind() == StateKind::Idle
    }

    /// The mailbox SELECT or EXAMINE opened, while its changes go out as
    /// they happen: during IDLE, or under a NOTIFY that watches the selected
    /// mailbox (RFC 5465 §5.1).
    pub fn mailbox_updated_live(&self) -> Option<MailboxId> {
        let live = self.is_idling()
            || self
                .notifications
                .as_ref()
                .is_some_and(notify::Notifications::watches_selected);
        match &self.state {
            State::Selected { selected, .. }
            | State::Idle {
                selected: Some(selected),
                ..
            } if live => Some(selected.mailbox.id),
            _ => None,
        }
    }

    /// The authenticated user, once LOGIN or AUTHENTICATE has succeeded.
    pub fn principal(&self) -> Option<&Principal> {
        match &self.state {
            State::Authenticated { principal }
            | State::Selected { principal, .. }
            | State::Idle { principal, .. } => Some(principal),
            State::NotAuthenticated | State::Logout => None,
        }
    }

    /// Reports the changes the protocol allows right now: everything while
    /// idling or when NOTIFY's SELECTED asked for MessageExpunge (RFC 5465
    /// §6.1.1), otherwise no EXPUNGE (RFC 3501 §7.4.1: not without a
    /// command in progress), and no selected-mailbox updates between
    /// commands when NOTIFY left the selected mailbox out (RFC 5465 §6.1);
    /// then NOTIFY's reports.
    pub async fn poll_updates(
        &mut self,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<()> {
        let idling = self.is_idling();
        let selected_wanted = self
            .notifications
            .as_ref()
            .is_none_or(notify::Notifications::watches_selected);
        let allow_expunge = idling
            || self
                .notifications
                .as_ref()
                .is_some_and(notify::Notifications::expunges_immediately);
        if idling || selected_wanted {
            self.report_updates(allow_expunge, now, out).await?;
        }
        self.report_notifications(now, out).await
    }

    /// Untagged updates for the selected mailbox, if any (RFC 3501 §7.4.1).
    async fn report_updates(
        &mut self,
        allow_expunge: bool,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<()> {
        let (principal, selected) = match &mut self.state {
            State::Selected {
                principal,
                selected,
            }
            | State::Idle {
                principal,
                selected: Some(selected),
                ..
            } => (principal, selected),
            _ => return Ok(()),
        };
        let mut ctx = CommandContext {
            backend: self.backend.as_ref(),
            principal,
            enabled: &mut self.enabled,
            out,
            now,
            config: &self.config,
        };
        let known_last = selected.view.uids().last();
        select::sync_updates(&mut ctx, selected, allow_expunge).await?;
        let notifications = self.notifications.as_ref();
        notify::fetch_new_messages(&mut ctx, selected, known_last, notifications).await
    }

    /// Server shutdown: `* BYE` (RFC 3501 §7.1.5); the driver then closes.
    pub async fn shutdown(&mut self, out: &mut dyn ResponseSink) -> io::Result<()> {
        if self.state.kind() == StateKind::Logout {
            return Ok(());
        }
        self.enter_logout();
        out.send(&condition(None, Status::Bye, None, "server shutting down"))
            .await
    }

    fn enter_logout(&mut self) {
        if let Err(error) = self.state.apply(Transition::Logout) {
            tracing::warn!(error = %error, "logout transition refused");
        }
    }

    async fn frame_event(
        &mut self,
        event: FrameEvent,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        match event {
            FrameEvent::ContinuationNeeded => {
                out.send(b"+ Ready for literal\r\n").await?;
                Ok(Flow::Continue)
            }
            FrameEvent::TooBig { tag, limit } => {
                let (status, text) = match limit {
                    Limit::Line => (Status::Bad, "line too long"),
                    Limit::Literal { .. } => (Status::No, "literal too large"),
                    // RFC 7888 §5: for APPEND "the tagged BAD response MUST
                    // contain the TOOBIG response code".
                    Limit::NonSynchronisingLiteral { .. } => (
                        Status::Bad,
                        "non-synchronizing literal over 4096 bytes (LITERAL-)",
                    ),
                };
                let response = match tag {
                    Some(tag) => condition(Some(&tag), status, Some("TOOBIG"), text),
                    None => condition(None, Status::Bad, Some("TOOBIG"), text),
                };
                out.send(&response).await?;
                self.count_bad(out).await
            }
            FrameEvent::Command(raw) => match parse_command_utf8(&raw, self.enabled.utf8_names()) {
                Ok(command) => self.execute(command, now, out).await,
                Err(error) => self.parse_failure(error, out).await,
            },
        }
    }

    async fn parse_failure(
        &mut self,
        error: ParseError,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let tag = error.tag.as_ref().map(|tag| tag.0.as_str());
        let refusal = match (&error.kind, tag) {
            // RFC 3501 §6.4.4 / RFC 5530: a NO, not a syntax error.
            (ParseErrorKind::BadCharset, Some(tag)) => Some(condition(
                Some(tag),
                Status::No,
                Some("BADCHARSET (US-ASCII UTF-8)"),
                "unsupported charset",
            )),
            (ParseErrorKind::InvalidMailboxName(_), Some(tag)) => Some(condition(
                Some(tag),
                Status::No,
                Some("CANNOT"),
                &error.kind.to_string(),
            )),
            _ => None,
        };
        if let Some(refusal) = refusal {
            out.send(&refusal).await?;
            self.consecutive_bad = 0;
            return Ok(Flow::Continue);
        }
        out.send(&condition(tag, Status::Bad, None, &error.kind.to_string()))
            .await?;
        self.count_bad(out).await
    }

    /// Counts a `BAD` answer; too many in a row end the connection.
    async fn count_bad(&mut self, out: &mut dyn ResponseSink) -> io::Result<Flow> {
        self.consecutive_bad += 1;
        if self.consecutive_bad < MAX_CONSECUTIVE_BAD {
            return Ok(Flow::Continue);
        }
        tracing::info!(
            count = self.consecutive_bad,
            "closing after repeated bad commands"
        );
        self.enter_logout();
        out.send(&condition(
            None,
            Status::Bye,
            None,
            "too many invalid commands",
        ))
        .await?;
        Ok(Flow::Close)
    }

    async fn execute(
        &mut self,
        command: Command,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let Command { tag, body } = command;
        if !allowed(requirement(&body), self.state.kind()) {
            let text = format!(
                "command not valid in the {} state",
                self.state.kind().as_str()
            );
            let reply = Completion::bad(text).into();
            return self.complete(&tag, reply, false, now, out).await;
        }
        if let Some(conflict) = enable::utf8_conflict(&self.enabled, &body) {
            let reply = Completion::bad(conflict).into();
            return self.complete(&tag, reply, false, now, out).await;
        }
        // RFC 3501 §7.4.1: no EXPUNGE while answering FETCH, STORE or SEARCH
        // by sequence number (their UID forms allow it).
        let allow_expunge = !matches!(
            body,
            CommandBody::Fetch { uid: false, .. }
                | CommandBody::Store { uid: false, .. }
                | CommandBody::Search { uid: false, .. }
                | CommandBody::Sort { uid: false, .. }
                | CommandBody::Thread { uid: false, .. }
        );
        match self.dispatch(&tag, body, now, out).await? {
            Step::Done(flow) => Ok(flow),
            Step::Reply(reply) => self.complete(&tag, reply, allow_expunge, now, out).await,
        }
    }
}
