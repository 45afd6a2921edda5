//! The sans-IO LMTP session (RFC 2033): bytes in, replies out, awaiting
//! only the [`DeliveryBackend`] port. [`LmtpSession`] owns the input
//! buffer and the reading mode (command lines, a `DATA` body, a `BDAT`
//! chunk, an `AUTH` response); command handlers live in `transaction`
//! (MAIL, RCPT, DATA, BDAT) and `greeting` (LHLO, STARTTLS, AUTH).
//!
//! Invariants: every command line gets exactly one reply, except that the
//! end of a message gets one reply per accepted recipient, in RCPT order
//! (RFC 2033 §4.2); pipelined commands (RFC 2920) are answered in order; bad
//! input is answered with a 5xx and the session continues, until
//! [`MAX_CONSECUTIVE_BAD`] in a row; a message body is never held beyond
//! the configured size.

mod command;
mod greeting;
mod input;
mod reply;
#[cfg(test)]
mod tests;
mod transaction;

use std::fmt;
use std::io;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use subtle::ConstantTimeEq;

pub use command::{BodyType, Command, MailParameters, parse_command};
pub use reply::{OverQuotaReply, Reply, backend_failure};

use crate::delivery::DeliveryBackend;
use crate::session::{ConnectionInfo, Flow, MAX_CONSECUTIVE_BAD, ResponseSink};
use input::{Chunk, DotBody, LineEvent, LineReader};
use transaction::Transaction;

/// RFC 1870 / issue 7: the default maximum message size, 50 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 50 * 1024 * 1024;
/// Issue 7: the default bound on recipients per transaction.
pub const DEFAULT_MAX_RECIPIENTS: usize = 100;
/// RFC 5321 §4.5.3.1.4 allows 512 octets; extensions and SMTPUTF8
/// addresses need more, so commands may be this long.
pub const DEFAULT_MAX_COMMAND_LINE_BYTES: usize = 4096;
/// RFC 5321 §4.5.3.1.6 names 1000 octets but real mail breaks it; lines
/// of a message may be this long.
pub const DEFAULT_MAX_DATA_LINE_BYTES: usize = 64 * 1024;

/// The `AUTH PLAIN` password clients must present; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedSecret(String);

impl SharedSecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// Compares in constant time, so timing does not reveal a prefix.
    fn matches(&self, candidate: &str) -> bool {
        self.0.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

impl fmt::Debug for SharedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedSecret(<redacted>)")
    }
}

/// Limits and policy shared by every session of a listener.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LmtpConfig {
    /// The host name in the greeting and the LHLO answer.
    pub hostname: String,
    pub max_message_bytes: u64,
    pub max_recipients: usize,
    pub max_command_line_bytes: usize,
    pub max_data_line_bytes: usize,
    pub over_quota: OverQuotaReply,
    /// When set, MAIL needs a successful `AUTH PLAIN` with this password.
    pub auth_secret: Option<SharedSecret>,
}

impl Default for LmtpConfig {
    fn default() -> Self {
        Self {
            hostname: "localhost".to_owned(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_recipients: DEFAULT_MAX_RECIPIENTS,
            max_command_line_bytes: DEFAULT_MAX_COMMAND_LINE_BYTES,
            max_data_line_bytes: DEFAULT_MAX_DATA_LINE_BYTES,
            over_quota: OverQuotaReply::default(),
            auth_secret: None,
        }
    }
}

/// Per-recipient delivery results since the driver last asked, for its
/// metrics (the core has no metrics of its own).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryTally {
    pub delivered: u64,
    /// 4xx answers after the message: the MTA retries.
    pub deferred: u64,
    /// 5xx answers after the message: the MTA bounces.
    pub rejected: u64,
}

/// What the session is reading.
#[derive(Debug)]
enum Mode {
    Commands,
    /// The message after `354` (RFC 5321 §4.1.1.4).
    Data(DotBody),
    /// A `BDAT` chunk; `refusal` is answered once it is consumed, because
    /// the bytes arrive whatever the answer (RFC 3030 §2).
    Chunk {
        chunk: Chunk,
        refusal: Option<Reply>,
    },
    /// The client's answer to `334` (RFC 4954 §4).
    AuthResponse,
}

