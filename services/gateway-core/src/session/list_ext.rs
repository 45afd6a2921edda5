//! Extended LIST (RFC 5258): selection options SUBSCRIBED, REMOTE (no
//! remote mailboxes exist, so it changes nothing), RECURSIVEMATCH and
//! SPECIAL-USE (RFC 6154 §3), return options SUBSCRIBED, CHILDREN and
//! SPECIAL-USE, several patterns, `\NonExistent`, `\Subscribed` and the
//! CHILDINFO extended data item; and LIST-STATUS (RFC 5819), whose STATUS
//! answers come from one batched backend call for every listed mailbox.
//!
//! Invariants: a name is listed at most once, however many patterns match
//! it; children attributes describe existing mailboxes, whatever the
//! selection; a `\NonExistent` name never gets a STATUS answer.

use std::collections::{BTreeMap, HashMap};
use std::io;

use super::mailboxes::{DELIMITER, INBOX, normalize_inbox, status_line, wildcard_match};
use super::{CommandContext, Completion};
use crate::backend::MailboxStatus;
use crate::command::{ListArgs, ListSelection};
use crate::response::Line;

/// What the account knows about one name of the hierarchy.
#[derive(Debug, Default, Clone)]
struct Entry {
    exists: bool,
    subscribed: bool,
    special_use: Option<String>,
}

/// One `* LIST` answer before it is written.
#[derive(Debug)]
struct Listed<'a> {
    name: &'a str,
    attributes: Vec<&'a str>,
    /// The selection options some unlisted descendant satisfies (CHILDINFO).
    child_info: Vec<&'static str>,
}

/// Every existing and subscribed name, plus the parents they imply.
fn entries(
    mailboxes: impl IntoIterator<Item = (String, Option<String>)>,
    subscriptions: impl IntoIterator<Item = String>,
) -> BTreeMap<String, Entry> {
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let add_parents = |entries: &mut BTreeMap<String, Entry>, name: &str| {
        for (index, _) in name.match_indices(DELIMITER) {
            entries.entry(name[..index].to_owned()).or_default();
        }
    };
    for (name, special_use) in mailboxes {
        add_parents(&mut entries, &name);
        let entry = entries.entry(name).or_default();
        entry.exists = true;
        entry.special_use = special_use;
    }
    for name in subscriptions {
        add_parents(&mut entries, &name);
        entries.entry(name).or_default().subscribed = true;
    }
    entries
}

/// Whether `entry` satisfies every selection option given (RFC 5258 §3;
/// without options, every existing mailbox does).
fn satisfies(selection: ListSelection, entry: &Entry) -> bool {
    let base = selection.subscribed || selection.special_use;
    (!selection.subscribed || entry.subscribed)
        && (!selection.special_use || (entry.exists && entry.special_use.is_some()))
        && (base || entry.exists)
}

/// The answers, INBOX first and then in name order.
fn listing<'a>(
    args: &ListArgs,
    patterns: &[String],
    entries: &'a BTreeMap<String, Entry>,
) -> Vec<Listed<'a>> {
    let matches = |name: &str| patterns.iter().any(|pattern| wildcard_match(pattern, name));
    let selection = args.selection;
    let show_subscribed = selection.subscribed || args.returns.subscribed;
    let inbox_first = entries
        .iter()
        .filter(|(name, _)| name.as_str() == INBOX)
        .chain(entries.iter().filter(|(name, _)| name.as_str() != INBOX));
    let mut listed = Vec::new();
    for (name, entry) in inbox_first {
        if !matches(name) {
            continue;
        }
        let prefix = format!("{name}{DELIMITER}");
        let descendants = || {
            entries
                .range(prefix.clone()..)
                .take_while(|(child, _)| child.starts_with(&prefix))
        };
        // RFC 5258 §3.5: CHILDINFO names a descendant the patterns missed.
        let child_info = selection.recursive_match
            && descendants().any(|(child, found)| satisfies(selection, found) && !matches(child));
        let hidden_parent = !entry.exists
            && selection == ListSelection::default()
            && descendants().any(|(child, found)| found.exists && !matches(child));
        if !(satisfies(selection, entry) || child_info || hidden_parent) {
            continue;
        }
        let mut attributes = Vec::new();
        if !entry.exists {
            attributes.push("\\NonExistent");
        }
        if descendants().any(|(_, found)| found.exists) {
            attributes.push("\\HasChildren");
        } else if entry.exists {
            attributes.push("\\HasNoChildren");
        }
        if show_subscribed && entry.subscribed {
            attributes.push("\\Subscribed");
        }
        attributes.extend(entry.special_use.as_deref().filter(|_| entry.exists));
        let mut info = Vec::new();
        if child_info && selection.subscribed {
            info.push("SUBSCRIBED");
        }
        if child_info && selection.special_use {
            info.push("SPECIAL-USE");
        }
        listed.push(Listed {
            name,
            attributes,
            child_info: info,
        });
    }
    listed
}

