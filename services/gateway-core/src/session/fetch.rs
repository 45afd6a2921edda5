//! FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8, §7.4.2; RFC 7162 §3.1.4
//! CHANGEDSINCE and MODSEQ; RFC 3516 BINARY, in `binary`). One `fetch_meta` stream asks only for the
//! columns the items need; each message's `* n FETCH (...)` line is written
//! as it arrives, so memory stays bounded by one message.
//!
//! Invariants: UID FETCH always answers UID (RFC 3501 §6.4.8); a non-PEEK
//! body item sets `\Seen` first (never in a read-only mailbox) and that
//! message's line then carries FLAGS (RFC 3501 §6.4.5); sequence numbers
//! beyond EXISTS are `BAD`, UIDs that do not exist are silently skipped; a
//! line carrying FLAGS tells the client the message as of its MODSEQ, so
//! that change is remembered as answered and the sync does not repeat it.

mod binary;
mod prefixed;
mod section;
mod url;

use std::io;

use chrono::{DateTime, FixedOffset, Offset, Utc};
use futures::StreamExt;
use mailkeep_common::{ModSeq, UidSet};

use super::flags::write_flag_list;
use super::{CommandContext, Completion, Selected, qresync};
use crate::backend::{BackendResult, Flags, MessageMeta, MetaQuery, StoreOperation, SystemFlags};
use crate::command::{FetchArgs, FetchAttribute, Section, SectionText};
use crate::response::Line;
use binary::ItemFailure;
use section::{MessageSource, StoredImap, section_name};
pub(super) use url::read_url_part;

/// What one FETCH command asks of every message.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FetchPlan {
    /// Items in answer order, without duplicates.
    items: Vec<FetchAttribute>,
    /// Some item sets `\Seen` (and the mailbox is writable).
    sets_seen: bool,
    /// Some item needs the whole message, so it is read once for all.
    needs_whole: bool,
    query: MetaQuery,
}

impl FetchPlan {
    fn new(args: &FetchArgs, uid: bool, read_only: bool) -> Self {
        let mut items: Vec<FetchAttribute> = Vec::with_capacity(args.attributes.len() + 3);
        if uid {
            items.push(FetchAttribute::Uid);
        }
        for item in &args.attributes {
            push_unique(&mut items, item.clone());
        }
        // RFC 7162 §3.1.4.1: CHANGEDSINCE implies the MODSEQ item.
        if args.changed_since.is_some() {
            push_unique(&mut items, FetchAttribute::ModSeq);
        }
        let sets_seen = !read_only && items.iter().any(sets_seen);
        if sets_seen {
            push_unique(&mut items, FetchAttribute::Flags);
        }
        let needs_whole = items.iter().any(|item| match item {
            FetchAttribute::Rfc822 => true,
            FetchAttribute::BodySection {
                section, partial, ..
            } => partial.is_none() && *section == Section::default(),
            FetchAttribute::Binary { part, partial, .. } => part.is_empty() && partial.is_none(),
            _ => false,
        });
        let query = MetaQuery {
            with_envelope: items.contains(&FetchAttribute::Envelope),
            with_bodystructure: items
                .iter()
                .any(|item| matches!(item, FetchAttribute::Body | FetchAttribute::BodyStructure)),
            with_part_table: items.iter().any(|item| match item {
                FetchAttribute::Rfc822Header | FetchAttribute::Rfc822Text => true,
                FetchAttribute::BodySection { section, .. } => *section != Section::default(),
                FetchAttribute::Binary { part, .. } | FetchAttribute::BinarySize { part } => {
                    !part.is_empty()
                }
                _ => false,
            }),
            changed_since: args.changed_since.map(ModSeq::new),
        };
        Self {
            items,
            sets_seen,
            needs_whole,
            query,
        }
    }
}

fn push_unique(items: &mut Vec<FetchAttribute>, item: FetchAttribute) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// Whether fetching `item` marks the message `\Seen` (RFC 3501 §6.4.5).
fn sets_seen(item: &FetchAttribute) -> bool {
    matches!(
        item,
        FetchAttribute::Rfc822
            | FetchAttribute::Rfc822Text
            | FetchAttribute::BodySection { peek: false, .. }
            | FetchAttribute::Binary { peek: false, .. }
    )
}

