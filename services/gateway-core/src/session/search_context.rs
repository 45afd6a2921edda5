//! CONTEXT=SEARCH (RFC 5267 §4): searches registered with `RETURN (UPDATE)`
//! stay live for the selected mailbox, and the session tells the client how
//! their results change with `* ESEARCH (TAG "t") ADDTO` / `REMOVEFROM`.
//!
//! Invariants: a context's `result` is always a subset of the view's UIDs;
//! REMOVEFROM for expunged messages is written before their EXPUNGE lines,
//! with the sequence numbers they had (RFC 5267 §4.3.4); a change is
//! re-evaluated with one backend search restricted to the changed UIDs,
//! never the whole mailbox. Search results are unordered, so positions are
//! always 0 (RFC 5267 §4.3.2). At most [`MAX_SEARCH_CONTEXTS`] live at
//! once; another is answered with an untagged `NO [NOUPDATE]` (RFC 5267
//! §4.3.1), and UPDATE under the tag of a live context is BAD (§4.3).

use mailkeep_common::{Uid, UidSet};

use super::{CommandContext, Completion, Selected};
use crate::backend::SearchQuery;
use crate::command::SearchReturn;
use crate::mailbox_view::{MailboxView, format_number_set};
use crate::response::{Line, write_string};

/// How many live search contexts one selected mailbox may hold.
pub const MAX_SEARCH_CONTEXTS: usize = 8;

#[derive(Debug, Clone)]
struct SearchContext {
    tag: String,
    /// Report UIDs (UID SEARCH) rather than sequence numbers.
    uid: bool,
    query: SearchQuery,
    result: UidSet,
}

/// The live searches of one selected mailbox.
#[derive(Debug, Clone, Default)]
pub struct SearchContexts {
    contexts: Vec<SearchContext>,
}

/// Which way a result changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    AddTo,
    RemoveFrom,
}

impl SearchContexts {
    /// Registers the search `tag` with its current `result`; `false` when
    /// the limit is reached (the caller answers `NOUPDATE`). A tag already
    /// in use replaces its old context.
    pub fn register(&mut self, tag: &str, uid: bool, query: SearchQuery, result: UidSet) -> bool {
        self.cancel(tag);
        if self.contexts.len() >= MAX_SEARCH_CONTEXTS {
            return false;
        }
        self.contexts.push(SearchContext {
            tag: tag.to_owned(),
            uid,
            query,
            result,
        });
        true
    }

    /// Whether `tag` names a live context.
    pub fn contains(&self, tag: &str) -> bool {
        self.contexts.iter().any(|context| context.tag == tag)
    }

    /// Forgets the context `tag`; `false` when there was none.
    pub fn cancel(&mut self, tag: &str) -> bool {
        let before = self.contexts.len();
        self.contexts.retain(|context| context.tag != tag);
        self.contexts.len() != before
    }

    pub fn is_empty(&self) -> bool {
        self.contexts.is_empty()
    }

    /// `REMOVEFROM` lines for messages about to leave `view`; call before
    /// removing them, so sequence numbers are the ones the client knows.
    pub fn expunge(&mut self, view: &MailboxView, expunged: &UidSet) -> Vec<u8> {
        let mut response = Vec::new();
        for context in &mut self.contexts {
            let removed = context.result.intersection(expunged);
            if removed.is_empty() {
                continue;
            }
            for uid in removed.iter() {
                context.result.remove(uid);
            }
            response.extend(update_line(context, view, &removed, Direction::RemoveFrom));
        }
        response
    }

    /// Applies a re-evaluation of context `index` over `changed` (UIDs in
    /// the view), where `matched` are those that now match.
    fn apply(
        &mut self,
        index: usize,
        view: &MailboxView,
        changed: &UidSet,
        matched: &UidSet,
    ) -> Vec<u8> {
        let Some(context) = self.contexts.get_mut(index) else {
            return Vec::new();
        };
        let (mut added, mut removed) = (UidSet::new(), UidSet::new());
        for uid in changed.iter() {
            match (matched.contains(uid), context.result.contains(uid)) {
                (true, false) => added.insert(uid),
                (false, true) => removed.insert(uid),
                _ => {}
            }
        }
        for uid in removed.iter() {
            context.result.remove(uid);
        }
        for uid in added.iter() {
            context.result.insert(uid);
        }
        let mut response = update_line(context, view, &removed, Direction::RemoveFrom);
        response.extend(update_line(context, view, &added, Direction::AddTo));
        response
    }
}

/// `* ESEARCH (TAG "t") [UID] ADDTO|REMOVEFROM (0 set)`; empty when `uids` is.
fn update_line(
    context: &SearchContext,
    view: &MailboxView,
    uids: &UidSet,
    direction: Direction,
) -> Vec<u8> {
    let numbers: Vec<u32> = if context.uid {
        uids.iter().map(Uid::get).collect()
    } else {
        view.seqs_of(uids.iter())
    };
    if numbers.is_empty() {
        return Vec::new();
    }
    let mut line = Line::untagged();
    line.atom("ESEARCH")
        .open()
        .atom("TAG")
        .string(context.tag.as_bytes())
        .close();
    if context.uid {
        line.atom("UID");
    }
    let name = match direction {
        Direction::AddTo => "ADDTO",
        Direction::RemoveFrom => "REMOVEFROM",
    };
    line.open_named(name)
        .number(0)
        .atom(&format_number_set(&numbers))
        .close();
    line.finish()
}

