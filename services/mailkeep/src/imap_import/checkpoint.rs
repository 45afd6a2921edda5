//! Where a folder's pull starts and how far its checkpoint may advance.
//! Invariant of a checkpoint (imports.proto): every source message with a
//! UID <= `last_uid` under `uidvalidity` is stored in the target. So a
//! checkpoint whose UIDVALIDITY differs from the folder's now (the source
//! renumbered it, RFC 9051 §2.3.1.1) restarts the folder from UID 1, and
//! `last_uid` advances only over a gap-free prefix of stored messages: a
//! message that failed or that the date filter left out holds it back, so a
//! later job (maybe without a filter) still looks at it. Also here: the
//! date filter as `UID SEARCH` keys (RFC 9051 §6.4.4: SINCE and BEFORE
//! compare dates only, in a zone of the server's choosing, so the keys are
//! widened by a day and [`DateFilter::admits`] decides exactly), and UID
//! sets for `UID FETCH`.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, Utc};
use mailkeep_proto::metadata::v1::FolderProgress;

/// Where a folder's pull starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderStart {
    /// The first UID to look at.
    pub first_uid: u32,
    /// The checkpoint kept (0 when restarting).
    pub last_uid: u32,
    /// Messages this job has already done in the folder.
    pub messages_done: u64,
}

/// The start of a folder with the `checkpoint` (if any; its counts are
/// this job's) and the source's UIDVALIDITY now.
pub fn resume_point(checkpoint: Option<&FolderProgress>, uidvalidity: u32) -> FolderStart {
    match checkpoint {
        Some(kept) if kept.uidvalidity == uidvalidity && uidvalidity != 0 => FolderStart {
            first_uid: kept.last_uid.saturating_add(1),
            last_uid: kept.last_uid,
            messages_done: kept.messages_done,
        },
        _ => FolderStart {
            first_uid: 1,
            last_uid: 0,
            messages_done: 0,
        },
    }
}

/// The UIDs a folder's pull looks at, and which of them are stored yet.
#[derive(Debug, Clone)]
pub struct UidProgress {
    pending: BTreeSet<u32>,
    highest: u32,
    checkpoint: u32,
}

impl UidProgress {
    /// `examined`: every UID at or after the start that the folder holds
    /// (filtered or not); `checkpoint`: the start's `last_uid`.
    pub fn new(examined: impl IntoIterator<Item = u32>, checkpoint: u32) -> Self {
        let pending: BTreeSet<u32> = examined
            .into_iter()
            .filter(|uid| *uid > checkpoint)
            .collect();
        let highest = pending.last().copied().unwrap_or(checkpoint);
        Self {
            pending,
            highest,
            checkpoint,
        }
    }

    /// `uid` is stored in the target (imported now or found there).
    pub fn stored(&mut self, uid: u32) {
        self.pending.remove(&uid);
    }

    /// The highest UID with every examined UID up to it stored.
    pub fn last_uid(&self) -> u32 {
        match self.pending.first() {
            Some(first_pending) => (first_pending - 1).max(self.checkpoint),
            None => self.highest,
        }
    }
}

/// The UIDs of a `UID SEARCH` answer that are at least `first_uid`: a
/// range `n:*` also matches the highest UID when it is below `n` (RFC 9051
/// §6.4.8), so the answer is filtered.
pub fn uids_from(found: impl IntoIterator<Item = u32>, first_uid: u32) -> Vec<u32> {
    let mut uids: Vec<u32> = found.into_iter().filter(|uid| *uid >= first_uid).collect();
    uids.sort_unstable();
    uids.dedup();
    uids
}

/// A job's date filter on internal dates: `since` inclusive, `before`
/// exclusive, unix seconds, 0 unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateFilter {
    since: Option<i64>,
    before: Option<i64>,
}

impl DateFilter {
    pub fn new(since: i64, before: i64) -> Self {
        Self {
            since: (since != 0).then_some(since),
            before: (before != 0).then_some(before),
        }
    }

