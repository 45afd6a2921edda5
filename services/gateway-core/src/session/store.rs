//! STORE and UID STORE (RFC 3501 §6.4.6, RFC 7162 §3.2 UNCHANGEDSINCE):
//! one `store_flags` call, then `* n FETCH (FLAGS (...))` per updated
//! message unless `.SILENT` (with `UID n` for UID STORE, RFC 3501 §6.4.8).
//!
//! Invariant: `reported_modseq` only moves past a change this session has
//! itself reported ([`note_reported_changes`]), so the sync after the command
//! never drops another session's change.

use std::collections::BTreeSet;
use std::io;

use mailkeep_common::{ModSeq, UidSet};

use super::flags::{storable_flags, write_flag_list};
use super::{CommandContext, Completion, Selected};
use crate::backend::{FlagUpdate, StoreOperation};
use crate::command::{StoreArgs, StoreMode};
use crate::mailbox_view::format_uid_set;
use crate::response::Line;

pub(crate) async fn store(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    uid: bool,
    args: &StoreArgs,
) -> io::Result<Completion> {
    // RFC 3501 §2.3.2: \Recent and unknown system flags cannot be stored.
    let flags = match storable_flags(&args.flags) {
        Ok(flags) => flags,
        Err(error) => return Ok(Completion::bad(error.to_string())),
    };
    let uids = match selected
        .view
        .resolve(&args.sequence, uid, selected.saved_search.as_ref())
    {
        Ok(uids) => uids,
        Err(error) => return Ok(Completion::bad(error.to_string())),
    };
    if selected.read_only {
        return Ok(Completion::no(Some("READ-ONLY"), "mailbox is read-only"));
    }
    if uids.is_empty() {
        return Ok(Completion::ok("STORE completed"));
    }
    let operation = match args.mode {
        StoreMode::Replace => StoreOperation::Replace,
        StoreMode::Add => StoreOperation::Add,
        StoreMode::Remove => StoreOperation::Remove,
    };
    let outcome = match ctx
        .backend
        .store_flags(
            ctx.principal,
            selected.mailbox.id,
            &uids,
            operation,
            &flags,
            args.unchanged_since.map(ModSeq::new),
        )
        .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "store failed");
            return Ok(Completion::from_backend(&error));
        }
    };
    let stored: Vec<&FlagUpdate> = outcome
        .updated
        .iter()
        .filter(|update| !outcome.modified.contains(update.uid))
        .collect();
    if !args.silent {
        let mut response = Vec::new();
        for update in &stored {
            let Some(seq) = selected.view.seq_of(update.uid) else {
                continue;
            };
            let mut line = Line::untagged();
            line.number(u64::from(seq)).atom("FETCH").open();
            if uid {
                line.atom("UID").number(u64::from(update.uid.get()));
            }
            line.atom("FLAGS");
            write_flag_list(
                &mut line,
                &update.flags,
                selected.recent.contains(update.uid),
            );
            // RFC 7162 §3.2: a client using UNCHANGEDSINCE learns the new MODSEQ.
            if args.unchanged_since.is_some() {
                line.open_named("MODSEQ")
                    .number(update.modseq.get())
                    .close();
            }
            line.close();
            response.extend(line.finish());
        }
        ctx.out.send(&response).await?;
        note_reported_changes(
            selected,
            stored.iter().map(|update| update.modseq),
            outcome.highest_modseq,
        );
    }
    if outcome.modified.is_empty() {
        return Ok(Completion::ok("STORE completed"));
    }
    // RFC 7162 §3.2: MODIFIED lists sequence numbers for STORE, UIDs for UID STORE.
    let modified = if uid {
        outcome.modified.intersection(selected.view.uids())
    } else {
        let seqs = selected.view.seqs_of(outcome.modified.iter());
        UidSet::from_ranges(seqs.into_iter().map(|seq| (seq, seq)))
    };
    Ok(Completion::ok_with(
        format!("MODIFIED {}", format_uid_set(&modified)),
        "conditional STORE failed for some messages",
    ))
}

/// Advances `reported_modseq` to `highest` when the MODSEQs this command
/// just reported are exactly every MODSEQ after the last reported one, i.e.
/// nobody else changed the mailbox in between. Otherwise it stays, and the
/// next sync reports everything (ours again too, which is harmless).
pub(super) fn note_reported_changes(
    selected: &mut Selected,
    reported: impl IntoIterator<Item = ModSeq>,
    highest: ModSeq,
) {
    let since = selected.reported_modseq;
    let ours: BTreeSet<u64> = reported
        .into_iter()
        .filter(|modseq| *modseq > since)
        .map(ModSeq::get)
        .collect();
    let gap = highest.get().saturating_sub(since.get());
    if gap == 0 || u64::try_from(ours.len()).ok() != Some(gap) {
        return;
    }
    if ours.last() == Some(&highest.get()) {
        selected.reported_modseq = highest;
        selected.mailbox.highest_modseq = highest;
    }
}

#[cfg(test)]
mod tests;
