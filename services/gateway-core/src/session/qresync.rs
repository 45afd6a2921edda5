//! QRESYNC (RFC 7162 §3.2): the resynchronisation a `SELECT ... (QRESYNC
//! (...))` performs, `UID FETCH ... (CHANGEDSINCE n VANISHED)`, and the
//! `* VANISHED [(EARLIER)] uids` response that replaces EXPUNGE once the
//! client has enabled QRESYNC.
//!
//! Which UIDs vanished is read from the `expunged` tombstones
//! (`MailBackend::changes`). When the client names the UIDs it knows, the
//! answer is instead "every known UID below UIDNEXT that no longer exists":
//! a superset of the tombstones' answer that stays right even if tombstones
//! older than the client's MODSEQ were ever compacted away, and RFC 7162
//! §3.2.10 has the client ignore any UID it never had. Seq-match-data only
//! helps a server that lacks this knowledge, so it is accepted and unused.

use std::io;

use mailkeep_common::{ModSeq, UidSet};

use super::store::fetch_flags_line;
use super::{CommandContext, Selected};
use crate::command::{QresyncParameters, SeqBound, SequenceSet};
use crate::mailbox_view::format_uid_set;
use crate::response::Line;

/// `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10); empty for no UIDs.
pub(crate) fn vanished_line(uids: &UidSet, earlier: bool) -> Vec<u8> {
    if uids.is_empty() {
        return Vec::new();
    }
    let mut line = Line::untagged();
    line.atom("VANISHED");
    if earlier {
        line.open().atom("EARLIER").close();
    }
    line.atom(&format_uid_set(uids));
    line.finish()
}

/// The UIDs of a client's set as written (`*` is the highest UID ever
/// given out), without clipping to the messages that exist.
fn literal_uids(set: &SequenceSet, uid_next: u32) -> UidSet {
    let SequenceSet::Ranges(ranges) = set else {
        return UidSet::new();
    };
    let highest = uid_next.saturating_sub(1);
    let bound = |bound: SeqBound| match bound {
        SeqBound::Value(value) => value,
        SeqBound::Largest => highest,
    };
    UidSet::from_ranges(ranges.iter().map(|&(first, last)| {
        let (first, last) = (bound(first), bound(last));
        (first.min(last), first.max(last))
    }))
}

/// The UIDs of `wanted` that are not in `present`, below `uid_next`.
fn missing(wanted: &UidSet, present: &UidSet, uid_next: u32) -> UidSet {
    let mut gone = UidSet::new();
    let mut present_ranges = present.ranges().iter().peekable();
    for &(first, last) in wanted.ranges() {
        let last = last.min(uid_next.saturating_sub(1));
        let mut cursor = u64::from(first);
        while cursor <= u64::from(last) {
            // Skip present ranges wholly below the cursor.
            while present_ranges
                .peek()
                .is_some_and(|&&(_, present_last)| u64::from(present_last) < cursor)
            {
                present_ranges.next();
            }
            match present_ranges.peek() {
                Some(&&(present_first, present_last)) if u64::from(present_first) <= cursor => {
                    cursor = u64::from(present_last) + 1;
                }
                Some(&&(present_first, _)) if present_first <= last => {
                    gone.insert_range(cursor as u32, present_first - 1);
                    cursor = u64::from(present_first);
                }
                _ => {
                    gone.insert_range(cursor as u32, last);
                    break;
                }
            }
        }
    }
    gone
}

