//! SEARCH and UID SEARCH (RFC 3501 §6.4.4, §7.2.5; RFC 7162 §3.1.5 MODSEQ).
//! The command's [`SearchKey`] tree becomes one backend [`SearchQuery`]:
//! sequence sets become UID sets through the view, `\Recent`/NEW/OLD use the
//! session's recent set, dates become unix seconds of UTC midnight, and
//! address and subject keys become header matches. Results are answered as
//! sequence numbers (UIDs for UID SEARCH), only for messages in the view.
//! WITHIN's OLDER/YOUNGER (RFC 5032) become exact instants from the
//! command's clock. Result options are in `esearch`; `RETURN (SAVE)` sets
//! `$` (RFC 5182) and `RETURN (UPDATE)` registers a search context
//! (RFC 5267 §4, `search_context`).

use std::io;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use mailkeep_common::{ModSeq, Uid, UidSet};

use super::{
    CommandContext, Completion, Selected, esearch, object_ids, search_context, search_modseq,
};
use crate::backend::{SearchFlag, SearchQuery, SystemFlags};
use crate::command::{SearchArgs, SearchKey, SearchReturn, Tag};
use crate::mailbox_view::InvalidSequence;
use crate::response::Line;

pub(crate) async fn search(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    tag: &Tag,
    uid: bool,
    args: &SearchArgs,
) -> io::Result<Completion> {
    let options = args.result.as_deref().unwrap_or_default();
    if let Some(rejected) = search_context::reused_tag(selected, &tag.0, options) {
        return Ok(rejected);
    }
    // RFC 5182 §2.1: a SEARCH with SAVE that fails leaves `$` empty.
    let saves = options.contains(&SearchReturn::Save);
    let criteria = match object_ids::resolve(ctx, selected, &args.criteria).await {
        Ok(criteria) => criteria,
        Err(error) => {
            forget_saved_result(selected, saves);
            return Ok(Completion::from_backend(&error));
        }
    };
    let query = match translate(&criteria, selected, ctx.now) {
        Ok(query) => query,
        Err(error) => {
            forget_saved_result(selected, saves);
            return Ok(Completion::bad(error.to_string()));
        }
    };
    let outcome = match ctx
        .backend
        .search(ctx.principal, selected.mailbox.id, &query)
        .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "search failed");
            forget_saved_result(selected, saves);
            return Ok(Completion::from_backend(&error));
        }
    };
    // Ascending UIDs, which is also ascending sequence-number order.
    let mut known: Vec<Uid> = outcome
        .uids
        .iter()
        .copied()
        .filter(|found| selected.view.seq_of(*found).is_some())
        .collect();
    known.sort_unstable();
    let numbers: Vec<u32> = if uid {
        known.iter().map(|found| found.get()).collect()
    } else {
        selected.view.seqs_of(known.iter().copied())
    };
    let modseq = match search_modseq::answered_modseq(
        ctx,
        selected,
        &args.criteria,
        args.result.as_deref(),
        &known,
    )
    .await
    {
        Ok(modseq) => modseq,
        Err(error) => {
            forget_saved_result(selected, saves);
            return Ok(Completion::from_backend(&error));
        }
    };
    if saves {
        selected.saved_search = Some(esearch::saved_result(options, &known));
    }
    let mut declined = false;
    if options.contains(&SearchReturn::Update) {
        let result = UidSet::from_ranges(known.iter().map(|found| (found.get(), found.get())));
        declined = !selected
            .search_contexts
            .register(&tag.0, uid, query, result);
    }
    let mut line = match &args.result {
        Some(options) if esearch::answers(options) => {
            esearch::esearch_line(&tag.0, uid, options, &numbers, modseq)
        }
        Some(_) => Vec::new(),
        // RFC 9051 §6.4.4: an IMAP4rev2 SEARCH answers ESEARCH ALL.
        None if ctx.enabled.imap4rev2 => {
            esearch::esearch_line(&tag.0, uid, &[SearchReturn::All], &numbers, modseq)
        }
        None => search_line(&numbers, modseq),
    };
    if declined {
        line.extend(search_context::no_updates_line(
            &tag.0,
            "Too many search contexts",
        ));
    }
    if !line.is_empty() {
        ctx.out.send(&line).await?;
    }
    Ok(Completion::ok("SEARCH completed"))
}

fn forget_saved_result(selected: &mut Selected, saves: bool) {
    if saves {
        selected.saved_search = Some(UidSet::new());
    }
}

/// `* SEARCH n...` (RFC 3501 §7.2.5), with `(MODSEQ m)` (RFC 7162 §3.1.5).
fn search_line(numbers: &[u32], modseq: Option<u64>) -> Vec<u8> {
    numbers_line("SEARCH", numbers, modseq)
}

