//! Evaluates a backend [`SearchQuery`] against one stored message, with the
//! semantics documented on `SearchQuery`: dates compare by day (internal
//! date in its own zone, sent date as written), strings match as
//! case-insensitive substrings (RFC 3501 §6.4.4).

use super::data::Message;
use crate::backend::{SearchFlag, SearchQuery};

const DAY: i64 = 86_400;

fn contains(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

fn has_flag(message: &Message, flag: &SearchFlag) -> bool {
    match flag {
        SearchFlag::System(bit) => message.flags.system.contains(*bit),
        SearchFlag::Keyword(keyword) => message
            .flags
            .keywords
            .iter()
            .any(|k| k.eq_ignore_ascii_case(keyword)),
    }
}

/// `header_text` holds `name: value` lines with lower-case names.
fn header_matches(message: &Message, field: &str, value: &str) -> bool {
    message.analysis.header_text.lines().any(|line| {
        let (name, content) = line.split_once(':').unwrap_or((line, ""));
        name.eq_ignore_ascii_case(field) && contains(content.trim_start(), value)
    })
}

pub(super) fn matches(query: &SearchQuery, message: &Message) -> bool {
    let internal_day =
        (message.internal_date + i64::from(message.internal_date_offset) * 60).div_euclid(DAY);
    let sent_day = message.analysis.sent_date.map(|date| date.div_euclid(DAY));
    let day = |value: &i64| value.div_euclid(DAY);
    match query {
        SearchQuery::All => true,
        SearchQuery::And(queries) => queries.iter().all(|q| matches(q, message)),
        SearchQuery::Or(queries) => queries.iter().any(|q| matches(q, message)),
        SearchQuery::Not(query) => !matches(query, message),
        SearchQuery::Uid(uids) => uids.contains(message.uid),
        SearchQuery::FlagSet(flag) => has_flag(message, flag),
        SearchQuery::FlagUnset(flag) => !has_flag(message, flag),
        SearchQuery::InternalBefore(value) => internal_day < day(value),
        SearchQuery::InternalOn(value) => internal_day == day(value),
        SearchQuery::InternalSince(value) => internal_day >= day(value),
        SearchQuery::SentBefore(value) => sent_day.is_some_and(|sent| sent < day(value)),
        SearchQuery::SentOn(value) => sent_day == Some(day(value)),
        SearchQuery::SentSince(value) => sent_day.is_some_and(|sent| sent >= day(value)),
        SearchQuery::Larger(size) => message.size > *size,
        SearchQuery::Smaller(size) => message.size < *size,
        SearchQuery::Header { field, value } => header_matches(message, field, value),
        SearchQuery::Body(text) => contains(&message.analysis.body_text, text),
        SearchQuery::Text(text) => {
            contains(&message.analysis.header_text, text)
                || contains(&message.analysis.body_text, text)
        }
        SearchQuery::ModSeqAtLeast(modseq) => message.modseq >= *modseq,
        SearchQuery::InternalBeforeInstant(at) => message.internal_date < *at,
        SearchQuery::InternalSinceInstant(at) => message.internal_date >= *at,
    }
}
