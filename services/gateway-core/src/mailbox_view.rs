//! `MailboxView`: the selected mailbox's message sequence number <-> UID map
//! (RFC 3501 §2.3.1.2), as the client currently knows it.
//!
//! Invariants: the UIDs are kept as the sorted, disjoint ranges of a
//! [`UidSet`], and `prefix[i]` is the number of messages in the ranges
//! before range `i`, so both directions of the map are a binary search over
//! ranges (O(log ranges)) and a mostly contiguous million-message mailbox
//! costs a few KB. `len` always equals the number of UIDs in the set.

use mailkeep_common::{ErrorCode, Uid, UidSet};

use crate::command::{SeqBound, SequenceSet};

/// A message sequence number in a client's set does not exist (RFC 9051
/// §6.4.9 / §9: `BAD` for numbers beyond EXISTS, and `*` in an empty mailbox).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid message sequence number {number} (mailbox has {exists} messages)")]
pub struct InvalidSequence {
    /// The offending number; 0 stands for `*` in an empty mailbox.
    pub number: u32,
    pub exists: u32,
}

impl InvalidSequence {
    pub const fn code(&self) -> ErrorCode {
        ErrorCode::InvalidArgument
    }
}

/// The sequence number map of a selected mailbox.
#[derive(Debug, Clone, Default)]
pub struct MailboxView {
    uids: UidSet,
    /// Messages before each range of `uids`, same length as `uids.ranges()`.
    prefix: Vec<u32>,
    len: u32,
}

impl MailboxView {
    pub fn new(uids: UidSet) -> Self {
        let mut view = Self {
            uids,
            prefix: Vec::new(),
            len: 0,
        };
        view.rebuild_prefix_from(0);
        view
    }

    /// The number of messages (EXISTS).
    pub fn len(&self) -> u32 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn uids(&self) -> &UidSet {
        &self.uids
    }

    /// The UID of message `seq` (1-based), if it exists.
    pub fn uid_of(&self, seq: u32) -> Option<Uid> {
        if seq == 0 || seq > self.len {
            return None;
        }
        // The last range whose first message number is <= seq.
        let index = self.prefix.partition_point(|&before| before < seq) - 1;
        let (first, last) = *self.uids.ranges().get(index)?;
        let uid = first + (seq - 1 - self.prefix[index]);
        if uid > last {
            return None;
        }
        Uid::new(uid)
    }

    /// The sequence number of `uid`, if the view holds it.
    pub fn seq_of(&self, uid: Uid) -> Option<u32> {
        let value = uid.get();
        let ranges = self.uids.ranges();
        let index = ranges.partition_point(|&(_, last)| last < value);
        let (first, _) = *ranges.get(index)?;
        if first > value {
            return None;
        }
        Some(self.prefix[index] + (value - first) + 1)
    }

    /// Resolves a client's sequence set to the UIDs it names.
    ///
    /// By sequence number every number must exist (`*` is EXISTS); by UID
    /// (`*` is the highest UID) ranges are clipped to existing UIDs and may
    /// resolve to nothing (RFC 3501 §6.4.8). Reversed ranges (`5:3`) are
    /// normal. `$` (RFC 5182) is the saved search result, empty when none.
    pub fn resolve(
        &self,
        set: &SequenceSet,
        by_uid: bool,
        saved: Option<&UidSet>,
    ) -> Result<UidSet, InvalidSequence> {
        let ranges = match set {
            SequenceSet::SavedResult => {
                return Ok(saved.map_or_else(UidSet::new, |set| set.intersection(&self.uids)));
            }
            SequenceSet::Ranges(ranges) => ranges,
        };
        if by_uid {
            let largest = self.uids.last().map_or(0, Uid::get);
            let bound = |bound: SeqBound| match bound {
                SeqBound::Value(value) => value,
                SeqBound::Largest => largest,
            };
            let wanted = UidSet::from_ranges(
                ranges
                    .iter()
                    .map(|&(first, last)| (bound(first), bound(last))),
            );
            return Ok(wanted.intersection(&self.uids));
        }
        let mut result = UidSet::new();
        for &(first, last) in ranges {
            let first = self.checked_seq(first)?;
            let last = self.checked_seq(last)?;
            self.insert_seq_range(&mut result, first.min(last), first.max(last));
        }
        Ok(result)
    }

    /// Adds a new message; its UID must be greater than every UID in the
    /// view (RFC 3501 §2.3.1.1), anything else is ignored so the numbers the
    /// client knows never shift.
    pub fn push(&mut self, uid: Uid) {
        if self.uids.last().is_some_and(|last| last >= uid) {
            tracing::warn!(uid = uid.get(), "ignoring a new uid not above the view");
            return;
        }
        let ranges_before = self.uids.ranges().len();
        self.uids.insert(uid);
        if self.uids.ranges().len() > ranges_before {
            self.prefix.push(self.len);
        }
        self.len += 1;
    }

