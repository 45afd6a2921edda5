//! Input rules every store operation applies at its edge: domains, local
//! parts, passwords, names, statuses, page sizes and cursors, and the
//! optimistic-concurrency check of an expected version. A value that passes
//! is safe to bind; one that fails is `InvalidArgument` (or
//! `PreconditionFailed` for a stale version).

use super::driver::Row;
use crate::admin::{ListFilter, Page};
use crate::error::StoreError;

/// Largest page any list call returns.
pub const MAX_PAGE: u32 = 1000;
/// Page size when the caller names none.
pub const DEFAULT_PAGE: u32 = 100;
/// Longest password accepted (argon2 hashes anything; this bounds the work).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// Longest display name, token name or app password name.
pub const MAX_NAME_CHARS: usize = 128;
/// Longest free-text audit field.
pub const MAX_AUDIT_FIELD_CHARS: usize = 512;

fn invalid(what: impl Into<String>) -> StoreError {
    StoreError::InvalidArgument(what.into())
}

pub fn normalize_domain(domain: &str) -> Result<String, StoreError> {
    let domain = domain.trim().to_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if valid {
        Ok(domain)
    } else {
        Err(invalid(format!("invalid domain {domain:?}")))
    }
}

pub fn check_local_part(local_part: &str) -> Result<(), StoreError> {
    let valid = !local_part.is_empty()
        && local_part.len() <= 64
        && !local_part
            .chars()
            .any(|c| c == '@' || c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err(invalid(format!("invalid local part {local_part:?}")))
    }
}

pub fn check_password(password: &str) -> Result<(), StoreError> {
    if password.is_empty() {
        return Err(invalid("empty password"));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(invalid("password too long"));
    }
    Ok(())
}

/// Display names may be empty; no control characters.
pub fn check_display_name(name: &str) -> Result<(), StoreError> {
    if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(invalid("invalid display name"));
    }
    Ok(())
}

/// Names of app passwords and API tokens: 1 to 128 of letters, digits,
/// space, `-`, `_`, `.`.
pub fn check_label(name: &str, what: &str) -> Result<(), StoreError> {
    let valid = !name.trim().is_empty()
        && name.chars().count() <= MAX_NAME_CHARS
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(invalid(format!(
            "invalid {what}: 1 to {MAX_NAME_CHARS} letters, digits, space, '-', '_' or '.'"
        )))
    }
}

/// Free text bound for the audit log (no control characters).
pub fn check_audit_field(value: &str, what: &str) -> Result<(), StoreError> {
    if value.chars().count() > MAX_AUDIT_FIELD_CHARS || value.chars().any(char::is_control) {
        return Err(invalid(format!("invalid {what}")));
    }
    Ok(())
}

/// A status an update may set.
pub fn check_settable_status(status: &str) -> Result<(), StoreError> {
    match status {
        "active" | "suspended" => Ok(()),
        _ => Err(invalid("status must be active or suspended")),
    }
}

/// A status a list may filter by (empty = any).
fn check_status_filter(status: &str) -> Result<(), StoreError> {
    match status {
        "" | "active" | "suspended" | "deleting" => Ok(()),
        _ => Err(invalid("unknown status filter")),
    }
}

/// The page size for a requested `limit` (0 = default).
pub fn page_limit(limit: u32) -> Result<u32, StoreError> {
    match limit {
        0 => Ok(DEFAULT_PAGE),
        1..=MAX_PAGE => Ok(limit),
        _ => Err(invalid(format!("limit must be at most {MAX_PAGE}"))),
    }
}

/// Longest prefix a list filter may carry (a domain's length).
const MAX_PREFIX_CHARS: usize = 253;

/// The checked page size and the key after which a filtered list resumes.
pub fn list_bounds(filter: &ListFilter) -> Result<(u32, String), StoreError> {
    check_status_filter(&filter.status)?;
    if filter.prefix.chars().count() > MAX_PREFIX_CHARS {
        return Err(invalid("prefix too long"));
    }
    Ok((page_limit(filter.limit)?, decode_cursor(&filter.cursor)?))
}

/// Fails with `PreconditionFailed` when the caller expected another version.
pub fn check_version(expected: Option<i64>, current: i64) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != current => Err(StoreError::PreconditionFailed),
        _ => Ok(()),
    }
}

/// Cursors are opaque to clients: the hex of the last key of the page.
pub fn encode_cursor(last_key: &str) -> String {
    hex::encode(last_key)
}

/// The last key a cursor names (empty cursor: start).
pub fn decode_cursor(cursor: &str) -> Result<String, StoreError> {
    if cursor.len() > 2 * 1024 {
        return Err(invalid("cursor too long"));
    }
    hex::decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| invalid("malformed cursor"))
}

/// Splits one extra row off a page read with `limit + 1`: the rows to
/// return, and whether another page follows.
fn split_page<T>(mut rows: Vec<T>, limit: u32) -> (Vec<T>, bool) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    (rows, more)
}

/// A page from rows read with `LIMIT limit + 1`: decodes each, and names the
/// next page by the `cursor_key` of the last item when one more row came.
pub fn page_from_rows<T>(
    rows: &[Row],
    limit: u32,
    decode: impl Fn(&Row) -> Result<T, StoreError>,
    cursor_key: impl Fn(&T) -> String,
) -> Result<Page<T>, StoreError> {
    let decoded = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    let (items, more) = split_page(decoded, limit);
    let next_cursor = match items.last() {
        Some(last) if more => encode_cursor(&cursor_key(last)),
        _ => String::new(),
    };
    Ok(Page { items, next_cursor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_lower_cased_and_checked() {
        assert_eq!(normalize_domain("Example.TEST").unwrap(), "example.test");
        assert_eq!(
            normalize_domain("bücher.example").unwrap(),
            "bücher.example"
        );
        for bad in ["", "a..b", ".a", "a b", "a@b", "a/b"] {
            assert!(normalize_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_parts_are_checked() {
        assert!(check_local_part("alice.smith+tag").is_ok());
        for bad in ["", "a@b", "a b", &"x".repeat(65)] {
            assert!(check_local_part(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = encode_cursor("example.test");
        assert_eq!(decode_cursor(&cursor).unwrap(), "example.test");
        assert_eq!(decode_cursor("").unwrap(), "");
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor(&"a".repeat(5000)).is_err());
    }

    #[test]
    fn limits_versions_and_labels() {
        assert_eq!(page_limit(0).unwrap(), DEFAULT_PAGE);
        assert_eq!(page_limit(1000).unwrap(), 1000);
        assert!(page_limit(1001).is_err());
        assert!(check_version(None, 3).is_ok());
        assert!(check_version(Some(3), 3).is_ok());
        assert_eq!(
            check_version(Some(2), 3).unwrap_err().code(),
            mailkeep_common::ErrorCode::PreconditionFailed
        );
        assert!(check_label("Thunderbird laptop", "name").is_ok());
        for bad in ["", "  ", "a\nb", "x/y", &"n".repeat(129)] {
            assert!(check_label(bad, "name").is_err(), "{bad:?}");
        }
        assert_eq!(split_page(vec![1, 2, 3], 2), (vec![1, 2], true));
        assert_eq!(split_page(vec![1, 2], 2), (vec![1, 2], false));
    }
}
