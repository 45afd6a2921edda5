//! Which source folders a job imports, and where each goes. A folder from
//! the source's `LIST` is named in UTF-8 with `/` as the hierarchy
//! separator (the source's delimiter converted, modified UTF-7 decoded,
//! RFC 3501 §5.1.3); that name is what folder rules and checkpoints match.
//! The target is, in order: an explicit rule (an empty target skips the
//! folder), INBOX for INBOX, the target's folder of the source's
//! special use (RFC 6154: `\Sent`, `\Drafts`, `\Trash`, `\Junk`,
//! `\Archive`), else the same name, where [`crate::import::upload`] still
//! maps well-known client names ("Sent Items", "Spam") to the special
//! folders. Folders that cannot be selected, and the virtual `\All` and
//! `\Flagged` views (their messages live in other folders too), are
//! skipped unless a rule names them.

use mailkeep_proto::metadata::v1::FolderRule;

/// One folder as the source's `LIST` answered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFolder {
    /// The name as sent on the wire, for `EXAMINE`.
    pub wire_name: String,
    pub delimiter: Option<char>,
    /// `\Noselect` or `\NonExistent`.
    pub selectable: bool,
    /// The RFC 6154 attribute, e.g. `\Sent`.
    pub special_use: Option<&'static str>,
}

/// A folder the job looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFolder {
    pub wire_name: String,
    /// UTF-8, `/`-separated: the key of rules and checkpoints.
    pub source: String,
    /// The target folder name; `None` skips the folder.
    pub target: Option<String>,
}

/// Special uses whose folders hold no messages of their own.
const VIRTUAL_USES: [&str; 2] = ["\\All", "\\Flagged"];

/// The target name of a special use, resolved by the target to its folder
/// of that use (created with that use when missing).
fn target_of_special_use(special_use: &str) -> Option<&'static str> {
    match special_use {
        "\\Sent" => Some("Sent"),
        "\\Drafts" => Some("Drafts"),
        "\\Trash" => Some("Trash"),
        "\\Junk" => Some("Junk"),
        "\\Archive" => Some("Archive"),
        _ => None,
    }
}

/// The UTF-8, `/`-separated name of a listed folder. A name that is not
/// valid modified UTF-7 (some servers send raw UTF-8) is taken as it is.
pub fn display_name(folder: &ListedFolder) -> String {
    let decoded = mailkeep_gateway_core::mutf7::decode(&folder.wire_name)
        .unwrap_or_else(|_| folder.wire_name.clone());
    match folder.delimiter {
        Some('/') | None => decoded,
        Some(delimiter) => decoded.replace(delimiter, "/"),
    }
}

fn is_inbox(name: &str) -> bool {
    name.eq_ignore_ascii_case("INBOX")
}

fn rule_for<'a>(rules: &'a [FolderRule], source: &str) -> Option<&'a FolderRule> {
    rules.iter().find(|rule| {
        rule.source.trim_matches('/') == source || (is_inbox(&rule.source) && is_inbox(source))
    })
}

/// Where `folder` goes under `rules`.
pub fn plan_folder(folder: &ListedFolder, rules: &[FolderRule]) -> PlannedFolder {
    let source = display_name(folder);
    let target = if let Some(rule) = rule_for(rules, &source) {
        Some(rule.target.trim_matches('/').to_owned()).filter(|target| !target.is_empty())
    } else if !folder.selectable
        || folder
            .special_use
            .is_some_and(|special_use| VIRTUAL_USES.contains(&special_use))
    {
        None
    } else if is_inbox(&source) {
        Some("INBOX".to_owned())
    } else if let Some(name) = folder.special_use.and_then(target_of_special_use) {
        Some(name.to_owned())
    } else {
        Some(source.clone())
    };
    PlannedFolder {
        wire_name: folder.wire_name.clone(),
        source,
        target,
    }
}

