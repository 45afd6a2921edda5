//! STORE and UID STORE (RFC 3501 §6.4.6, RFC 7162 §3.2 UNCHANGEDSINCE):
//! `store_flags`, then `* n FETCH (FLAGS (...))` per updated message unless
//! `.SILENT` (with `UID n` for UID STORE, RFC 3501 §6.4.8). A conditional
//! STORE that meets messages expunged elsewhere ends in NO (RFC 7162 §3.1.3).
//!
//! Invariant: a change is remembered as answered (`Selected::note_answered`,
//! so the sync after the command does not echo it) only when the client
//! knows its result: it got the message's flags in a FETCH line, or it
//! silenced the change and the message had no change it had not seen, so
//! the flags it assumes are the stored ones. Any other change is reported.

use std::io;

use mailkeep_common::{ModSeq, UidSet};

use super::flags::{storable_flags, write_flag_list};
use super::{CommandContext, Completion, Selected};
use crate::backend::{BackendResult, FlagUpdate, Flags, StoreOperation, StoreOutcome};
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
    // RFC 7162 §3.1.3: every message has a MODSEQ above 0, so UNCHANGEDSINCE
    // 0 fails for all of them without touching the store.
    if args.unchanged_since == Some(0) {
        return Ok(modified_completion(selected, uid, &uids));
    }
    let operation = match args.mode {
        StoreMode::Replace => StoreOperation::Replace,
        StoreMode::Add => StoreOperation::Add,
        StoreMode::Remove => StoreOperation::Remove,
    };
    let unchanged_since = args.unchanged_since.map(ModSeq::new);
    let stored = if args.silent {
        store_silently(ctx, selected, &uids, operation, &flags, unchanged_since).await
    } else {
        ctx.backend
            .store_flags(
                ctx.principal,
                selected.mailbox.id,
                &uids,
                operation,
                &flags,
                unchanged_since,
            )
            .await
    };
    let outcome = match stored {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "store failed");
            return Ok(Completion::from_backend(&error));
        }
    };
    // RFC 7162 §3.1.3 / §3.2.4: MODSEQ for UNCHANGEDSINCE or once CONDSTORE
    // is on (even after .SILENT, which then drops only FLAGS), UID once
    // QRESYNC is.
    let with_modseq = unchanged_since.is_some() || ctx.enabled.condstore;
    let with_uid = uid || ctx.enabled.qresync;
    if !args.silent || with_modseq {
        let stored = outcome
            .updated
            .iter()
            .filter(|update| !outcome.modified.contains(update.uid));
        let mut response = Vec::new();
        for update in stored {
            let Some(line) = fetch_line(selected, update, with_uid, !args.silent, with_modseq)
            else {
                continue;
            };
            response.extend(line);
            if !args.silent {
                selected.note_answered(update.uid, update.modseq);
            }
        }
        ctx.out.send(&response).await?;
    }
    if unchanged_since.is_some() && addresses_expunged(&uids, &outcome) {
        return Ok(expunged_completion(selected, uid, &outcome.modified));
    }
    if outcome.modified.is_empty() {
        return Ok(Completion::ok("STORE completed"));
    }
    Ok(modified_completion(selected, uid, &outcome.modified))
}

/// Whether some of `uids` were neither stored nor refused: another session
/// expunged them and this one has not been told yet.
fn addresses_expunged(uids: &UidSet, outcome: &StoreOutcome) -> bool {
    let mut gone = uids.clone();
    for update in &outcome.updated {
        gone.remove(update.uid);
    }
    gone.iter().any(|uid| !outcome.modified.contains(uid))
}

/// A conditional STORE that met expunged messages ends in NO, still with
/// `[MODIFIED set]` for those that failed UNCHANGEDSINCE, as in RFC 7162
/// §3.1.3's `B001 NO [MODIFIED 2] Some of the messages no longer exist.`
fn expunged_completion(selected: &Selected, uid: bool, failed: &UidSet) -> Completion {
    let code = (!failed.is_empty()).then(|| modified_code(selected, uid, failed));
    Completion::no(code.as_deref(), "some of the messages no longer exist")
}