fn list_line(listed: &Listed<'_>, utf8_names: bool) -> Vec<u8> {
    let mut line = Line::untagged();
    line.atom("LIST").open();
    for attribute in &listed.attributes {
        line.atom(attribute);
    }
    line.close().string(b"/").mailbox(listed.name, utf8_names);
    if !listed.child_info.is_empty() {
        line.open().string(b"CHILDINFO").open();
        for option in &listed.child_info {
            line.string(option.as_bytes());
        }
        line.close().close();
    }
    line.finish()
}

/// LIST with RFC 5258 options, several patterns or RETURN options.
pub(crate) async fn list_extended(
    ctx: &mut CommandContext<'_>,
    args: &ListArgs,
) -> io::Result<Completion> {
    // RFC 5258 §3: an extended LIST "MUST NOT treat the empty mailbox name
    // as such a special request" (for the delimiter); it is ignored.
    let patterns: Vec<String> = args
        .patterns
        .iter()
        .filter(|pattern| !pattern.is_empty())
        .map(|pattern| normalize_inbox(&format!("{}{pattern}", args.reference.0)))
        .collect();
    if patterns.is_empty() {
        return Ok(Completion::ok("LIST completed"));
    }
    let mailboxes = match ctx.backend.list_mailboxes(ctx.principal).await {
        Ok(mailboxes) => mailboxes,
        Err(error) => return Ok(Completion::from_backend(&error)),
    };
    let subscriptions = if args.selection.subscribed || args.returns.subscribed {
        match ctx.backend.list_subscriptions(ctx.principal).await {
            Ok(names) => names,
            Err(error) => return Ok(Completion::from_backend(&error)),
        }
    } else {
        Vec::new()
    };
    let entries = entries(
        mailboxes
            .into_iter()
            .map(|mailbox| (mailbox.name, mailbox.special_use)),
        subscriptions,
    );
    let listed = listing(args, &patterns, &entries);
    let statuses = match &args.returns.status {
        Some(_) => match batched_statuses(ctx, args.selection, &listed, &entries).await {
            Ok(statuses) => statuses,
            Err(completion) => return Ok(completion),
        },
        None => HashMap::new(),
    };
    let utf8_names = ctx.enabled.utf8_names();
    let mut response = Vec::new();
    for answer in &listed {
        response.extend(list_line(answer, utf8_names));
        if let (Some(items), Some(status)) = (&args.returns.status, statuses.get(answer.name)) {
            let append_limit = ctx.config.max_literal_bytes;
            let line = status_line(answer.name, items, status, append_limit, utf8_names);
            response.extend(line);
        }
    }
    ctx.out.send(&response).await?;
    Ok(Completion::ok("LIST completed"))
}

