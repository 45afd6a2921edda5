//! NOTIFY (RFC 5465): the session's watch list and the reports it causes.
//! `NOTIFY SET` checks the event groups (§5: unknown events get
//! `NO [BADEVENT]`, the selected mailbox needs MessageNew and
//! MessageExpunge together), takes a [`Snapshot`] of the account and, with
//! `STATUS`, reports every watched mailbox at once (§3.1). At each account
//! wakeup the driver calls [`Session::poll_updates`], which reports the
//! differences from the previous snapshot as `* STATUS` and `* LIST` lines,
//! then METADATA changes as `* METADATA` lines (§5.6-5.7, [`metadata`]).
//! The selected mailbox keeps the normal EXISTS/EXPUNGE/FETCH flow, plus
//! a FETCH of MessageNew's attributes for each new message (§5.2) and UID
//! in FlagChange's FETCH (§5.1); its EXPUNGEs are sent at once with
//! SELECTED (§6.1.1) and wait for a command that allows them with
//! SELECTED-DELAYED (§6.1.2).

mod metadata;
mod scope;
mod snapshot;
#[cfg(test)]
mod tests;

use std::io;

use chrono::{DateTime, Utc};
use mailkeep_common::{MailboxId, Uid};

use super::mailboxes::status_line;
use super::state::State;
use super::{CommandContext, Completion, ResponseSink, Selected, Session, fetch};
use crate::command::{
    FetchArgs, FetchAttribute, NotifyEvent, NotifyGroup, NotifyRequest, NotifySelector, SeqBound,
    SequenceSet, StatusItem,
};
use crate::response::{Line, Status};
use scope::{events_for, status_items, watches_selected};
use snapshot::{Change, Snapshot};

/// The events Mailkeep can report, as `[BADEVENT]` lists them (§5).
const SUPPORTED_EVENTS: &str = "BADEVENT (MessageNew MessageExpunge FlagChange MailboxName \
     SubscriptionChange MailboxMetadataChange ServerMetadataChange)";

/// An active `NOTIFY SET`.
#[derive(Debug, Clone)]
pub(crate) struct Notifications {
    groups: Vec<NotifyGroup>,
    reported: Snapshot,
    /// The METADATA change counter as last reported; `None` when no group
    /// asks for a METADATA event.
    reported_metadata: Option<u64>,
}

impl Notifications {
    /// Whether unsolicited updates of the selected mailbox were asked for.
    pub(crate) fn watches_selected(&self) -> bool {
        watches_selected(&self.groups)
    }

    /// Whether SELECTED (not SELECTED-DELAYED) asked for MessageExpunge:
    /// then expunges are reported at once, between commands too (§6.1.1).
    pub(crate) fn expunges_immediately(&self) -> bool {
        self.groups.iter().any(|group| {
            group.selector == NotifySelector::Selected
                && group.events.contains(&NotifyEvent::MessageExpunge)
        })
    }

    /// The FETCH attributes `MessageNew` asks for with each new message of
    /// the selected mailbox (§5.2); `None` when none were given.
    fn new_message_attributes(&self) -> Option<&[FetchAttribute]> {
        self.groups
            .iter()
            .filter(|group| {
                matches!(
                    group.selector,
                    NotifySelector::Selected | NotifySelector::SelectedDelayed
                )
            })
            .flat_map(|group| &group.events)
            .find_map(|event| match event {
                NotifyEvent::MessageNew(attributes) if !attributes.is_empty() => {
                    Some(attributes.as_slice())
                }
                _ => None,
            })
    }
}

