//! SORT and THREAD conversions (RFC 5256, RFC 5957). Criteria are validated
//! (known keys, at least one, at most [`MAX_SORT_CRITERIA`]); a thread
//! forest travels flattened in pre-order as `(uid, child count)` pairs and is
//! rebuilt without recursion, so a long reply chain cannot exhaust a stack
//! or the decoder's nesting limit.

use mailkeep_common::mail::{
    SortCriterion, SortKey, SortOutcome, ThreadAlgorithm, ThreadNode, ThreadOutcome,
};
use mailkeep_common::{ModSeq, Uid};

use super::{ConvertError, uids, uids_to_proto};
use crate::metadata::v1 as pb;

/// More criteria than this are refused (RFC 5256 has nine keys).
pub const MAX_SORT_CRITERIA: usize = 32;

impl From<SortKey> for pb::SortKey {
    fn from(key: SortKey) -> Self {
        match key {
            SortKey::Arrival => Self::Arrival,
            SortKey::Cc => Self::Cc,
            SortKey::Date => Self::Date,
            SortKey::From => Self::From,
            SortKey::Size => Self::Size,
            SortKey::Subject => Self::Subject,
            SortKey::To => Self::To,
            SortKey::DisplayFrom => Self::DisplayFrom,
            SortKey::DisplayTo => Self::DisplayTo,
        }
    }
}

fn sort_key(value: i32) -> Result<SortKey, ConvertError> {
    Ok(match pb::SortKey::try_from(value) {
        Ok(pb::SortKey::Arrival) => SortKey::Arrival,
        Ok(pb::SortKey::Cc) => SortKey::Cc,
        Ok(pb::SortKey::Date) => SortKey::Date,
        Ok(pb::SortKey::From) => SortKey::From,
        Ok(pb::SortKey::Size) => SortKey::Size,
        Ok(pb::SortKey::Subject) => SortKey::Subject,
        Ok(pb::SortKey::To) => SortKey::To,
        Ok(pb::SortKey::DisplayFrom) => SortKey::DisplayFrom,
        Ok(pb::SortKey::DisplayTo) => SortKey::DisplayTo,
        Ok(pb::SortKey::Unspecified) | Err(_) => return Err(ConvertError::UnknownSortKey),
    })
}

impl From<&SortCriterion> for pb::SortCriterion {
    fn from(criterion: &SortCriterion) -> Self {
        Self {
            key: pb::SortKey::from(criterion.key).into(),
            reverse: criterion.reverse,
        }
    }
}

/// The criteria of a `SortRequest`.
pub fn sort_criteria(criteria: Vec<pb::SortCriterion>) -> Result<Vec<SortCriterion>, ConvertError> {
    if criteria.is_empty() || criteria.len() > MAX_SORT_CRITERIA {
        return Err(ConvertError::SortCriteriaCount);
    }
    criteria
        .into_iter()
        .map(|criterion| {
            Ok(SortCriterion {
                key: sort_key(criterion.key)?,
                reverse: criterion.reverse,
            })
        })
        .collect()
}

impl From<ThreadAlgorithm> for pb::ThreadAlgorithm {
    fn from(algorithm: ThreadAlgorithm) -> Self {
        match algorithm {
            ThreadAlgorithm::OrderedSubject => Self::OrderedSubject,
            ThreadAlgorithm::References => Self::References,
        }
    }
}

/// The algorithm of a `ThreadRequest`.
pub fn thread_algorithm(value: i32) -> Result<ThreadAlgorithm, ConvertError> {
    match pb::ThreadAlgorithm::try_from(value) {
        Ok(pb::ThreadAlgorithm::OrderedSubject) => Ok(ThreadAlgorithm::OrderedSubject),
        Ok(pb::ThreadAlgorithm::References) => Ok(ThreadAlgorithm::References),
        Ok(pb::ThreadAlgorithm::Unspecified) | Err(_) => Err(ConvertError::UnknownThreadAlgorithm),
    }
}

impl From<SortOutcome> for pb::SortResponse {
    fn from(outcome: SortOutcome) -> Self {
        Self {
            uids: uids_to_proto(&outcome.uids),
            highest_modseq: outcome.highest_modseq.get(),
        }
    }
}

impl TryFrom<pb::SortResponse> for SortOutcome {
    type Error = ConvertError;

    fn try_from(response: pb::SortResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            uids: uids(response.uids, "uids")?,
            highest_modseq: ModSeq::new(response.highest_modseq),
        })
    }
}

