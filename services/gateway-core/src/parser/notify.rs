//! NOTIFY (RFC 5465 §8): `NOTIFY NONE` and
//! `NOTIFY SET [SP "STATUS"] SP event-group *(SP event-group)`.
//! Event names the server does not serve still parse (as
//! [`NotifyEvent::Other`]) so the session can answer `[BADEVENT]`.

use super::ParseErrorKind;
use super::cursor::{Cursor, syntax};
use super::fetch::fetch_attribute;
use crate::command::{
    CommandBody, MailboxName, NotifyEvent, NotifyGroup, NotifyRequest, NotifySelector,
};

/// More event groups than this is not a real client (RFC 5465 defines seven selectors).
const MAX_GROUPS: usize = 64;
/// Bound on the mailbox names of one `SUBTREE`/`MAILBOXES` selector.
const MAX_SELECTOR_MAILBOXES: usize = 1000;

/// `notify = "NOTIFY" SP (notify-set / notify-none)`.
pub(super) fn notify(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    cursor.sp()?;
    if cursor.eat_keyword("NONE") {
        return Ok(CommandBody::Notify(NotifyRequest::None));
    }
    if !cursor.eat_keyword("SET") {
        return Err(syntax("expected SET or NONE"));
    }
    cursor.sp()?;
    // `notify-set = "SET" [status-indicator] SP event-groups`, with
    // `status-indicator = SP "STATUS"`.
    let status = cursor.eat_keyword("STATUS");
    if status {
        cursor.sp()?;
    }
    let mut groups = vec![event_group(cursor)?];
    while cursor.eat(b' ') {
        if groups.len() == MAX_GROUPS {
            return Err(syntax("too many event groups"));
        }
        groups.push(event_group(cursor)?);
    }
    Ok(CommandBody::Notify(NotifyRequest::Set { status, groups }))
}

/// `event-group = "(" filter-mailboxes SP events ")"`.
fn event_group(cursor: &mut Cursor<'_>) -> Result<NotifyGroup, ParseErrorKind> {
    cursor.expect(b'(', "'(' opening an event group")?;
    let selector = selector(cursor)?;
    cursor.sp()?;
    let events = events(cursor)?;
    cursor.expect(b')', "')' closing the event group")?;
    Ok(NotifyGroup { selector, events })
}

/// `filter-mailboxes` (RFC 5465 §6).
fn selector(cursor: &mut Cursor<'_>) -> Result<NotifySelector, ParseErrorKind> {
    let name = cursor.atom()?.to_ascii_uppercase();
    Ok(match name.as_str() {
        "SELECTED" => NotifySelector::Selected,
        "SELECTED-DELAYED" => NotifySelector::SelectedDelayed,
        "INBOXES" => NotifySelector::Inboxes,
        "PERSONAL" => NotifySelector::Personal,
        "SUBSCRIBED" => NotifySelector::Subscribed,
        "SUBTREE" => NotifySelector::Subtree(one_or_more_mailboxes(cursor)?),
        "MAILBOXES" => NotifySelector::Mailboxes(one_or_more_mailboxes(cursor)?),
        _ => return Err(syntax("unknown mailbox filter")),
    })
}

/// `SP one-or-more-mailbox`: a mailbox or a parenthesized list of them.
fn one_or_more_mailboxes(cursor: &mut Cursor<'_>) -> Result<Vec<MailboxName>, ParseErrorKind> {
    cursor.sp()?;
    if !cursor.eat(b'(') {
        return Ok(vec![cursor.mailbox()?]);
    }
    let mut mailboxes = vec![cursor.mailbox()?];
    while !cursor.eat(b')') {
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the mailboxes"))?;
        if mailboxes.len() == MAX_SELECTOR_MAILBOXES {
            return Err(syntax("too many mailboxes in one filter"));
        }
        mailboxes.push(cursor.mailbox()?);
    }
    Ok(mailboxes)
}

/// `events = ( "(" event *(SP event) ")" ) / "NONE"`.
fn events(cursor: &mut Cursor<'_>) -> Result<Vec<NotifyEvent>, ParseErrorKind> {
    if cursor.eat_keyword("NONE") {
        return Ok(Vec::new());
    }
    cursor.expect(b'(', "'(' opening the events")?;
    let mut events = vec![event(cursor)?];
    while !cursor.eat(b')') {
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the events"))?;
        if events.len() == MAX_GROUPS {
            return Err(syntax("too many events"));
        }
        events.push(event(cursor)?);
    }
    Ok(events)
}

