//! The IMAP command AST: what the parser produces and the session consumes.
//! Values here are already validated (tags, atoms, UTF-8 mailbox names
//! decoded from modified UTF-7), so handlers never re-parse text.
//! RFC 3501 §6 and §9 (formal syntax), RFC 9051 §6.

use chrono::{DateTime, FixedOffset, NaiveDate};

mod notify;
mod sort;

pub use notify::{NotifyEvent, NotifyGroup, NotifyRequest, NotifySelector};
pub use sort::{SortArgs, ThreadArgs};

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
    /// OBJECTID `EMAILID` (RFC 8474 §5.1).
    EmailId,
    /// OBJECTID `THREADID` (RFC 8474 §5.2).
    ThreadId,
    /// `BINARY[part]<partial>` / `BINARY.PEEK` (RFC 3516 §4.2): the part
    /// with its content-transfer-encoding removed.
    Binary {
        part: Vec<u32>,
        partial: Option<Partial>,
        peek: bool,
    },
    /// `BINARY.SIZE[part]` (RFC 3516 §4.2).
    BinarySize {
        part: Vec<u32>,
    },
}

/// `FETCH seq items` plus CONDSTORE's modifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchArgs {
    pub sequence: SequenceSet,
    /// Macros (ALL, FAST, FULL) already expanded.
    pub attributes: Vec<FetchAttribute>,
    pub changed_since: Option<u64>,
    /// QRESYNC `VANISHED` modifier of UID FETCH (RFC 7162 §3.2.6).
    pub vanished: bool,
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
    /// WITHIN (RFC 5032): INTERNALDATE at least this many seconds ago.
    Older(u32),
    /// WITHIN (RFC 5032): INTERNALDATE less than this many seconds ago.
    Younger(u32),
    /// OBJECTID `EMAILID objectid` (RFC 8474 §6).
    EmailId(String),
    /// OBJECTID `THREADID objectid` (RFC 8474 §6).
    ThreadId(String),
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
    /// SEARCHRES (RFC 5182 §2.1): keep the result as `$`.
    Save,
    /// CONTEXT=SEARCH (RFC 5267 §4.3): keep the result up to date.
    Update,
    /// RFC 5267 §4.2: a hint that more searches follow; no effect.
    Context,
    /// RFC 9394 §3.1 / RFC 5267 §4.4: a window of the result.
    Partial(PartialRange),
}

/// A `PARTIAL` window: 1-based positions `first <= last` in the result,
/// counted from its end when `from_end` (`-1:-10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialRange {
    pub first: u32,
    pub last: u32,
    pub from_end: bool,
}

impl PartialRange {
    /// The 0-based index range this selects of `count` results (empty when
    /// the window lies beyond them).
    pub fn indices(&self, count: usize) -> std::ops::Range<usize> {
        let (first, last) = (self.first as usize, self.last as usize);
        let (start, end) = if self.from_end {
            (count.saturating_sub(last), count.saturating_sub(first - 1))
        } else {
            ((first - 1).min(count), last.min(count))
        };
        start..end
    }
}

/// One message of an APPEND: its content plus optional flags and date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    pub flags: Vec<Flag>,
    pub internal_date: Option<DateTime<FixedOffset>>,
    pub data: AppendData,
}

/// What an APPENDed message is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendData {
    /// The message itself, as a literal or literal8.
    Literal(Vec<u8>),
    /// CATENATE (RFC 4469 §5): the message is these parts, in order.
    Catenate(Vec<CatenatePart>),
}

/// One part of a CATENATE list (RFC 4469 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatenatePart {
    Text(Vec<u8>),
    /// An IMAP URL (RFC 5092), as the client wrote it.
    Url(String),
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
    /// Messages with `\Deleted` (RFC 9051 §6.3.11).
    Deleted,
    /// RFC 9208: what an EXPUNGE would free, in units of 1024 octets.
    DeletedStorage,
    /// OBJECTID `MAILBOXID` (RFC 8474 §4).
    MailboxId,
    /// RFC 7889 §4: the largest message APPEND accepts into the mailbox.
    AppendLimit,
}