    /// Removes an expunged message and returns the sequence number it had;
    /// later messages move down by one (RFC 3501 §7.4.1).
    pub fn remove(&mut self, uid: Uid) -> Option<u32> {
        let seq = self.seq_of(uid)?;
        let index = self
            .uids
            .ranges()
            .partition_point(|&(_, last)| last < uid.get());
        self.uids.remove(uid);
        self.rebuild_prefix_from(index);
        Some(seq)
    }

    /// Removes every UID of `uids` the view holds at once (O(ranges +
    /// removed)) and returns the sequence numbers they had, highest first:
    /// the order in which `* n EXPUNGE` responses stay right as each is
    /// applied (RFC 3501 §7.4.1).
    pub fn remove_all(&mut self, uids: &UidSet) -> Vec<u32> {
        let gone = uids.intersection(&self.uids);
        if gone.is_empty() {
            return Vec::new();
        }
        let seqs: Vec<u32> = gone
            .iter()
            .rev()
            .filter_map(|uid| self.seq_of(uid))
            .collect();
        // `gone` is a subset, so each of its ranges lies inside one range of
        // `uids`; what remains of a range are the pieces between them.
        let gone_ranges = gone.ranges();
        let mut next_gone = 0;
        let mut remaining = Vec::with_capacity(self.uids.ranges().len() + gone_ranges.len());
        for &(first, last) in self.uids.ranges() {
            let mut cursor = u64::from(first);
            while let Some(&(gone_first, gone_last)) = gone_ranges.get(next_gone) {
                if gone_first > last {
                    break;
                }
                if u64::from(gone_first) > cursor {
                    remaining.push((cursor, u64::from(gone_first) - 1));
                }
                cursor = u64::from(gone_last) + 1;
                next_gone += 1;
            }
            if cursor <= u64::from(last) {
                remaining.push((cursor, u64::from(last)));
            }
        }
        // Every piece lies within `first..=last` of a u32 range, so it fits.
        self.uids = UidSet::from_ranges(remaining.into_iter().filter_map(|(first, last)| {
            Some((u32::try_from(first).ok()?, u32::try_from(last).ok()?))
        }));
        self.rebuild_prefix_from(0);
        seqs
    }

    /// The sequence numbers of `uids` that the view holds, ascending.
    pub fn seqs_of<'a>(&'a self, uids: impl IntoIterator<Item = Uid> + 'a) -> Vec<u32> {
        let mut seqs: Vec<u32> = uids
            .into_iter()
            .filter_map(|uid| self.seq_of(uid))
            .collect();
        seqs.sort_unstable();
        seqs
    }

    fn checked_seq(&self, bound: SeqBound) -> Result<u32, InvalidSequence> {
        let number = match bound {
            SeqBound::Value(value) => value,
            SeqBound::Largest => self.len,
        };
        if number == 0 || number > self.len {
            return Err(InvalidSequence {
                number,
                exists: self.len,
            });
        }
        Ok(number)
    }

    /// Inserts the UIDs of messages `first..=last` (both existing) into `out`.
    fn insert_seq_range(&self, out: &mut UidSet, first: u32, last: u32) {
        let ranges = self.uids.ranges();
        let start = self.prefix.partition_point(|&before| before < first) - 1;
        for (index, &(range_first, range_last)) in ranges.iter().enumerate().skip(start) {
            let before = self.prefix[index];
            if before >= last {
                break;
            }
            // Messages before+1 ..= before+count live in this range.
            let count = range_last - range_first + 1;
            let from = first.max(before + 1);
            let to = last.min(before + count);
            out.insert_range(
                range_first + (from - before - 1),
                range_first + (to - before - 1),
            );
        }
    }

    /// Recomputes `prefix` from range `index` on (after a change there).
    fn rebuild_prefix_from(&mut self, index: usize) {
        let ranges = self.uids.ranges();
        self.prefix.truncate(index);
        let mut before = match index.checked_sub(1) {
            Some(previous) => {
                let (first, last) = ranges[previous];
                self.prefix[previous] + (last - first + 1)
            }
            None => 0,
        };
        for &(first, last) in &ranges[index.min(ranges.len())..] {
            self.prefix.push(before);
            before += last - first + 1;
        }
        self.len = before;
    }
}

/// Writes ascending `(first, last)` runs in the compact `1:3,5` form of a
/// `sequence-set`/`uid-set` (RFC 4315 §4).
fn write_runs(runs: impl IntoIterator<Item = (u32, u32)>) -> String {
    let mut text = String::new();
    for (first, last) in runs {
        if !text.is_empty() {
            text.push(',');
        }
        if first == last {
            text.push_str(&first.to_string());
        } else {
            text.push_str(&format!("{first}:{last}"));
        }
    }
    text
}

