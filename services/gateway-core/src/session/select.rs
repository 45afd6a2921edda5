//! Selecting and watching a mailbox: SELECT/EXAMINE (RFC 3501 §6.3.1-2),
//! CLOSE (§6.4.2), IDLE (RFC 2177) and the untagged-update sync that every
//! command ends with (RFC 3501 §7.4.1, RFC 9051 §7.5.1, ARCHITECTURE.md §5).
//!
//! Sync invariants: updates come from `changes(since = reported_modseq)`;
//! EXPUNGE responses precede EXISTS; EXISTS is sent only when the count
//! changed, and when it grew, RECENT follows with the count after this
//! session claimed the new messages' `\Recent`; when EXPUNGEs may not be sent now, `reported_modseq` stays put so
//! the next allowed sync reports them (and the client's sequence numbers stay
//! valid meanwhile); a flag change the client already knows (its own STORE
//! or FETCH answered or silenced it) is not reported again.

use std::io;
use std::io::Write as _;

use chrono::{DateTime, Utc};
use mailkeep_common::{MailboxId, UidSet};

use super::expunge::remove_from_view;
use super::flags::{all_system_flags, flag_names, write_flag_list};
use super::search_context;
use super::state::{State, Transition};
use super::store::fetch_flags_line;
use super::{
    CommandContext, Completion, Flow, Reply, ResponseSink, Selected, Session, Step, qresync,
};
use crate::backend::Flags;
use crate::command::{MailboxName, SelectParameters, Tag};
use crate::response::{Line, Status, condition};

/// SELECT or EXAMINE. A failure leaves no mailbox selected (RFC 3501 §6.3.1);
/// a mailbox selected before is closed either way, which `[CLOSED]` marks
/// (RFC 7162 §3.2.11, RFC 9051 §7.1). With QRESYNC parameters the client
/// is resynchronised before the tagged OK (RFC 7162 §3.2.5).
pub(crate) async fn select(
    ctx: &mut CommandContext<'_>,
    previous: Option<&Selected>,
    name: &MailboxName,
    parameters: &SelectParameters,
    read_only: bool,
) -> io::Result<Reply> {
    if parameters.qresync.is_some() && !ctx.enabled.qresync {
        // RFC 7162 §3.2.5: BAD unless ENABLE QRESYNC came first.
        return Ok(Completion::bad("QRESYNC must be enabled first").into());
    }
    if previous.is_some() {
        ctx.out
            .send(&untagged_ok("CLOSED", "previous mailbox closed"))
            .await?;
    }
    let opened = match ctx
        .backend
        .select_mailbox(ctx.principal, &name.0, read_only)
        .await
    {
        Ok(opened) => opened,
        Err(error) => {
            return Ok(Reply {
                completion: Completion::from_backend(&error),
                transition: Transition::Unselect,
            });
        }
    };
    let flags = Flags {
        system: all_system_flags(),
        keywords: opened.keywords,
    };
    // RFC 9051 has no \Recent: a rev2 session never shows it.
    let recent = if ctx.enabled.imap4rev2 {
        UidSet::new()
    } else {
        opened.recent
    };
    let recent_count = recent.len();
    let selected = Selected::new(opened.mailbox, opened.uids, recent, read_only);
    let (view, mailbox) = (&selected.view, &selected.mailbox);
    let mut response = Vec::new();
    let mut line = Line::untagged();
    line.atom("FLAGS");
    write_flag_list(&mut line, &flags, false);
    response.extend(line.finish());
    let permanent = if read_only {
        String::new()
    } else {
        let names: Vec<&str> = flag_names(&flags).chain(["\\*"]).collect();
        names.join(" ")
    };
    response.extend(untagged_ok(
        &format!("PERMANENTFLAGS ({permanent})"),
        "flags",
    ));
    response.extend(format!("* {} EXISTS\r\n", view.len()).into_bytes());
    // RFC 9051 §6.3.2 drops RECENT and UNSEEN from the answer.
    if !ctx.enabled.imap4rev2 {
        response.extend(format!("* {recent_count} RECENT\r\n").into_bytes());
    }
    let first_unseen = opened.first_unseen.filter(|_| !ctx.enabled.imap4rev2);
    if let Some(seq) = first_unseen.and_then(|uid| view.seq_of(uid)) {
        response.extend(untagged_ok(&format!("UNSEEN {seq}"), "first unseen"));
    }
    response.extend(untagged_ok(
        &format!("UIDVALIDITY {}", mailbox.uidvalidity),
        "UIDs valid",
    ));
    response.extend(untagged_ok(
        &format!("UIDNEXT {}", mailbox.uid_next),
        "predicted next UID",
    ));
    response.extend(untagged_ok(
        &format!("HIGHESTMODSEQ {}", mailbox.highest_modseq),
        "highest",
    ));
    response.extend(untagged_ok(&mailbox_id_code(mailbox.id), "mailbox id"));
    ctx.out.send(&response).await?;
    if let Some(qresync) = &parameters.qresync {
        qresync::resync_after_select(ctx, &selected, qresync).await?;
    }
    let (code, verb) = if read_only {
        ("READ-ONLY", "EXAMINE")
    } else {
        ("READ-WRITE", "SELECT")
    };
    tracing::debug!(mailbox = %mailbox.id, read_only, "mailbox selected");
    Ok(Reply {
        completion: Completion::ok_with(code, format!("{verb} completed")),
        transition: Transition::Select(Box::new(selected)),
    })
}

