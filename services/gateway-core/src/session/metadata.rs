//! METADATA (RFC 5464): GETMETADATA with DEPTH and MAXSIZE, SETMETADATA,
//! for server entries (mailbox `""`) and per-mailbox entries, under
//! `/private` and `/shared`. Mailkeep has no sharing yet, so `/shared`
//! entries are stored per account like `/private` ones and NOPRIVATE is
//! never answered. The server entry `/shared/admin` comes from the
//! configuration and is read-only; every other entry lives in the metadata
//! service, which enforces the limits again (a value above
//! `MAX_METADATA_VALUE_BYTES` is `[METADATA MAXSIZE n]`, more than
//! `MAX_METADATA_ENTRIES` entries per mailbox is `[METADATA TOOMANY]`).
//! Invalid entry names are `BAD` (RFC 5464 §3.2). A mailbox's
//! `/private/specialuse` mirrors its special use (RFC 6154 §4) and is
//! read-only: CREATE (USE ...) sets the use. A successful SETMETADATA
//! tells an active NOTIFY, so that its own change is not reported back
//! (RFC 5465 §5).

use std::collections::BTreeMap;
use std::io;

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::{
    MAX_METADATA_VALUE_BYTES, MetadataChange, MetadataEntry, metadata_entry_name,
    requested_metadata_entry_name,
};

use super::notify::Notifications;
use super::{CommandContext, Completion};
use crate::command::{MailboxName, MetadataDepth};
use crate::response::{Line, write_literal};

/// The read-only server entry served from the configuration.
const ADMIN_ENTRY: &str = "/shared/admin";

/// The read-only mailbox entry holding the mailbox's special use.
const SPECIAL_USE_ENTRY: &str = "/private/specialuse";

/// Whether stored entry `name` answers a request for `wanted` at `depth`
/// (RFC 5464 §4.2.2: the entry itself, its children, or all descendants).
fn within_depth(name: &str, wanted: &str, depth: MetadataDepth) -> bool {
    if name == wanted {
        return true;
    }
    let Some(rest) = name
        .strip_prefix(wanted)
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return false;
    };
    match depth {
        MetadataDepth::Zero => false,
        MetadataDepth::One => !rest.contains('/'),
        MetadataDepth::Infinity => true,
    }
}

/// What GETMETADATA answers: each requested name that exists nowhere gets
/// `NIL` (RFC 5464 §4.2), every entry found within the depth its value,
/// except values longer than MAXSIZE, whose largest length is returned.
fn select_entries(
    stored: &[MetadataEntry],
    wanted: &[String],
    depth: MetadataDepth,
    max_size: Option<u64>,
) -> (BTreeMap<String, Option<Vec<u8>>>, Option<usize>) {
    let mut answer = BTreeMap::new();
    let mut longest_omitted = None;
    for request in wanted {
        let mut found = false;
        for entry in stored
            .iter()
            .filter(|entry| within_depth(&entry.name, request, depth))
        {
            found = true;
            let too_long = max_size.is_some_and(|max| entry.value.len() as u64 > max);
            if too_long {
                longest_omitted = longest_omitted.max(Some(entry.value.len()));
                continue;
            }
            answer.insert(entry.name.clone(), Some(entry.value.clone()));
        }
        if !found {
            answer.insert(request.clone(), None);
        }
    }
    (answer, longest_omitted)
}

/// `* METADATA mailbox (entry value ...)`; values are strings, or
/// literal8 when they hold a NUL.
fn metadata_line(
    mailbox: &str,
    entries: &BTreeMap<String, Option<Vec<u8>>>,
    utf8_names: bool,
) -> Vec<u8> {
    let mut line = Line::untagged();
    line.atom("METADATA").mailbox(mailbox, utf8_names).open();
    for (name, value) in entries {
        line.astring(name.as_bytes());
        match value {
            Some(value) if value.contains(&0) => {
                let mut literal8 = b"~".to_vec();
                write_literal(&mut literal8, value);
                line.raw(&literal8);
            }
            value => {
                line.nstring(value.as_deref());
            }
        }
    }
    line.close();
    line.finish()
}

/// GETMETADATA (RFC 5464 §4.2).
pub(crate) async fn get_metadata(
    ctx: &mut CommandContext<'_>,
    mailbox: &MailboxName,
    entries: &[String],
    max_size: Option<u64>,
    depth: MetadataDepth,
) -> io::Result<Completion> {
    let Some(wanted) = entries
        .iter()
        .map(|name| requested_metadata_entry_name(name))
        .collect::<Option<Vec<String>>>()
    else {
        return Ok(Completion::bad("invalid metadata entry name"));
    };
    let mut stored = match ctx.backend.metadata(ctx.principal, &mailbox.0).await {
        Ok(stored) => stored,
        Err(error) => return Ok(Completion::from_backend(&error)),
    };
    if let Some(contact) = ctx
        .config
        .admin_contact
        .as_ref()
        .filter(|_| mailbox.0.is_empty())
    {
        stored.retain(|entry| entry.name != ADMIN_ENTRY);
        stored.push(MetadataEntry {
            name: ADMIN_ENTRY.to_owned(),
            value: contact.as_bytes().to_vec(),
        });
    }
    let wants_special_use = wanted
        .iter()
        .any(|request| within_depth(SPECIAL_USE_ENTRY, request, depth));
    if !mailbox.0.is_empty() && wants_special_use {
        let status = match ctx.backend.mailbox_status(ctx.principal, &mailbox.0).await {
            Ok(status) => status,
            Err(error) => return Ok(Completion::from_backend(&error)),
        };
        stored.retain(|entry| entry.name != SPECIAL_USE_ENTRY);
        stored.extend(status.mailbox.special_use.map(|special_use| MetadataEntry {
            name: SPECIAL_USE_ENTRY.to_owned(),
            value: special_use.into_bytes(),
        }));
    }
    let (answer, longest_omitted) = select_entries(&stored, &wanted, depth, max_size);
    // RFC 5464 §5: a METADATA response names at least one entry.
    if !answer.is_empty() {
        ctx.out
            .send(&metadata_line(
                &mailbox.0,
                &answer,
                ctx.enabled.utf8_names(),
            ))
            .await?;
    }
    Ok(match longest_omitted {
        Some(length) => Completion::ok_with(
            format!("METADATA LONGENTRIES {length}"),
            "GETMETADATA completed",
        ),
        None => Completion::ok("GETMETADATA completed"),
    })
}

