//! EXPUNGE (RFC 3501 §6.4.3) and UID EXPUNGE (RFC 4315 §2.1): one backend
//! call, then `* n EXPUNGE` for each removed message (`* VANISHED` with
//! QRESYNC), and `OK [HIGHESTMODSEQ n]` for a CONDSTORE client (RFC 7162
//! §3.2.7).
//!
//! Invariant: the view drops each expunged UID as its response is written,
//! highest sequence number first, so every number is right when the client
//! applies it (RFC 3501 §7.4.1). `reported_modseq` is left to the sync that
//! ends the command (or, for a CONDSTORE client, precedes the tagged OK): it skips UIDs no longer in the view, so nothing is
//! reported twice and no other session's change is lost.

use std::io;

use mailkeep_common::UidSet;

use super::qresync::vanished_line;
use super::select::sync_updates;
use super::{CommandContext, Completion, Selected};
use crate::command::SequenceSet;

pub(crate) async fn expunge(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    restrict_to: Option<&SequenceSet>,
) -> io::Result<Completion> {
    let restrict_to = match restrict_to {
        Some(set) => match selected
            .view
            .resolve(set, true, selected.saved_search.as_ref())
        {
            Ok(uids) => Some(uids),
            Err(error) => return Ok(Completion::bad(error.to_string())),
        },
        None => None,
    };
    if selected.read_only {
        return Ok(Completion::no(Some("READ-ONLY"), "mailbox is read-only"));
    }
    if restrict_to.as_ref().is_some_and(UidSet::is_empty) {
        return Ok(Completion::ok("EXPUNGE completed"));
    }
    let outcome = match ctx
        .backend
        .expunge(ctx.principal, selected.mailbox.id, restrict_to.as_ref())
        .await
    {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, "expunge failed");
            return Ok(Completion::from_backend(&error));
        }
    };
    let response = remove_from_view(selected, &outcome.expunged, ctx.enabled.qresync);
    ctx.out.send(&response).await?;
    if outcome.expunged.is_empty() || !ctx.enabled.condstore {
        return Ok(Completion::ok("EXPUNGE completed"));
    }
    // RFC 7162 §3.2.7 / §3.2.9: "If at least one message got expunged and
    // QRESYNC was enabled, the server MUST send the updated per-mailbox
    // modification sequence" in the tagged OK (optional with CONDSTORE
    // alone; sent then too, as for MOVE). Reporting the changes up to it
    // first (other sessions' too) keeps the code from skipping any.
    sync_updates(ctx, selected, true).await?;
    let code = format!("HIGHESTMODSEQ {}", selected.reported_modseq);
    Ok(Completion::ok_with(code, "EXPUNGE completed"))
}

/// Removes `uids` from the view and the `\Recent` set, returning the
/// `* n EXPUNGE` lines, highest number first, for those the view held, or
/// one `* VANISHED uids` once QRESYNC is enabled (RFC 7162 §3.2.10).
pub(super) fn remove_from_view(selected: &mut Selected, uids: &UidSet, vanished: bool) -> Vec<u8> {
    // RFC 5267 §4.3.4: REMOVEFROM precedes the EXPUNGEs it explains.
    let mut response = selected.search_contexts.expunge(&selected.view, uids);
    if vanished {
        let gone = uids.intersection(selected.view.uids());
        selected.view.remove_all(&gone);
        response.extend(vanished_line(&gone, false));
    } else {
        for seq in selected.view.remove_all(uids) {
            response.extend(format!("* {seq} EXPUNGE\r\n").into_bytes());
        }
    }
    for uid in selected.recent.intersection(uids).iter() {
        selected.recent.remove(uid);
    }
    response
}
