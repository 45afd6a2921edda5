//! Which watched mailboxes an event group covers (RFC 5465 §6): the first
//! group whose filter matches a non-selected mailbox decides its events;
//! the selected mailbox is reported through the normal EXISTS, EXPUNGE and
//! FETCH flow, never as a STATUS.

use std::collections::BTreeSet;

use crate::command::{NotifyEvent, NotifyGroup, NotifySelector, StatusItem};

/// The hierarchy delimiter on the wire (ARCHITECTURE.md §3).
const DELIMITER: char = '/';

/// The events the client asked for about `name`, a mailbox other than the
/// selected one; `None` when no group covers it.
pub(super) fn events_for<'a>(
    groups: &'a [NotifyGroup],
    name: &str,
    subscriptions: &BTreeSet<String>,
) -> Option<&'a [NotifyEvent]> {
    groups
        .iter()
        .find(|group| covers(&group.selector, name, subscriptions))
        .map(|group| group.events.as_slice())
}

fn covers(selector: &NotifySelector, name: &str, subscriptions: &BTreeSet<String>) -> bool {
    match selector {
        NotifySelector::Selected | NotifySelector::SelectedDelayed => false,
        // Messages are delivered only to INBOX in Mailkeep.
        NotifySelector::Inboxes => name == "INBOX",
        NotifySelector::Personal => true,
        NotifySelector::Subscribed => subscriptions.contains(name),
        NotifySelector::Subtree(roots) => roots.iter().any(|root| {
            name.strip_prefix(root.0.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(DELIMITER))
        }),
        NotifySelector::Mailboxes(names) => names.iter().any(|listed| listed.0 == name),
    }
}

/// Whether a group asks for events of the selected mailbox (§6.1).
pub(super) fn watches_selected(groups: &[NotifyGroup]) -> bool {
    groups.iter().any(|group| {
        matches!(
            group.selector,
            NotifySelector::Selected | NotifySelector::SelectedDelayed
        ) && !group.events.is_empty()
    })
}

/// Whether a group asks for events of mailboxes other than the selected
/// one; without one a wakeup needs no snapshot.
pub(super) fn watches_other_mailboxes(groups: &[NotifyGroup]) -> bool {
    groups.iter().any(|group| {
        !matches!(
            group.selector,
            NotifySelector::Selected | NotifySelector::SelectedDelayed
        ) && !group.events.is_empty()
    })
}

/// Whether the subscriptions matter: a `SUBSCRIBED` filter or a
/// SubscriptionChange event.
pub(super) fn needs_subscriptions(groups: &[NotifyGroup]) -> bool {
    groups.iter().any(|group| {
        group.selector == NotifySelector::Subscribed
            || group.events.contains(&NotifyEvent::SubscriptionChange)
    })
}

/// Whether `events` include one of the message events a STATUS reports.
pub(super) fn has_message_events(events: &[NotifyEvent]) -> bool {
    !status_items(events).is_empty()
}

/// The STATUS items that describe `events` for a non-selected mailbox
/// (RFC 5465 §5.2-5.4): new messages move MESSAGES and UIDNEXT, expunges
/// MESSAGES, flag changes HIGHESTMODSEQ and UNSEEN; UIDVALIDITY says
/// whether the client's cached UIDs still hold.
pub(super) fn status_items(events: &[NotifyEvent]) -> Vec<StatusItem> {
    let has = |wanted: fn(&NotifyEvent) -> bool| events.iter().any(wanted);
    let new = has(|event| matches!(event, NotifyEvent::MessageNew(_)));
    let expunge = has(|event| matches!(event, NotifyEvent::MessageExpunge));
    let flags = has(|event| matches!(event, NotifyEvent::FlagChange));
    let mut items = Vec::new();
    if new || expunge {
        items.push(StatusItem::Messages);
    }
    if new {
        items.push(StatusItem::UidNext);
    }
    if new || flags {
        items.push(StatusItem::UidValidity);
    }
    if flags {
        items.extend([StatusItem::Unseen, StatusItem::HighestModSeq]);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::MailboxName;

    fn group(selector: NotifySelector, events: Vec<NotifyEvent>) -> NotifyGroup {
        NotifyGroup { selector, events }
    }

    #[test]
    fn subtree_covers_the_root_and_its_children_only() {
        let groups = [group(
            NotifySelector::Subtree(vec![MailboxName("Lists".into())]),
            vec![NotifyEvent::MessageNew(Vec::new())],
        )];
        let none = BTreeSet::new();
        assert!(events_for(&groups, "Lists", &none).is_some());
        assert!(events_for(&groups, "Lists/rust", &none).is_some());
        assert!(events_for(&groups, "Listserv", &none).is_none());
        assert!(events_for(&groups, "INBOX", &none).is_none());
    }

    #[test]
    fn first_matching_group_decides() {
        let groups = [
            group(
                NotifySelector::Mailboxes(vec![MailboxName("misc".into())]),
                Vec::new(),
            ),
            group(NotifySelector::Personal, vec![NotifyEvent::MailboxName]),
        ];
        let none = BTreeSet::new();
        assert_eq!(events_for(&groups, "misc", &none), Some(&[][..]));
        assert_eq!(
            events_for(&groups, "other", &none),
            Some(&[NotifyEvent::MailboxName][..])
        );
    }

    #[test]
    fn subscribed_and_inboxes() {
        let groups = [
            group(NotifySelector::Inboxes, vec![NotifyEvent::MessageExpunge]),
            group(NotifySelector::Subscribed, vec![NotifyEvent::FlagChange]),
        ];
        let subscriptions = BTreeSet::from(["news".to_owned()]);
        assert_eq!(
            events_for(&groups, "INBOX", &subscriptions),
            Some(&[NotifyEvent::MessageExpunge][..])
        );
        assert!(events_for(&groups, "news", &subscriptions).is_some());
        assert!(events_for(&groups, "old", &subscriptions).is_none());
        assert!(!watches_selected(&groups));
        assert!(watches_other_mailboxes(&groups));
        assert!(needs_subscriptions(&groups));
        let selected_only = [group(
            NotifySelector::Selected,
            vec![
                NotifyEvent::MessageNew(Vec::new()),
                NotifyEvent::MessageExpunge,
            ],
        )];
        assert!(watches_selected(&selected_only));
        assert!(!watches_other_mailboxes(&selected_only));
        assert!(!needs_subscriptions(&selected_only));
    }

    /// The items imaptest's `notify` script expects for each event.
    #[test]
    fn status_items_follow_the_events() {
        use StatusItem as S;
        assert_eq!(status_items(&[NotifyEvent::MessageExpunge]), [S::Messages]);
        assert_eq!(
            status_items(&[NotifyEvent::MessageNew(Vec::new())]),
            [S::Messages, S::UidNext, S::UidValidity]
        );
        assert_eq!(
            status_items(&[NotifyEvent::FlagChange]),
            [S::UidValidity, S::Unseen, S::HighestModSeq]
        );
        assert!(!has_message_events(&[NotifyEvent::MailboxName]));
    }
}
