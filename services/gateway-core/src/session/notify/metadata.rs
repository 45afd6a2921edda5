//! NOTIFY's METADATA events (RFC 5465 §5.6 MailboxMetadataChange, §5.7
//! ServerMetadataChange): the account's METADATA change counter as last
//! reported, taken at `NOTIFY SET` only when a group asks for one of these
//! events, and at each wakeup one unsolicited `* METADATA mailbox entry...`
//! line (RFC 5464 §4.4.2: names, no values) per watched mailbox whose
//! entries changed since, removed ones included, and `* METADATA ""
//! entry...` for the server's entries. A SETMETADATA of this session moves
//! the counter past its own change when nothing else happened in between
//! (§5: the server "SHOULD omit notifying the client if the event is
//! caused by this client").

use std::collections::BTreeSet;
use std::io;

use super::Notifications;
use super::scope::events_for;
use crate::backend::{BackendResult, ChangedMetadataEntry, MailBackend, Principal};
use crate::command::{NotifyEvent, NotifyGroup};
use crate::response::Line;
use crate::session::CommandContext;

/// Whether a group asks for a METADATA event; without one no counter is
/// kept and no wakeup asks the backend about METADATA.
fn wants_metadata_events(groups: &[NotifyGroup]) -> bool {
    groups.iter().flat_map(|group| &group.events).any(|event| {
        matches!(
            event,
            NotifyEvent::MailboxMetadataChange | NotifyEvent::ServerMetadataChange
        )
    })
}

/// The counter to report changes from at `NOTIFY SET`: `None`, without a
/// backend call, when no group asks for a METADATA event.
pub(super) async fn initial_counter(
    backend: &dyn MailBackend,
    who: &Principal,
    groups: &[NotifyGroup],
) -> BackendResult<Option<u64>> {
    if !wants_metadata_events(groups) {
        return Ok(None);
    }
    Ok(Some(backend.metadata_changes(who, None).await?.modseq))
}

/// Sends the entries changed after `reported` that `groups` watch, then
/// advances `reported`. `subscriptions` are the ones the wakeup's snapshot
/// read, for `SUBSCRIBED` filters.
pub(super) async fn report_changes(
    ctx: &mut CommandContext<'_>,
    groups: &[NotifyGroup],
    subscriptions: &BTreeSet<String>,
    reported: &mut u64,
) -> io::Result<()> {
    let changes = match ctx
        .backend
        .metadata_changes(ctx.principal, Some(*reported))
        .await
    {
        Ok(changes) => changes,
        Err(error) => {
            // A hint only: the next wakeup asks again from the same counter.
            tracing::warn!(error = %error.message, "notify metadata changes failed");
            return Ok(());
        }
    };
    let server_watched = groups
        .iter()
        .any(|group| group.events.contains(&NotifyEvent::ServerMetadataChange));
    let utf8_names = ctx.enabled.utf8_names();
    // Sorted by (mailbox, name): each run is one mailbox's entries.
    for entries in changes.changed.chunk_by(|a, b| a.mailbox == b.mailbox) {
        let mailbox = entries[0].mailbox.as_str();
        let watched = if mailbox.is_empty() {
            server_watched
        } else {
            events_for(groups, mailbox, subscriptions)
                .is_some_and(|events| events.contains(&NotifyEvent::MailboxMetadataChange))
        };
        if watched {
            ctx.out
                .send(&entry_names_line(mailbox, entries, utf8_names))
                .await?;
        }
    }
    *reported = changes.modseq;
    Ok(())
}

/// `* METADATA mailbox entry *(SP entry)` (RFC 5464 §4.4.2).
fn entry_names_line(mailbox: &str, entries: &[ChangedMetadataEntry], utf8_names: bool) -> Vec<u8> {
    let mut line = Line::untagged();
    line.atom("METADATA").mailbox(mailbox, utf8_names);
    for entry in entries {
        line.astring(entry.name.as_bytes());
    }
    line.finish()
}

impl Notifications {
    /// After this session's own SETMETADATA, whose change brought the
    /// counter to `counter`: when the last report was just before it,
    /// nothing else happened in between and the counter moves past the
    /// change, so the client does not hear of it (§5). Otherwise it stays,
    /// so that another client's change in between is still reported, and
    /// this session's own change then with it.
    pub(crate) fn note_own_metadata_change(&mut self, counter: u64) {
        let reported_just_before = self
            .reported_metadata
            .is_some_and(|reported| counter.checked_sub(1) == Some(reported));
        if reported_just_before {
            self.reported_metadata = Some(counter);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::NotifySelector;

    fn watching(events: Vec<NotifyEvent>) -> Notifications {
        Notifications {
            groups: vec![NotifyGroup {
                selector: NotifySelector::Personal,
                events,
            }],
            reported: Default::default(),
            reported_metadata: Some(4),
        }
    }

    #[test]
    fn own_change_is_skipped_only_right_after_the_last_report() {
        let mut notifications = watching(vec![NotifyEvent::ServerMetadataChange]);
        notifications.note_own_metadata_change(5);
        assert_eq!(notifications.reported_metadata, Some(5));
        notifications.note_own_metadata_change(7);
        assert_eq!(notifications.reported_metadata, Some(5), "6 was not ours");
        let mut unwatched = Notifications {
            reported_metadata: None,
            ..watching(vec![NotifyEvent::MailboxName])
        };
        unwatched.note_own_metadata_change(1);
        assert_eq!(unwatched.reported_metadata, None);
    }

    #[test]
    fn entry_names_follow_the_mailbox() {
        let entries = ["/private/comment", "/shared/comment"].map(|name| ChangedMetadataEntry {
            mailbox: "Tom & Jerry".to_owned(),
            name: name.to_owned(),
        });
        assert_eq!(
            entry_names_line("Tom & Jerry", &entries, false),
            b"* METADATA \"Tom &- Jerry\" /private/comment /shared/comment\r\n"
        );
        assert_eq!(
            entry_names_line("", &entries[1..], true),
            b"* METADATA \"\" /shared/comment\r\n"
        );
        assert!(wants_metadata_events(
            &watching(vec![NotifyEvent::MailboxMetadataChange]).groups
        ));
        assert!(!wants_metadata_events(
            &watching(vec![NotifyEvent::MailboxName]).groups
        ));
    }
}