/// One LMTP connection's protocol state machine.
pub struct LmtpSession {
    backend: Arc<dyn DeliveryBackend>,
    config: Arc<LmtpConfig>,
    connection: ConnectionInfo,
    input: Vec<u8>,
    lines: LineReader,
    mode: Mode,
    /// LHLO was accepted (RFC 2033 §4.1).
    greeted: bool,
    authenticated: bool,
    auth_failures: u32,
    transaction: Option<Transaction>,
    consecutive_bad: u32,
    closed: bool,
    tally: DeliveryTally,
}

impl LmtpSession {
    pub fn new(
        backend: Arc<dyn DeliveryBackend>,
        config: Arc<LmtpConfig>,
        connection: ConnectionInfo,
    ) -> Self {
        Self {
            backend,
            config,
            connection,
            input: Vec::new(),
            lines: LineReader::default(),
            mode: Mode::Commands,
            greeted: false,
            authenticated: false,
            auth_failures: 0,
            transaction: None,
            consecutive_bad: 0,
            closed: false,
            tally: DeliveryTally::default(),
        }
    }

    /// `220 <host> LMTP ready` (RFC 5321 §4.2, RFC 2034 §3: no enhanced code).
    pub async fn greet(&mut self, out: &mut dyn ResponseSink) -> io::Result<()> {
        let text = format!("{} LMTP Mailkeep ready", self.config.hostname);
        out.send(&Reply::plain(220, vec![text]).encode()).await
    }

    /// Feeds bytes from the client, answers every complete command.
    pub async fn receive(
        &mut self,
        input: &[u8],
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        self.input.extend_from_slice(input);
        loop {
            if self.closed {
                return Ok(Flow::Close);
            }
            let flow = match std::mem::replace(&mut self.mode, Mode::Commands) {
                Mode::Commands => match self.next_line() {
                    Some(event) => self.command_line(event, out).await?,
                    None => return Ok(Flow::Continue),
                },
                Mode::AuthResponse => match self.next_line() {
                    Some(event) => self.auth_response(event, out).await?,
                    None => {
                        self.mode = Mode::AuthResponse;
                        return Ok(Flow::Continue);
                    }
                },
                Mode::Data(mut body) => {
                    let (used, done) = body.feed(&self.input);
                    self.input.drain(..used);
                    if !done {
                        self.mode = Mode::Data(body);
                        return Ok(Flow::Continue);
                    }
                    self.finish_message(body.message, now, out).await?
                }
                Mode::Chunk { mut chunk, refusal } => {
                    let message = match refusal {
                        None => self.transaction.as_mut().map(Transaction::chunks),
                        Some(_) => None,
                    };
                    let used = chunk.feed(&self.input, message);
                    self.input.drain(..used);
                    if !chunk.is_complete() {
                        self.mode = Mode::Chunk { chunk, refusal };
                        return Ok(Flow::Continue);
                    }
                    self.finish_chunk(chunk.last, refusal, now, out).await?
                }
            };
            if flow != Flow::Continue {
                return Ok(flow);
            }
        }
    }

    /// After the TLS handshake that [`Flow::StartTls`] asked for: the
    /// client starts over with LHLO (RFC 3207 §4.2).
    pub fn tls_established(&mut self) {
        self.connection.tls_active = true;
    }

    /// Whether a message is arriving, which a drain lets finish.
    pub fn receiving_message(&self) -> bool {
        matches!(self.mode, Mode::Data(_) | Mode::Chunk { .. })
    }

    /// The delivery results since the last call.
    pub fn take_tally(&mut self) -> DeliveryTally {
        std::mem::take(&mut self.tally)
    }

    /// Server shutdown: `421` (RFC 5321 §3.8); the driver then closes.
    pub async fn shutdown(&mut self, out: &mut dyn ResponseSink) -> io::Result<()> {
        self.close_with("4.3.2", "service shutting down", out).await
    }

