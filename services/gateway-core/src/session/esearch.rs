//! The result options of an extended SEARCH: the `* ESEARCH` line (RFC 4731
//! §3.1, PARTIAL of RFC 9394 §3.1 / RFC 5267 §4.4, MODSEQ of RFC 7162
//! §3.2.5) and what SEARCHRES saves as `$` (RFC 5182 §2.1).
//!
//! Invariant: `matches` is the search result as UIDs in ascending order,
//! which is also ascending sequence-number order, so MIN, MAX and PARTIAL
//! positions are the same whether the client asked by UID or by number.

use mailkeep_common::{Uid, UidSet};

use crate::command::{PartialRange, SearchReturn};
use crate::mailbox_view::format_number_set;
use crate::response::Line;

/// The messages at the 1-based positions `range` names in `matches`
/// (counted from the end when `range.from_end`); empty when out of range.
pub(super) fn partial_window<T>(matches: &[T], range: PartialRange) -> &[T] {
    &matches[range.indices(matches.len())]
}

/// What `RETURN (SAVE ...)` stores as `$` (RFC 5182 §2.1): with MIN and/or
/// MAX but neither ALL nor COUNT, only those messages; with PARTIAL, its
/// window (RFC 9394 §3.1); otherwise every match.
pub(super) fn saved_result(options: &[SearchReturn], matches: &[Uid]) -> UidSet {
    let mut saved = UidSet::new();
    let wants = |option: SearchReturn| options.contains(&option);
    if let Some(range) = options.iter().find_map(partial_range) {
        partial_window(matches, range)
            .iter()
            .for_each(|&uid| saved.insert(uid));
        return saved;
    }
    let only_extremes = (wants(SearchReturn::Min) || wants(SearchReturn::Max))
        && !wants(SearchReturn::All)
        && !wants(SearchReturn::Count);
    if !only_extremes {
        matches.iter().for_each(|&uid| saved.insert(uid));
        return saved;
    }
    if let (true, Some(&first)) = (wants(SearchReturn::Min), matches.first()) {
        saved.insert(first);
    }
    if let (true, Some(&last)) = (wants(SearchReturn::Max), matches.last()) {
        saved.insert(last);
    }
    saved
}

fn partial_range(option: &SearchReturn) -> Option<PartialRange> {
    match option {
        SearchReturn::Partial(range) => Some(*range),
        _ => None,
    }
}

/// Whether the options ask for an ESEARCH line at all: SAVE alone answers
/// nothing (RFC 5182 §2.1).
pub(super) fn answers(options: &[SearchReturn]) -> bool {
    options.iter().any(|option| *option != SearchReturn::Save)
}

/// `* ESEARCH (TAG "t") [UID] ...` with the asked-for items (RFC 4731 §3.1):
/// MIN, MAX and ALL only when something matched, COUNT always, PARTIAL
/// always (NIL when its window is empty), and MODSEQ when the criteria used
/// it. `numbers` are the matches as the client counts them, in answer
/// order: ascending for SEARCH, sort order for SORT, where MIN and MAX are
/// the first and last sorted message (RFC 5267 §3.1) and ALL keeps the
/// order with only ascending ranges (§3.2).
pub(super) fn esearch_line(
    tag: &str,
    uid: bool,
    options: &[SearchReturn],
    numbers: &[u32],
    modseq: Option<u64>,
) -> Vec<u8> {
    let mut line = Line::untagged();
    line.atom("ESEARCH")
        .open()
        .atom("TAG")
        .string(tag.as_bytes())
        .close();
    if uid {
        line.atom("UID");
    }
    for option in options {
        match (option, numbers.first(), numbers.last()) {
            (SearchReturn::Min, Some(&min), _) => {
                line.atom("MIN").number(u64::from(min));
            }
            (SearchReturn::Max, _, Some(&max)) => {
                line.atom("MAX").number(u64::from(max));
            }
            (SearchReturn::All, Some(_), _) => {
                line.atom("ALL").atom(&format_number_set(numbers));
            }
            (SearchReturn::Count, ..) => {
                line.atom("COUNT").number(numbers.len() as u64);
            }
            (SearchReturn::Partial(range), ..) => {
                let window = partial_window(numbers, *range);
                line.open_named("PARTIAL").atom(&format_range(*range));
                if window.is_empty() {
                    line.atom("NIL");
                } else {
                    line.atom(&format_number_set(window));
                }
                line.close();
            }
            _ => {}
        }
    }
    if let Some(modseq) = modseq {
        line.atom("MODSEQ").number(modseq);
    }
    line.finish()
}