/// `MAILBOXID (<id>)` (RFC 8474 §4): the mailbox's immutable id, which
/// RENAME keeps.
pub(crate) fn mailbox_id_code(id: MailboxId) -> String {
    format!("MAILBOXID ({id})")
}

fn untagged_ok(code: &str, text: &str) -> Vec<u8> {
    condition(None, Status::Ok, Some(code), text)
}

/// CLOSE: expunges silently unless read-only, then deselects (§6.4.2).
pub(crate) async fn close(ctx: &mut CommandContext<'_>, selected: &Selected) -> Reply {
    let mut completion = Completion::ok("CLOSE completed");
    if !selected.read_only {
        let expunged = ctx
            .backend
            .expunge(ctx.principal, selected.mailbox.id, None)
            .await;
        if let Err(error) = expunged {
            completion = Completion::from_backend(&error);
        }
    }
    Reply {
        completion,
        transition: Transition::Unselect,
    }
}

/// IDLE (RFC 2177 §3): `+ idling`, then every update as it comes.
pub(crate) async fn start_idle(
    session: &mut Session,
    tag: Tag,
    now: DateTime<Utc>,
    out: &mut dyn ResponseSink,
) -> io::Result<Step> {
    if let Err(error) = session.state.apply(Transition::Idle(tag)) {
        tracing::error!(error = %error, code = %error.code(), "session state error");
        let refusal = Completion::no(Some("SERVERBUG"), "internal server error");
        return Ok(Step::Reply(refusal.into()));
    }
    out.send(b"+ idling\r\n").await?;
    session.report_updates(true, now, out).await?;
    Ok(Step::Done(Flow::Continue))
}

/// A line while idling: `DONE` (any case) ends IDLE with OK; anything else
/// (or a line too long, `None`) ends it with BAD.
pub(crate) async fn idle_line(
    session: &mut Session,
    line: Option<Vec<u8>>,
    now: DateTime<Utc>,
    out: &mut dyn ResponseSink,
) -> io::Result<Flow> {
    let State::Idle { tag, .. } = &session.state else {
        return Ok(Flow::Continue);
    };
    let tag = tag.clone();
    let done = line
        .as_deref()
        .is_some_and(|line| line.eq_ignore_ascii_case(b"DONE"));
    let completion = if done {
        Completion::ok("IDLE terminated")
    } else {
        Completion::bad("expected DONE")
    };
    let reply = Reply {
        completion,
        transition: Transition::EndIdle,
    };
    session.complete(&tag, reply, true, now, out).await
}

