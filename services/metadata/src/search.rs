//! SEARCH evaluation (RFC 3501 §6.4.4, RFC 9051 §6.4.4) over the search
//! columns of a mailbox's rows. A [`SearchQuery`] is compiled once into a
//! [`Matcher`] (needles lower-cased, keywords resolved to ids), and a
//! [`Prefilter`] is extracted from its top-level conjunction so the store can
//! narrow rows in SQL. The matcher stays authoritative: the prefilter may only
//! let through more rows, never fewer.

use std::collections::HashMap;

use mailkeep_common::mail::{SearchFlag, SearchQuery};
use mailkeep_common::{Uid, UidSet};

use crate::flags::KeywordIds;

const SECONDS_PER_DAY: i64 = 86_400;

/// The largest INTERNALDATE zone offset, in minutes: RFC 9051 `zone` is
/// `("+" / "-") 4DIGIT`, so at most 99:59. Appends outside it are refused.
pub const MAX_ZONE_MINUTES: i32 = 99 * 60 + 59;

/// The columns a search reads from one message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchRow {
    pub uid: u32,
    pub modseq: u64,
    pub system: u32,
    pub keywords: KeywordIds,
    pub size: u64,
    pub internal_date: i64,
    pub internal_date_offset: i32,
    pub sent_date: Option<i64>,
    pub header_text: String,
    pub body_text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayCompare {
    Before,
    On,
    Since,
}

impl DayCompare {
    fn holds(self, day: i64, asked: i64) -> bool {
        match self {
            DayCompare::Before => day < asked,
            DayCompare::On => day == asked,
            DayCompare::Since => day >= asked,
        }
    }
}

/// A compiled search program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    All,
    And(Vec<Matcher>),
    Or(Vec<Matcher>),
    Not(Box<Matcher>),
    Uid(UidSet),
    System {
        bits: u32,
        set: bool,
    },
    /// `None`: a keyword the account has never used, so no message has it.
    Keyword {
        id: Option<i64>,
        set: bool,
    },
    Internal(DayCompare, i64),
    Sent(DayCompare, i64),
    Larger(u64),
    Smaller(u64),
    Header {
        field: String,
        needle: String,
    },
    Body(String),
    Text(String),
    ModSeqAtLeast(u64),
    /// WITHIN (RFC 5032): the exact internal date, unix seconds.
    InternalBeforeInstant(i64),
    InternalSinceInstant(i64),
}

impl Matcher {
    /// Compiles `query`; `keywords` maps the account's keyword names to ids.
    pub fn compile(query: &SearchQuery, keywords: &HashMap<String, i64>) -> Matcher {
        let compile_all = |queries: &[SearchQuery]| {
            queries
                .iter()
                .map(|query| Matcher::compile(query, keywords))
                .collect()
        };
        let flag = |flag: &SearchFlag, set: bool| match flag {
            SearchFlag::System(bits) => Matcher::System { bits: *bits, set },
            SearchFlag::Keyword(name) => Matcher::Keyword {
                id: keywords.get(name).copied(),
                set,
            },
        };
        let day = |seconds: i64| seconds.div_euclid(SECONDS_PER_DAY);
        match query {
            SearchQuery::All => Matcher::All,
            SearchQuery::And(queries) => Matcher::And(compile_all(queries)),
            SearchQuery::Or(queries) => Matcher::Or(compile_all(queries)),
            SearchQuery::Not(inner) => Matcher::Not(Box::new(Matcher::compile(inner, keywords))),
            SearchQuery::Uid(set) => Matcher::Uid(set.clone()),
            SearchQuery::FlagSet(which) => flag(which, true),
            SearchQuery::FlagUnset(which) => flag(which, false),
            SearchQuery::InternalBefore(at) => Matcher::Internal(DayCompare::Before, day(*at)),
            SearchQuery::InternalOn(at) => Matcher::Internal(DayCompare::On, day(*at)),
            SearchQuery::InternalSince(at) => Matcher::Internal(DayCompare::Since, day(*at)),
            SearchQuery::SentBefore(at) => Matcher::Sent(DayCompare::Before, day(*at)),
            SearchQuery::SentOn(at) => Matcher::Sent(DayCompare::On, day(*at)),
            SearchQuery::SentSince(at) => Matcher::Sent(DayCompare::Since, day(*at)),
            SearchQuery::Larger(size) => Matcher::Larger(*size),
            SearchQuery::Smaller(size) => Matcher::Smaller(*size),
            SearchQuery::Header { field, value } => Matcher::Header {
                field: field.to_lowercase(),
                needle: value.to_lowercase(),
            },
            SearchQuery::Body(text) => Matcher::Body(text.to_lowercase()),
            SearchQuery::Text(text) => Matcher::Text(text.to_lowercase()),
            SearchQuery::ModSeqAtLeast(modseq) => Matcher::ModSeqAtLeast(modseq.get()),
            SearchQuery::InternalBeforeInstant(at) => Matcher::InternalBeforeInstant(*at),
            SearchQuery::InternalSinceInstant(at) => Matcher::InternalSinceInstant(*at),
        }
    }

