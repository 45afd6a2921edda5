//! Mailbox management in the Authenticated state: CREATE, DELETE, RENAME,
//! SUBSCRIBE, UNSUBSCRIBE (RFC 3501 §6.3.3-7), LIST and LSUB (§6.3.8-9,
//! with CHILDREN RFC 3348 and SPECIAL-USE RFC 6154 attributes), NAMESPACE
//! (RFC 2342) and STATUS (§6.3.10). Names are UTF-8 with `/` as the
//! hierarchy delimiter inside, modified UTF-7 on the wire (`Line::mailbox`).
//! A hierarchy level that is not itself listed (an unsubscribed parent in
//! LSUB) is answered with `\Noselect` only when `%` stops at it.

use std::collections::BTreeMap;
use std::io;

use mailkeep_common::ErrorCode;

use super::select::mailbox_id_code;
use super::state::Transition;
use super::{CommandContext, Completion, Reply, Selected};
use crate::backend::MailboxStatus;
use crate::command::{MailboxName, StatusItem};
use crate::response::Line;

pub(super) const DELIMITER: char = '/';
pub(super) const INBOX: &str = "INBOX";

/// A name the store can hold: non-empty, no empty level, no control chars.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split(DELIMITER).all(|level| !level.is_empty())
        && !name.chars().any(char::is_control)
}

fn invalid_name() -> Completion {
    Completion::no(Some("CANNOT"), "invalid mailbox name")
}

/// CREATE (RFC 3501 §6.3.3): a trailing delimiter only declares intent.
pub(crate) async fn create(ctx: &mut CommandContext<'_>, name: &MailboxName) -> Completion {
    create_with_use(ctx, name, None).await
}

/// CREATE, optionally with the one special use CREATE-SPECIAL-USE checked.
pub(super) async fn create_with_use(
    ctx: &mut CommandContext<'_>,
    name: &MailboxName,
    special_use: Option<&str>,
) -> Completion {
    let name = name.0.trim_end_matches(DELIMITER);
    if name.eq_ignore_ascii_case(INBOX) {
        return Completion::no(Some("ALREADYEXISTS"), "INBOX always exists");
    }
    if !is_valid_name(name) {
        return invalid_name();
    }
    match ctx
        .backend
        .create_mailbox(ctx.principal, name, special_use)
        .await
    {
        // RFC 8474 §4: the new mailbox's id in the tagged OK.
        Ok(created) => Completion::ok_with(mailbox_id_code(created.id), "CREATE completed"),
        Err(error) => Completion::from_backend(&error),
    }
}

/// DELETE (RFC 3501 §6.3.4). Deleting the selected mailbox deselects it.
pub(crate) async fn delete(
    ctx: &mut CommandContext<'_>,
    selected: Option<&Selected>,
    name: &MailboxName,
) -> Reply {
    if name.0 == INBOX {
        return Completion::no(Some("CANNOT"), "INBOX cannot be deleted").into();
    }
    match ctx.backend.delete_mailbox(ctx.principal, &name.0).await {
        Ok(()) => {
            let was_selected = selected.is_some_and(|selected| selected.mailbox.name == name.0);
            Reply {
                completion: Completion::ok("DELETE completed"),
                transition: if was_selected {
                    Transition::Unselect
                } else {
                    Transition::None
                },
            }
        }
        Err(error) if error.code == ErrorCode::Conflict => {
            Completion::no(Some("HASCHILDREN"), "mailbox has children").into()
        }
        Err(error) => Completion::from_backend(&error).into(),
    }
}

/// RENAME (RFC 3501 §6.3.5), children included; the selected mailbox keeps
/// its id, so only its name follows.
pub(crate) async fn rename(
    ctx: &mut CommandContext<'_>,
    selected: Option<&mut Selected>,
    from: &MailboxName,
    to: &MailboxName,
) -> Completion {
    let target = to.0.trim_end_matches(DELIMITER);
    if !is_valid_name(target) {
        return invalid_name();
    }
    if let Err(error) = ctx
        .backend
        .rename_mailbox(ctx.principal, &from.0, target)
        .await
    {
        return Completion::from_backend(&error);
    }
    if let Some(selected) = selected.filter(|_| from.0 != INBOX)
        && let Some(rest) = selected.mailbox.name.strip_prefix(from.0.as_str())
        && (rest.is_empty() || rest.starts_with(DELIMITER))
    {
        selected.mailbox.name = format!("{target}{rest}");
    }
    Completion::ok("RENAME completed")
}

/// SUBSCRIBE / UNSUBSCRIBE (RFC 3501 §6.3.6-7).
pub(crate) async fn subscribe(
    ctx: &mut CommandContext<'_>,
    name: &MailboxName,
    subscribed: bool,
) -> Completion {
    match ctx
        .backend
        .set_subscription(ctx.principal, &name.0, subscribed)
        .await
    {
        Ok(()) if subscribed => Completion::ok("SUBSCRIBE completed"),
        Ok(()) => Completion::ok("UNSUBSCRIBE completed"),
        Err(error) => Completion::from_backend(&error),
    }
}

