//! The IMAP command AST: what the parser produces and the session consumes.
//! Values here are already validated (tags, atoms, UTF-8 mailbox names
//! decoded from modified UTF-7), so handlers never re-parse text.
//! RFC 3501 §6 and §9 (formal syntax), RFC 9051 §6.

use chrono::{DateTime, FixedOffset, NaiveDate};

/// A command tag: 1+ ASTRING-CHAR except `+` (RFC 9051 §9 `tag`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag(pub String);

/// One tagged command from a client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub tag: Tag,
    pub body: CommandBody,
}

/// A sequence-set element bound: a number or `*` (the largest in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqBound {
    Value(u32),
    Largest,
}

/// `sequence-set`: ranges of message numbers or UIDs, as the client wrote
/// them (unordered, possibly reversed `5:3`), or `$` (SEARCHRES).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SequenceSet {
    Ranges(Vec<(SeqBound, SeqBound)>),
    SavedResult,
}

/// A mailbox name after modified UTF-7 decoding. `INBOX` in any case is
/// normalised to `INBOX` (RFC 3501 §5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxName(pub String);

/// A flag as written in STORE/APPEND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    Seen,
    Answered,
    Flagged,
    Deleted,
    Draft,
    /// `\Recent` may appear in a SEARCH but never be stored.
    Recent,
    Keyword(String),
    /// Any other `\Name`: rejected by STORE and APPEND.
    Extension(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreMode {
    Replace,
    Add,
    Remove,
}

/// `STORE seq (+|-)FLAGS[.SILENT] (flags)` plus CONDSTORE's modifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreArgs {
    pub sequence: SequenceSet,
    pub mode: StoreMode,
    pub silent: bool,
    pub flags: Vec<Flag>,
    pub unchanged_since: Option<u64>,
}

/// `section-text` and `section-msgtext` (RFC 3501 §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionText {
    Header,
    /// Field names, as written (compare case-insensitively).
    HeaderFields(Vec<String>),
    HeaderFieldsNot(Vec<String>),
    Text,
    /// Only after a part number.
    Mime,
}

/// `section`: a part path (`1.2.3`, empty for the whole message) and an
/// optional text specifier.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Section {
    pub part: Vec<u32>,
    pub text: Option<SectionText>,
}

/// `<offset.length>` of a BODY[...] fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partial {
    pub offset: u32,
    pub length: u32,
}

/// One FETCH data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttribute {
    Flags,
    InternalDate,
    Rfc822Size,
    Envelope,
    BodyStructure,
    /// `BODY` without a section: the non-extensible structure.
    Body,
    BodySection {
        section: Section,
        partial: Option<Partial>,
        peek: bool,
    },
    /// `RFC822`, same as BODY[] but sets \Seen and answers as `RFC822`.
    Rfc822,
    Rfc822Header,
    Rfc822Text,
    Uid,
    ModSeq,
}

/// `FETCH seq items` plus CONDSTORE's modifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchArgs {
    pub sequence: SequenceSet,
    /// Macros (ALL, FAST, FULL) already expanded.
    pub attributes: Vec<FetchAttribute>,
    pub changed_since: Option<u64>,
}

/// A SEARCH key (RFC 3501 §6.4.4). Dates compare by day, ignoring time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKey {
    All,
    Answered,
    Bcc(String),
    Before(NaiveDate),
    Body(String),
    Cc(String),
    Deleted,
    Draft,
    Flagged,
    From(String),
    Header(String, String),
    Keyword(String),
    Larger(u32),
    New,
    Not(Box<SearchKey>),
    Old,
    On(NaiveDate),
    Or(Box<SearchKey>, Box<SearchKey>),
    Recent,
    Seen,
    SentBefore(NaiveDate),
    SentOn(NaiveDate),
    SentSince(NaiveDate),
    Since(NaiveDate),
    Smaller(u32),
    Subject(String),
    Text(String),
    To(String),
    Uid(SequenceSet),
    Unanswered,
    Undeleted,
    Undraft,
    Unflagged,
    Unkeyword(String),
    Unseen,
    /// A bare sequence set.
    Sequence(SequenceSet),
    /// A parenthesised list: all must match.
    And(Vec<SearchKey>),
    /// CONDSTORE `MODSEQ n`.
    ModSeq(u64),
}

/// `SEARCH [RETURN (...)] [CHARSET x] keys`. The parser accepts only
/// US-ASCII and UTF-8 (anything else is `NO [BADCHARSET]`), so strings here
/// are UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchArgs {
    /// ESEARCH result options (RFC 4731 §3.1); `None` without RETURN, and
    /// an empty `RETURN ()` is read as `ALL`.
    pub result: Option<Vec<SearchReturn>>,
    pub charset: Option<String>,
    pub criteria: SearchKey,
}

/// One ESEARCH result option (RFC 4731 §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchReturn {
    Min,
    Max,
    All,
    Count,
}

/// One message of an APPEND: its literal plus optional flags and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    pub flags: Vec<Flag>,
    pub internal_date: Option<DateTime<FixedOffset>>,
    pub literal: Vec<u8>,
}

/// A STATUS data item (RFC 3501 §6.3.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusItem {
    Messages,
    Recent,
    UidNext,
    UidValidity,
    Unseen,
    HighestModSeq,
    Size,
}

/// SASL mechanism of AUTHENTICATE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthMechanism {
    Plain,
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandBody {
    // Any state (RFC 3501 §6.1).
    Capability,
    Noop,
    Logout,
    Id(Option<Vec<(String, Option<String>)>>),
    Enable(Vec<String>),
    // Not authenticated (§6.2).
    StartTls,
    Login {
        username: String,
        password: String,
    },
    Authenticate {
        mechanism: AuthMechanism,
        /// SASL-IR: the base64 initial response (`=` for empty).
        initial_response: Option<String>,
    },
    // Authenticated (§6.3).
    Select(MailboxName),
    Examine(MailboxName),
    Create(MailboxName),
    Delete(MailboxName),
    Rename {
        from: MailboxName,
        to: MailboxName,
    },
    Subscribe(MailboxName),
    Unsubscribe(MailboxName),
    List {
        reference: MailboxName,
        /// The pattern, UTF-8, with `*` and `%` wildcards.
        pattern: String,
    },
    Lsub {
        reference: MailboxName,
        pattern: String,
    },
    Namespace,
    Status {
        mailbox: MailboxName,
        items: Vec<StatusItem>,
    },
    Append {
        mailbox: MailboxName,
        messages: Vec<AppendMessage>,
    },
    Idle,
    // Selected (§6.4).
    Check,
    Close,
    Unselect,
    Expunge,
    UidExpunge(SequenceSet),
    Search {
        uid: bool,
        args: SearchArgs,
    },
    Fetch {
        uid: bool,
        args: FetchArgs,
    },
    Store {
        uid: bool,
        args: StoreArgs,
    },
    Copy {
        uid: bool,
        sequence: SequenceSet,
        mailbox: MailboxName,
    },
    Move {
        uid: bool,
        sequence: SequenceSet,
        mailbox: MailboxName,
    },
}
