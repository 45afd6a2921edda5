//! THREAD (RFC 5256 §2.2, §3) in backend terms: the algorithms a client may
//! ask for, the tree they answer ([`ThreadNode`]) and [`thread_messages`],
//! the one implementation every backend uses. Input is the same
//! [`SortInput`] SORT reads: the stored header text (Message-ID, References,
//! In-Reply-To, Subject, Date), the INTERNALDATE and the UID. Siblings and
//! threads are ordered by sent date, ties by ascending UID (mailbox order).

mod references;

use std::cmp::Ordering;

use super::sort::{BaseSubject, SortInput, base_subject, header_value};
use crate::{ModSeq, Uid};

/// A threading algorithm (RFC 5256 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadAlgorithm {
    OrderedSubject,
    References,
}

/// One node of a thread tree; `uid` is `None` for a placeholder parent
/// (a message that is referenced but not present).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadNode {
    pub uid: Option<Uid>,
    pub children: Vec<ThreadNode>,
}

/// The answer to a THREAD: the threads in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadOutcome {
    pub threads: Vec<ThreadNode>,
    pub highest_modseq: ModSeq,
}

/// What threading needs of one message.
#[derive(Debug, Clone)]
struct ThreadMessage {
    uid: Uid,
    sent_date: i64,
    subject: BaseSubject,
    /// The base subject under `i;ascii-casemap`, the grouping key.
    subject_key: String,
    message_id: Option<String>,
    /// References, or the first In-Reply-To id when there are none.
    references: Vec<String>,
}

impl ThreadMessage {
    fn of(input: &SortInput) -> Self {
        let header = |name| header_value(&input.header_text, name).unwrap_or_default();
        let subject = base_subject(header("subject"));
        let mut references = message_ids(header("references"));
        if references.is_empty() {
            references = message_ids(header("in-reply-to"))
                .into_iter()
                .take(1)
                .collect();
        }
        ThreadMessage {
            uid: input.uid,
            sent_date: input.sent_date(),
            subject_key: subject.text.to_ascii_uppercase(),
            subject,
            message_id: message_ids(header("message-id")).into_iter().next(),
            references,
        }
    }

    fn order(&self, other: &ThreadMessage) -> Ordering {
        (self.sent_date, self.uid).cmp(&(other.sent_date, other.uid))
    }
}

/// The `<...>` message ids of a header value, brackets dropped and quoting
/// undone, so that `<"a"@b>` and `<a@b>` are the same id (RFC 5256 §3).
fn message_ids(value: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let id = unquoted(rest[open + 1..open + close].trim());
        if !id.is_empty() && !id.contains(char::is_whitespace) {
            ids.push(id);
        }
        rest = &rest[open + close + 1..];
    }
    ids
}

/// `id` without RFC 5322 quoting: DQUOTEs dropped, quoted pairs resolved.
fn unquoted(id: &str) -> String {
    let mut plain = String::with_capacity(id.len());
    let mut chars = id.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {}
            '\\' => plain.extend(chars.next()),
            _ => plain.push(c),
        }
    }
    plain
}

/// Threads `inputs` with `algorithm`.
pub fn thread_messages(inputs: &[SortInput], algorithm: ThreadAlgorithm) -> Vec<ThreadNode> {
    let mut messages: Vec<ThreadMessage> = inputs.iter().map(ThreadMessage::of).collect();
    messages.sort_by_key(|message| message.uid);
    match algorithm {
        ThreadAlgorithm::OrderedSubject => ordered_subject(&messages),
        ThreadAlgorithm::References => references::thread(&messages),
    }
}

/// RFC 5256 §3 ORDEREDSUBJECT: messages grouped by base subject; in each
/// group the earliest is the parent of the others, in sent-date order; the
/// threads in the order of their first message.
fn ordered_subject(messages: &[ThreadMessage]) -> Vec<ThreadNode> {
    let mut sorted: Vec<&ThreadMessage> = messages.iter().collect();
    sorted.sort_by(|left, right| {
        left.subject_key
            .cmp(&right.subject_key)
            .then_with(|| left.order(right))
    });
    let mut threads: Vec<(&ThreadMessage, ThreadNode)> = Vec::new();
    for message in sorted {
        let leaf = ThreadNode {
            uid: Some(message.uid),
            children: Vec::new(),
        };
        match threads.last_mut() {
            Some((first, node)) if first.subject_key == message.subject_key => {
                node.children.push(leaf)
            }
            _ => threads.push((message, leaf)),
        }
    }
    threads.sort_by(|(left, _), (right, _)| left.order(right));
    threads.into_iter().map(|(_, node)| node).collect()
}

#[cfg(test)]
mod tests;
