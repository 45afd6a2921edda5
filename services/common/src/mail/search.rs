//! Search programs in backend terms (RFC 3501 §6.4.4, RFC 7162 §3.1.5):
//! the session has already turned sequence numbers into UIDs and dates into
//! days, so every role evaluates the same tree.

use crate::{ModSeq, Uid, UidSet};

/// A flag a SEARCH key tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchFlag {
    /// One [`SystemFlags`](super::SystemFlags) bit.
    System(u32),
    Keyword(String),
}

/// A search program in backend terms: sequence numbers are already UIDs, and
/// dates are unix seconds of UTC midnight of the asked day. A message's
/// internal day is `(internal_date + internal_date_offset * 60).div_euclid(86400)`
/// and its sent day `sent_date.div_euclid(86400)` (RFC 3501 compares dates,
/// ignoring time and timezone). Strings match as case-insensitive substrings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    All,
    And(Vec<SearchQuery>),
    Or(Vec<SearchQuery>),
    Not(Box<SearchQuery>),
    Uid(UidSet),
    FlagSet(SearchFlag),
    FlagUnset(SearchFlag),
    InternalBefore(i64),
    InternalOn(i64),
    InternalSince(i64),
    SentBefore(i64),
    SentOn(i64),
    SentSince(i64),
    Larger(u64),
    Smaller(u64),
    /// Field name lower-cased; an empty value matches presence of the field.
    Header {
        field: String,
        value: String,
    },
    Body(String),
    Text(String),
    ModSeqAtLeast(ModSeq),
    /// WITHIN `OLDER` (RFC 5032): INTERNALDATE strictly before this instant
    /// (unix seconds, exact, not by day).
    InternalBeforeInstant(i64),
    /// WITHIN `YOUNGER` (RFC 5032): INTERNALDATE at or after this instant.
    InternalSinceInstant(i64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOutcome {
    /// Ascending.
    pub uids: Vec<Uid>,
    pub highest_modseq: ModSeq,
}
