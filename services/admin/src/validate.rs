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
    fn passwords_need_eight_characters_and_are_never_echoed() {
        assert!(password("correct horse").is_ok());
        assert!(password("ünïcødé!").is_ok());
        let error = password("short12").unwrap_err();
        assert!(!error.to_string().contains("short12"));
        assert!(password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
        assert!(password("tab\tinside").is_err());
    }
}