pub(crate) async fn fetch(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    uid: bool,
    args: &FetchArgs,
) -> io::Result<Completion> {
    let uids = match selected
        .view
        .resolve(&args.sequence, uid, selected.saved_search.as_ref())
    {
        Ok(uids) => uids,
        Err(error) => return Ok(Completion::bad(error.to_string())),
    };
    let mut plan = FetchPlan::new(args, uid, selected.read_only);
    // RFC 7162 §3.1.4: once CONDSTORE is on, FLAGS come with their MODSEQ.
    if ctx.enabled.condstore && plan.items.contains(&FetchAttribute::Flags) {
        push_unique(&mut plan.items, FetchAttribute::ModSeq);
    }
    if args.vanished {
        // RFC 7162 §3.2.6: only UID FETCH with CHANGEDSINCE, after ENABLE QRESYNC.
        let Some(since) = args.changed_since.filter(|_| uid && ctx.enabled.qresync) else {
            return Ok(Completion::bad(
                "VANISHED needs UID FETCH, CHANGEDSINCE and ENABLE QRESYNC",
            ));
        };
        let reported =
            qresync::report_vanished_since(ctx, selected, &args.sequence, ModSeq::new(since))
                .await?;
        if let Err(error) = reported {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "vanished query failed");
            return Ok(Completion::from_backend(&error));
        }
    }
    if uids.is_empty() {
        return Ok(Completion::ok("FETCH completed"));
    }
    if plan.sets_seen
        && let Err(error) = mark_seen(ctx, selected, &uids).await
    {
        tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "setting seen failed");
        return Ok(Completion::from_backend(&error));
    }
    let mut stream = match ctx
        .backend
        .fetch_meta(ctx.principal, selected.mailbox.id, &uids, plan.query)
        .await
    {
        Ok(stream) => stream,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "fetch failed");
            return Ok(Completion::from_backend(&error));
        }
    };
    let answers_flags = plan.items.contains(&FetchAttribute::Flags);
    while let Some(next) = stream.next().await {
        let written = match next {
            Ok(meta) => write_message(ctx, selected, &plan, &meta)
                .await
                .map(|line| line.map(|line| (line, meta.uid, meta.modseq))),
            Err(error) => Err(ItemFailure::Backend(error)),
        };
        match written {
            Ok(Some((line, uid, modseq))) => {
                ctx.out.send(&line).await?;
                // The line carries the flags as of `modseq` (the \Seen just
                // set included): the sync need not repeat that change.
                if answers_flags {
                    selected.note_answered(uid, modseq);
                }
            }
            Ok(None) => {}
            Err(ItemFailure::Backend(error)) => {
                tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "fetch failed");
                return Ok(Completion::from_backend(&error));
            }
            Err(ItemFailure::UnknownTransferEncoding) => {
                let text = "unknown content-transfer-encoding";
                return Ok(Completion::no(Some("UNKNOWN-CTE"), text));
            }
        }
    }
    Ok(Completion::ok("FETCH completed"))
}

/// Adds `\Seen` to `uids`; the FETCH lines then report the result.
async fn mark_seen(
    ctx: &CommandContext<'_>,
    selected: &Selected,
    uids: &UidSet,
) -> BackendResult<()> {
    let seen = Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: Vec::new(),
    };
    ctx.backend
        .store_flags(
            ctx.principal,
            selected.mailbox.id,
            uids,
            StoreOperation::Add,
            &seen,
            None,
        )
        .await?;
    Ok(())
}

