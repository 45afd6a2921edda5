//! Sans-IO IMAP for Mailkeep: bounded framing, the command parser, the
//! response encoder, modified UTF-7, MIME analysis, the session state machine
//! and the [`MailBackend`](backend::MailBackend) port it awaits. No sockets,
//! no RPC, no SQL: the `gateway` crate drives this with real I/O.
#![forbid(unsafe_code)]

pub mod backend;
pub mod command;
pub mod mutf7;
pub mod response;
