//! The mail model every role shares: the flags, mailboxes, messages and
//! search programs that the gateway's `MailBackend` port and the metadata
//! service's `MetadataStore` both speak. Plain data, independent of the wire
//! (`mailkeep-proto` converts at the gRPC edge) and of SQL. Ids are the
//! validated newtypes of this crate, so a value that exists is well formed;
//! UIDs and MODSEQs follow RFC 3501 §2.3.1.1 and RFC 7162 §3.1.

mod flags;
mod mailbox;
mod message;
mod search;

pub use flags::{FlagUpdate, Flags, StoreOperation, StoreOutcome, SystemFlags};
pub use mailbox::{Changes, MailboxInfo, MailboxStatus, SelectedMailbox};
pub use message::{
    AppendOutcome, CopyOutcome, ExpungeOutcome, MessageAnalysis, MessageMeta, MetaQuery,
    NewMessageMeta,
};
pub use search::{SearchFlag, SearchOutcome, SearchQuery};