    pub fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.before.is_none()
    }

    /// Whether an internal date (unix seconds) is inside the filter.
    pub fn admits(&self, internal_date: i64) -> bool {
        self.since.is_none_or(|since| internal_date >= since)
            && self.before.is_none_or(|before| internal_date < before)
    }

    /// The `UID SEARCH` criteria for UIDs from `first_uid` on, with this
    /// filter's widened day keys when `filtered`.
    pub fn search_criteria(&self, first_uid: u32, filtered: bool) -> String {
        let mut criteria = format!("UID {first_uid}:*");
        if !filtered {
            return criteria;
        }
        let day = |seconds: i64, shift: fn(DateTime<Utc>) -> Option<DateTime<Utc>>| {
            DateTime::from_timestamp(seconds, 0)
                .and_then(shift)
                .map(|date| date.format("%-d-%b-%Y").to_string())
        };
        if let Some(since) = self
            .since
            .and_then(|since| day(since, |d| d.checked_sub_days(Days::new(1))))
        {
            criteria.push_str(&format!(" SINCE {since}"));
        }
        if let Some(before) = self
            .before
            .and_then(|before| day(before, |d| d.checked_add_days(Days::new(2))))
        {
            criteria.push_str(&format!(" BEFORE {before}"));
        }
        criteria
    }
}

/// `uids` (ascending) as an IMAP sequence set: `1:3,7,9:10`.
pub fn uid_set(uids: &[u32]) -> String {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for &uid in uids {
        match ranges.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(uid) => *end = uid,
            _ => ranges.push((uid, uid)),
        }
    }
    ranges
        .iter()
        .map(|(start, end)| {
            if start == end {
                start.to_string()
            } else {
                format!("{start}:{end}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(uidvalidity: u32, last_uid: u32, done: u64) -> FolderProgress {
        FolderProgress {
            source: "INBOX".to_owned(),
            uidvalidity,
            last_uid,
            messages_done: done,
            ..FolderProgress::default()
        }
    }

    #[test]
    fn a_matching_uidvalidity_resumes_after_the_checkpoint() {
        let kept = checkpoint(77, 40, 38);
        let resumed = resume_point(Some(&kept), 77);
        assert_eq!(
            resumed,
            FolderStart {
                first_uid: 41,
                last_uid: 40,
                messages_done: 38
            }
        );
    }

    #[test]
    fn a_changed_uidvalidity_or_no_checkpoint_restarts_from_uid_1() {
        let restart = FolderStart {
            first_uid: 1,
            last_uid: 0,
            messages_done: 0,
        };
        assert_eq!(resume_point(Some(&checkpoint(77, 40, 38)), 78), restart);
        assert_eq!(resume_point(None, 78), restart);
        assert_eq!(resume_point(Some(&checkpoint(0, 40, 1)), 0), restart);
    }

    #[test]
    fn the_checkpoint_advances_over_stored_prefixes_only() {
        let mut progress = UidProgress::new([3, 5, 8, 9], 2);
        assert_eq!(progress.last_uid(), 2);
        progress.stored(5);
        assert_eq!(progress.last_uid(), 2, "3 is not stored yet");
        progress.stored(3);
        assert_eq!(progress.last_uid(), 7, "8 holds it back");
        progress.stored(9);
        progress.stored(8);
        assert_eq!(progress.last_uid(), 9);
        assert_eq!(UidProgress::new([], 12).last_uid(), 12);
    }

    #[test]
    fn a_search_from_beyond_the_highest_uid_yields_nothing() {
        // `UID 11:*` on a folder whose highest UID is 10 answers 10.
        assert!(uids_from([10], 11).is_empty());
        assert_eq!(uids_from([14, 11, 12, 9], 11), [11, 12, 14]);
    }

    #[test]
    fn the_date_filter_widens_search_days_and_admits_exact_times() {
        // 2020-01-10T12:00:00Z .. 2020-02-01T00:00:00Z
        let filter = DateFilter::new(1_578_657_600, 1_580_515_200);
        assert_eq!(
            filter.search_criteria(5, true),
            "UID 5:* SINCE 9-Jan-2020 BEFORE 3-Feb-2020"
        );
        assert_eq!(filter.search_criteria(5, false), "UID 5:*");
        assert!(filter.admits(1_578_657_600));
        assert!(!filter.admits(1_578_657_599));
        assert!(!filter.admits(1_580_515_200));
        assert!(filter.admits(1_580_515_199));
        let since_only = DateFilter::new(1_578_657_600, 0);
        assert_eq!(
            since_only.search_criteria(1, true),
            "UID 1:* SINCE 9-Jan-2020"
        );
        assert!(since_only.admits(i64::MAX));
        let none = DateFilter::new(0, 0);
        assert!(none.is_unbounded() && none.admits(0));
    }

    #[test]
    fn uid_sets_compress_runs() {
        assert_eq!(uid_set(&[1, 2, 3, 7, 9, 10]), "1:3,7,9:10");
        assert_eq!(uid_set(&[4]), "4");
        assert_eq!(uid_set(&[u32::MAX - 1, u32::MAX]), "4294967294:4294967295");
    }
}