/// Re-evaluates every context over the `changed` UIDs that are in the view
/// (flag changes and new arrivals): one backend search per context, limited
/// to those UIDs. A failed search leaves that context as it was.
pub(super) async fn report_changes(
    ctx: &CommandContext<'_>,
    selected: &mut Selected,
    candidates: impl IntoIterator<Item = Uid>,
) -> Vec<u8> {
    let mut response = Vec::new();
    let mut changed = UidSet::new();
    for uid in candidates {
        if selected.view.seq_of(uid).is_some() {
            changed.insert(uid);
        }
    }
    if changed.is_empty() {
        return response;
    }
    for index in 0..selected.search_contexts.contexts.len() {
        let query = SearchQuery::And(vec![
            SearchQuery::Uid(changed.clone()),
            selected.search_contexts.contexts[index].query.clone(),
        ]);
        let outcome = match ctx
            .backend
            .search(ctx.principal, selected.mailbox.id, &query)
            .await
        {
            Ok(outcome) => outcome,
            Err(error) => {
                tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "search context update failed");
                continue;
            }
        };
        let mut matched = UidSet::new();
        for uid in outcome.uids {
            matched.insert(uid);
        }
        response.extend(
            selected
                .search_contexts
                .apply(index, &selected.view, &changed, &matched),
        );
    }
    response
}

/// `* NO [NOUPDATE "tag"] <text>`: the untagged NO that says the search
/// `tag` was answered but its context is not kept up to date; the command
/// still completes with OK (RFC 5267 §4.3.1).
pub(crate) fn no_updates_line(tag: &str, text: &str) -> Vec<u8> {
    let mut code = b"NOUPDATE ".to_vec();
    write_string(&mut code, tag.as_bytes());
    let mut line = Line::untagged();
    line.atom("NO")
        .code(&String::from_utf8_lossy(&code))
        .text(text);
    line.finish()
}

/// The BAD answer to a searching command asking for UPDATE under a tag that
/// already names a live context (RFC 5267 §4.3: tags are search
/// correlators, so the command is rejected and has no effect).
pub(crate) fn reused_tag(
    selected: &Selected,
    tag: &str,
    options: &[SearchReturn],
) -> Option<Completion> {
    (options.contains(&SearchReturn::Update) && selected.search_contexts.contains(tag))
        .then(|| Completion::bad(format!("tag {tag} already names a search context")))
}

/// CANCELUPDATE (RFC 5267 §4.3.5): every tag must name a live context.
pub(crate) fn cancel_update(selected: &mut Selected, tags: &[String]) -> Completion {
    let unknown: Vec<&str> = tags
        .iter()
        .filter(|tag| !selected.search_contexts.cancel(tag))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        return Completion::ok("CANCELUPDATE completed");
    }
    Completion::bad(format!("no search context for {}", unknown.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(ranges: &[(u32, u32)]) -> MailboxView {
        MailboxView::new(UidSet::from_ranges(ranges.iter().copied()))
    }

    fn set(ranges: &[(u32, u32)]) -> UidSet {
        UidSet::from_ranges(ranges.iter().copied())
    }

    #[test]
    fn changes_become_addto_and_removefrom_by_sequence_number() {
        let view = view(&[(10, 14)]);
        let mut contexts = SearchContexts::default();
        assert!(contexts.register("A1", false, SearchQuery::All, set(&[(10, 10)])));
        // 11 and 13 now match, 10 no longer does, 12 changed but never matched.
        let response = contexts.apply(0, &view, &set(&[(10, 13)]), &set(&[(11, 11), (13, 13)]));
        assert_eq!(
            String::from_utf8(response).unwrap(),
            "* ESEARCH (TAG \"A1\") REMOVEFROM (0 1)\r\n\
             * ESEARCH (TAG \"A1\") ADDTO (0 2,4)\r\n"
        );
        assert_eq!(contexts.contexts[0].result, set(&[(11, 11), (13, 13)]));
        assert!(
            contexts
                .apply(0, &view, &set(&[(11, 11)]), &set(&[(11, 11)]))
                .is_empty()
        );
    }

    #[test]
    fn expunges_use_uids_or_the_numbers_before_removal() {
        let view = view(&[(1, 5)]);
        let mut contexts = SearchContexts::default();
        assert!(contexts.register("u", true, SearchQuery::All, set(&[(2, 4)])));
        assert!(contexts.register("s", false, SearchQuery::All, set(&[(4, 5)])));
        let response = contexts.expunge(&view, &set(&[(3, 5)]));
        assert_eq!(
            String::from_utf8(response).unwrap(),
            "* ESEARCH (TAG \"u\") UID REMOVEFROM (0 3:4)\r\n\
             * ESEARCH (TAG \"s\") REMOVEFROM (0 4:5)\r\n"
        );
        assert_eq!(contexts.contexts[0].result, set(&[(2, 2)]));
        assert!(contexts.contexts[1].result.is_empty());
    }

    #[test]
    fn contexts_are_bounded_and_cancelled_by_tag() {
        let mut contexts = SearchContexts::default();
        for index in 0..MAX_SEARCH_CONTEXTS {
            assert!(contexts.register(&index.to_string(), false, SearchQuery::All, set(&[])));
        }
        assert!(!contexts.register("extra", false, SearchQuery::All, set(&[])));
        // Re-registering a live tag replaces it rather than adding one.
        assert!(contexts.register("0", true, SearchQuery::All, set(&[])));
        assert!(contexts.cancel("0"));
        assert!(!contexts.cancel("0"));
        assert!(!contexts.is_empty());
    }
}