/// Every listed folder with its target, INBOX first, then by source name.
pub fn plan(folders: &[ListedFolder], rules: &[FolderRule]) -> Vec<PlannedFolder> {
    let mut planned: Vec<PlannedFolder> = folders
        .iter()
        .map(|folder| plan_folder(folder, rules))
        .collect();
    planned
        .sort_by(|a, b| (!is_inbox(&a.source), &a.source).cmp(&(!is_inbox(&b.source), &b.source)));
    planned.dedup_by(|a, b| a.source == b.source);
    planned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(wire_name: &str, special_use: Option<&'static str>) -> ListedFolder {
        ListedFolder {
            wire_name: wire_name.to_owned(),
            delimiter: Some('/'),
            selectable: true,
            special_use,
        }
    }

    fn rule(source: &str, target: &str) -> FolderRule {
        FolderRule {
            source: source.to_owned(),
            target: target.to_owned(),
        }
    }

    fn target_of(folder: &ListedFolder, rules: &[FolderRule]) -> Option<String> {
        plan_folder(folder, rules).target
    }

    #[test]
    fn special_use_attributes_map_to_the_targets_special_folders() {
        let sent = listed("Sent Messages", Some("\\Sent"));
        assert_eq!(target_of(&sent, &[]).as_deref(), Some("Sent"));
        let junk = listed("Bulk", Some("\\Junk"));
        assert_eq!(target_of(&junk, &[]).as_deref(), Some("Junk"));
        let archive = listed("Old", Some("\\Archive"));
        assert_eq!(target_of(&archive, &[]).as_deref(), Some("Archive"));
    }

    #[test]
    fn names_without_attributes_keep_their_name_for_the_alias_lookup() {
        // "Sent Items" reaches the target as is; the target maps the alias.
        let sent_items = listed("Sent Items", None);
        assert_eq!(target_of(&sent_items, &[]).as_deref(), Some("Sent Items"));
        assert_eq!(
            target_of(&listed("inbox", None), &[]).as_deref(),
            Some("INBOX")
        );
        assert_eq!(
            target_of(&listed("Work", None), &[]).as_deref(),
            Some("Work")
        );
    }

    #[test]
    fn rules_win_over_attributes_and_an_empty_target_skips() {
        let sent = listed("Sent Messages", Some("\\Sent"));
        let rules = [rule("Sent Messages", "Old Sent"), rule("Spam", "")];
        assert_eq!(target_of(&sent, &rules).as_deref(), Some("Old Sent"));
        assert_eq!(target_of(&listed("Spam", None), &rules), None);
        let inbox_rule = [rule("INBOX", "Imported/INBOX")];
        assert_eq!(
            target_of(&listed("INBOX", None), &inbox_rule).as_deref(),
            Some("Imported/INBOX")
        );
    }

    #[test]
    fn unselectable_and_virtual_folders_are_skipped_unless_a_rule_names_them() {
        let mut parent = listed("Projects", None);
        parent.selectable = false;
        assert_eq!(target_of(&parent, &[]), None);
        let all_mail = listed("[Gmail]/All Mail", Some("\\All"));
        assert_eq!(target_of(&all_mail, &[]), None);
        let rules = [rule("[Gmail]/All Mail", "Everything")];
        assert_eq!(target_of(&all_mail, &rules).as_deref(), Some("Everything"));
    }

    #[test]
    fn the_source_delimiter_becomes_a_slash_and_names_are_decoded() {
        let dotted = ListedFolder {
            wire_name: "Projects.2026".to_owned(),
            delimiter: Some('.'),
            selectable: true,
            special_use: None,
        };
        let planned = plan_folder(&dotted, &[]);
        assert_eq!(planned.source, "Projects/2026");
        assert_eq!(planned.wire_name, "Projects.2026");
        assert_eq!(planned.target.as_deref(), Some("Projects/2026"));
        // RFC 3501 §5.1.3's example: "~peter/mail/台北/日本語".
        let utf7 = listed("~peter/mail/&U,BTFw-/&ZeVnLIqe-", None);
        assert_eq!(display_name(&utf7), "~peter/mail/台北/日本語");
        let rules = [rule("Projects/2026", "P26")];
        assert_eq!(target_of(&dotted, &rules).as_deref(), Some("P26"));
    }

    #[test]
    fn the_plan_lists_inbox_first_and_each_source_once() {
        let folders = [
            listed("Archive", None),
            listed("INBOX", None),
            listed("Drafts", Some("\\Drafts")),
            listed("Archive", None),
        ];
        let sources: Vec<String> = plan(&folders, &[])
            .into_iter()
            .map(|folder| folder.source)
            .collect();
        assert_eq!(sources, ["INBOX", "Archive", "Drafts"]);
    }
}