/// One name of the hierarchy: listed (it exists, or is subscribed for LSUB)
/// or only implied by a descendant.
#[derive(Debug, Default)]
struct Node {
    listed: bool,
    special_use: Option<String>,
}

/// `pattern` matches `name` with `*` (anything) and `%` (anything but the
/// delimiter), RFC 3501 §6.3.8.
pub(super) fn wildcard_match(pattern: &str, name: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    // reachable[i]: the pattern so far matches exactly name[..i].
    let mut reachable = vec![false; name.len() + 1];
    reachable[0] = true;
    for wanted in pattern.chars() {
        let mut next = vec![false; name.len() + 1];
        match wanted {
            '*' | '%' => {
                let mut open = false;
                for (index, slot) in next.iter_mut().enumerate() {
                    let crossed_delimiter = index > 0 && name[index - 1] == DELIMITER;
                    if wanted == '%' && crossed_delimiter {
                        open = false;
                    }
                    open |= reachable[index];
                    *slot = open;
                }
            }
            literal => {
                for (index, &found) in name.iter().enumerate() {
                    next[index + 1] = reachable[index] && found == literal;
                }
            }
        }
        reachable = next;
    }
    reachable[name.len()]
}

/// INBOX is case-insensitive (RFC 3501 §5.1), also as a pattern's first level.
pub(super) fn normalize_inbox(pattern: &str) -> String {
    match pattern.get(..INBOX.len()) {
        Some(head)
            if head.eq_ignore_ascii_case(INBOX)
                && matches!(pattern[INBOX.len()..].chars().next(), None | Some('/')) =>
        {
            format!("{INBOX}{}", &pattern[INBOX.len()..])
        }
        _ => pattern.to_owned(),
    }
}

/// Every listed name plus the parents it implies.
fn hierarchy(listed: impl IntoIterator<Item = (String, Option<String>)>) -> BTreeMap<String, Node> {
    let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
    for (name, special_use) in listed {
        for (index, _) in name.match_indices(DELIMITER) {
            nodes.entry(name[..index].to_owned()).or_default();
        }
        let node = nodes.entry(name).or_default();
        node.listed = true;
        node.special_use = special_use;
    }
    nodes
}

/// RFC 3501 §6.3.8: `LIST reference ""` answers the hierarchy delimiter and
/// the reference's root.
pub(super) fn delimiter_line(reference: &MailboxName, utf8_names: bool) -> Vec<u8> {
    let root = match reference.0.find(DELIMITER) {
        Some(index) => &reference.0[..=index],
        None => "",
    };
    let mut line = Line::untagged();
    line.atom("LIST").open().atom("\\Noselect").close();
    line.string(b"/").mailbox(root, utf8_names);
    line.finish()
}

/// LIST or LSUB with a reference and a pattern.
pub(crate) async fn list(
    ctx: &mut CommandContext<'_>,
    reference: &MailboxName,
    pattern: &str,
    lsub: bool,
) -> io::Result<Completion> {
    let command = if lsub { "LSUB" } else { "LIST" };
    if pattern.is_empty() && !lsub {
        let line = delimiter_line(reference, ctx.enabled.utf8_names());
        ctx.out.send(&line).await?;
        return Ok(Completion::ok("LIST completed"));
    }
    let listed: Vec<(String, Option<String>)> = if lsub {
        match ctx.backend.list_subscriptions(ctx.principal).await {
            Ok(names) => names.into_iter().map(|name| (name, None)).collect(),
            Err(error) => return Ok(Completion::from_backend(&error)),
        }
    } else {
        match ctx.backend.list_mailboxes(ctx.principal).await {
            Ok(mailboxes) => mailboxes
                .into_iter()
                .map(|mailbox| (mailbox.name, mailbox.special_use))
                .collect(),
            Err(error) => return Ok(Completion::from_backend(&error)),
        }
    };
    let pattern = normalize_inbox(&format!("{}{pattern}", reference.0));
    let nodes = hierarchy(listed);
    let inbox_first = nodes
        .iter()
        .filter(|(name, _)| name.as_str() == INBOX)
        .chain(nodes.iter().filter(|(name, _)| name.as_str() != INBOX));
    let mut response = Vec::new();
    for (name, node) in inbox_first {
        if !wildcard_match(&pattern, name) {
            continue;
        }
        let prefix = format!("{name}{DELIMITER}");
        let mut descendants = nodes
            .range(prefix.clone()..)
            .take_while(|(child, _)| child.starts_with(&prefix));
        let mut attributes: Vec<&str> = Vec::new();
        if node.listed {
            if !lsub {
                let has_children = descendants.next().is_some();
                attributes.push(if has_children {
                    "\\HasChildren"
                } else {
                    "\\HasNoChildren"
                });
            }
        } else {
            // Only where `%` stopped above a listed descendant (§6.3.9).
            let hidden =
                descendants.any(|(child, found)| found.listed && !wildcard_match(&pattern, child));
            if !hidden {
                continue;
            }
            attributes.push("\\Noselect");
            if !lsub {
                attributes.push("\\HasChildren");
            }
        }
        attributes.extend(node.special_use.as_deref());
        let mut line = Line::untagged();
        line.atom(command).open();
        for attribute in attributes {
            line.atom(attribute);
        }
        line.close()
            .string(b"/")
            .mailbox(name, ctx.enabled.utf8_names());
        response.extend(line.finish());
    }
    ctx.out.send(&response).await?;
    Ok(Completion::ok(format!("{command} completed")))
}

