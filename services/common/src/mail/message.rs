//! Messages: what the MIME analysis derives at append time, the metadata
//! half of a message to append, the per-message metadata a FETCH reads
//! (RFC 3501 §6.4.5) and the outcomes of APPEND, COPY/MOVE (RFC 4315 §3,
//! RFC 6851 §3) and EXPUNGE.

use crate::{BlobId, ModSeq, Uid, UidSet};

use super::Flags;

/// What the MIME analysis derived from a message at append time. The
/// pre-encoded IMAP fields lead with a format version byte and are opaque
/// outside the gateway.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MessageAnalysis {
    pub envelope: Vec<u8>,
    pub bodystructure: Vec<u8>,
    pub body: Vec<u8>,
    pub part_table: Vec<u8>,
    /// Every header field, unfolded and RFC 2047-decoded, one per line as
    /// `lower-case-name: value\n`, in message order (HEADER searches).
    pub header_text: String,
    /// The decoded text of the text/* parts (BODY searches; TEXT searches
    /// header_text and body_text).
    pub body_text: String,
    /// The Date: header's wall-clock time read as if it were UTC (unix
    /// seconds), so `sent_date.div_euclid(86400)` is its own calendar day, as
    /// SENTBEFORE/SENTON/SENTSINCE compare (RFC 3501 §6.4.4). None if absent
    /// or unparseable.
    pub sent_date: Option<i64>,
    pub subject: String,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub message_id: String,
}

/// The metadata half of a message to append: its body is already stored as
/// `blob_id`; `size` counts `prefix` and the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessageMeta {
    pub blob_id: BlobId,
    pub size: u64,
    /// Per-recipient header lines (Return-Path, Delivered-To) a delivery puts
    /// before the shared blob (ARCHITECTURE.md §4); empty for APPEND.
    pub prefix: Vec<u8>,
    /// Unix seconds.
    pub internal_date: i64,
    /// The zone the client gave, minutes east of UTC (kept for INTERNALDATE).
    pub internal_date_offset: i32,
    pub flags: Flags,
    pub analysis: MessageAnalysis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    pub uidvalidity: u32,
    pub uids: Vec<Uid>,
    pub modseq: ModSeq,
}

/// Which optional columns a metadata fetch returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetaQuery {
    pub with_envelope: bool,
    pub with_bodystructure: bool,
    pub with_part_table: bool,
    /// CONDSTORE CHANGEDSINCE.
    pub changed_since: Option<ModSeq>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    pub uid: Uid,
    pub modseq: ModSeq,
    pub flags: Flags,
    pub blob_id: BlobId,
    /// Bytes of the message a client sees: `prefix` plus the blob.
    pub size: u64,
    /// Header lines stored before the blob; the message is `prefix` followed
    /// by the blob, and part offsets count it (ARCHITECTURE.md §4).
    pub prefix: Vec<u8>,
    /// Unix seconds.
    pub internal_date: i64,
    /// Minutes east of UTC.
    pub internal_date_offset: i32,
    /// The pre-encoded columns are empty unless asked for (`body` comes with
    /// `with_bodystructure`).
    pub envelope: Vec<u8>,
    pub bodystructure: Vec<u8>,
    pub body: Vec<u8>,
    pub part_table: Vec<u8>,
    pub email_id: String,
    /// Empty until thread computation exists.
    pub thread_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOutcome {
    /// UIDVALIDITY of the destination.
    pub uidvalidity: u32,
    pub source_uids: Vec<Uid>,
    pub destination_uids: Vec<Uid>,
    /// MOVE only: the MODSEQ of the expunge in the source (COPY: zero).
    pub source_modseq: ModSeq,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpungeOutcome {
    pub expunged: UidSet,
    pub highest_modseq: ModSeq,
}