/// LIST-EXTENDED selection options (RFC 5258 §3, SPECIAL-USE RFC 6154 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListSelection {
    pub subscribed: bool,
    pub remote: bool,
    pub recursive_match: bool,
    pub special_use: bool,
}

/// LIST-EXTENDED return options (RFC 5258 §3, RFC 6154 §3, LIST-STATUS
/// RFC 5819 §2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListReturn {
    pub subscribed: bool,
    pub children: bool,
    pub special_use: bool,
    /// `STATUS (...)`: the items to answer for every selectable mailbox.
    pub status: Option<Vec<StatusItem>>,
}

/// `LIST [(selection)] reference (pattern / (patterns)) [RETURN (options)]`
/// in its extended form (RFC 5258 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListArgs {
    pub selection: ListSelection,
    pub reference: MailboxName,
    /// Patterns, UTF-8, with `*` and `%` wildcards; at least one.
    pub patterns: Vec<String>,
    pub returns: ListReturn,
}

/// QRESYNC's `(uidvalidity modseq [known-uids [seq-match-data]])` of
/// SELECT/EXAMINE (RFC 7162 §3.2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QresyncParameters {
    pub uidvalidity: u32,
    pub modseq: u64,
    /// UIDs the client knows; `None` means all of them.
    pub known_uids: Option<SequenceSet>,
    /// Sequence numbers and the UIDs the client has for them.
    pub sequence_match: Option<(SequenceSet, SequenceSet)>,
}

/// The optional `(CONDSTORE)` / `(QRESYNC (...))` parameters of
/// SELECT/EXAMINE (RFC 7162 §3.1.8, §3.2.5; RFC 4466 §2.1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectParameters {
    pub condstore: bool,
    pub qresync: Option<QresyncParameters>,
}

/// GETMETADATA `DEPTH` (RFC 5464 §4.2.2): how far below each entry to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetadataDepth {
    #[default]
    Zero,
    One,
    Infinity,
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
    Select(MailboxName, SelectParameters),
    Examine(MailboxName, SelectParameters),
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
    /// LIST with selection options, several patterns or RETURN options.
    ListExtended(ListArgs),
    /// CREATE with a USE list (RFC 6154 §3): special-use attributes as written.
    CreateSpecialUse {
        name: MailboxName,
        uses: Vec<String>,
    },
    /// QUOTA (RFC 9208 §4.2-4.4): the root as written.
    GetQuota(String),
    GetQuotaRoot(MailboxName),
    /// METADATA (RFC 5464 §4.2): entry names as written; `""` is the server.
    GetMetadata {
        mailbox: MailboxName,
        entries: Vec<String>,
        max_size: Option<u64>,
        depth: MetadataDepth,
    },
    /// RFC 5464 §4.3: entry names as written, `None` removes the entry.
    SetMetadata {
        mailbox: MailboxName,
        changes: Vec<(String, Option<Vec<u8>>)>,
    },
    SetQuota {
        root: String,
        /// Resource names (upper-cased) and limits.
        limits: Vec<(String, u64)>,
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
    /// COMPRESS (RFC 4978 §3) with its mechanism name.
    Compress(String),
    /// NOTIFY (RFC 5465 §3).
    Notify(NotifyRequest),
    // Selected (§6.4).
    Check,
    Close,
    Unselect,
    Expunge,
    UidExpunge(SequenceSet),
    /// CANCELUPDATE (RFC 5267 §4.3.5): the tags of search contexts to end.
    CancelUpdate(Vec<String>),
    Search {
        uid: bool,
        args: SearchArgs,
    },
    /// SORT and UID SORT (RFC 5256 §3, RFC 5267 ESORT).
    Sort {
        uid: bool,
        args: SortArgs,
    },
    /// THREAD and UID THREAD (RFC 5256 §3).
    Thread {
        uid: bool,
        args: ThreadArgs,
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