/// `OK [MODIFIED set]` for the messages that failed UNCHANGEDSINCE (RFC 7162
/// §3.1.3): sequence numbers for STORE, UIDs for UID STORE.
fn modified_completion(selected: &Selected, uid: bool, failed: &UidSet) -> Completion {
    Completion::ok_with(
        modified_code(selected, uid, failed),
        "conditional STORE failed for some messages",
    )
}

/// `MODIFIED set`: sequence numbers for STORE, UIDs for UID STORE.
fn modified_code(selected: &Selected, uid: bool, failed: &UidSet) -> String {
    let modified = if uid {
        failed.intersection(selected.view.uids())
    } else {
        let seqs = selected.view.seqs_of(failed.iter());
        UidSet::from_ranges(seqs.into_iter().map(|seq| (seq, seq)))
    };
    format!("MODIFIED {}", format_uid_set(&modified))
}

/// `* n FETCH ([UID u] FLAGS (...) [MODSEQ (m)])` for a message the client
/// knows, None for one it does not.
pub(super) fn fetch_flags_line(
    selected: &Selected,
    update: &FlagUpdate,
    uid: bool,
    with_modseq: bool,
) -> Option<Vec<u8>> {
    fetch_line(selected, update, uid, true, with_modseq)
}

/// `* n FETCH ([UID u] [FLAGS (...)] [MODSEQ (m)])`, None for a message the
/// client does not know.
fn fetch_line(
    selected: &Selected,
    update: &FlagUpdate,
    uid: bool,
    with_flags: bool,
    with_modseq: bool,
) -> Option<Vec<u8>> {
    let seq = selected.view.seq_of(update.uid)?;
    let mut line = Line::untagged();
    line.number(u64::from(seq)).atom("FETCH").open();
    if uid {
        line.atom("UID").number(u64::from(update.uid.get()));
    }
    if with_flags {
        line.atom("FLAGS");
        write_flag_list(
            &mut line,
            &update.flags,
            selected.recent.contains(update.uid),
        );
    }
    // RFC 7162 §3.2: a client using UNCHANGEDSINCE learns the new MODSEQ.
    if with_modseq {
        line.open_named("MODSEQ")
            .number(update.modseq.get())
            .close();
    }
    line.close();
    Some(line.finish())
}

/// STORE .SILENT: the client assumes its change was applied to the flags it
/// knows (RFC 3501 §6.4.6). That holds for every message unchanged since
/// `reported_modseq`, so the store is first made conditional on it (RFC 7162
/// §3.1.3) and its changes are remembered as answered. The messages someone
/// else changed meanwhile are stored by a second call, under the client's
/// own UNCHANGEDSINCE if any, and left to the sync to report.
async fn store_silently(
    ctx: &CommandContext<'_>,
    selected: &mut Selected,
    uids: &UidSet,
    operation: StoreOperation,
    flags: &Flags,
    unchanged_since: Option<ModSeq>,
) -> BackendResult<StoreOutcome> {
    let known = selected.reported_modseq;
    let (mailbox, principal) = (selected.mailbox.id, ctx.principal);
    let clean = unchanged_since.map_or(known, |limit| limit.min(known));
    let first = ctx
        .backend
        .store_flags(principal, mailbox, uids, operation, flags, Some(clean))
        .await?;
    let client_limit_applied = unchanged_since.is_some_and(|limit| limit <= known);
    let rest = if first.modified.is_empty() || client_limit_applied {
        None
    } else {
        let rest = ctx
            .backend
            .store_flags(
                principal,
                mailbox,
                &first.modified,
                operation,
                flags,
                unchanged_since,
            )
            .await?;
        Some(rest)
    };
    // Only once the command succeeds (after a NO the client assumes nothing);
    // UNCHANGEDSINCE 0 travels as "unconditional" over gRPC, proving nothing.
    if clean.get() > 0 {
        for update in &first.updated {
            selected.note_answered(update.uid, update.modseq);
        }
    }
    let Some(rest) = rest else {
        return Ok(first);
    };
    let mut updated = first.updated;
    updated.extend(rest.updated);
    Ok(StoreOutcome {
        updated,
        modified: rest.modified,
        highest_modseq: first.highest_modseq.max(rest.highest_modseq),
    })
}

#[cfg(test)]
mod tests;
