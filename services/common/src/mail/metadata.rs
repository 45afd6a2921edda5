//! Server and mailbox annotations (RFC 5464 METADATA): entries named
//! `/private/...` or `/shared/...`, and the name rules and limits that the
//! gateway and the metadata store both enforce. Names are compared
//! case-insensitively, so they are kept lower-cased. Mailkeep has no
//! sharing yet: `/shared` entries are per account like `/private` ones.

/// Largest value one entry may hold (`[METADATA MAXSIZE n]`).
pub const MAX_METADATA_VALUE_BYTES: usize = 64 * 1024;
/// Most entries one mailbox (or the server) may hold per account
/// (`[METADATA TOOMANY]`).
pub const MAX_METADATA_ENTRIES: usize = 100;
/// Longest entry name, in bytes.
pub const MAX_METADATA_NAME_BYTES: usize = 256;

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataEntry {
    pub name: String,
    pub value: Vec<u8>,
}

/// One change of SETMETADATA: a new value, or `None` to remove the entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataChange {
    pub name: String,
    pub value: Option<Vec<u8>>,
}

/// An entry a METADATA change notification names (RFC 5465 §5.6-5.7):
/// set, changed or removed after the counter value asked about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedMetadataEntry {
    /// The mailbox's current name; `""` for a server entry.
    pub mailbox: String,
    /// The lower-cased entry name.
    pub name: String,
}

/// The account's METADATA change counter (it moves with every
/// SETMETADATA) and the entries changed after a given value of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataChanges {
    pub modseq: u64,
    /// Ordered by mailbox name, then entry name.
    pub changed: Vec<ChangedMetadataEntry>,
}

/// The lower-cased form of an entry name that may hold a value (RFC 5464
/// §3.2): under `/private/` or `/shared/`, `/`-separated non-empty
/// components, no `*` or `%`, no control characters, bounded length.
pub fn metadata_entry_name(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    let rest = lower
        .strip_prefix("/private/")
        .or_else(|| lower.strip_prefix("/shared/"))?;
    let valid = lower.len() <= MAX_METADATA_NAME_BYTES
        && rest.split('/').all(|part| !part.is_empty())
        && !lower
            .chars()
            .any(|c| c.is_control() || c == '*' || c == '%');
    valid.then_some(lower)
}

/// Like [`metadata_entry_name`], but also the roots `/private` and `/shared`, which
/// GETMETADATA may name to list what lies below them.
pub fn requested_metadata_entry_name(name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    if lower == "/private" || lower == "/shared" {
        return Some(lower);
    }
    metadata_entry_name(&lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_follow_rfc5464() {
        assert_eq!(
            metadata_entry_name("/Shared/Comment").as_deref(),
            Some("/shared/comment")
        );
        assert_eq!(
            metadata_entry_name("/private/vendor/x/y").as_deref(),
            Some("/private/vendor/x/y")
        );
        for bad in [
            "/shared",
            "/other/x",
            "shared/x",
            "/shared/x/",
            "/shared//x",
            "/shared/*",
            "/private/a%b",
            "/shared/a\nb",
        ] {
            assert_eq!(metadata_entry_name(bad), None, "{bad}");
        }
        assert_eq!(
            metadata_entry_name(&format!("/shared/{}", "x".repeat(300))),
            None
        );
        assert_eq!(
            requested_metadata_entry_name("/PRIVATE").as_deref(),
            Some("/private")
        );
        assert_eq!(requested_metadata_entry_name("/private/"), None);
    }
}
