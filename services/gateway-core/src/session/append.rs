//! APPEND (RFC 3501 §6.3.11) with MULTIAPPEND's several messages (RFC 3502)
//! and UIDPLUS's `[APPENDUID]` (RFC 4315 §3). Each message is analysed once
//! here (ENVELOPE, BODYSTRUCTURE, part table: ARCHITECTURE.md §3a) and all of
//! them are committed by one backend call, so either all land or none.
//! A missing mailbox is `NO [TRYCREATE]`; new messages in the selected
//! mailbox are announced by the sync that ends the command. CATENATE
//! messages (RFC 4469) are assembled first, and binary parts (RFC 3516)
//! stored as base64. 8-bit header fields need ENABLE UTF8=ACCEPT (RFC
//! 6855 §4).

use mailkeep_common::ErrorCode;

use super::catenate;
use super::flags::storable_flags;
use super::{CommandContext, Completion, Selected};
use crate::backend::{BackendError, NewMessage};
use crate::command::{AppendData, AppendMessage, MailboxName};
use crate::mailbox_view::format_uid_list;
use crate::mime;

fn refused(error: &BackendError) -> Completion {
    if error.code == ErrorCode::NotFound {
        return Completion::no(Some("TRYCREATE"), "mailbox does not exist");
    }
    Completion::from_backend(error)
}

/// Whether the header of `message` (up to its first empty line) has an
/// octet above 0x7f.
fn has_8bit_header(message: &[u8]) -> bool {
    let header_end = message
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .unwrap_or(message.len());
    !message[..header_end].is_ascii()
}

pub(crate) async fn append(
    ctx: &mut CommandContext<'_>,
    selected: Option<&Selected>,
    mailbox: &MailboxName,
    messages: Vec<AppendMessage>,
) -> Completion {
    // The target first: a missing mailbox is TRYCREATE even when CATENATE
    // URLs are bad too (RFC 4469 §5 orders nothing, clients expect this).
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
        let literal = match message.data {
            AppendData::Literal(literal) => literal,
            AppendData::Catenate(parts) => match catenate::assemble(ctx, parts).await {
                Ok(assembled) => assembled,
                Err(refusal) => return refusal,
            },
        };
        // RFC 6855 §4: before ENABLE UTF8=ACCEPT, "the server MUST reject,
        // with a "NO" response, an "APPEND" command that includes any 8-bit
        // character in message header fields".
        if !ctx.enabled.utf8_accept && has_8bit_header(&literal) {
            return Completion::no(None, "8-bit header fields need ENABLE UTF8=ACCEPT");
        }
        // RFC 3516 §4.4: binary parts are kept as base64, so BODY[] never
        // carries a NUL and BINARY[] gives the appended octets back.
        let raw = mime::encode_binary_parts(&literal).unwrap_or(literal);
        let analysis = mime::analyze(&raw);
        prepared.push(NewMessage {
            raw,
            internal_date,
            internal_date_offset,
            flags,
            analysis,
        });
    }
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
