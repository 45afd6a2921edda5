//! OBJECTID THREADID (RFC 8474 §5.2), assigned once at append time: a
//! message joins the thread of a stored message of the same account that it
//! names in `In-Reply-To` or `References` (nearest ancestor first), or that
//! carries its own `Message-ID` (the same mail in another folder); otherwise
//! it starts a thread of its own. A THREADID never changes afterwards, so a
//! reply stored before its parent keeps the thread it started. Each lookup
//! uses the `(account_id, message_id)` index and at most [`MAX_LOOKUPS`] run
//! per message.

use super::driver::{Arg, Driver, fetch_optional};
use crate::error::StoreError;

/// Message-IDs looked up per appended message, nearest first.
const MAX_LOOKUPS: usize = 16;

const THREAD_OF: &str = "SELECT thread_id FROM messages \
    WHERE account_id = $1 AND message_id = $2 AND thread_id <> '' LIMIT 1";

/// The `<...>` ids of one header value, in order.
fn angle_ids(value: &str) -> impl Iterator<Item = &str> {
    value.split('<').skip(1).filter_map(|rest| {
        let id = rest.split('>').next()?;
        (!id.is_empty() && rest.contains('>')).then_some(id)
    })
}

/// Ids to look up, nearest relative first: `In-Reply-To`, then `References`
/// from the last (the parent) backwards, then the message's own id;
/// each once, bracketed as stored (`<local@domain>`).
fn candidate_ids(header_text: &str, message_id: &str) -> Vec<String> {
    let in_reply_to = field_ids(header_text, "in-reply-to:");
    let references: Vec<&str> = field_ids(header_text, "references:").collect();
    let own = angle_ids(message_id).next();
    let mut ids: Vec<String> = Vec::new();
    for id in in_reply_to.chain(references.into_iter().rev()).chain(own) {
        let bracketed = format!("<{id}>");
        if !ids.contains(&bracketed) {
            ids.push(bracketed);
        }
        if ids.len() == MAX_LOOKUPS {
            break;
        }
    }
    ids
}

/// The ids of every `name` line of `header_text` (`lower-case-name: value`).
fn field_ids<'a>(header_text: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> {
    header_text
        .lines()
        .filter_map(move |line| line.strip_prefix(name))
        .flat_map(angle_ids)
}

/// The THREADID for a new message of `account` (an account id's text).
/// `fresh` names a new thread (derived from the message's EMAILID).
pub async fn assign<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    header_text: &str,
    message_id: &str,
    fresh: impl FnOnce() -> String,
) -> Result<String, StoreError> {
    for id in candidate_ids(header_text, message_id) {
        let row = fetch_optional::<D>(tx, THREAD_OF, &[Arg::Text(account), Arg::Text(&id)]).await?;
        if let Some(row) = row {
            return row.text(0);
        }
    }
    Ok(fresh())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_first_then_older_ancestors_then_the_message_itself() {
        let headers = "subject: re: plans\nin-reply-to: <p@x>\n\
                       references: <root@x> <mid@x> <p@x>\nreferences: <late@x>\n";
        assert_eq!(
            candidate_ids(headers, "<me@x>"),
            ["<p@x>", "<late@x>", "<mid@x>", "<root@x>", "<me@x>"]
        );
    }

    #[test]
    fn malformed_and_missing_ids_are_skipped_and_lookups_are_bounded() {
        assert_eq!(
            candidate_ids("in-reply-to: <>, <open\n", ""),
            Vec::<String>::new()
        );
        let many: String = (0..40).map(|n| format!("<r{n}@x> ")).collect();
        let ids = candidate_ids(&format!("references: {many}\n"), "<me@x>");
        assert_eq!(ids.len(), MAX_LOOKUPS);
        assert_eq!(ids[0], "<r39@x>");
    }
}
