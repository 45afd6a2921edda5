//! Input validation at the edge of the admin API. A value that passes is
//! normalised (ASCII lower case) so that `Example.TEST` and `example.test` name
//! the same tenant, and the IMAP login `alice@example.test` is unambiguous.
//! Domains follow the RFC 1035 §2.3.1 preferred syntax (IDNs as A-labels);
//! local parts are a conservative subset of the RFC 5321 §4.1.2 dot-string.

use crate::error::AdminError;

/// RFC 1035 §2.3.4: a name is at most 255 octets on the wire, 253 as text.
const MAX_DOMAIN_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;
/// RFC 5321 §4.5.3.1.1.
const MAX_LOCAL_PART_LEN: usize = 64;
/// Shortest password the API accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password the API accepts (bounds the hashing work per request).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Validates a tenant domain and returns it in lower case.
pub fn domain(raw: &str) -> Result<String, AdminError> {
    let domain = raw.to_ascii_lowercase();
    let invalid = |why: &str| AdminError::InvalidInput(format!("invalid domain: {why}"));
    if domain.is_empty() || domain.len() > MAX_DOMAIN_LEN {
        return Err(invalid("must be 1 to 253 characters"));
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid("must have at least two labels"));
    }
    for label in &labels {
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            return Err(invalid("each label must be 1 to 63 characters"));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid("only letters, digits, '-' and '.' are allowed"));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(invalid("a label must not start or end with '-'"));
        }
    }
    let top_level_is_numeric = labels
        .last()
        .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()));
    if top_level_is_numeric {
        return Err(invalid("the top-level label must not be numeric"));
    }
    Ok(domain)
}

/// Validates an account's local part and returns it in lower case.
pub fn local_part(raw: &str) -> Result<String, AdminError> {
    let local = raw.to_ascii_lowercase();
    let invalid = |why: &str| AdminError::InvalidInput(format!("invalid local part: {why}"));
    if local.is_empty() || local.len() > MAX_LOCAL_PART_LEN {
        return Err(invalid("must be 1 to 64 characters"));
    }
    if !local
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
    {
        return Err(invalid(
            "only letters, digits, '.', '_' and '-' are allowed",
        ));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(invalid("dots must separate non-empty atoms"));
    }
    Ok(local)
}

/// Checks a new password's length. The password itself never appears in
/// the error.
pub fn password(password: &str) -> Result<(), AdminError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AdminError::InvalidInput(format!(
            "password must be at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AdminError::InvalidInput(format!(
            "password must be at most {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if password.chars().any(char::is_control) {
        return Err(AdminError::InvalidInput(
            "password must not contain control characters".to_owned(),
        ));
    }
    Ok(())
}

/// Largest quota accepted: the stores keep signed 64-bit counters.
pub const MAX_QUOTA: u64 = i64::MAX as u64;
/// Longest name of an app password or API token.
const MAX_NAME_LEN: usize = 64;
/// Longest display name, list prefix, cursor or filter value.
const MAX_TEXT_LEN: usize = 256;
/// Largest page.
pub const MAX_PAGE: u32 = 1000;

/// Checks a quota value (`None` = unlimited).
pub fn quota(value: Option<u64>) -> Result<u64, AdminError> {
    match value {
        Some(bytes) if bytes > MAX_QUOTA => Err(AdminError::InvalidInput(format!(
            "a quota must be at most {MAX_QUOTA}"
        ))),
        Some(bytes) => Ok(bytes),
        None => Ok(0),
    }
}

