//! SORT and THREAD input for the in-memory backend: the matching messages'
//! UID, size, INTERNALDATE and searchable header text, which the shared
//! ordering of `mailkeep_common::mail` then sorts or threads exactly as the
//! metadata service does.

use mailkeep_common::mail::SortInput;

use super::data::Mailbox;
use super::search;
use crate::backend::SearchQuery;

/// The sort input of every message of `mailbox` that `query` matches.
pub(super) fn inputs(mailbox: &Mailbox, query: &SearchQuery) -> Vec<SortInput> {
    mailbox
        .messages
        .values()
        .filter(|message| search::matches(query, message))
        .map(|message| SortInput {
            uid: message.uid,
            size: message.size,
            internal_date: message.internal_date,
            header_text: message.analysis.header_text.clone(),
        })
        .collect()
}