    /// Whether evaluating needs `header_text` and `body_text`.
    pub fn reads_text(&self) -> bool {
        match self {
            Matcher::And(all) | Matcher::Or(all) => all.iter().any(Matcher::reads_text),
            Matcher::Not(inner) => inner.reads_text(),
            Matcher::Header { .. } | Matcher::Body(_) | Matcher::Text(_) => true,
            _ => false,
        }
    }

    pub fn matches(&self, row: &SearchRow) -> bool {
        match self {
            Matcher::All => true,
            Matcher::And(all) => all.iter().all(|matcher| matcher.matches(row)),
            Matcher::Or(any) => any.iter().any(|matcher| matcher.matches(row)),
            Matcher::Not(inner) => !inner.matches(row),
            Matcher::Uid(set) => Uid::new(row.uid).is_some_and(|uid| set.contains(uid)),
            Matcher::System { bits, set } => (row.system & bits == *bits) == *set,
            Matcher::Keyword { id, set } => id.is_some_and(|id| row.keywords.contains(&id)) == *set,
            Matcher::Internal(compare, asked) => {
                let local = row.internal_date + i64::from(row.internal_date_offset) * 60;
                compare.holds(local.div_euclid(SECONDS_PER_DAY), *asked)
            }
            Matcher::Sent(compare, asked) => row
                .sent_date
                .is_some_and(|sent| compare.holds(sent.div_euclid(SECONDS_PER_DAY), *asked)),
            Matcher::Larger(size) => row.size > *size,
            Matcher::Smaller(size) => row.size < *size,
            Matcher::Header { field, needle } => header_matches(&row.header_text, field, needle),
            Matcher::Body(needle) => contains_folded(&row.body_text, needle),
            Matcher::Text(needle) => {
                contains_folded(&row.header_text, needle) || contains_folded(&row.body_text, needle)
            }
            Matcher::ModSeqAtLeast(modseq) => row.modseq >= *modseq,
            Matcher::InternalBeforeInstant(at) => row.internal_date < *at,
            Matcher::InternalSinceInstant(at) => row.internal_date >= *at,
        }
    }
}

fn contains_folded(haystack: &str, lower_needle: &str) -> bool {
    lower_needle.is_empty() || haystack.to_lowercase().contains(lower_needle)
}

/// `header_text` holds one `lower-case-name: value` line per field; an empty
/// needle tests presence (RFC 3501 §6.4.4 HEADER).
fn header_matches(header_text: &str, field: &str, lower_needle: &str) -> bool {
    header_text.lines().any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.trim() == field && contains_folded(value.trim_start(), lower_needle)
        })
    })
}

/// Bounds every match must satisfy, taken from the top-level conjunction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefilter {
    pub uid_min: u32,
    pub uid_max: u32,
    pub size_min: u64,
    pub size_max: u64,
    /// Bits that must be set, and bits that must be clear.
    pub flags_set: u32,
    pub flags_clear: u32,
    pub modseq_min: u64,
    /// Bounds on `internal_date` (unix seconds), widened by the largest zone
    /// offset because the day is taken in the message's own zone.
    pub internal_min: i64,
    pub internal_max: i64,
}

impl Prefilter {
    pub fn of(matcher: &Matcher) -> Prefilter {
        let mut bounds = Prefilter {
            uid_min: 1,
            uid_max: u32::MAX,
            size_min: 0,
            size_max: u64::MAX,
            flags_set: 0,
            flags_clear: 0,
            modseq_min: 0,
            internal_min: i64::MIN,
            internal_max: i64::MAX,
        };
        bounds.narrow(matcher);
        bounds
    }