/// Reports what changed since `selected.reported_modseq`: EXPUNGE (only
/// when `allow_expunge`; highest number first, removed from the view in one
/// pass), EXISTS, and FETCH FLAGS of known messages, except the changes the
/// client already knows (`Selected::was_answered`).
pub(crate) async fn sync_updates(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    allow_expunge: bool,
) -> io::Result<()> {
    let changes = match ctx
        .backend
        .changes(ctx.principal, selected.mailbox.id, selected.reported_modseq)
        .await
    {
        Ok(changes) => changes,
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, error = %error.message, "change query failed");
            return Ok(());
        }
    };
    let withheld = !allow_expunge
        && !changes
            .expunged
            .intersection(selected.view.uids())
            .is_empty();
    let mut response = if withheld {
        Vec::new()
    } else {
        remove_from_view(selected, &changes.expunged, ctx.enabled.qresync)
    };
    let known_next = selected.mailbox.uid_next;
    let count_before = selected.view.len();
    let mut flag_updates = Vec::new();
    for update in &changes.changed {
        if selected.view.seq_of(update.uid).is_some() {
            let known = withheld || selected.was_answered(update.uid, update.modseq);
            // RFC 7162 §3.1.4 / §3.2.4: MODSEQ once CONDSTORE is on, UID
            // once QRESYNC is, or NOTIFY's FlagChange (RFC 5465 §5.1).
            let with_uid = ctx.enabled.qresync || ctx.enabled.notify_flag_uids;
            let line = fetch_flags_line(selected, update, with_uid, ctx.enabled.condstore);
            if !known && let Some(line) = line {
                flag_updates.extend(line);
            }
            continue;
        }
        let is_new = update.uid.get() >= known_next
            && !changes.expunged.contains(update.uid)
            && selected
                .view
                .uids()
                .last()
                .is_none_or(|last| update.uid > last);
        if is_new {
            selected.view.push(update.uid);
        }
    }
    if selected.view.len() != count_before {
        // Written in place, without a temporary string: every idler of the
        // mailbox runs this for each change. Writing to a Vec cannot fail.
        let _ = write!(response, "* {} EXISTS\r\n", selected.view.len());
        // RFC 9051 has no RECENT.
        if selected.view.len() > count_before && !ctx.enabled.imap4rev2 {
            claim_recent(ctx, selected).await;
            let recent = selected.recent.intersection(selected.view.uids()).len();
            let _ = write!(response, "* {recent} RECENT\r\n");
        }
    }
    response.extend(flag_updates);
    if withheld && ctx.enabled.qresync {
        // RFC 7162 §3.2: this command may have shown MODSEQs above the
        // withheld expunges'; a lower HIGHESTMODSEQ keeps a client that
        // reconnects now from resynchronising past them.
        let code = format!("HIGHESTMODSEQ {}", selected.reported_modseq);
        response.extend(untagged_ok(&code, "expunges pending"));
    }
    if !withheld && !selected.search_contexts.is_empty() {
        let changed = changes.changed.iter().map(|update| update.uid);
        response.extend(search_context::report_changes(ctx, selected, changed).await);
    }
    selected.mailbox.uid_next = selected.mailbox.uid_next.max(changes.uid_next);
    if !withheld {
        selected.advance_reported(changes.highest_modseq);
    }
    if response.is_empty() {
        return Ok(());
    }
    ctx.out.send(&response).await
}

/// New messages are `\Recent` for the first session that sees them (RFC 3501
/// §2.3.2), so a read-write session claims them as they appear; a failed
/// claim leaves them to another session and is not the command's failure.
async fn claim_recent(ctx: &mut CommandContext<'_>, selected: &mut Selected) {
    if selected.read_only {
        return;
    }
    match ctx
        .backend
        .claim_recent(ctx.principal, selected.mailbox.id)
        .await
    {
        Ok(claimed) => {
            for &(first, last) in claimed.ranges() {
                selected.recent.insert_range(first, last);
            }
        }
        Err(error) => {
            tracing::warn!(mailbox = %selected.mailbox.id, code = %error.code, error = %error.message, "recent claim failed");
        }
    }
}