/// SETMETADATA (RFC 5464 §4.3): all changes apply, or none. An active
/// NOTIFY learns of the change, so that it is not reported back (RFC 5465 §5).
pub(crate) async fn set_metadata(
    ctx: &mut CommandContext<'_>,
    mailbox: &MailboxName,
    changes: &[(String, Option<Vec<u8>>)],
    notifications: Option<&mut Notifications>,
) -> Completion {
    let mut checked = Vec::with_capacity(changes.len());
    for (name, value) in changes {
        let Some(name) = metadata_entry_name(name) else {
            return Completion::bad("invalid metadata entry name");
        };
        if mailbox.0.is_empty() && name == ADMIN_ENTRY {
            return Completion::no(Some("NOPERM"), "/shared/admin is read-only");
        }
        if !mailbox.0.is_empty() && name == SPECIAL_USE_ENTRY {
            return Completion::no(Some("NOPERM"), "/private/specialuse is read-only");
        }
        if value
            .as_ref()
            .is_some_and(|value| value.len() > MAX_METADATA_VALUE_BYTES)
        {
            return Completion::no(
                Some(&format!("METADATA MAXSIZE {MAX_METADATA_VALUE_BYTES}")),
                "metadata value too large",
            );
        }
        checked.push(MetadataChange {
            name,
            value: value.clone(),
        });
    }
    match ctx
        .backend
        .set_metadata(ctx.principal, &mailbox.0, &checked)
        .await
    {
        Ok(counter) => {
            if let Some(notifications) = notifications {
                notifications.note_own_metadata_change(counter);
            }
            Completion::ok("SETMETADATA completed")
        }
        Err(error) if error.code == ErrorCode::Limit => {
            Completion::no(Some("METADATA TOOMANY"), "too many metadata entries")
        }
        Err(error) => Completion::from_backend(&error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, value: &str) -> MetadataEntry {
        MetadataEntry {
            name: name.to_owned(),
            value: value.as_bytes().to_vec(),
        }
    }

    #[test]
    fn depth_selects_the_entry_children_or_descendants() {
        // RFC 5464 §4.2.2 example hierarchy.
        let stored = [
            entry("/private/filters/values/small", "SMALLER 5000"),
            entry("/private/filters/values/big", "LARGER 500000"),
            entry("/private/filters/values/big/x", "deep"),
            entry("/private/filtersx", "not a child"),
        ];
        let wanted = ["/private/filters/values".to_owned()];
        let (one, _) = select_entries(&stored, &wanted, MetadataDepth::One, None);
        assert_eq!(
            one.keys().collect::<Vec<_>>(),
            [
                "/private/filters/values/big",
                "/private/filters/values/small"
            ]
        );
        let (all, _) = select_entries(&stored, &wanted, MetadataDepth::Infinity, None);
        assert_eq!(all.len(), 3);
        let (zero, _) = select_entries(&stored, &wanted, MetadataDepth::Zero, None);
        assert_eq!(
            zero.into_iter().collect::<Vec<_>>(),
            [(wanted[0].clone(), None)]
        );
        let filters = ["/private/filters".to_owned()];
        let (none, _) = select_entries(&stored, &filters, MetadataDepth::One, None);
        assert_eq!(
            none.into_iter().collect::<Vec<_>>(),
            [(filters[0].clone(), None)]
        );
    }

    #[test]
    fn maxsize_omits_long_values_and_reports_the_longest() {
        // RFC 5464 §4.2.1.
        let stored = [
            entry("/shared/comment", "Shared comment"),
            entry("/private/comment", "x"),
        ];
        let wanted = ["/shared/comment".to_owned(), "/private/comment".to_owned()];
        let (answer, longest) = select_entries(&stored, &wanted, MetadataDepth::Zero, Some(10));
        assert_eq!(answer.keys().collect::<Vec<_>>(), ["/private/comment"]);
        assert_eq!(longest, Some(14));
    }

    #[test]
    fn values_are_strings_nil_or_literal8() {
        let mut entries = BTreeMap::new();
        entries.insert("/shared/a".to_owned(), Some(b"Shared comment".to_vec()));
        entries.insert("/shared/b".to_owned(), None);
        entries.insert("/shared/c".to_owned(), Some(vec![0, 1]));
        assert_eq!(
            metadata_line("INBOX", &entries, false),
            b"* METADATA INBOX (/shared/a \"Shared comment\" /shared/b NIL /shared/c ~{2}\r\n\0\x01)\r\n"
        );
    }
}