    /// The session timeout passed without input (RFC 5321 §4.5.3.2).
    pub async fn timed_out(&mut self, out: &mut dyn ResponseSink) -> io::Result<()> {
        self.close_with("4.4.2", "timeout waiting for input", out)
            .await
    }

    async fn close_with(
        &mut self,
        enhanced: &'static str,
        reason: &str,
        out: &mut dyn ResponseSink,
    ) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        let text = format!("{} {reason}", self.config.hostname);
        out.send(&Reply::new(421, enhanced, text).encode()).await
    }

    fn next_line(&mut self) -> Option<LineEvent> {
        let max = self.config.max_command_line_bytes;
        self.lines.take_line(&mut self.input, max)
    }

    async fn command_line(
        &mut self,
        event: LineEvent,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let command = match event {
            LineEvent::TooLong => Err(Reply::line_too_long()),
            LineEvent::Line(line) => parse_command(&line),
        };
        let reply = match command {
            Ok(command) => match self.execute(command).await {
                Step::Reply(reply) => reply,
                Step::Awaiting => return Ok(Flow::Continue),
                Step::Done { reply, flow } => {
                    out.send(&reply.encode()).await?;
                    return Ok(flow);
                }
            },
            Err(reply) => reply,
        };
        self.answer(reply, out).await
    }

    async fn execute(&mut self, command: Command) -> Step {
        match command {
            Command::Lhlo => Step::Reply(self.lhlo()),
            Command::SmtpGreeting => {
                Step::Reply(Reply::new(500, "5.5.1", "this is an LMTP server: use LHLO"))
            }
            Command::Mail {
                reverse_path,
                parameters,
            } => Step::Reply(self.mail(reverse_path, parameters)),
            Command::Rcpt { forward_path } => Step::Reply(self.rcpt(forward_path).await),
            Command::Data => Step::Reply(self.start_data()),
            Command::Bdat { size, last } => self.start_chunk(size, last),
            Command::Rset => {
                self.transaction = None;
                Step::Reply(Reply::ok())
            }
            Command::Noop => Step::Reply(Reply::ok()),
            Command::Quit => {
                self.closed = true;
                let text = format!("{} closing connection", self.config.hostname);
                Step::Done {
                    reply: Reply::new(221, "2.0.0", text),
                    flow: Flow::Close,
                }
            }
            // RFC 5321 §3.5.3: 252 when the server will not verify.
            Command::Vrfy => Step::Reply(Reply::new(
                252,
                "2.5.0",
                "cannot VRFY user, but will accept message",
            )),
            Command::Help => Step::Reply(Reply::new(
                214,
                "2.0.0",
                "LHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
            )),
            Command::StartTls => self.start_tls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(&mechanism, initial_response.as_deref()),
        }
    }

    /// Sends a command's reply and keeps count of bad commands in a row:
    /// too many end the connection (a client that is not speaking LMTP).
    async fn answer(&mut self, reply: Reply, out: &mut dyn ResponseSink) -> io::Result<Flow> {
        out.send(&reply.encode()).await?;
        if !(500..=504).contains(&reply.code()) {
            self.consecutive_bad = 0;
            return Ok(Flow::Continue);
        }
        self.consecutive_bad += 1;
        if self.consecutive_bad < MAX_CONSECUTIVE_BAD {
            return Ok(Flow::Continue);
        }
        tracing::info!(
            count = self.consecutive_bad,
            "closing lmtp session after repeated bad commands"
        );
        self.close_with("4.7.0", "too many errors", out).await?;
        Ok(Flow::Close)
    }
}

/// What a command produced: a reply and more commands, or a reply after
/// which the driver must act (close, TLS handshake).
#[derive(Debug)]
enum Step {
    Reply(Reply),
    /// The reply comes once more input has arrived (a BDAT chunk).
    Awaiting,
    Done {
        reply: Reply,
        flow: Flow,
    },
}
