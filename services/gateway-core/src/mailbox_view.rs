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
        view.rebuild_prefix();
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

    /// Resolves a SEARCH key's sequence set: like [`Self::resolve`] by
    /// sequence number, but a number beyond EXISTS names no message instead
    /// of being an error, as a search only filters (Dovecot and imaptest's
    /// `esearch` agree: `SEARCH 1000` in a small mailbox finds nothing).
    pub fn resolve_for_search(&self, set: &SequenceSet, saved: Option<&UidSet>) -> UidSet {
        let SequenceSet::Ranges(ranges) = set else {
            return saved.map_or_else(UidSet::new, |set| set.intersection(&self.uids));
        };
        let number = |bound: SeqBound| match bound {
            SeqBound::Value(value) => value,
            SeqBound::Largest => self.len,
        };
        let mut result = UidSet::new();
        for &(first, last) in ranges {
            let (low, high) = (number(first), number(last));
            let (low, high) = (low.min(high).max(1), low.max(high).min(self.len));
            if low <= high {
                self.insert_seq_range(&mut result, low, high);
            }
        }
        result
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

    /// Removes every UID of `uids` the view holds at once (O(ranges +
    /// removed)) and returns the sequence numbers they had, highest first:
    /// the order in which `* n EXPUNGE` responses stay right as each is
    /// applied, later messages moving down by one each (RFC 3501 §7.4.1).
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
        self.rebuild_prefix();
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

    /// Recomputes `prefix` and `len` from the ranges.
    fn rebuild_prefix(&mut self) {
        self.prefix.clear();
        let mut before = 0;
        for &(first, last) in self.uids.ranges() {
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
    format_number_set(&uids.iter().map(|uid| uid.get()).collect::<Vec<_>>())
}

/// Numbers (UIDs or sequence numbers) in the given order, consecutive runs
/// compressed (`1:3,5`), as ESEARCH's ALL (RFC 4731 §3.1) writes them.
pub fn format_number_set(numbers: &[u32]) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &value in numbers {
        match runs.last_mut() {
            Some((_, last)) if last.checked_add(1) == Some(value) => *last = value,
            _ => runs.push((value, value)),
        }
    }
    write_runs(runs)
}

#[cfg(test)]
mod tests;