/// NAMESPACE (RFC 2342 §5): one personal namespace, no others.
pub(crate) async fn namespace(ctx: &mut CommandContext<'_>) -> io::Result<Completion> {
    ctx.out
        .send(b"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n")
        .await?;
    Ok(Completion::ok("NAMESPACE completed"))
}

/// STATUS (RFC 3501 §6.3.10), items answered in the order asked.
pub(crate) async fn status(
    ctx: &mut CommandContext<'_>,
    mailbox: &MailboxName,
    items: &[StatusItem],
) -> io::Result<Completion> {
    let status = match ctx.backend.mailbox_status(ctx.principal, &mailbox.0).await {
        Ok(status) => status,
        Err(error) => return Ok(Completion::from_backend(&error)),
    };
    let line = status_line(
        &mailbox.0,
        items,
        &status,
        ctx.config.max_literal_bytes,
        ctx.enabled.utf8_names(),
    );
    ctx.out.send(&line).await?;
    Ok(Completion::ok("STATUS completed"))
}

/// `* STATUS name (item value ...)`, items in the order asked; LIST-STATUS
/// (RFC 5819) sends the same line after a mailbox's LIST answer.
pub(super) fn status_line(
    mailbox: &str,
    items: &[StatusItem],
    status: &MailboxStatus,
    append_limit: u64,
    utf8_names: bool,
) -> Vec<u8> {
    let mut line = Line::untagged();
    line.atom("STATUS").mailbox(mailbox, utf8_names).open();
    for item in items {
        let (name, value) = match item {
            StatusItem::Messages => ("MESSAGES", u64::from(status.messages)),
            StatusItem::Recent => ("RECENT", u64::from(status.recent)),
            StatusItem::UidNext => ("UIDNEXT", u64::from(status.mailbox.uid_next)),
            StatusItem::UidValidity => ("UIDVALIDITY", u64::from(status.mailbox.uidvalidity)),
            StatusItem::Unseen => ("UNSEEN", u64::from(status.unseen)),
            StatusItem::HighestModSeq => ("HIGHESTMODSEQ", status.mailbox.highest_modseq.get()),
            StatusItem::Size => ("SIZE", status.size),
            // RFC 8474 §4: the only non-numeric item.
            StatusItem::MailboxId => {
                line.atom("MAILBOXID")
                    .open()
                    .atom(&status.mailbox.id.to_string())
                    .close();
                continue;
            }
            StatusItem::Deleted => ("DELETED", u64::from(status.deleted)),
            // RFC 9208: in units of 1024 octets, like the STORAGE resource.
            StatusItem::DeletedStorage => ("DELETED-STORAGE", status.deleted_size.div_ceil(1024)),
            StatusItem::AppendLimit => ("APPENDLIMIT", append_limit),
        };
        line.atom(name).number(value);
    }
    line.close();
    line.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_rfc3501() {
        assert!(wildcard_match("*", "a/b/c"));
        assert!(wildcard_match("%", "abc"));
        assert!(!wildcard_match("%", "a/b"));
        assert!(wildcard_match("a/%", "a/b"));
        assert!(!wildcard_match("a/%", "a/b/c"));
        assert!(wildcard_match("a/*", "a/b/c"));
        assert!(wildcard_match("a*c", "abc"));
        assert!(wildcard_match("a%c", "abbc"));
        assert!(!wildcard_match("a%c", "a/c"));
        assert!(wildcard_match("%/%", "Ünï/台北"));
        assert!(wildcard_match("", ""));
        assert!(!wildcard_match("", "a"));
        assert!(!wildcard_match("Sent", "Sent Items"));
    }

    #[test]
    fn inbox_patterns_are_case_insensitive() {
        assert_eq!(normalize_inbox("inbox"), "INBOX");
        assert_eq!(normalize_inbox("Inbox/%"), "INBOX/%");
        assert_eq!(normalize_inbox("inboxes"), "inboxes");
        assert_eq!(normalize_inbox("in"), "in");
    }

    #[test]
    fn names_are_validated_and_parents_implied() {
        assert!(is_valid_name("a/b"));
        assert!(!is_valid_name(""));
        assert!(!is_valid_name("a//b"));
        assert!(!is_valid_name("/a"));
        assert!(!is_valid_name("a\u{7}"));
        let nodes = hierarchy([("a/b/c".to_owned(), None), ("a".to_owned(), None)]);
        let listed: Vec<(&str, bool)> = nodes
            .iter()
            .map(|(name, node)| (name.as_str(), node.listed))
            .collect();
        assert_eq!(listed, vec![("a", true), ("a/b", false), ("a/b/c", true)]);
    }
}
