//! OBJECTID search keys (RFC 8474 §6): `EMAILID id` and `THREADID id`.
//! The backend search program has no object-id test, so before a search is
//! translated each such key is replaced by the UID set of the messages of
//! the view that carry that id, read with one `fetch_meta` stream of the
//! mailbox's metadata (no blob is read). A search without such keys is left
//! untouched and costs nothing extra.

use futures::StreamExt;
use mailkeep_common::Uid;

use super::{CommandContext, Selected};
use crate::backend::{BackendResult, MetaQuery};
use crate::command::{SearchKey, SeqBound, SequenceSet};

/// Whether `key` uses EMAILID or THREADID anywhere.
fn mentions_object_ids(key: &SearchKey) -> bool {
    match key {
        SearchKey::EmailId(_) | SearchKey::ThreadId(_) => true,
        SearchKey::Not(inner) => mentions_object_ids(inner),
        SearchKey::Or(left, right) => mentions_object_ids(left) || mentions_object_ids(right),
        SearchKey::And(keys) => keys.iter().any(mentions_object_ids),
        _ => false,
    }
}

/// One message's object ids.
struct Identified {
    uid: Uid,
    email_id: String,
    thread_id: String,
}

/// `key` with every EMAILID/THREADID replaced by `UID set` of the matching
/// messages of the view (an empty set when none matches).
pub(crate) async fn resolve(
    ctx: &CommandContext<'_>,
    selected: &Selected,
    key: &SearchKey,
) -> BackendResult<SearchKey> {
    if !mentions_object_ids(key) {
        return Ok(key.clone());
    }
    let mut stream = ctx
        .backend
        .fetch_meta(
            ctx.principal,
            selected.mailbox.id,
            selected.view.uids(),
            MetaQuery::default(),
        )
        .await?;
    let mut messages = Vec::new();
    while let Some(meta) = stream.next().await {
        let meta = meta?;
        messages.push(Identified {
            uid: meta.uid,
            email_id: meta.email_id,
            thread_id: meta.thread_id,
        });
    }
    Ok(rewrite(key, &messages))
}

fn rewrite(key: &SearchKey, messages: &[Identified]) -> SearchKey {
    let matching = |wanted: &dyn Fn(&Identified) -> bool| {
        let ranges = messages
            .iter()
            .filter(|message| wanted(message))
            .map(|message| {
                let uid = SeqBound::Value(message.uid.get());
                (uid, uid)
            })
            .collect();
        SearchKey::Uid(SequenceSet::Ranges(ranges))
    };
    match key {
        SearchKey::EmailId(id) => matching(&|message| message.email_id == *id),
        // An empty thread id is "no thread" (THREADID NIL), never a match.
        SearchKey::ThreadId(id) => {
            matching(&|message| !message.thread_id.is_empty() && message.thread_id == *id)
        }
        SearchKey::Not(inner) => SearchKey::Not(Box::new(rewrite(inner, messages))),
        SearchKey::Or(left, right) => SearchKey::Or(
            Box::new(rewrite(left, messages)),
            Box::new(rewrite(right, messages)),
        ),
        SearchKey::And(keys) => {
            SearchKey::And(keys.iter().map(|key| rewrite(key, messages)).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(uid: u32, email_id: &str, thread_id: &str) -> Identified {
        Identified {
            uid: Uid::new(uid).unwrap(),
            email_id: email_id.into(),
            thread_id: thread_id.into(),
        }
    }

    fn uids(values: &[u32]) -> SearchKey {
        SearchKey::Uid(SequenceSet::Ranges(
            values
                .iter()
                .map(|&uid| (SeqBound::Value(uid), SeqBound::Value(uid)))
                .collect(),
        ))
    }

    #[test]
    fn object_id_keys_become_uid_sets_anywhere_in_the_tree() {
        let messages = [
            message(1, "Ma", "T1"),
            message(2, "Mb", "T1"),
            message(3, "Mc", ""),
        ];
        let key = SearchKey::Or(
            Box::new(SearchKey::EmailId("Mc".into())),
            Box::new(SearchKey::Not(Box::new(SearchKey::And(vec![
                SearchKey::ThreadId("T1".into()),
                SearchKey::Seen,
            ])))),
        );
        assert!(mentions_object_ids(&key));
        assert_eq!(
            rewrite(&key, &messages),
            SearchKey::Or(
                Box::new(uids(&[3])),
                Box::new(SearchKey::Not(Box::new(SearchKey::And(vec![
                    uids(&[1, 2]),
                    SearchKey::Seen,
                ])))),
            )
        );
        assert_eq!(
            rewrite(&SearchKey::ThreadId(String::new()), &messages),
            uids(&[])
        );
        assert!(!mentions_object_ids(&SearchKey::All));
    }
}