    fn narrow(&mut self, matcher: &Matcher) {
        match matcher {
            Matcher::And(all) => all.iter().for_each(|inner| self.narrow(inner)),
            Matcher::Uid(set) => {
                // An empty set matches nothing: an impossible range says so.
                let (first, last) = match (set.first(), set.last()) {
                    (Some(first), Some(last)) => (first.get(), last.get()),
                    _ => (u32::MAX, 0),
                };
                self.uid_min = self.uid_min.max(first);
                self.uid_max = self.uid_max.min(last);
            }
            Matcher::Larger(size) => self.size_min = self.size_min.max(size.saturating_add(1)),
            Matcher::Smaller(size) => self.size_max = self.size_max.min(size.saturating_sub(1)),
            Matcher::System { bits, set: true } => self.flags_set |= bits,
            Matcher::System { bits, set: false } if bits.count_ones() == 1 => {
                self.flags_clear |= bits
            }
            Matcher::ModSeqAtLeast(modseq) => self.modseq_min = self.modseq_min.max(*modseq),
            Matcher::InternalBeforeInstant(at) => {
                self.internal_max = self.internal_max.min(at.saturating_sub(1));
            }
            Matcher::InternalSinceInstant(at) => {
                self.internal_min = self.internal_min.max(*at);
            }
            Matcher::Internal(compare, day) => {
                let start = day.saturating_mul(SECONDS_PER_DAY);
                let zone = i64::from(MAX_ZONE_MINUTES) * 60;
                if *compare != DayCompare::Before {
                    self.internal_min = self.internal_min.max(start.saturating_sub(zone));
                }
                let end = match compare {
                    DayCompare::Before => start,
                    _ => start.saturating_add(SECONDS_PER_DAY),
                };
                if *compare != DayCompare::Since {
                    self.internal_max = self.internal_max.min(end.saturating_add(zone));
                }
            }
            _ => {}
        }
    }
}

/// Collects matching UIDs from a stream of rows (ascending UIDs in, out).
pub fn collect_matches<'a>(
    matcher: &Matcher,
    rows: impl IntoIterator<Item = &'a SearchRow>,
    into: &mut Vec<Uid>,
) {
    into.extend(
        rows.into_iter()
            .filter(|row| matcher.matches(row))
            .filter_map(|row| Uid::new(row.uid)),
    );
}

#[cfg(test)]
mod tests {
    use mailkeep_common::ModSeq;
    use mailkeep_common::mail::SystemFlags;

    use super::*;

    const DAY: i64 = SECONDS_PER_DAY;

    fn row() -> SearchRow {
        SearchRow {
            uid: 7,
            modseq: 12,
            system: SystemFlags::SEEN,
            keywords: [3].into_iter().collect(),
            size: 1000,
            // 2024-06-01 23:30 UTC, written at +02:00: local day 2024-06-02.
            internal_date: 19_875 * DAY + 23 * 3600 + 1800,
            internal_date_offset: 120,
            sent_date: Some(19_870 * DAY + 60),
            header_text:
                "from: Alice Ärger <alice@example.test>\nsubject: Grüße aus Köln\nx-empty: \n"
                    .into(),
            body_text: "Hello WORLD".into(),
        }
    }

    fn matches(query: SearchQuery) -> bool {
        let keywords = HashMap::from([("$Work".to_owned(), 3), ("$Home".to_owned(), 4)]);
        Matcher::compile(&query, &keywords).matches(&row())
    }

    #[test]
    fn strings_are_case_insensitive_unicode_substrings() {
        let header = |field: &str, value: &str| SearchQuery::Header {
            field: field.into(),
            value: value.into(),
        };
        assert!(matches(header("from", "ärger")));
        assert!(matches(header("subject", "GRÜßE")));
        assert!(matches(header("subject", "köln")));
        assert!(!matches(header("to", "alice")));
        assert!(matches(header("x-empty", "")));
        assert!(!matches(header("x-missing", "")));
        assert!(matches(SearchQuery::Body("world".into())));
        assert!(!matches(SearchQuery::Body("alice".into())));
        assert!(matches(SearchQuery::Text("ALICE".into())));
    }