/// `* <name> n... [(MODSEQ m)]`: the SEARCH and SORT (RFC 5256 §4) answers.
pub(super) fn numbers_line(name: &str, numbers: &[u32], modseq: Option<u64>) -> Vec<u8> {
    let mut line = Line::untagged();
    line.atom(name);
    for &number in numbers {
        line.number(u64::from(number));
    }
    if let Some(modseq) = modseq {
        line.open().atom("MODSEQ").number(modseq).close();
    }
    line.finish()
}

/// The backend query for `key`; an invalid sequence number is an error (BAD).
pub(super) fn translate(
    key: &SearchKey,
    selected: &Selected,
    now: DateTime<Utc>,
) -> Result<SearchQuery, InvalidSequence> {
    use SearchKey as K;
    let system = |bit| SearchQuery::FlagSet(SearchFlag::System(bit));
    let not_system = |bit| SearchQuery::FlagUnset(SearchFlag::System(bit));
    let header = |field: &str, value: &str| SearchQuery::Header {
        field: field.to_owned(),
        value: value.to_owned(),
    };
    let recent = || SearchQuery::Uid(selected.recent.intersection(selected.view.uids()));
    let saved = selected.saved_search.as_ref();
    Ok(match key {
        K::All => SearchQuery::All,
        K::Answered => system(SystemFlags::ANSWERED),
        K::Deleted => system(SystemFlags::DELETED),
        K::Draft => system(SystemFlags::DRAFT),
        K::Flagged => system(SystemFlags::FLAGGED),
        K::Seen => system(SystemFlags::SEEN),
        K::Unanswered => not_system(SystemFlags::ANSWERED),
        K::Undeleted => not_system(SystemFlags::DELETED),
        K::Undraft => not_system(SystemFlags::DRAFT),
        K::Unflagged => not_system(SystemFlags::FLAGGED),
        K::Unseen => not_system(SystemFlags::SEEN),
        K::Keyword(keyword) => SearchQuery::FlagSet(SearchFlag::Keyword(keyword.clone())),
        K::Unkeyword(keyword) => SearchQuery::FlagUnset(SearchFlag::Keyword(keyword.clone())),
        K::Recent => recent(),
        // RFC 3501 §6.4.4: NEW is RECENT UNSEEN, OLD is NOT RECENT.
        K::New => SearchQuery::And(vec![recent(), not_system(SystemFlags::SEEN)]),
        K::Old => SearchQuery::Not(Box::new(recent())),
        K::Bcc(value) => header("bcc", value),
        K::Cc(value) => header("cc", value),
        K::From(value) => header("from", value),
        K::To(value) => header("to", value),
        K::Subject(value) => header("subject", value),
        K::Header(field, value) => header(&field.to_ascii_lowercase(), value),
        K::Body(value) => SearchQuery::Body(value.clone()),
        K::Text(value) => SearchQuery::Text(value.clone()),
        K::Before(date) => SearchQuery::InternalBefore(utc_midnight(*date)),
        K::On(date) => SearchQuery::InternalOn(utc_midnight(*date)),
        K::Since(date) => SearchQuery::InternalSince(utc_midnight(*date)),
        K::SentBefore(date) => SearchQuery::SentBefore(utc_midnight(*date)),
        K::SentOn(date) => SearchQuery::SentOn(utc_midnight(*date)),
        K::SentSince(date) => SearchQuery::SentSince(utc_midnight(*date)),
        K::Larger(size) => SearchQuery::Larger(u64::from(*size)),
        K::Smaller(size) => SearchQuery::Smaller(u64::from(*size)),
        K::Uid(set) => SearchQuery::Uid(selected.view.resolve(set, true, saved)?),
        K::Sequence(set) => SearchQuery::Uid(selected.view.resolve_for_search(set, saved)),
        K::ModSeq(modseq) => SearchQuery::ModSeqAtLeast(ModSeq::new(*modseq)),
        // `object_ids::resolve` turns these into UID sets first; one left
        // unresolved names no message.
        K::EmailId(_) | K::ThreadId(_) => SearchQuery::Uid(UidSet::new()),
        // RFC 5032 §2: OLDER n matches an INTERNALDATE at or before the
        // instant n seconds ago, YOUNGER n one at or after it, to the
        // second: that very second matches both.
        K::Older(seconds) => {
            SearchQuery::InternalBeforeInstant(now.timestamp() - i64::from(*seconds) + 1)
        }
        K::Younger(seconds) => {
            SearchQuery::InternalSinceInstant(now.timestamp() - i64::from(*seconds))
        }
        K::Not(inner) => SearchQuery::Not(Box::new(translate(inner, selected, now)?)),
        K::Or(left, right) => SearchQuery::Or(vec![
            translate(left, selected, now)?,
            translate(right, selected, now)?,
        ]),
        K::And(keys) => SearchQuery::And(
            keys.iter()
                .map(|key| translate(key, selected, now))
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// Unix seconds of UTC midnight starting `date` (the `SearchQuery` day unit).
fn utc_midnight(date: NaiveDate) -> i64 {
    date.and_time(NaiveTime::MIN).and_utc().timestamp()
}

#[cfg(test)]
mod tests {
    use mailkeep_common::{MailboxId, UidSet};

    use super::*;
    use crate::backend::MailboxInfo;
    use crate::command::{SeqBound, SequenceSet};

    fn selected(uids: &[(u32, u32)], recent: &[(u32, u32)]) -> Selected {
        let mailbox = MailboxInfo {
            id: MailboxId::from_u128(1),
            name: "INBOX".into(),
            uidvalidity: 1,
            uid_next: 100,
            highest_modseq: ModSeq::new(1),
            special_use: None,
        };
        Selected::new(
            mailbox,
            UidSet::from_ranges(uids.iter().copied()),
            UidSet::from_ranges(recent.iter().copied()),
            false,
        )
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_000_000, 0).unwrap()
    }

    #[test]
    fn within_intervals_become_exact_instants_before_now() {
        let selected = selected(&[(1, 3)], &[]);
        let key = SearchKey::And(vec![SearchKey::Older(100), SearchKey::Younger(600)]);
        assert_eq!(
            translate(&key, &selected, now()).unwrap(),
            SearchQuery::And(vec![
                SearchQuery::InternalBeforeInstant(999_901),
                SearchQuery::InternalSinceInstant(999_400),
            ])
        );
    }

    fn seqs(pairs: &[(u32, u32)]) -> SequenceSet {
        SequenceSet::Ranges(
            pairs
                .iter()
                .map(|&(a, b)| (SeqBound::Value(a), SeqBound::Value(b)))
                .collect(),
        )
    }

    #[test]
    fn sequence_numbers_become_uids_and_dates_utc_midnights() {
        let selected = selected(&[(10, 12), (20, 21)], &[]);
        let date = NaiveDate::from_ymd_opt(1994, 2, 1).unwrap();
        let key = SearchKey::And(vec![
            SearchKey::Sequence(seqs(&[(2, 4)])),
            SearchKey::Since(date),
            SearchKey::SentBefore(date),
        ]);
        assert_eq!(
            translate(&key, &selected, now()).unwrap(),
            SearchQuery::And(vec![
                SearchQuery::Uid(UidSet::from_ranges([(11, 12), (20, 20)])),
                SearchQuery::InternalSince(760_060_800),
                SearchQuery::SentBefore(760_060_800),
            ])
        );
    }

    #[test]
    fn addresses_and_headers_become_lowercase_header_matches() {
        let selected = selected(&[(1, 3)], &[]);
        let key = SearchKey::Or(
            Box::new(SearchKey::From("alice".into())),
            Box::new(SearchKey::Header("X-Spam".into(), "".into())),
        );
        assert_eq!(
            translate(&key, &selected, now()).unwrap(),
            SearchQuery::Or(vec![
                SearchQuery::Header {
                    field: "from".into(),
                    value: "alice".into()
                },
                SearchQuery::Header {
                    field: "x-spam".into(),
                    value: "".into()
                },
            ])
        );
    }

    #[test]
    fn new_and_old_use_the_session_recent_set() {
        let selected = selected(&[(1, 5)], &[(4, 9)]);
        let recent = SearchQuery::Uid(UidSet::from_ranges([(4, 5)]));
        assert_eq!(
            translate(&SearchKey::New, &selected, now()).unwrap(),
            SearchQuery::And(vec![
                recent.clone(),
                SearchQuery::FlagUnset(SearchFlag::System(SystemFlags::SEEN)),
            ])
        );
        assert_eq!(
            translate(&SearchKey::Not(Box::new(SearchKey::Old)), &selected, now()).unwrap(),
            SearchQuery::Not(Box::new(SearchQuery::Not(Box::new(recent))))
        );
    }

    #[test]
    fn sequence_numbers_beyond_exists_match_nothing() {
        let selected = selected(&[(1, 3)], &[]);
        let key = SearchKey::Not(Box::new(SearchKey::Sequence(seqs(&[(2, 4), (9, 9)]))));
        assert_eq!(
            translate(&key, &selected, now()).unwrap(),
            SearchQuery::Not(Box::new(SearchQuery::Uid(UidSet::from_ranges([(2, 3)]))))
        );
    }

    #[test]
    fn modseq_becomes_a_lower_bound() {
        assert_eq!(
            translate(&SearchKey::ModSeq(7), &selected(&[], &[]), now()).unwrap(),
            SearchQuery::ModSeqAtLeast(ModSeq::new(7))
        );
    }
}
