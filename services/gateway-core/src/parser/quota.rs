//! QUOTA commands (RFC 9208 §4.2-4.4): GETQUOTA root, GETQUOTAROOT mailbox
//! and SETQUOTA root (resource limit ...). Resource names are upper-cased;
//! limits are 63-bit numbers (RFC 9208 §5 `number64`).

use super::ParseErrorKind;
use super::commands::mailbox_argument;
use super::cursor::{Cursor, syntax, utf8};
use crate::command::CommandBody;

/// `GETQUOTA SP quota-root-name`.
pub(super) fn get_quota(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    Ok(CommandBody::GetQuota(root(cursor)?))
}

/// `GETQUOTAROOT SP mailbox`.
pub(super) fn get_quota_root(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    Ok(CommandBody::GetQuotaRoot(mailbox_argument(cursor)?))
}

/// `SETQUOTA SP quota-root-name SP setquota-list`, where
/// `setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"`
/// and `setquota-resource = resource-name SP number64`.
pub(super) fn set_quota(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let root = root(cursor)?;
    cursor.sp()?;
    cursor.expect(b'(', "'(' opening the quota limits")?;
    let mut limits = Vec::new();
    if !cursor.eat(b')') {
        loop {
            let resource = cursor.atom()?.to_ascii_uppercase();
            cursor.sp()?;
            limits.push((resource, cursor.number64()?));
            if cursor.eat(b')') {
                break;
            }
            cursor
                .sp()
                .map_err(|_| syntax("expected ')' closing the quota limits"))?;
        }
    }
    Ok(CommandBody::SetQuota { root, limits })
}

/// `SP quota-root-name` (an astring).
fn root(cursor: &mut Cursor<'_>) -> Result<String, ParseErrorKind> {
    cursor.sp()?;
    utf8(cursor.astring()?, "the quota root")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::test_support::{body, kind, name};

    /// RFC 9208 §4.2-4.4 examples.
    #[test]
    fn rfc9208_examples_parse() {
        assert_eq!(
            body("G0001 GETQUOTA \"!partition/sda4\"\r\n"),
            CommandBody::GetQuota("!partition/sda4".into())
        );
        assert_eq!(
            body("G0002 GETQUOTAROOT INBOX\r\n"),
            CommandBody::GetQuotaRoot(name("INBOX"))
        );
        assert_eq!(
            body("S0000 SETQUOTA \"#user/alice\" (Storage 510)\r\n"),
            CommandBody::SetQuota {
                root: "#user/alice".into(),
                limits: vec![("STORAGE".into(), 510)]
            }
        );
        assert_eq!(
            body("S0001 SETQUOTA \"\" ()\r\n"),
            CommandBody::SetQuota {
                root: String::new(),
                limits: vec![]
            }
        );
    }

    #[test]
    fn malformed_quota_commands() {
        for input in [
            "a GETQUOTA\r\n",
            "a GETQUOTAROOT\r\n",
            "a SETQUOTA \"\" (STORAGE)\r\n",
            "a SETQUOTA \"\" (STORAGE x)\r\n",
            "a SETQUOTA \"\" STORAGE 5\r\n",
        ] {
            assert!(
                matches!(kind(input.as_bytes()), ParseErrorKind::Syntax(_)),
                "{input}"
            );
        }
    }
}