/// After a SELECT/EXAMINE with QRESYNC whose UIDVALIDITY still holds
/// (RFC 7162 §3.2.5.1): `* VANISHED (EARLIER)` for what the client must
/// forget, then `* n FETCH (UID FLAGS MODSEQ)` for every message (of those
/// it knows, when it said which) changed since its MODSEQ. A backend
/// failure leaves the client to resynchronise the slow way.
pub(crate) async fn resync_after_select(
    ctx: &mut CommandContext<'_>,
    selected: &Selected,
    parameters: &QresyncParameters,
) -> io::Result<()> {
    if parameters.uidvalidity != selected.mailbox.uidvalidity {
        return Ok(());
    }
    let since = ModSeq::new(parameters.modseq);
    let changes = match ctx
        .backend
        .changes(ctx.principal, selected.mailbox.id, since)
        .await
    {
        Ok(changes) => changes,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "qresync changes failed");
            return Ok(());
        }
    };
    let uid_next = selected.mailbox.uid_next;
    let known = parameters
        .known_uids
        .as_ref()
        .map(|set| literal_uids(set, uid_next));
    let vanished = match &known {
        Some(known) => missing(known, selected.view.uids(), uid_next),
        None => missing(&changes.expunged, selected.view.uids(), uid_next),
    };
    let mut response = vanished_line(&vanished, true);
    for update in &changes.changed {
        if update.modseq > selected.reported_modseq
            || known
                .as_ref()
                .is_some_and(|known| !known.contains(update.uid))
        {
            continue;
        }
        response.extend(fetch_flags_line(selected, update, true, true).unwrap_or_default());
    }
    ctx.out.send(&response).await
}

/// `UID FETCH set (...) (CHANGEDSINCE n VANISHED)` (RFC 7162 §3.2.6): the
/// UIDs of `requested` expunged since `since`, as `* VANISHED (EARLIER)`,
/// before the FETCH responses.
pub(crate) async fn report_vanished_since(
    ctx: &mut CommandContext<'_>,
    selected: &Selected,
    requested: &SequenceSet,
    since: ModSeq,
) -> io::Result<Result<(), crate::backend::BackendError>> {
    let changes = match ctx
        .backend
        .changes(ctx.principal, selected.mailbox.id, since)
        .await
    {
        Ok(changes) => changes,
        Err(error) => return Ok(Err(error)),
    };
    let requested = literal_uids(requested, selected.mailbox.uid_next);
    let gone = changes.expunged.intersection(&requested);
    let gone = missing(&gone, selected.view.uids(), selected.mailbox.uid_next);
    ctx.out.send(&vanished_line(&gone, true)).await?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(u32, u32)]) -> UidSet {
        UidSet::from_ranges(pairs.iter().copied())
    }

    #[test]
    fn missing_uids_are_the_known_ones_no_longer_present() {
        let present = set(&[(5, 7), (10, 10), (20, 30)]);
        assert_eq!(
            missing(&set(&[(1, 40)]), &present, 31),
            set(&[(1, 4), (8, 9), (11, 19)])
        );
        assert_eq!(missing(&set(&[(6, 6)]), &present, 31), UidSet::new());
        assert_eq!(
            missing(&set(&[(8, 8), (25, 35)]), &present, 40),
            set(&[(8, 8), (31, 35)])
        );
        assert_eq!(missing(&set(&[(1, 3)]), &UidSet::new(), 3), set(&[(1, 2)]));
        assert_eq!(missing(&UidSet::new(), &present, 31), UidSet::new());
    }

    #[test]
    fn client_sets_are_taken_literally() {
        let star = SequenceSet::Ranges(vec![(SeqBound::Value(5), SeqBound::Largest)]);
        assert_eq!(literal_uids(&star, 9), set(&[(5, 8)]));
        let reversed = SequenceSet::Ranges(vec![(SeqBound::Value(9), SeqBound::Value(3))]);
        assert_eq!(literal_uids(&reversed, 2), set(&[(3, 9)]));
    }

    #[test]
    fn vanished_lines() {
        assert_eq!(
            vanished_line(&set(&[(41, 41), (43, 116)]), true),
            b"* VANISHED (EARLIER) 41,43:116\r\n"
        );
        assert_eq!(
            vanished_line(&set(&[(405, 405)]), false),
            b"* VANISHED 405\r\n"
        );
        assert!(vanished_line(&UidSet::new(), false).is_empty());
    }
}
