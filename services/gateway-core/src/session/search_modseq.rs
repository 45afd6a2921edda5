//! The MODSEQ a SEARCH answers (RFC 7162 §3.1.5): only when the criteria
//! test MODSEQ and something matched, and then the highest MODSEQ of the
//! messages the answer returns. That is every match, except for an ESEARCH
//! that returns only MIN and/or MAX, where it is the highest of those one or
//! two messages (RFC 7162 §3.1.10 with RFC 4731). The backend's search
//! outcome carries the mailbox's HIGHESTMODSEQ, not the matches', so the
//! returned messages' MODSEQs are read with one `fetch_meta` stream.

use futures::StreamExt;
use mailkeep_common::{Uid, UidSet};

use super::enable::uses_modseq;
use super::{CommandContext, Selected};
use crate::backend::{BackendResult, MetaQuery};
use crate::command::{SearchKey, SearchReturn};

/// The UIDs whose MODSEQ the answer reports, of the ascending `matches`.
fn returned_uids(options: Option<&[SearchReturn]>, matches: &[Uid]) -> UidSet {
    let single = |uid: Option<&Uid>| uid.map(|uid| (uid.get(), uid.get()));
    let options = options.unwrap_or_default();
    let extremes_only = !options.is_empty()
        && options
            .iter()
            .all(|option| matches!(option, SearchReturn::Min | SearchReturn::Max));
    if !extremes_only {
        return UidSet::from_ranges(matches.iter().map(|uid| (uid.get(), uid.get())));
    }
    let min = single(matches.first()).filter(|_| options.contains(&SearchReturn::Min));
    let max = single(matches.last()).filter(|_| options.contains(&SearchReturn::Max));
    UidSet::from_ranges(min.into_iter().chain(max))
}

/// `Some(modseq)` to append to the SEARCH/ESEARCH answer, or `None`.
pub(crate) async fn answered_modseq(
    ctx: &CommandContext<'_>,
    selected: &Selected,
    criteria: &SearchKey,
    options: Option<&[SearchReturn]>,
    matches: &[Uid],
) -> BackendResult<Option<u64>> {
    if matches.is_empty() || !uses_modseq(criteria) {
        return Ok(None);
    }
    let returned = returned_uids(options, matches);
    let mut stream = ctx
        .backend
        .fetch_meta(
            ctx.principal,
            selected.mailbox.id,
            &returned,
            MetaQuery::default(),
        )
        .await?;
    let mut highest = 0;
    while let Some(meta) = stream.next().await {
        highest = highest.max(meta?.modseq.get());
    }
    Ok(Some(highest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uids(values: &[u32]) -> Vec<Uid> {
        values.iter().filter_map(|&value| Uid::new(value)).collect()
    }

    #[test]
    fn min_and_max_alone_report_only_their_messages() {
        let matches = uids(&[2, 5, 9]);
        let set = |pairs: &[(u32, u32)]| UidSet::from_ranges(pairs.iter().copied());
        assert_eq!(
            returned_uids(Some(&[SearchReturn::Min]), &matches),
            set(&[(2, 2)])
        );
        assert_eq!(
            returned_uids(Some(&[SearchReturn::Max, SearchReturn::Min]), &matches),
            set(&[(2, 2), (9, 9)])
        );
        assert_eq!(
            returned_uids(Some(&[SearchReturn::Min, SearchReturn::Count]), &matches),
            set(&[(2, 2), (5, 5), (9, 9)])
        );
        assert_eq!(
            returned_uids(None, &matches),
            set(&[(2, 2), (5, 5), (9, 9)])
        );
    }
}
