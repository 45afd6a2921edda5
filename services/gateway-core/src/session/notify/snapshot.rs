//! What a NOTIFY session last told its client about the account: mailbox
//! names by id, the counters of watched mailboxes and the subscriptions.
//! A wakeup takes a new snapshot (at most three backend calls, whatever the
//! number of mailboxes; none when only the selected mailbox is watched) and
//! reports the differences (RFC 5465 §5).

use std::collections::{BTreeMap, BTreeSet};

use mailkeep_common::MailboxId;

use super::scope::{
    events_for, has_message_events, needs_subscriptions, status_items, watches_other_mailboxes,
};
use crate::backend::{BackendResult, MailBackend, MailboxStatus, Principal};
use crate::command::{NotifyEvent, NotifyGroup, StatusItem};

/// The account as last reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Snapshot {
    pub names: BTreeMap<MailboxId, String>,
    /// Watched mailboxes with message events, other than the selected one.
    pub statuses: BTreeMap<MailboxId, MailboxStatus>,
    pub subscriptions: BTreeSet<String>,
}

impl Snapshot {
    /// Reads the account's current state as far as `groups` watch it.
    pub async fn take(
        backend: &dyn MailBackend,
        who: &Principal,
        groups: &[NotifyGroup],
        selected: Option<MailboxId>,
    ) -> BackendResult<Self> {
        if !watches_other_mailboxes(groups) {
            return Ok(Self::default());
        }
        let mailboxes = backend.list_mailboxes(who).await?;
        let subscriptions: BTreeSet<String> = if needs_subscriptions(groups) {
            backend.list_subscriptions(who).await?.into_iter().collect()
        } else {
            BTreeSet::new()
        };
        let watched: Vec<String> = mailboxes
            .iter()
            .filter(|mailbox| Some(mailbox.id) != selected)
            .filter(|mailbox| {
                events_for(groups, &mailbox.name, &subscriptions).is_some_and(has_message_events)
            })
            .map(|mailbox| mailbox.name.clone())
            .collect();
        let statuses = if watched.is_empty() {
            BTreeMap::new()
        } else {
            backend
                .mailbox_statuses(who, &watched)
                .await?
                .into_iter()
                .map(|status| (status.mailbox.id, status))
                .collect()
        };
        Ok(Self {
            names: mailboxes
                .into_iter()
                .map(|mailbox| (mailbox.id, mailbox.name))
                .collect(),
            statuses,
            subscriptions,
        })
    }
}

/// One notification, in the order it should reach the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change<'a> {
    /// A watched mailbox's counters moved (or STATUS was asked at SET).
    Status(&'a MailboxStatus),
    /// `* LIST (attributes) "/" name`, with `OLDNAME` after a rename
    /// (RFC 5465 §5.4). One per name and poll, whether the name was
    /// created, deleted, (un)subscribed or several of these, so its
    /// attributes are those of the new snapshot: `\Subscribed` and
    /// `\NonExistent` (§5.4-5.5, "accurately computed").
    List {
        name: &'a str,
        old_name: Option<&'a str>,
        exists: bool,
        subscribed: bool,
    },
}

/// The changes from `old` to `new` that `groups` ask to hear about.
pub(super) fn changes<'a>(
    groups: &[NotifyGroup],
    old: &'a Snapshot,
    new: &'a Snapshot,
) -> Vec<Change<'a>> {
    let wants = |name: &str, event: &NotifyEvent| {
        events_for(groups, name, &new.subscriptions)
            .or_else(|| events_for(groups, name, &old.subscriptions))
            .is_some_and(|events| events.contains(event))
    };
    let existing: BTreeSet<&str> = new.names.values().map(String::as_str).collect();
    let mut listed = BTreeSet::new();
    let mut list = |name: &'a str, old_name: Option<&'a str>| {
        listed.insert(name).then(|| Change::List {
            name,
            old_name,
            exists: existing.contains(name),
            subscribed: new.subscriptions.contains(name),
        })
    };
    let mut changes = Vec::new();
    for (id, name) in &new.names {
        let old_name = old.names.get(id);
        if old_name == Some(name) {
            continue;
        }
        let renamed_from = old_name.filter(|old_name| wants(old_name, &NotifyEvent::MailboxName));
        if wants(name, &NotifyEvent::MailboxName) || renamed_from.is_some() {
            changes.extend(list(name, renamed_from.map(String::as_str)));
        }
    }
    for (id, name) in &old.names {
        if !new.names.contains_key(id) && wants(name, &NotifyEvent::MailboxName) {
            changes.extend(list(name, None));
        }
    }
    for name in new.subscriptions.symmetric_difference(&old.subscriptions) {
        if wants(name, &NotifyEvent::SubscriptionChange) {
            changes.extend(list(name, None));
        }
    }
    for (id, status) in &new.statuses {
        let items = events_for(groups, &status.mailbox.name, &new.subscriptions)
            .map(status_items)
            .unwrap_or_default();
        let moved = |previous: &MailboxStatus| {
            items
                .iter()
                .any(|item| status_value(previous, *item) != status_value(status, *item))
        };
        if old.statuses.get(id).is_none_or(moved) {
            changes.push(Change::Status(status));
        }
    }
    changes
}

