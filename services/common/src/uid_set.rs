//! `UidSet`: a set of UIDs kept as sorted, disjoint, non-adjacent inclusive
//! ranges. UID lists travel and live in this form, so a mailbox of a million
//! mostly-contiguous UIDs costs a few ranges instead of four megabytes.

use std::ops::RangeInclusive;

use crate::Uid;

/// Invariant: `ranges` is sorted, each `first <= last`, `first >= 1`, and two
/// neighbours never touch or overlap (they are merged on insert).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct UidSet {
    ranges: Vec<(u32, u32)>,
}

impl UidSet {
    pub const fn new() -> Self {
        Self { ranges: Vec::new() }
    }

    /// Builds a set from possibly unsorted, overlapping ranges; zeros are dropped.
    pub fn from_ranges(ranges: impl IntoIterator<Item = (u32, u32)>) -> Self {
        let mut set = Self::new();
        for (first, last) in ranges {
            set.insert_range(first.min(last), first.max(last));
        }
        set
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Number of UIDs in the set.
    pub fn len(&self) -> u64 {
        self.ranges
            .iter()
            .map(|&(first, last)| u64::from(last - first) + 1)
            .sum()
    }

    /// The ranges, ascending, as `(first, last)` inclusive pairs.
    pub fn ranges(&self) -> &[(u32, u32)] {
        &self.ranges
    }

    pub fn first(&self) -> Option<Uid> {
        self.ranges.first().and_then(|&(first, _)| Uid::new(first))
    }

    pub fn last(&self) -> Option<Uid> {
        self.ranges.last().and_then(|&(_, last)| Uid::new(last))
    }

    pub fn contains(&self, uid: Uid) -> bool {
        let value = uid.get();
        self.ranges
            .binary_search_by(|&(first, last)| {
                if last < value {
                    std::cmp::Ordering::Less
                } else if first > value {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_ok()
    }

    pub fn insert(&mut self, uid: Uid) {
        self.insert_range(uid.get(), uid.get());
    }

    /// Inserts `first..=last`, merging with every range it touches.
    pub fn insert_range(&mut self, first: u32, last: u32) {
        let first = first.max(1);
        if last < first {
            return;
        }
        // Ranges entirely before `first - 1` stay; the rest may merge.
        let start = self
            .ranges
            .partition_point(|&(_, end)| end.saturating_add(1) < first);
        let mut end_index = start;
        let (mut merged_first, mut merged_last) = (first, last);
        while let Some(&(range_first, range_last)) = self.ranges.get(end_index) {
            if range_first > last.saturating_add(1) {
                break;
            }
            merged_first = merged_first.min(range_first);
            merged_last = merged_last.max(range_last);
            end_index += 1;
        }
        self.ranges
            .splice(start..end_index, [(merged_first, merged_last)]);
    }

    /// Removes one UID, splitting its range when needed.
    pub fn remove(&mut self, uid: Uid) {
        let value = uid.get();
        let index = self.ranges.partition_point(|&(_, last)| last < value);
        let Some(&(first, last)) = self.ranges.get(index) else {
            return;
        };
        if first > value {
            return;
        }
        let mut replacement = Vec::with_capacity(2);
        if first < value {
            replacement.push((first, value - 1));
        }
        if value < last {
            replacement.push((value + 1, last));
        }
        self.ranges.splice(index..=index, replacement);
    }

    /// UIDs ascending.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Uid> + '_ {
        self.ranges
            .iter()
            .flat_map(|&(first, last)| first..=last)
            .filter_map(Uid::new)
    }

    /// The members of `self` that are also in `other`.
    pub fn intersection(&self, other: &UidSet) -> UidSet {
        let mut result = UidSet::new();
        let (mut left, mut right) = (0, 0);
        while let (Some(&(a_first, a_last)), Some(&(b_first, b_last))) =
            (self.ranges.get(left), other.ranges.get(right))
        {
            let first = a_first.max(b_first);
            let last = a_last.min(b_last);
            if first <= last {
                result.ranges.push((first, last));
            }
            if a_last < b_last {
                left += 1;
            } else {
                right += 1;
            }
        }
        result
    }

    /// Iterates `(first, last)` ranges as Rust ranges.
    pub fn range_iter(&self) -> impl Iterator<Item = RangeInclusive<u32>> + '_ {
        self.ranges.iter().map(|&(first, last)| first..=last)
    }
}

impl FromIterator<Uid> for UidSet {
    fn from_iter<I: IntoIterator<Item = Uid>>(uids: I) -> Self {
        let mut set = UidSet::new();
        for uid in uids {
            set.insert(uid);
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    fn uid(value: u32) -> Uid {
        Uid::new(value).unwrap()
    }

    #[test]
    fn adjacent_ranges_merge() {
        let set = UidSet::from_ranges([(1, 3), (4, 6), (10, 10), (8, 8)]);
        assert_eq!(set.ranges(), &[(1, 6), (8, 8), (10, 10)]);
        assert_eq!(set.len(), 8);
    }

    #[test]
    fn remove_splits_a_range() {
        let mut set = UidSet::from_ranges([(1, 5)]);
        set.remove(uid(3));
        assert_eq!(set.ranges(), &[(1, 2), (4, 5)]);
        set.remove(uid(1));
        set.remove(uid(9));
        assert_eq!(set.ranges(), &[(2, 2), (4, 5)]);
    }

    #[test]
    fn zero_is_never_a_member() {
        let set = UidSet::from_ranges([(0, 2)]);
        assert_eq!(set.ranges(), &[(1, 2)]);
    }

    proptest! {
        #[test]
        fn behaves_like_a_btreeset(ops in proptest::collection::vec((any::<bool>(), 1u32..200), 0..300)) {
            let mut set = UidSet::new();
            let mut model = BTreeSet::new();
            for (insert, value) in ops {
                if insert {
                    set.insert(uid(value));
                    model.insert(value);
                } else {
                    set.remove(uid(value));
                    model.remove(&value);
                }
            }
            let members: Vec<u32> = set.iter().map(Uid::get).collect();
            prop_assert_eq!(members, model.iter().copied().collect::<Vec<_>>());
            prop_assert_eq!(set.len(), model.len() as u64);
            for pair in set.ranges().windows(2) {
                prop_assert!(pair[0].1 + 1 < pair[1].0, "ranges must not touch");
            }
        }

        #[test]
        fn intersection_matches_the_model(
            a in proptest::collection::btree_set(1u32..100, 0..60),
            b in proptest::collection::btree_set(1u32..100, 0..60),
        ) {
            let left: UidSet = a.iter().copied().map(uid).collect();
            let right: UidSet = b.iter().copied().map(uid).collect();
            let expected: Vec<u32> = a.intersection(&b).copied().collect();
            let actual: Vec<u32> = left.intersection(&right).iter().map(Uid::get).collect();
            prop_assert_eq!(actual, expected);
        }
    }
}