/// `event = message-event / mailbox-event / user-event / event-ext`.
fn event(cursor: &mut Cursor<'_>) -> Result<NotifyEvent, ParseErrorKind> {
    let name = cursor.atom()?.to_ascii_uppercase();
    Ok(match name.as_str() {
        "MESSAGENEW" => {
            // `"MessageNew" [SP "(" fetch-att *(SP fetch-att) ")"]`.
            let mut attributes = Vec::new();
            if cursor.eat_prefix(" (") {
                attributes.push(fetch_attribute(cursor)?);
                while !cursor.eat(b')') {
                    cursor
                        .sp()
                        .map_err(|_| syntax("expected ')' closing the fetch attributes"))?;
                    attributes.push(fetch_attribute(cursor)?);
                }
            }
            NotifyEvent::MessageNew(attributes)
        }
        "MESSAGEEXPUNGE" => NotifyEvent::MessageExpunge,
        "FLAGCHANGE" => NotifyEvent::FlagChange,
        "MAILBOXNAME" => NotifyEvent::MailboxName,
        "SUBSCRIPTIONCHANGE" => NotifyEvent::SubscriptionChange,
        "MAILBOXMETADATACHANGE" => NotifyEvent::MailboxMetadataChange,
        "SERVERMETADATACHANGE" => NotifyEvent::ServerMetadataChange,
        _ => NotifyEvent::Other(name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::FetchAttribute;
    use crate::parser::test_support::{body, kind, name};

    fn set(input: &str) -> (bool, Vec<NotifyGroup>) {
        match body(input) {
            CommandBody::Notify(NotifyRequest::Set { status, groups }) => (status, groups),
            other => panic!("{input}: {other:?}"),
        }
    }

    /// RFC 5465 §3.1 example, as corrected by erratum 1804.
    #[test]
    fn rfc5465_example_parses() {
        let (status, groups) = set(
            "b notify set status (selected (MessageNew (uid body.peek[header.fields \
             (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew))\r\n",
        );
        assert!(status);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].selector, NotifySelector::Selected);
        let NotifyEvent::MessageNew(attributes) = &groups[0].events[0] else {
            panic!("{groups:?}");
        };
        assert_eq!(attributes.len(), 2);
        assert_eq!(attributes[0], FetchAttribute::Uid);
        assert_eq!(groups[0].events[1], NotifyEvent::MessageExpunge);
        assert_eq!(
            groups[1],
            NotifyGroup {
                selector: NotifySelector::Subtree(vec![name("Lists")]),
                events: vec![NotifyEvent::MessageNew(Vec::new())],
            }
        );
    }

    /// RFC 5465 §3.1 second example (erratum 1804) and §3.2 NOTIFY NONE.
    #[test]
    fn rfc5465_mailbox_lists_and_none() {
        let (status, groups) = set(
            "e notify set (selected (MessageNew MessageExpunge)) (subtree Lists \
             (MessageNew)) (mailboxes (misc \"a b\") (MessageNew))\r\n",
        );
        assert!(!status);
        assert_eq!(
            groups[2].selector,
            NotifySelector::Mailboxes(vec![name("misc"), name("a b")])
        );
        assert_eq!(
            body("m NOTIFY NONE\r\n"),
            CommandBody::Notify(NotifyRequest::None)
        );
        let (_, groups) = set("f NOTIFY SET (personal NONE) (inboxes (AnnotationChange))\r\n");
        assert!(groups[0].events.is_empty());
        assert_eq!(
            groups[1].events,
            [NotifyEvent::Other("ANNOTATIONCHANGE".into())]
        );
    }

    /// RFC 5465 §5.6/§5.7 event names, in any case (§8).
    #[test]
    fn metadata_events_parse() {
        let (_, groups) = set(
            "g NOTIFY SET (personal (mailboxMetadataChange ServerMETADATAchange)) \
             (inboxes (MailboxMetadataChange))\r\n",
        );
        assert_eq!(
            groups[0].events,
            [
                NotifyEvent::MailboxMetadataChange,
                NotifyEvent::ServerMetadataChange
            ]
        );
        assert_eq!(groups[1].events, [NotifyEvent::MailboxMetadataChange]);
    }

    #[test]
    fn malformed_commands_fail() {
        for input in [
            "a NOTIFY\r\n",
            "a NOTIFY SET\r\n",
            "a NOTIFY SET (personal)\r\n",
            "a NOTIFY SET (nowhere (MessageNew))\r\n",
            "a NOTIFY SET (personal ())\r\n",
            "a NOTIFY SET STATUS\r\n",
            "a NOTIFY SET (subtree (MessageNew))\r\n",
        ] {
            assert!(
                matches!(kind(input.as_bytes()), ParseErrorKind::Syntax(_)),
                "{input}"
            );
        }
    }
}
