//! The vocabulary every role shares: validated id newtypes, UID sets as
//! ranges, the mail model of [`mail`] (flags, mailboxes, messages, search
//! programs), and [`ErrorCode`], the one error classification that is mapped
//! once to gRPC (in `mailkeep-proto`), once to HTTP (here) and once to IMAP
//! response codes (in `mailkeep-gateway-core`). No I/O and no RPC types live
//! here.
#![forbid(unsafe_code)]

mod error_code;
mod ids;
pub mod mail;
mod uid_set;

pub use error_code::ErrorCode;
pub use ids::{AccountId, BlobId, InvalidId, MailboxId, ModSeq, TenantId, Uid};
pub use uid_set::UidSet;