/// `set` in the compact form, e.g. `1:3,5`.
pub fn format_uid_set(set: &UidSet) -> String {
    write_runs(set.ranges().iter().copied())
}

/// UIDs in the given order, consecutive runs compressed (`4:6,2`): the
/// order matters in COPYUID, where source and destination correspond.
pub fn format_uid_list(uids: &[Uid]) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for uid in uids {
        let value = uid.get();
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(value) => *last = value,
            _ => runs.push((value, value)),
        }
    }
    write_runs(runs)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn uid(value: u32) -> Uid {
        Uid::new(value).unwrap()
    }

    fn ranges(pairs: &[(u32, u32)]) -> SequenceSet {
        SequenceSet::Ranges(pairs.iter().map(|&(a, b)| (bound(a), bound(b))).collect())
    }

    /// 0 stands for `*` in these tests.
    fn bound(value: u32) -> SeqBound {
        if value == 0 {
            SeqBound::Largest
        } else {
            SeqBound::Value(value)
        }
    }

    fn members(set: &UidSet) -> Vec<u32> {
        set.iter().map(Uid::get).collect()
    }

    #[test]
    fn maps_both_ways_across_ranges() {
        let view = MailboxView::new(UidSet::from_ranges([(3, 5), (10, 10), (20, 22)]));
        assert_eq!(view.len(), 7);
        assert_eq!(view.uid_of(1), Some(uid(3)));
        assert_eq!(view.uid_of(4), Some(uid(10)));
        assert_eq!(view.uid_of(7), Some(uid(22)));
        assert_eq!(view.uid_of(8), None);
        assert_eq!(view.uid_of(0), None);
        assert_eq!(view.seq_of(uid(21)), Some(6));
        assert_eq!(view.seq_of(uid(11)), None);
    }

    #[test]
    fn resolves_sequence_numbers_with_star_and_reversed_ranges() {
        let view = MailboxView::new(UidSet::from_ranges([(3, 5), (10, 10), (20, 22)]));
        let set = view.resolve(&ranges(&[(0, 5)]), false, None).unwrap();
        assert_eq!(members(&set), [20, 21, 22]);
        let set = view
            .resolve(&ranges(&[(4, 2), (7, 7)]), false, None)
            .unwrap();
        assert_eq!(members(&set), [4, 5, 10, 22]);
        let error = view.resolve(&ranges(&[(1, 8)]), false, None).unwrap_err();
        assert_eq!(
            error,
            InvalidSequence {
                number: 8,
                exists: 7
            }
        );
    }

    #[test]
    fn star_in_an_empty_mailbox_is_invalid_by_number_but_empty_by_uid() {
        let view = MailboxView::new(UidSet::new());
        assert!(view.resolve(&ranges(&[(1, 0)]), false, None).is_err());
        assert!(
            view.resolve(&ranges(&[(1, 0)]), true, None)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn uid_ranges_clip_and_star_is_the_highest_uid() {
        let view = MailboxView::new(UidSet::from_ranges([(3, 5), (10, 10)]));
        // RFC 3501 §6.4.8: `n:*` with n above every UID still names the highest.
        let set = view.resolve(&ranges(&[(50, 0)]), true, None).unwrap();
        assert_eq!(members(&set), [10]);
        let set = view.resolve(&ranges(&[(6, 9)]), true, None).unwrap();
        assert!(set.is_empty());
    }

    #[test]
    fn saved_result_is_intersected_with_the_view() {
        let view = MailboxView::new(UidSet::from_ranges([(3, 5)]));
        let saved = UidSet::from_ranges([(1, 4)]);
        let set = view
            .resolve(&SequenceSet::SavedResult, false, Some(&saved))
            .unwrap();
        assert_eq!(members(&set), [3, 4]);
        let set = view.resolve(&SequenceSet::SavedResult, true, None).unwrap();
        assert!(set.is_empty());
    }

    #[test]
    fn push_ignores_uids_that_are_not_new() {
        let mut view = MailboxView::new(UidSet::from_ranges([(3, 5)]));
        view.push(uid(6));
        view.push(uid(9));
        view.push(uid(4));
        assert_eq!(view.len(), 5);
        assert_eq!(view.seq_of(uid(9)), Some(5));
    }

    #[test]
    fn remove_shifts_later_numbers_down() {
        let mut view = MailboxView::new(UidSet::from_ranges([(1, 5)]));
        assert_eq!(view.remove(uid(5)), Some(5));
        assert_eq!(view.remove(uid(2)), Some(2));
        assert_eq!(view.remove(uid(2)), None);
        assert_eq!(view.seq_of(uid(4)), Some(3));
        assert_eq!(view.len(), 3);
    }

    #[test]
    fn million_message_view_stays_small() {
        let view = MailboxView::new(UidSet::from_ranges([(1, 1_000_000)]));
        assert_eq!(view.len(), 1_000_000);
        assert_eq!(view.uid_of(999_999), Some(uid(999_999)));
        assert_eq!(view.uids().ranges().len(), 1);
    }

    #[test]
    fn formats_compact_sets() {
        assert_eq!(
            format_uid_set(&UidSet::from_ranges([(1, 3), (5, 5)])),
            "1:3,5"
        );
        assert_eq!(format_uid_set(&UidSet::new()), "");
        assert_eq!(format_uid_list(&[uid(4), uid(5), uid(6), uid(2)]), "4:6,2");
    }

    #[test]
    fn remove_all_reports_numbers_highest_first() {
        let mut view = MailboxView::new(UidSet::from_ranges([
            (1, 5),
            (9, 10),
            (u32::MAX - 1, u32::MAX),
        ]));
        let gone = UidSet::from_ranges([(2, 2), (4, 9), (u32::MAX, u32::MAX), (20, 30)]);
        assert_eq!(view.remove_all(&gone), [9, 6, 5, 4, 2]);
        assert_eq!(members(view.uids()), [1, 3, 10, u32::MAX - 1]);
        assert_eq!(view.len(), 4);
        assert_eq!(view.seq_of(uid(10)), Some(3));
        assert!(view.remove_all(&gone).is_empty());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(u32),
        Remove(u32),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1u32..4).prop_map(Op::Push),
            (1u32..120).prop_map(Op::Remove)
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_a_vec_model(
            initial in proptest::collection::btree_set(1u32..100, 0..60),
            ops in proptest::collection::vec(op(), 0..60),
            queries in proptest::collection::vec((0u32..130, 0u32..130), 1..6),
            by_uid in any::<bool>(),
        ) {
            let mut view = MailboxView::new(initial.iter().copied().map(uid).collect());
            let mut model: Vec<u32> = initial.iter().copied().collect();
            for op in ops {
                match op {
                    Op::Push(step) => {
                        let next = model.last().copied().unwrap_or(0) + step;
                        view.push(uid(next));
                        model.push(next);
                    }
                    Op::Remove(value) => {
                        let expected = model.iter().position(|&m| m == value);
                        if let Some(index) = expected {
                            model.remove(index);
                        }
                        let expected = expected.map(|index| u32::try_from(index).unwrap() + 1);
                        prop_assert_eq!(view.remove(uid(value)), expected);
                    }
                }
            }
            let exists = u32::try_from(model.len()).unwrap();
            prop_assert_eq!(view.len(), exists);
            for (index, &value) in model.iter().enumerate() {
                let seq = u32::try_from(index).unwrap() + 1;
                prop_assert_eq!(view.uid_of(seq), Some(uid(value)));
                prop_assert_eq!(view.seq_of(uid(value)), Some(seq));
            }
            prop_assert_eq!(view.uid_of(exists + 1), None);

            // Removing a set at once matches removing its UIDs highest first.
            let doomed: UidSet = queries.iter().map(|&(a, _)| a).filter_map(Uid::new).collect();
            let mut one_by_one = view.clone();
            let expected: Vec<u32> = doomed.iter().rev().filter_map(|gone| one_by_one.remove(gone)).collect();
            let mut at_once = view.clone();
            prop_assert_eq!(at_once.remove_all(&doomed), expected);
            prop_assert_eq!(at_once.uids(), one_by_one.uids());
            prop_assert_eq!(at_once.len(), one_by_one.len());
            for seq in 1..=at_once.len() {
                prop_assert_eq!(at_once.uid_of(seq), one_by_one.uid_of(seq));
            }

            // Resolve against the model; 0 in a query stands for `*`.
            let set = ranges(&queries);
            let largest = if by_uid { model.last().copied().unwrap_or(0) } else { exists };
            let bound = |value: u32| if value == 0 { largest } else { value };
            let mut expected = BTreeSet::new();
            let mut invalid = false;
            for &(a, b) in &queries {
                let (low, high) = (bound(a).min(bound(b)), bound(a).max(bound(b)));
                if by_uid {
                    expected.extend(model.iter().copied().filter(|m| (low..=high).contains(m)));
                } else if low == 0 || high > exists {
                    invalid = true;
                } else {
                    expected.extend((low..=high).map(|seq| model[seq as usize - 1]));
                }
            }
            match view.resolve(&set, by_uid, None) {
                Ok(resolved) => {
                    prop_assert!(!invalid);
                    prop_assert_eq!(members(&resolved), expected.into_iter().collect::<Vec<_>>());
                }
                Err(_) => prop_assert!(invalid),
            }
        }
    }
}