/// RFC 5465 §5.2: after the EXISTS for new messages of the selected
/// mailbox (those above `known_last`), a FETCH of each with the attributes
/// MessageNew named, as a `UID FETCH` would answer it.
pub(super) async fn fetch_new_messages(
    ctx: &mut CommandContext<'_>,
    selected: &mut Selected,
    known_last: Option<Uid>,
    notifications: Option<&Notifications>,
) -> io::Result<()> {
    let Some(attributes) = notifications.and_then(Notifications::new_message_attributes) else {
        return Ok(());
    };
    let Some(last) = selected.view.uids().last() else {
        return Ok(());
    };
    let first = known_last.map_or(1, |known| known.get().saturating_add(1));
    if first > last.get() {
        return Ok(());
    }
    let args = FetchArgs {
        sequence: SequenceSet::Ranges(vec![(SeqBound::Value(first), SeqBound::Value(last.get()))]),
        attributes: attributes.to_vec(),
        changed_since: None,
        vanished: false,
    };
    let completion = fetch::fetch(ctx, selected, true, &args).await?;
    if completion.status != Status::Ok {
        tracing::warn!(mailbox = %selected.mailbox.id, reason = %completion.text, "notify fetch failed");
    }
    Ok(())
}

/// NOTIFY (RFC 5465 §3): replaces `active` on success.
pub(super) async fn notify(
    ctx: &mut CommandContext<'_>,
    selected: Option<MailboxId>,
    request: &NotifyRequest,
    active: &mut Option<Notifications>,
) -> io::Result<Completion> {
    let (status, groups) = match request {
        NotifyRequest::None => {
            *active = None;
            ctx.enabled.notify_flag_uids = false;
            return Ok(Completion::ok("NOTIFY completed"));
        }
        NotifyRequest::Set { status, groups } => (*status, groups),
    };
    if let Err(refusal) = check_groups(groups) {
        return Ok(refusal);
    }
    let reported = match Snapshot::take(ctx.backend, ctx.principal, groups, selected).await {
        Ok(snapshot) => snapshot,
        Err(error) => return Ok(Completion::from_backend(&error)),
    };
    // STATUS is about mailbox status: METADATA is reported from now on only.
    let reported_metadata =
        match metadata::initial_counter(ctx.backend, ctx.principal, groups).await {
            Ok(counter) => counter,
            Err(error) => return Ok(Completion::from_backend(&error)),
        };
    if status {
        let initial = Snapshot {
            statuses: Default::default(),
            ..reported.clone()
        };
        for change in snapshot::changes(groups, &initial, &reported) {
            send_change(ctx, groups, &reported, &change).await?;
        }
    }
    ctx.enabled.notify_flag_uids = groups.iter().any(|group| {
        matches!(
            group.selector,
            NotifySelector::Selected | NotifySelector::SelectedDelayed
        ) && group.events.contains(&NotifyEvent::FlagChange)
    });
    *active = Some(Notifications {
        groups: groups.clone(),
        reported,
        reported_metadata,
    });
    Ok(Completion::ok("NOTIFY completed"))
}

/// RFC 5465 §5 and §8: which event lists the server refuses.
fn check_groups(groups: &[NotifyGroup]) -> Result<(), Completion> {
    for group in groups {
        let unsupported = |event: &NotifyEvent| matches!(event, NotifyEvent::Other(_));
        if group.events.iter().any(unsupported) {
            return Err(Completion::no(Some(SUPPORTED_EVENTS), "unsupported event"));
        }
        if matches!(
            group.selector,
            NotifySelector::Selected | NotifySelector::SelectedDelayed
        ) {
            check_selected_events(&group.events)?;
        }
    }
    Ok(())
}

/// §5: for the selected mailbox MessageNew and MessageExpunge go together,
/// FlagChange needs both, and mailbox and server (user) events do not
/// apply (§8 grammar).
fn check_selected_events(events: &[NotifyEvent]) -> Result<(), Completion> {
    let has = |wanted: fn(&NotifyEvent) -> bool| events.iter().any(wanted);
    let new = has(|event| matches!(event, NotifyEvent::MessageNew(_)));
    let expunge = has(|event| matches!(event, NotifyEvent::MessageExpunge));
    let flags = has(|event| matches!(event, NotifyEvent::FlagChange));
    if new != expunge || (flags && !new) {
        return Err(Completion::bad(
            "the selected mailbox needs MessageNew and MessageExpunge together",
        ));
    }
    if has(|event| {
        matches!(
            event,
            NotifyEvent::MailboxName
                | NotifyEvent::SubscriptionChange
                | NotifyEvent::MailboxMetadataChange
                | NotifyEvent::ServerMetadataChange
        )
    }) {
        return Err(Completion::bad(
            "mailbox and server events do not apply to the selected mailbox",
        ));
    }
    Ok(())
}

