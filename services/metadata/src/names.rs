//! Mailbox name rules. Names are UTF-8 full paths with `/` as the hierarchy
//! delimiter. Invariants of a normalised name: no empty level (so no leading,
//! trailing or doubled `/`), no control characters, at most
//! [`MAX_NAME_BYTES`], and a first level equal to `INBOX` in any case is
//! spelled `INBOX` (RFC 9051 §5.1: INBOX is case-insensitive).

use crate::error::StoreError;

pub const INBOX: &str = "INBOX";
pub const DELIMITER: char = '/';
/// Longer names are refused; IMAP clients never need more.
pub const MAX_NAME_BYTES: usize = 1024;

/// Validates and normalises a name that must already exist or be created as
/// given (SELECT, DELETE, RENAME source and target, SUBSCRIBE).
pub fn normalize(name: &str) -> Result<String, StoreError> {
    if name.is_empty() {
        return Err(StoreError::InvalidArgument("empty mailbox name".into()));
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(StoreError::Limit("mailbox name too long"));
    }
    if name.chars().any(char::is_control) {
        return Err(StoreError::InvalidArgument(
            "control character in mailbox name".into(),
        ));
    }
    if name.split(DELIMITER).any(str::is_empty) {
        return Err(StoreError::InvalidArgument(
            "empty level in mailbox name".into(),
        ));
    }
    // Only the first level can be INBOX; it is spelled in capitals.
    let normalized = match name.split_once(DELIMITER) {
        Some((first, rest)) if first.eq_ignore_ascii_case(INBOX) => format!("{INBOX}/{rest}"),
        None if name.eq_ignore_ascii_case(INBOX) => INBOX.to_owned(),
        _ => name.to_owned(),
    };
    Ok(normalized)
}

/// CREATE ignores one trailing delimiter (RFC 9051 §6.3.4: it only declares
/// the intent to create inferior names).
pub fn normalize_for_create(name: &str) -> Result<String, StoreError> {
    normalize(name.strip_suffix(DELIMITER).unwrap_or(name))
}

pub fn is_inbox(normalized: &str) -> bool {
    normalized == INBOX
}

/// The proper ancestors of a normalised name, outermost first:
/// `a/b/c` gives `a`, `a/b`.
pub fn ancestors(normalized: &str) -> Vec<&str> {
    normalized
        .match_indices(DELIMITER)
        .map(|(index, _)| &normalized[..index])
        .collect()
}

/// Whether `name` lies strictly below `parent` in the hierarchy.
pub fn is_descendant(name: &str, parent: &str) -> bool {
    name.len() > parent.len()
        && name.starts_with(parent)
        && name[parent.len()..].starts_with(DELIMITER)
}

/// The new name of `name` (which is `from` or below it) when `from` becomes `to`.
pub fn renamed(name: &str, from: &str, to: &str) -> String {
    format!("{to}{}", &name[from.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_is_case_insensitive_and_spelled_in_capitals() {
        assert_eq!(normalize("inbox").unwrap(), "INBOX");
        assert_eq!(normalize("InBoX/Sub").unwrap(), "INBOX/Sub");
        assert_eq!(normalize("Inboxes").unwrap(), "Inboxes");
    }

    #[test]
    fn empty_levels_are_invalid() {
        for bad in ["", "/a", "a//b", "a/", "/"] {
            let error = normalize(bad).unwrap_err();
            assert_eq!(
                error.code(),
                mailkeep_common::ErrorCode::InvalidArgument,
                "{bad}"
            );
        }
        assert!(normalize("a\u{7}b").is_err());
        assert!(normalize(&"x".repeat(MAX_NAME_BYTES + 1)).is_err());
    }

    #[test]
    fn create_ignores_one_trailing_delimiter() {
        assert_eq!(normalize_for_create("a/b/").unwrap(), "a/b");
        assert!(normalize_for_create("a//").is_err());
        assert_eq!(normalize_for_create("Fächer").unwrap(), "Fächer");
    }

    #[test]
    fn hierarchy_helpers() {
        assert_eq!(ancestors("a/b/c"), vec!["a", "a/b"]);
        assert!(ancestors("a").is_empty());
        assert!(is_descendant("a/b", "a"));
        assert!(!is_descendant("ab", "a"));
        assert!(!is_descendant("a", "a"));
        assert_eq!(renamed("a/b/c", "a/b", "x"), "x/c");
        assert_eq!(renamed("a/b", "a/b", "x/y"), "x/y");
    }
}
