//! The mail model every role shares: the flags, mailboxes, messages and
//! search programs that the gateway's `MailBackend` port and the metadata
//! service's `MetadataStore` both speak. Plain data, independent of the wire
//! (`mailkeep-proto` converts at the gRPC edge) and of SQL. Ids are the
//! validated newtypes of this crate, so a value that exists is well formed;
//! UIDs and MODSEQs follow RFC 3501 §2.3.1.1 and RFC 7162 §3.1.

mod delivery;
mod flags;
mod mailbox;
mod message;
mod metadata;
mod search;
mod sort;
mod thread;

pub use delivery::{DeliveredMessage, RECIPIENT_DELIMITER, RecipientDelivery, ResolvedRecipient};
pub use flags::{FlagUpdate, Flags, StoreOperation, StoreOutcome, SystemFlags};
pub use mailbox::{Changes, MailboxInfo, MailboxStatus, SelectedMailbox};
pub use message::{
    AppendOutcome, CopyOutcome, ExpungeOutcome, MessageAnalysis, MessageMeta, MetaQuery,
    NewMessageMeta,
};
pub use metadata::{
    ChangedMetadataEntry, MAX_METADATA_ENTRIES, MAX_METADATA_NAME_BYTES, MAX_METADATA_VALUE_BYTES,
    MetadataChange, MetadataChanges, MetadataEntry, metadata_entry_name,
    requested_metadata_entry_name,
};
pub use search::{SearchFlag, SearchOutcome, SearchQuery};
pub use sort::{SortCriterion, SortInput, SortKey, SortOutcome, sort_uids};
pub use thread::{ThreadAlgorithm, ThreadNode, ThreadOutcome, thread_messages};