    #[test]
    fn dates_compare_by_day_in_the_message_zone() {
        assert!(matches(SearchQuery::InternalOn(19_876 * DAY)));
        assert!(!matches(SearchQuery::InternalOn(19_875 * DAY)));
        assert!(matches(SearchQuery::InternalBefore(19_877 * DAY)));
        assert!(matches(SearchQuery::InternalSince(19_876 * DAY)));
        assert!(matches(SearchQuery::SentOn(19_870 * DAY)));
        assert!(matches(SearchQuery::SentBefore(19_871 * DAY)));
        assert!(!matches(SearchQuery::SentSince(19_871 * DAY)));
    }

    #[test]
    fn within_instants_compare_exact_seconds() {
        let at = row().internal_date;
        assert!(matches(SearchQuery::InternalBeforeInstant(at + 1)));
        assert!(!matches(SearchQuery::InternalBeforeInstant(at)));
        assert!(matches(SearchQuery::InternalSinceInstant(at)));
        assert!(!matches(SearchQuery::InternalSinceInstant(at + 1)));
        let bounds = Prefilter::of(&Matcher::compile(
            &SearchQuery::And(vec![
                SearchQuery::InternalSinceInstant(100),
                SearchQuery::InternalBeforeInstant(200),
            ]),
            &HashMap::new(),
        ));
        assert_eq!((bounds.internal_min, bounds.internal_max), (100, 199));
    }

    #[test]
    fn flags_sizes_and_boolean_operators() {
        assert!(matches(SearchQuery::FlagSet(SearchFlag::System(
            SystemFlags::SEEN
        ))));
        assert!(matches(SearchQuery::FlagUnset(SearchFlag::System(
            SystemFlags::DELETED
        ))));
        assert!(matches(SearchQuery::FlagSet(SearchFlag::Keyword(
            "$Work".into()
        ))));
        assert!(!matches(SearchQuery::FlagSet(SearchFlag::Keyword(
            "$Home".into()
        ))));
        assert!(matches(SearchQuery::FlagUnset(SearchFlag::Keyword(
            "$Never".into()
        ))));
        assert!(matches(SearchQuery::Larger(999)));
        assert!(!matches(SearchQuery::Larger(1000)));
        assert!(matches(SearchQuery::Smaller(1001)));
        assert!(matches(SearchQuery::ModSeqAtLeast(ModSeq::new(12))));
        assert!(matches(SearchQuery::Or(vec![
            SearchQuery::Larger(5000),
            SearchQuery::Uid(UidSet::from_ranges([(5, 9)])),
        ])));
        assert!(!matches(SearchQuery::Not(Box::new(SearchQuery::All))));
        assert!(!matches(SearchQuery::And(vec![
            SearchQuery::All,
            SearchQuery::Smaller(10),
        ])));
    }

    #[test]
    fn prefilter_only_narrows_by_top_level_conjuncts() {
        let query = SearchQuery::And(vec![
            SearchQuery::Uid(UidSet::from_ranges([(3, 4), (9, 20)])),
            SearchQuery::Larger(10),
            SearchQuery::FlagSet(SearchFlag::System(SystemFlags::SEEN)),
            SearchQuery::FlagUnset(SearchFlag::System(SystemFlags::DELETED)),
            SearchQuery::Or(vec![SearchQuery::Smaller(5), SearchQuery::All]),
        ]);
        let matcher = Matcher::compile(&query, &HashMap::new());
        let bounds = Prefilter::of(&matcher);
        assert_eq!((bounds.uid_min, bounds.uid_max), (3, 20));
        assert_eq!((bounds.size_min, bounds.size_max), (11, u64::MAX));
        assert_eq!(bounds.flags_set, SystemFlags::SEEN);
        assert_eq!(bounds.flags_clear, SystemFlags::DELETED);
        assert_eq!(
            (bounds.internal_min, bounds.internal_max),
            (i64::MIN, i64::MAX)
        );
        let on = Prefilter::of(&Matcher::compile(
            &SearchQuery::InternalOn(10 * DAY),
            &HashMap::new(),
        ));
        let zone = i64::from(MAX_ZONE_MINUTES) * 60;
        assert_eq!(
            (on.internal_min, on.internal_max),
            (10 * DAY - zone, 11 * DAY + zone)
        );
        assert!(!matcher.reads_text());
        let empty = Prefilter::of(&Matcher::Uid(UidSet::new()));
        assert!(empty.uid_min > empty.uid_max);
    }
}