/// One `* n FETCH (...)` line, or None for a message the client does not
/// know yet (not in the view).
async fn write_message(
    ctx: &CommandContext<'_>,
    selected: &Selected,
    plan: &FetchPlan,
    meta: &MessageMeta,
) -> Result<Option<Vec<u8>>, ItemFailure> {
    let Some(seq) = selected.view.seq_of(meta.uid) else {
        return Ok(None);
    };
    let mut source = MessageSource::new(ctx.backend, ctx.principal, meta);
    if plan.needs_whole {
        source.load_whole().await?;
    }
    let mut line = Line::untagged();
    line.number(u64::from(seq)).atom("FETCH").open();
    for item in &plan.items {
        match item {
            FetchAttribute::Uid => {
                line.atom("UID").number(u64::from(meta.uid.get()));
            }
            FetchAttribute::Flags => {
                line.atom("FLAGS");
                write_flag_list(&mut line, &meta.flags, selected.recent.contains(meta.uid));
            }
            FetchAttribute::InternalDate => {
                let date = internal_date(meta.internal_date, meta.internal_date_offset);
                line.atom("INTERNALDATE").string(date.as_bytes());
            }
            FetchAttribute::Rfc822Size => {
                line.atom("RFC822.SIZE").number(meta.size);
            }
            FetchAttribute::ModSeq => {
                line.open_named("MODSEQ").number(meta.modseq.get()).close();
            }
            // RFC 8474 §5: a message without a thread id has THREADID NIL.
            FetchAttribute::EmailId => {
                line.open_named("EMAILID").atom(&meta.email_id).close();
            }
            FetchAttribute::ThreadId if meta.thread_id.is_empty() => {
                line.atom("THREADID").atom("NIL");
            }
            FetchAttribute::ThreadId => {
                line.open_named("THREADID").atom(&meta.thread_id).close();
            }
            FetchAttribute::Envelope => {
                let bytes = source.structure(StoredImap::Envelope).await?;
                line.atom("ENVELOPE").raw(&bytes);
            }
            FetchAttribute::Body => {
                let bytes = source.structure(StoredImap::Body).await?;
                line.atom("BODY").raw(&bytes);
            }
            FetchAttribute::BodyStructure => {
                let bytes = source.structure(StoredImap::BodyStructure).await?;
                line.atom("BODYSTRUCTURE").raw(&bytes);
            }
            FetchAttribute::BodySection {
                section, partial, ..
            } => {
                let data = source.section(section, *partial).await?;
                line.raw(&section_name(section, *partial));
                write_data(&mut line, data.as_deref());
            }
            FetchAttribute::Rfc822 => {
                let data = source.section(&Section::default(), None).await?;
                line.atom("RFC822");
                write_data(&mut line, data.as_deref());
            }
            FetchAttribute::Rfc822Header | FetchAttribute::Rfc822Text => {
                let (name, text) = if *item == FetchAttribute::Rfc822Header {
                    ("RFC822.HEADER", SectionText::Header)
                } else {
                    ("RFC822.TEXT", SectionText::Text)
                };
                let section = Section {
                    part: Vec::new(),
                    text: Some(text),
                };
                let data = source.section(&section, None).await?;
                line.atom(name);
                write_data(&mut line, data.as_deref());
            }
            FetchAttribute::Binary { part, partial, .. } => {
                let data = binary::binary_item(&mut source, part, *partial).await?;
                line.raw(&binary::item_name("BINARY", part, *partial));
                binary::write_binary(&mut line, data.as_deref());
            }
            FetchAttribute::BinarySize { part } => {
                let size = binary::binary_size(&mut source, part, meta.size).await?;
                line.raw(&binary::item_name("BINARY.SIZE", part, None))
                    .number(size);
            }
        }
    }
    line.close();
    Ok(Some(line.finish()))
}

/// Body data is always a literal (it may hold any byte); a missing part is NIL.
fn write_data(line: &mut Line, data: Option<&[u8]>) {
    match data {
        Some(data) => line.literal(data),
        None => line.atom("NIL"),
    };
}

/// `"17-Jul-1996 02:44:25 -0700"` in the zone the message was stored with
/// (RFC 3501 §9 `date-time`: the day is space-padded).
fn internal_date(seconds: i64, offset_minutes: i32) -> String {
    let zone = offset_minutes
        .checked_mul(60)
        .and_then(FixedOffset::east_opt)
        .unwrap_or_else(|| Utc.fix());
    let instant = DateTime::from_timestamp(seconds, 0).unwrap_or_default();
    instant
        .with_timezone(&zone)
        .format("%e-%b-%Y %H:%M:%S %z")
        .to_string()
}

#[cfg(test)]
pub(super) mod tests;