/// `first:last`, or `-first:-last` from the end (RFC 9394 `partial-range`).
fn format_range(range: PartialRange) -> String {
    if range.from_end {
        format!("-{}:-{}", range.first, range.last)
    } else {
        format!("{}:{}", range.first, range.last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uids(values: &[u32]) -> Vec<Uid> {
        values.iter().filter_map(|&value| Uid::new(value)).collect()
    }

    fn range(first: u32, last: u32, from_end: bool) -> PartialRange {
        PartialRange {
            first,
            last,
            from_end,
        }
    }

    fn text(line: Vec<u8>) -> String {
        String::from_utf8(line).unwrap()
    }

    #[test]
    fn partial_windows_count_from_either_end() {
        let numbers = [1, 2, 4, 5];
        assert_eq!(partial_window(&numbers, range(1, 3, false)), &[1, 2, 4]);
        assert_eq!(partial_window(&numbers, range(2, 10, false)), &[2, 4, 5]);
        assert!(partial_window(&numbers, range(5, 6, false)).is_empty());
        assert_eq!(partial_window(&numbers, range(1, 2, true)), &[4, 5]);
        assert_eq!(partial_window(&numbers, range(3, 9, true)), &[1, 2]);
        assert!(partial_window(&numbers, range(5, 9, true)).is_empty());
    }

    #[test]
    fn partial_items_echo_the_range_and_nil_when_empty() {
        let options = [SearchReturn::Partial(range(2, 4, false))];
        assert_eq!(
            text(esearch_line("A1", false, &options, &[1, 2, 4, 5], None)),
            "* ESEARCH (TAG \"A1\") PARTIAL (2:4 2,4:5)\r\n"
        );
        let options = [
            SearchReturn::Count,
            SearchReturn::Partial(range(1, 100, true)),
        ];
        assert_eq!(
            text(esearch_line("A2", true, &options, &[], None)),
            "* ESEARCH (TAG \"A2\") UID COUNT 0 PARTIAL (-1:-100 NIL)\r\n"
        );
    }

    // RFC 5182 §2.1: SAVE with MIN/MAX saves only those; with ALL or COUNT
    // (or alone) it saves every match.
    #[test]
    fn save_keeps_the_extremes_only_without_all_or_count() {
        let matches = uids(&[3, 7, 9]);
        let saved = |options: &[SearchReturn]| saved_result(options, &matches);
        assert_eq!(
            saved(&[SearchReturn::Save]),
            UidSet::from_ranges([(3, 3), (7, 7), (9, 9)])
        );
        assert_eq!(
            saved(&[SearchReturn::Save, SearchReturn::Min]),
            UidSet::from_ranges([(3, 3)])
        );
        assert_eq!(
            saved(&[SearchReturn::Max, SearchReturn::Save, SearchReturn::Min]),
            UidSet::from_ranges([(3, 3), (9, 9)])
        );
        assert_eq!(
            saved(&[SearchReturn::Save, SearchReturn::Min, SearchReturn::Count]),
            UidSet::from_ranges([(3, 3), (7, 7), (9, 9)])
        );
        assert_eq!(
            saved(&[
                SearchReturn::Save,
                SearchReturn::Partial(range(2, 2, false))
            ]),
            UidSet::from_ranges([(7, 7)])
        );
        assert!(saved_result(&[SearchReturn::Save, SearchReturn::Max], &[]).is_empty());
    }

    #[test]
    fn save_alone_answers_nothing() {
        assert!(!answers(&[SearchReturn::Save]));
        assert!(answers(&[SearchReturn::Save, SearchReturn::Count]));
        assert!(answers(&[SearchReturn::Update]));
    }
}