/// RFC 5819 §2: one backend call for the STATUS of every listed mailbox
/// that exists and itself satisfies the selection options (a parent listed
/// only for its CHILDINFO gets none, RFC 5819 §3).
async fn batched_statuses(
    ctx: &mut CommandContext<'_>,
    selection: ListSelection,
    listed: &[Listed<'_>],
    entries: &BTreeMap<String, Entry>,
) -> Result<HashMap<String, MailboxStatus>, Completion> {
    let names: Vec<String> = listed
        .iter()
        .filter(|answer| {
            entries
                .get(answer.name)
                .is_some_and(|entry| entry.exists && satisfies(selection, entry))
        })
        .map(|answer| answer.name.to_owned())
        .collect();
    if names.is_empty() {
        return Ok(HashMap::new());
    }
    let statuses = ctx
        .backend
        .mailbox_statuses(ctx.principal, &names)
        .await
        .map_err(|error| Completion::from_backend(&error))?;
    Ok(statuses
        .into_iter()
        .map(|status| (status.mailbox.name.clone(), status))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(listed: &[Listed<'_>]) -> Vec<String> {
        listed
            .iter()
            .map(|answer| String::from_utf8(list_line(answer, false)).unwrap())
            .collect()
    }

    /// The hierarchy of RFC 5258 §5 examples 5-7: Fruit, Fruit/Apple,
    /// Fruit/Banana, Vegetable with children; some subscriptions.
    fn rfc_entries() -> BTreeMap<String, Entry> {
        let existing = [
            "INBOX",
            "Fruit",
            "Fruit/Apple",
            "Fruit/Banana",
            "Tofu",
            "Vegetable",
            "Vegetable/Broccoli",
            "Vegetable/Corn",
        ];
        entries(
            existing.map(|name| (name.to_owned(), None)),
            [
                "INBOX",
                "Fruit/Banana",
                "Fruit/Peach",
                "Vegetable",
                "Vegetable/Broccoli",
            ]
            .map(str::to_owned),
        )
    }

    fn args(selection: ListSelection) -> ListArgs {
        ListArgs {
            selection,
            reference: crate::command::MailboxName(String::new()),
            patterns: Vec::new(),
            returns: crate::command::ListReturn::default(),
        }
    }

    #[test]
    fn subscribed_selection_marks_nonexistent_names() {
        // RFC 5258 §5 example 5.
        let entries = rfc_entries();
        let subscribed = ListSelection {
            subscribed: true,
            ..ListSelection::default()
        };
        let listed = listing(&args(subscribed), &["*".to_owned()], &entries);
        assert_eq!(
            names(&listed),
            vec![
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Banana\r\n",
                "* LIST (\\NonExistent \\Subscribed) \"/\" Fruit/Peach\r\n",
                "* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable\r\n",
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" Vegetable/Broccoli\r\n",
            ]
        );
    }

    #[test]
    fn recursive_match_adds_childinfo_for_missed_descendants() {
        // RFC 5258 §5 example 6 (CHILDREN attributes always sent).
        let entries = rfc_entries();
        let selection = ListSelection {
            subscribed: true,
            recursive_match: true,
            ..ListSelection::default()
        };
        let listed = listing(&args(selection), &["%".to_owned()], &entries);
        assert_eq!(
            names(&listed),
            vec![
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n",
                "* LIST (\\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
                "* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n",
            ]
        );
        // A descendant that matches a pattern itself earns no CHILDINFO.
        let listed = listing(
            &args(selection),
            &["Fruit".to_owned(), "Fruit/*".to_owned()],
            &entries,
        );
        assert_eq!(
            names(&listed),
            vec![
                "* LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Banana\r\n",
                "* LIST (\\NonExistent \\Subscribed) \"/\" Fruit/Peach\r\n",
            ]
        );
    }

    #[test]
    fn plain_selection_lists_existing_mailboxes_once() {
        let entries = rfc_entries();
        let listed = listing(
            &args(ListSelection::default()),
            &["Fruit/*".to_owned(), "*/Apple".to_owned()],
            &entries,
        );
        assert_eq!(
            names(&listed),
            vec![
                "* LIST (\\HasNoChildren) \"/\" Fruit/Apple\r\n",
                "* LIST (\\HasNoChildren) \"/\" Fruit/Banana\r\n",
            ]
        );
        // A parent that does not exist shows where `%` stopped.
        let entries = entries_of(&["a/b/c"]);
        let listed = listing(&args(ListSelection::default()), &["%".to_owned()], &entries);
        assert_eq!(
            names(&listed),
            vec!["* LIST (\\NonExistent \\HasChildren) \"/\" a\r\n"]
        );
    }

    fn entries_of(existing: &[&str]) -> BTreeMap<String, Entry> {
        entries(
            existing.iter().map(|name| ((*name).to_owned(), None)),
            Vec::new(),
        )
    }

    #[test]
    fn special_use_selection() {
        // RFC 6154 §5.1 (selection) on a small hierarchy.
        let entries = entries(
            [
                ("INBOX".to_owned(), None),
                ("Sent".to_owned(), Some("\\Sent".to_owned())),
                ("Work".to_owned(), None),
            ],
            Vec::new(),
        );
        let selection = ListSelection {
            special_use: true,
            ..ListSelection::default()
        };
        let listed = listing(&args(selection), &["*".to_owned()], &entries);
        assert_eq!(
            names(&listed),
            vec!["* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"]
        );
    }
}