impl From<ThreadOutcome> for pb::ThreadResponse {
    fn from(outcome: ThreadOutcome) -> Self {
        let mut response = Self {
            uids: Vec::new(),
            child_counts: Vec::new(),
            highest_modseq: outcome.highest_modseq.get(),
        };
        let mut pending: Vec<&ThreadNode> = outcome.threads.iter().rev().collect();
        while let Some(node) = pending.pop() {
            response.uids.push(node.uid.map_or(0, Uid::get));
            response.child_counts.push(node.children.len() as u32);
            pending.extend(node.children.iter().rev());
        }
        response
    }
}

impl TryFrom<pb::ThreadResponse> for ThreadOutcome {
    type Error = ConvertError;

    fn try_from(response: pb::ThreadResponse) -> Result<Self, ConvertError> {
        if response.uids.len() != response.child_counts.len() {
            return Err(ConvertError::MalformedThreads);
        }
        let mut threads = Vec::new();
        // Open parents with the number of children each still awaits.
        let mut open: Vec<(ThreadNode, u32)> = Vec::new();
        for (uid, count) in response.uids.into_iter().zip(response.child_counts) {
            let mut node = ThreadNode {
                uid: Uid::new(uid),
                children: Vec::new(),
            };
            if count > 0 {
                open.push((node, count));
                continue;
            }
            loop {
                let Some((parent, awaited)) = open.last_mut() else {
                    threads.push(node);
                    break;
                };
                parent.children.push(node);
                *awaited -= 1;
                if *awaited > 0 {
                    break;
                }
                let Some((complete, _)) = open.pop() else {
                    break;
                };
                node = complete;
            }
        }
        if !open.is_empty() {
            return Err(ConvertError::MalformedThreads);
        }
        Ok(Self {
            threads,
            highest_modseq: ModSeq::new(response.highest_modseq),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(uid: u32) -> ThreadNode {
        ThreadNode {
            uid: Uid::new(uid),
            children: Vec::new(),
        }
    }

    #[test]
    fn thread_forests_round_trip_flattened() {
        // RFC 5256 §4: (2)(3 6 (4 23)(44 7 96)).
        let chain = ThreadNode {
            uid: Uid::new(44),
            children: vec![ThreadNode {
                uid: Uid::new(7),
                children: vec![leaf(96)],
            }],
        };
        let outcome = ThreadOutcome {
            threads: vec![
                leaf(2),
                ThreadNode {
                    uid: Uid::new(3),
                    children: vec![ThreadNode {
                        uid: Uid::new(6),
                        children: vec![
                            ThreadNode {
                                uid: Uid::new(4),
                                children: vec![leaf(23)],
                            },
                            chain,
                        ],
                    }],
                },
                ThreadNode {
                    uid: None,
                    children: vec![leaf(8), leaf(9)],
                },
            ],
            highest_modseq: ModSeq::new(5),
        };
        let wire = pb::ThreadResponse::from(outcome.clone());
        assert_eq!(wire.uids, [2, 3, 6, 4, 23, 44, 7, 96, 0, 8, 9]);
        assert_eq!(wire.child_counts, [0, 1, 2, 1, 0, 1, 1, 0, 2, 0, 0]);
        assert_eq!(ThreadOutcome::try_from(wire).unwrap(), outcome);
    }

    #[test]
    fn truncated_forests_and_unknown_enums_are_refused() {
        let truncated = pb::ThreadResponse {
            uids: vec![1, 2],
            child_counts: vec![2, 0],
            highest_modseq: 1,
        };
        assert_eq!(
            ThreadOutcome::try_from(truncated),
            Err(ConvertError::MalformedThreads)
        );
        assert_eq!(
            thread_algorithm(0),
            Err(ConvertError::UnknownThreadAlgorithm)
        );
        assert_eq!(thread_algorithm(2), Ok(ThreadAlgorithm::References));
        assert_eq!(sort_criteria(vec![]), Err(ConvertError::SortCriteriaCount));
        let unknown = pb::SortCriterion {
            key: 77,
            reverse: false,
        };
        assert_eq!(
            sort_criteria(vec![unknown]),
            Err(ConvertError::UnknownSortKey)
        );
        let reversed_size = SortCriterion {
            key: SortKey::Size,
            reverse: true,
        };
        assert_eq!(
            sort_criteria(vec![(&reversed_size).into()]),
            Ok(vec![reversed_size])
        );
    }
}
