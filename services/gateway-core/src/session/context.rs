//! What every command handler works with: the backend port, the principal,
//! the output sink, the clock, and the selected mailbox's state. A handler
//! writes untagged responses to the sink as it goes (so a large FETCH
//! streams) and returns the tagged [`Completion`]; protocol failures are
//! completions, and only a broken connection is an `Err`.
//!
//! Invariant of [`Selected`]: every remembered answered change has a MODSEQ
//! above `reported_modseq` (older ones can never come back from `changes`),
//! so the set holds at most the changes made since the last full sync.

use std::collections::BTreeSet;
use std::io;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use mailkeep_common::{ModSeq, Uid, UidSet};

use super::enable::Enabled;
pub use super::search_context::SearchContexts;
use crate::backend::{BackendError, MailBackend, MailboxInfo, Principal};
use crate::imap_code::response_code;
use crate::mailbox_view::MailboxView;
use crate::response::{Status, condition};

/// Where a session writes its responses (a socket in the gateway, a `Vec`
/// in tests). `Sync` so that handlers may hold `&CommandContext` across an
/// await and the session's futures stay `Send` for a multi-threaded driver.
#[async_trait]
pub trait ResponseSink: Send + Sync {
    async fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
}

#[async_trait]
impl ResponseSink for Vec<u8> {
    async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// The session's view of its selected mailbox.
#[derive(Debug, Clone)]
pub struct Selected {
    pub mailbox: MailboxInfo,
    /// Sequence number <-> UID map, as the client currently knows it.
    pub view: MailboxView,
    /// EXAMINE, or a mailbox the user may not change.
    pub read_only: bool,
    /// UIDs that are `\Recent` for this session.
    pub recent: UidSet,
    /// The highest MODSEQ whose changes this session has reported.
    pub reported_modseq: ModSeq,
    /// SEARCHRES `$` (RFC 5182), as UIDs.
    pub saved_search: Option<UidSet>,
    /// CONTEXT=SEARCH live searches (RFC 5267 §4).
    pub search_contexts: SearchContexts,
    /// Changes above `reported_modseq` that the client already knows: its
    /// own STORE or FETCH answered them with the message's flags, or it
    /// silenced them and assumes their result (RFC 3501 §6.4.6). MODSEQs are
    /// unique per change (ARCHITECTURE.md §3), so the sync skips exactly
    /// these and still reports any other change to the same message.
    answered: BTreeSet<(ModSeq, Uid)>,
}

impl Selected {
    /// A freshly selected mailbox: everything up to its HIGHESTMODSEQ is known.
    pub fn new(mailbox: MailboxInfo, uids: UidSet, recent: UidSet, read_only: bool) -> Self {
        Self {
            reported_modseq: mailbox.highest_modseq,
            mailbox,
            view: MailboxView::new(uids),
            read_only,
            recent,
            saved_search: None,
            search_contexts: SearchContexts::default(),
            answered: BTreeSet::new(),
        }
    }

    /// Remembers that the client knows message `uid` as of `modseq`.
    pub fn note_answered(&mut self, uid: Uid, modseq: ModSeq) {
        if modseq > self.reported_modseq {
            self.answered.insert((modseq, uid));
        }
    }

    /// Whether the client already knows message `uid` as of `modseq`.
    pub fn was_answered(&self, uid: Uid, modseq: ModSeq) -> bool {
        self.answered.contains(&(modseq, uid))
    }

    /// Everything up to `highest` has been reported: moves `reported_modseq`
    /// there and forgets the answered changes it now covers.
    pub fn advance_reported(&mut self, highest: ModSeq) {
        if highest <= self.reported_modseq {
            return;
        }
        self.reported_modseq = highest;
        self.mailbox.highest_modseq = highest;
        self.answered = self
            .answered
            .split_off(&(ModSeq::new(highest.get().saturating_add(1)), Uid::MIN));
    }
}

/// The environment of one command.
pub struct CommandContext<'a> {
    pub backend: &'a dyn MailBackend,
    pub principal: &'a Principal,
    /// The session's enabled extensions; CONDSTORE-enabling commands set it.
    pub enabled: &'a mut Enabled,
    pub out: &'a mut dyn ResponseSink,
    pub now: DateTime<Utc>,
    /// The listener's limits (APPENDLIMIT, RFC 7889).
    pub config: &'a super::SessionConfig,
}

/// The tagged answer that ends a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub status: Status,
    /// A response code without brackets, e.g. `TRYCREATE` or `APPENDUID 7 3`.
    pub code: Option<String>,
    pub text: String,
}

impl Completion {
    pub fn ok(text: impl Into<String>) -> Self {
        Self::new(Status::Ok, None, text)
    }

    pub fn ok_with(code: impl Into<String>, text: impl Into<String>) -> Self {
        Self::new(Status::Ok, Some(code.into()), text)
    }

    pub fn no(code: Option<&str>, text: impl Into<String>) -> Self {
        Self::new(Status::No, code.map(str::to_owned), text)
    }

    pub fn bad(text: impl Into<String>) -> Self {
        Self::new(Status::Bad, None, text)
    }

    fn new(status: Status, code: Option<String>, text: impl Into<String>) -> Self {
        Self {
            status,
            code,
            text: text.into(),
        }
    }

    /// `NO [CODE] message` for a backend failure (`[UNAVAILABLE]` when a
    /// backend is down, `[OVERQUOTA]`, `[NONEXISTENT]`, ...).
    pub fn from_backend(error: &BackendError) -> Self {
        Self::no(response_code(error.code), error.message.clone())
    }

    /// The tagged response line.
    pub fn encode(&self, tag: &str) -> Vec<u8> {
        condition(Some(tag), self.status, self.code.as_deref(), &self.text)
    }
}
