//! `MailboxView` tests: known answers across ranges, and a property test
//! against a `Vec` model of the sequence numbers.

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

fn one(value: u32) -> UidSet {
    UidSet::from_ranges([(value, value)])
}

#[test]
fn remove_shifts_later_numbers_down() {
    let mut view = MailboxView::new(UidSet::from_ranges([(1, 5)]));
    assert_eq!(view.remove_all(&one(5)), [5]);
    assert_eq!(view.remove_all(&one(2)), [2]);
    assert!(view.remove_all(&one(2)).is_empty());
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
                    let expected: Vec<u32> =
                        expected.map(|index| u32::try_from(index).unwrap() + 1).into_iter().collect();
                    prop_assert_eq!(view.remove_all(&one(value)), expected);
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

        // Removing a set at once matches the model, numbers highest first.
        let doomed: UidSet = queries.iter().map(|&(a, _)| a).filter_map(Uid::new).collect();
        let expected: Vec<u32> = (1..=exists)
            .rev()
            .filter(|&seq| doomed.contains(uid(model[seq as usize - 1])))
            .collect();
        let survivors: Vec<u32> =
            model.iter().copied().filter(|&m| !doomed.contains(uid(m))).collect();
        let mut at_once = view.clone();
        prop_assert_eq!(at_once.remove_all(&doomed), expected);
        prop_assert_eq!(at_once.len(), u32::try_from(survivors.len()).unwrap());
        for (index, &value) in survivors.iter().enumerate() {
            let seq = u32::try_from(index).unwrap() + 1;
            prop_assert_eq!(at_once.uid_of(seq), Some(uid(value)));
            prop_assert_eq!(at_once.seq_of(uid(value)), Some(seq));
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
