//! METADATA commands (RFC 5464 §4.2, §4.3, §5): GETMETADATA with MAXSIZE
//! and DEPTH options and one entry or a parenthesised list of them, and
//! SETMETADATA with entry/value pairs, a value being an nstring or a
//! literal8. Entry names are checked by the session (RFC 5464 §3.2).

use super::ParseErrorKind;
use super::commands::mailbox_argument;
use super::cursor::{Cursor, syntax, utf8};
use crate::command::{CommandBody, MetadataDepth};

/// `GETMETADATA [SP getmetadata-options] SP mailbox SP entries`.
pub(super) fn get_metadata(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let mut max_size = None;
    let mut depth = MetadataDepth::Zero;
    if cursor.eat_prefix(" (") {
        loop {
            match cursor.atom()?.to_ascii_uppercase().as_str() {
                "MAXSIZE" => {
                    cursor.sp()?;
                    max_size = Some(cursor.number64()?);
                }
                "DEPTH" => {
                    cursor.sp()?;
                    depth = if cursor.eat_keyword("INFINITY") {
                        MetadataDepth::Infinity
                    } else {
                        match cursor.number()? {
                            0 => MetadataDepth::Zero,
                            1 => MetadataDepth::One,
                            _ => return Err(syntax("DEPTH is 0, 1 or infinity")),
                        }
                    };
                }
                _ => return Err(syntax("unknown GETMETADATA option")),
            }
            if cursor.eat(b')') {
                break;
            }
            cursor
                .sp()
                .map_err(|_| syntax("expected ')' closing the options"))?;
        }
    }
    let mailbox = mailbox_argument(cursor)?;
    cursor.sp()?;
    let entries = if cursor.eat(b'(') {
        let mut entries = Vec::new();
        loop {
            entries.push(entry(cursor)?);
            if cursor.eat(b')') {
                break entries;
            }
            cursor
                .sp()
                .map_err(|_| syntax("expected ')' closing the entries"))?;
        }
    } else {
        vec![entry(cursor)?]
    };
    Ok(CommandBody::GetMetadata {
        mailbox,
        entries,
        max_size,
        depth,
    })
}

/// `SETMETADATA SP mailbox SP "(" entry SP value *(SP entry SP value) ")"`.
pub(super) fn set_metadata(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let mailbox = mailbox_argument(cursor)?;
    cursor.sp()?;
    cursor.expect(b'(', "'(' opening the entry values")?;
    let mut changes = Vec::new();
    loop {
        let name = entry(cursor)?;
        cursor.sp()?;
        let value = if cursor.peek() == Some(b'~') {
            Some(cursor.literal(true)?.to_vec())
        } else {
            cursor.nstring()?.map(|value| value.into_owned())
        };
        changes.push((name, value));
        if cursor.eat(b')') {
            return Ok(CommandBody::SetMetadata { mailbox, changes });
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the entry values"))?;
    }
}

/// `entry = astring`, UTF-8.
fn entry(cursor: &mut Cursor<'_>) -> Result<String, ParseErrorKind> {
    utf8(cursor.astring()?, "an entry name")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::test_support::{body, kind, name};

    /// RFC 5464 §4.2 and §4.3 examples (commands only).
    #[test]
    fn rfc5464_examples_parse() {
        assert_eq!(
            body("a GETMETADATA \"\" /shared/comment\r\n"),
            CommandBody::GetMetadata {
                mailbox: name(""),
                entries: vec!["/shared/comment".into()],
                max_size: None,
                depth: MetadataDepth::Zero,
            }
        );
        assert_eq!(
            body("a GETMETADATA INBOX (/shared/comment /private/comment)\r\n"),
            CommandBody::GetMetadata {
                mailbox: name("INBOX"),
                entries: vec!["/shared/comment".into(), "/private/comment".into()],
                max_size: None,
                depth: MetadataDepth::Zero,
            }
        );
        assert_eq!(
            body("a GETMETADATA (MAXSIZE 1024) INBOX /shared/comment\r\n"),
            CommandBody::GetMetadata {
                mailbox: name("INBOX"),
                entries: vec!["/shared/comment".into()],
                max_size: Some(1024),
                depth: MetadataDepth::Zero,
            }
        );
        assert_eq!(
            body("a GETMETADATA (DEPTH 1 maxsize 9) INBOX (/private/filters/values)\r\n"),
            CommandBody::GetMetadata {
                mailbox: name("INBOX"),
                entries: vec!["/private/filters/values".into()],
                max_size: Some(9),
                depth: MetadataDepth::One,
            }
        );
        assert_eq!(
            body(
                "a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)\r\n"
            ),
            CommandBody::SetMetadata {
                mailbox: name("INBOX"),
                changes: vec![(
                    "/private/comment".into(),
                    Some(b"My new comment across\r\ntwo lines.".to_vec())
                )],
            }
        );
        assert_eq!(
            body("a SETMETADATA INBOX (/private/comment NIL /shared/x ~{2}\r\n\0\x01)\r\n"),
            CommandBody::SetMetadata {
                mailbox: name("INBOX"),
                changes: vec![
                    ("/private/comment".into(), None),
                    ("/shared/x".into(), Some(vec![0, 1]))
                ],
            }
        );
        assert!(matches!(
            body("a GETMETADATA (DEPTH infinity) \"\" /private\r\n"),
            CommandBody::GetMetadata {
                depth: MetadataDepth::Infinity,
                ..
            }
        ));
    }

    #[test]
    fn malformed_metadata_commands() {
        for input in [
            "a GETMETADATA INBOX\r\n",
            "a GETMETADATA (DEPTH 2) INBOX /shared/x\r\n",
            "a GETMETADATA (COLOR 2) INBOX /shared/x\r\n",
            "a GETMETADATA INBOX (/shared/x\r\n",
            "a SETMETADATA INBOX /shared/x \"v\"\r\n",
            "a SETMETADATA INBOX (/shared/x)\r\n",
        ] {
            assert!(
                matches!(kind(input.as_bytes()), ParseErrorKind::Syntax(_)),
                "{input}"
            );
        }
    }
}