/// The value of one of the items [`status_items`] chooses (it never
/// chooses the others).
fn status_value(status: &MailboxStatus, item: StatusItem) -> u64 {
    match item {
        StatusItem::Messages => u64::from(status.messages),
        StatusItem::UidNext => u64::from(status.mailbox.uid_next),
        StatusItem::UidValidity => u64::from(status.mailbox.uidvalidity),
        StatusItem::Unseen => u64::from(status.unseen),
        StatusItem::HighestModSeq => status.mailbox.highest_modseq.get(),
        StatusItem::Recent
        | StatusItem::Size
        | StatusItem::Deleted
        | StatusItem::DeletedStorage
        | StatusItem::MailboxId
        | StatusItem::AppendLimit => 0,
    }
}

#[cfg(test)]
mod tests {
    use mailkeep_common::ModSeq;

    use super::*;
    use crate::backend::MailboxInfo;
    use crate::command::{MailboxName, NotifySelector};

    fn status(messages: u32, highest_modseq: u64) -> MailboxStatus {
        MailboxStatus {
            mailbox: MailboxInfo {
                id: MailboxId::from_u128(7),
                name: "misc".to_owned(),
                uidvalidity: 1,
                uid_next: messages + 1,
                highest_modseq: ModSeq::new(highest_modseq),
                special_use: None,
            },
            messages,
            recent: 0,
            unseen: 0,
            size: 0,
            deleted: 0,
            deleted_size: 0,
        }
    }

    fn snapshot(status: MailboxStatus) -> Snapshot {
        Snapshot {
            names: BTreeMap::from([(status.mailbox.id, status.mailbox.name.clone())]),
            statuses: BTreeMap::from([(status.mailbox.id, status)]),
            subscriptions: BTreeSet::new(),
        }
    }

    /// A mailbox watched for expunges only is not reported for a flag
    /// change (its MODSEQ moves, MESSAGES does not).
    #[test]
    fn only_the_watched_counters_cause_a_status() {
        let groups = [NotifyGroup {
            selector: NotifySelector::Mailboxes(vec![MailboxName("misc".into())]),
            events: vec![NotifyEvent::MessageExpunge],
        }];
        let before = snapshot(status(3, 10));
        let flagged = snapshot(status(3, 11));
        assert!(changes(&groups, &before, &flagged).is_empty());
        let expunged = snapshot(status(2, 12));
        assert_eq!(
            changes(&groups, &flagged, &expunged),
            [Change::Status(&expunged.statuses[&MailboxId::from_u128(7)])]
        );
    }

    /// An account with `names` (by id) and `subscriptions`, without
    /// watched counters.
    fn account(names: &[(u128, &str)], subscriptions: &[&str]) -> Snapshot {
        Snapshot {
            names: names
                .iter()
                .map(|(id, name)| (MailboxId::from_u128(*id), (*name).to_owned()))
                .collect(),
            statuses: BTreeMap::new(),
            subscriptions: subscriptions
                .iter()
                .map(|name| (*name).to_owned())
                .collect(),
        }
    }

    fn personal(events: Vec<NotifyEvent>) -> [NotifyGroup; 1] {
        [NotifyGroup {
            selector: NotifySelector::Personal,
            events,
        }]
    }

    fn line(name: &str, exists: bool, subscribed: bool) -> Change<'_> {
        Change::List {
            name,
            old_name: None,
            exists,
            subscribed,
        }
    }

    /// RFC 5465 §5.4-5.5: a name deleted and unsubscribed, or created and
    /// subscribed, between two wakeups gets one LIST line whose attributes
    /// are those after both events.
    #[test]
    fn one_accurate_line_per_name_and_poll() {
        let groups = personal(vec![
            NotifyEvent::MailboxName,
            NotifyEvent::SubscriptionChange,
        ]);
        let with_misc = account(&[(1, "INBOX"), (2, "misc")], &["misc"]);
        let without_misc = account(&[(1, "INBOX")], &[]);
        assert_eq!(
            changes(&groups, &with_misc, &without_misc),
            [line("misc", false, false)]
        );
        assert_eq!(
            changes(&groups, &without_misc, &with_misc),
            [line("misc", true, true)]
        );
        // Deleted and created again (a new id): it exists.
        let recreated = account(&[(1, "INBOX"), (3, "misc")], &["misc"]);
        assert_eq!(
            changes(&groups, &with_misc, &recreated),
            [line("misc", true, true)]
        );
    }

    /// IMAP allows a subscription to a name that does not exist (RFC 9051
    /// §6.3.7), and a deletion leaves the subscription in place.
    #[test]
    fn subscribed_names_that_do_not_exist_are_nonexistent() {
        let groups = personal(vec![
            NotifyEvent::MailboxName,
            NotifyEvent::SubscriptionChange,
        ]);
        let before = account(&[(1, "INBOX"), (2, "misc")], &["misc"]);
        let after = account(&[(1, "INBOX")], &["misc", "ghost"]);
        assert_eq!(
            changes(&groups, &before, &after),
            [line("misc", false, true), line("ghost", false, true)]
        );
    }

    /// The line is sent when either event is wanted, and says
    /// `\NonExistent` even when only SubscriptionChange was asked for.
    #[test]
    fn a_subscription_change_alone_reports_the_deletion_too() {
        let groups = personal(vec![NotifyEvent::SubscriptionChange]);
        let before = account(&[(1, "INBOX"), (2, "misc")], &["misc"]);
        let after = account(&[(1, "INBOX")], &[]);
        assert_eq!(
            changes(&groups, &before, &after),
            [line("misc", false, false)]
        );
        let groups = personal(vec![NotifyEvent::MailboxName]);
        assert_eq!(
            changes(&groups, &before, &after),
            [line("misc", false, false)]
        );
    }
}