/// Writes one notification.
async fn send_change(
    ctx: &mut CommandContext<'_>,
    groups: &[NotifyGroup],
    current: &Snapshot,
    change: &Change<'_>,
) -> io::Result<()> {
    let utf8_names = ctx.enabled.utf8_names();
    let bytes = match change {
        Change::Status(status) => {
            let events = events_for(groups, &status.mailbox.name, &current.subscriptions)
                .unwrap_or_default();
            let mut items = status_items(events);
            // §5.2 / §5.3: HIGHESTMODSEQ "MUST be included" for MessageNew
            // once CONDSTORE is enabled, for MessageExpunge once QRESYNC is.
            let has = |wanted: fn(&NotifyEvent) -> bool| events.iter().any(wanted);
            let modseq_wanted = (ctx.enabled.condstore
                && has(|event| matches!(event, NotifyEvent::MessageNew(_))))
                || (ctx.enabled.qresync && has(|event| *event == NotifyEvent::MessageExpunge));
            if modseq_wanted && !items.contains(&StatusItem::HighestModSeq) {
                items.push(StatusItem::HighestModSeq);
            }
            status_line(
                &status.mailbox.name,
                &items,
                status,
                ctx.config.max_literal_bytes,
                utf8_names,
            )
        }
        Change::List {
            name,
            old_name,
            exists,
            subscribed,
        } => {
            let attributes = [
                subscribed.then_some("\\Subscribed"),
                (!exists).then_some("\\NonExistent"),
            ];
            let mut line = list_line(name, &attributes, utf8_names);
            if let Some(old_name) = old_name {
                line.open()
                    .string(b"OLDNAME")
                    .open()
                    .mailbox(old_name, utf8_names)
                    .close()
                    .close();
            }
            line.finish()
        }
    };
    ctx.out.send(&bytes).await
}

/// `* LIST (flags) "/" name`, left open for extended data.
fn list_line(name: &str, flags: &[Option<&str>], utf8_names: bool) -> Line {
    let mut line = Line::untagged();
    line.atom("LIST").open();
    for flag in flags.iter().flatten() {
        line.atom(flag);
    }
    line.close().string(b"/").mailbox(name, utf8_names);
    line
}

impl Session {
    /// Whether account wakeups must reach this session between commands.
    pub fn wants_notifications(&self) -> bool {
        self.notifications.is_some()
    }

    /// Reports what changed in the watched mailboxes since the last report.
    pub(super) async fn report_notifications(
        &mut self,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<()> {
        let Some(active) = self.notifications.as_mut() else {
            return Ok(());
        };
        let (principal, selected) = match &self.state {
            State::Authenticated { principal }
            | State::Idle {
                principal,
                selected: None,
                ..
            } => (principal, None),
            State::Selected {
                principal,
                selected,
            }
            | State::Idle {
                principal,
                selected: Some(selected),
                ..
            } => (principal, Some(selected.mailbox.id)),
            State::NotAuthenticated | State::Logout => return Ok(()),
        };
        let current = match Snapshot::take(
            self.backend.as_ref(),
            principal,
            &active.groups,
            selected,
        )
        .await
        {
            Ok(snapshot) => snapshot,
            Err(error) => {
                // A hint only: the next wakeup or poll tries again.
                tracing::warn!(error = %error.message, "notify snapshot failed");
                return Ok(());
            }
        };
        let mut ctx = CommandContext {
            backend: self.backend.as_ref(),
            principal,
            enabled: &mut self.enabled,
            out,
            now,
            config: &self.config,
        };
        for change in snapshot::changes(&active.groups, &active.reported, &current) {
            send_change(&mut ctx, &active.groups, &current, &change).await?;
        }
        if let Some(reported) = active.reported_metadata.as_mut() {
            let subscriptions = &current.subscriptions;
            metadata::report_changes(&mut ctx, &active.groups, subscriptions, reported).await?;
        }
        active.reported = current;
        Ok(())
    }
}
