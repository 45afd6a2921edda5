//! Sans-IO IMAP and LMTP for Mailkeep: bounded framing, the command parser, the
//! response encoder, modified UTF-7, MIME analysis, the session state machine
//! and the [`MailBackend`](backend::MailBackend) port it awaits. No sockets,
//! no RPC, no SQL: the `gateway` crate drives this with real I/O.
#![forbid(unsafe_code)]

pub mod backend;
pub mod command;
pub mod delivery;
pub mod framing;
pub mod imap_code;
pub mod imap_url;
pub mod lmtp;
pub mod mailbox_view;
pub mod mime;
pub mod mutf7;
pub mod parser;
pub mod recipient_copy;
pub mod response;
pub mod session;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
