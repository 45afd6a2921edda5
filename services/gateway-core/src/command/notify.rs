//! NOTIFY command arguments (RFC 5465 §3, §8 formal syntax): which mailboxes
//! the client watches and which events it wants for each. Event names are
//! kept as written when the server does not know them, so the session can
//! answer `NO [BADEVENT]` (§5) instead of a syntax error.

use super::{FetchAttribute, MailboxName};

/// `NOTIFY NONE` or `NOTIFY SET [STATUS] event-group...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyRequest {
    None,
    Set {
        /// The `STATUS` option: send the current state of every watched
        /// non-selected mailbox at once (RFC 5465 §3.1).
        status: bool,
        groups: Vec<NotifyGroup>,
    },
}

/// `"(" filter-mailboxes SP events ")"`; `events` is empty for `NONE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyGroup {
    pub selector: NotifySelector,
    pub events: Vec<NotifyEvent>,
}

/// `filter-mailboxes` (RFC 5465 §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifySelector {
    Selected,
    /// Like `SELECTED`, but EXPUNGE may wait for a command that allows it.
    SelectedDelayed,
    Inboxes,
    Personal,
    Subscribed,
    /// The named mailboxes and everything below them.
    Subtree(Vec<MailboxName>),
    Mailboxes(Vec<MailboxName>),
}

/// One `event` (RFC 5465 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyEvent {
    /// With the FETCH attributes to send for each new message in the
    /// selected mailbox (§5.2); empty when none were given.
    MessageNew(Vec<FetchAttribute>),
    MessageExpunge,
    FlagChange,
    MailboxName,
    SubscriptionChange,
    /// A mailbox's METADATA entries changed (§5.6).
    MailboxMetadataChange,
    /// The server's METADATA entries (mailbox `""`) changed (§5.7).
    ServerMetadataChange,
    /// Any other event name, upper-cased (AnnotationChange, extensions).
    Other(String),
}