/// Checks the name of an app password or API token: 1 to 64 printable
/// characters.
pub fn name(raw: &str) -> Result<String, AdminError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_NAME_LEN {
        return Err(AdminError::InvalidInput(format!(
            "a name must be 1 to {MAX_NAME_LEN} characters"
        )));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(AdminError::InvalidInput(
            "a name must not contain control characters".to_owned(),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Checks a free-text field (display name, prefix, cursor, filter): at most
/// 256 characters, no control characters.
pub fn text(field: &str, raw: Option<String>) -> Result<String, AdminError> {
    let value = raw.unwrap_or_default();
    if value.chars().count() > MAX_TEXT_LEN || value.chars().any(char::is_control) {
        return Err(AdminError::InvalidInput(format!(
            "{field} must be at most {MAX_TEXT_LEN} printable characters"
        )));
    }
    Ok(value)
}

/// Checks a list status filter against the states the resource has.
pub fn status_filter(raw: Option<String>, allowed: &[&str]) -> Result<String, AdminError> {
    let status = raw.unwrap_or_default().to_ascii_lowercase();
    if status.is_empty() || allowed.contains(&status.as_str()) {
        return Ok(status);
    }
    Err(AdminError::InvalidInput(format!(
        "status must be one of {}",
        allowed.join(", ")
    )))
}

/// Longest object id accepted in a path.
const MAX_ID_LEN: usize = 64;

/// Checks an object id from a path: 1 to 64 ASCII letters, digits, `-`, `_`.
pub fn identifier(raw: &str) -> Result<String, AdminError> {
    let valid = !raw.is_empty()
        && raw.len() <= MAX_ID_LEN
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if !valid {
        return Err(AdminError::InvalidInput(format!(
            "an id must be 1 to {MAX_ID_LEN} letters, digits, '-' or '_'"
        )));
    }
    Ok(raw.to_ascii_lowercase())
}

/// Checks a page size: 1 to 1000, default 100 (sent as 0).
pub fn page_limit(limit: Option<u32>) -> Result<u32, AdminError> {
    match limit {
        None => Ok(0),
        Some(size) if (1..=MAX_PAGE).contains(&size) => Ok(size),
        Some(_) => Err(AdminError::InvalidInput(format!(
            "limit must be 1 to {MAX_PAGE}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_lowercased_and_checked() {
        assert_eq!(domain("Example.TEST").unwrap(), "example.test");
        assert_eq!(
            domain("xn--bcher-kva.example").unwrap(),
            "xn--bcher-kva.example"
        );
        for bad in [
            "",
            "localhost",
            "a..b",
            ".example.test",
            "-a.test",
            "a-.test",
            "exa mple.test",
            "ex_ample.test",
            "10.0.0.1",
            "bücher.test",
        ] {
            assert!(domain(bad).is_err(), "{bad:?} should be rejected");
        }
        let long_label = format!("{}.test", "a".repeat(64));
        assert!(domain(&long_label).is_err());
    }

    #[test]
    fn local_parts_are_lowercased_and_checked() {
        assert_eq!(local_part("Alice.Smith").unwrap(), "alice.smith");
        assert_eq!(local_part("bob_1-x").unwrap(), "bob_1-x");
        for bad in [
            "", ".alice", "alice.", "al..ice", "al ice", "a/b", "a@b", "a+tag",
        ] {
            assert!(local_part(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(local_part(&"a".repeat(65)).is_err());
    }

    #[test]
    fn bounded_fields_are_checked() {
        assert_eq!(quota(None).unwrap(), 0);
        assert_eq!(quota(Some(5)).unwrap(), 5);
        assert!(quota(Some(u64::MAX)).is_err());
        assert_eq!(name(" phone ").unwrap(), "phone");
        assert!(name("").is_err() && name(&"n".repeat(65)).is_err() && name("a\nb").is_err());
        assert_eq!(text("prefix", None).unwrap(), "");
        assert!(text("prefix", Some("x".repeat(257))).is_err());
        assert_eq!(
            status_filter(Some("Active".into()), &["active"]).unwrap(),
            "active"
        );
        assert!(status_filter(Some("gone".into()), &["active"]).is_err());
        assert_eq!(identifier("AB-12_x").unwrap(), "ab-12_x");
        assert!(identifier("").is_err() && identifier("a/b").is_err());
        assert_eq!(page_limit(None).unwrap(), 0);
        assert!(page_limit(Some(0)).is_err() && page_limit(Some(1001)).is_err());
    }

    #[test]
    fn passwords_need_eight_characters_and_are_never_echoed() {
        assert!(password("correct horse").is_ok());
        assert!(password("ünïcødé!").is_ok());
        let error = password("short12").unwrap_err();
        assert!(!error.to_string().contains("short12"));
        assert!(password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
        assert!(password("tab\tinside").is_err());
    }
}
