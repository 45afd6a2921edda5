//! APPEND (RFC 3501 §6.3.11) with MULTIAPPEND's several messages (RFC 3502)
//! and UIDPLUS's `[APPENDUID]` (RFC 4315 §3). Each message is analysed once
//! here (ENVELOPE, BODYSTRUCTURE, part table: ARCHITECTURE.md §3a) and all of
//! them are committed by one backend call, so either all land or none.
//! A missing mailbox is `NO [TRYCREATE]`; new messages in the selected
//! mailbox are announced by the sync that ends the command.

use mailkeep_common::ErrorCode;

use super::flags::storable_flags;
use super::{CommandContext, Completion, Selected};
use crate::backend::{BackendError, NewMessage};
use crate::command::{AppendMessage, MailboxName};
use crate::mailbox_view::format_uid_list;
use crate::mime;

fn refused(error: &BackendError) -> Completion {
    if error.code == ErrorCode::NotFound {
        return Completion::no(Some("TRYCREATE"), "mailbox does not exist");
    }
    Completion::from_backend(error)
}

pub(crate) async fn append(
    ctx: &mut CommandContext<'_>,
    selected: Option<&Selected>,
    mailbox: &MailboxName,
    messages: Vec<AppendMessage>,
) -> Completion {
    let mut prepared = Vec::with_capacity(messages.len());
    for message in messages {
        let flags = match storable_flags(&message.flags) {
            Ok(flags) => flags,
            Err(error) => return Completion::bad(error.to_string()),
        };
        // The client's zone is kept for INTERNALDATE; without a date the
        // server's time is used (RFC 3501 §6.3.11).
        let (internal_date, internal_date_offset) = match message.internal_date {
            Some(date) => (date.timestamp(), date.offset().local_minus_utc() / 60),
            None => (ctx.now.timestamp(), 0),
        };
        let analysis = mime::analyze(&message.literal);
        prepared.push(NewMessage {
            raw: message.literal,
            internal_date,
            internal_date_offset,
            flags,
            analysis,
        });
    }
    let selected_id = selected
        .filter(|selected| selected.mailbox.name == mailbox.0)
        .map(|selected| selected.mailbox.id);
    let target = match selected_id {
        Some(id) => id,
        None => match ctx.backend.mailbox_status(ctx.principal, &mailbox.0).await {
            Ok(status) => status.mailbox.id,
            Err(error) => return refused(&error),
        },
    };
    let count = prepared.len();
    match ctx.backend.append(ctx.principal, target, prepared).await {
        Ok(outcome) => {
            tracing::debug!(mailbox = %target, count, "messages appended");
            let code = format!(
                "APPENDUID {} {}",
                outcome.uidvalidity,
                format_uid_list(&outcome.uids)
            );
            Completion::ok_with(code, "APPEND completed")
        }
        Err(error) => refused(&error),
    }
}
