//! COPY (RFC 3501 §6.4.7) and MOVE (RFC 6851), with UIDPLUS's COPYUID
//! (RFC 4315 §3): one backend call each.
//!
//! COPY answers `OK [COPYUID v src dst]`. MOVE sends `* OK [COPYUID ...]`
//! first, then `* n EXPUNGE` for the moved messages highest first, updating
//! the view as it goes (RFC 6851 §4.3), and with CONDSTORE enabled ends
//! with `OK [HIGHESTMODSEQ n]` (§4.4). A missing destination is
//! `NO [TRYCREATE]` (RFC 3501 §6.4.7); other failures keep their code
//! (`[OVERQUOTA]`, `[UNAVAILABLE]`, ...).

use std::io;

use mailkeep_common::{ErrorCode, MailboxId, UidSet};

use super::expunge::remove_from_view;
use super::select::sync_updates;
use super::{CommandContext, Completion, Selected};
use crate::backend::BackendError;
use crate::command::{MailboxName, SequenceSet};
use crate::mailbox_view::format_uid_list;
use crate::response::{Status, condition};

pub(crate) async fn copy(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    uid: bool,
    sequence: &SequenceSet,
    destination: &MailboxName,
    is_move: bool,
) -> io::Result<Completion> {
    let verb = if is_move { "MOVE" } else { "COPY" };
    let uids = match selected
        .view
        .resolve(sequence, uid, selected.saved_search.as_ref())
    {
        Ok(uids) => uids,
        Err(error) => return Ok(Completion::bad(error.to_string())),
    };
    if is_move && selected.read_only {
        return Ok(Completion::no(Some("READ-ONLY"), "mailbox is read-only"));
    }
    let target = match destination_id(ctx, destination).await {
        Ok(target) => target,
        Err(error) => return Ok(refusal(&error)),
    };
    if uids.is_empty() {
        return Ok(Completion::ok(format!("{verb} completed, no messages")));
    }
    let result = if is_move {
        ctx.backend
            .move_messages(ctx.principal, selected.mailbox.id, &uids, target)
            .await
    } else {
        ctx.backend
            .copy_messages(ctx.principal, selected.mailbox.id, &uids, target)
            .await
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, destination = %target, code = %error.code, verb, "copy failed");
            return Ok(refusal(&error));
        }
    };
    if outcome.source_uids.is_empty() {
        return Ok(Completion::ok(format!("{verb} completed, no messages")));
    }
    // RFC 4315 §3: both sets in the same order, so the n-th UIDs correspond.
    let copyuid = format!(
        "COPYUID {} {} {}",
        outcome.uidvalidity,
        format_uid_list(&outcome.source_uids),
        format_uid_list(&outcome.destination_uids)
    );
    if !is_move {
        return Ok(Completion::ok_with(copyuid, "COPY completed"));
    }
    let mut response = condition(None, Status::Ok, Some(&copyuid), "moved");
    let moved: UidSet = outcome.source_uids.iter().copied().collect();
    response.extend(remove_from_view(selected, &moved, ctx.enabled.qresync));
    ctx.out.send(&response).await?;
    if !ctx.enabled.condstore {
        return Ok(Completion::ok("MOVE completed"));
    }
    // RFC 6851 §4.4: a CONDSTORE client learns the mailbox's new
    // HIGHESTMODSEQ in the tagged OK; reporting the changes up to it first
    // (other sessions' too) keeps the code from skipping any of them.
    sync_updates(ctx, selected, true).await?;
    let code = format!("HIGHESTMODSEQ {}", selected.reported_modseq);
    Ok(Completion::ok_with(code, "MOVE completed"))
}

/// The destination's id; `NotFound` when it does not exist.
async fn destination_id(
    ctx: &CommandContext<'_>,
    destination: &MailboxName,
) -> Result<MailboxId, BackendError> {
    let status = ctx
        .backend
        .mailbox_status(ctx.principal, &destination.0)
        .await?;
    Ok(status.mailbox.id)
}

/// `NO [TRYCREATE]` for a missing destination, else the error's own code.
fn refusal(error: &BackendError) -> Completion {
    if error.code == ErrorCode::NotFound {
        return Completion::no(Some("TRYCREATE"), "destination mailbox does not exist");
    }
    Completion::from_backend(error)
}

#[cfg(test)]
mod tests;
