//! METADATA commands (RFC 5464 §4.2, §4.3, §5): GETMETADATA with MAXSIZE
//! and DEPTH options (before the mailbox, or after it as in the RFC's
//! examples) and one entry or a list of them, and
//! SETMETADATA with entry/value pairs, a value being an nstring or a
//! literal8. Entry names are checked by the session (RFC 5464 §3.2).

use super::ParseErrorKind;
use super::commands::mailbox_argument;
use super::cursor::{Cursor, syntax, utf8};
use crate::command::{CommandBody, MetadataDepth};

/// `GETMETADATA [SP getmetadata-options] SP mailbox SP entries`. RFC 5464's
/// own examples (§4.2.1, §4.2.2) put the options after the mailbox and
/// (§4.4.1) list several entries without parentheses; both are accepted
/// too. An option list after the mailbox is told from an entry list by its
/// first word, as entry names start with `/`.
pub(super) fn get_metadata(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let mut options = GetMetadataOptions::default();
    if cursor.eat_prefix(" (") {
        let name = cursor.atom()?.to_ascii_uppercase();
        options.parse_from(cursor, name)?;
    }
    let mailbox = mailbox_argument(cursor)?;
    cursor.sp()?;
    let trailing = ["MAXSIZE", "DEPTH"]
        .into_iter()
        .find(|name| cursor.eat_keyword(&format!("({name}")));
    if let Some(name) = trailing {
        options.parse_from(cursor, name.to_owned())?;
        cursor.sp()?;
    }
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
        let mut entries = vec![entry(cursor)?];
        while cursor.eat(b' ') {
            entries.push(entry(cursor)?);
        }
        entries
    };
    Ok(CommandBody::GetMetadata {
        mailbox,
        entries,
        max_size: options.max_size,
        depth: options.depth,
    })
}

/// The GETMETADATA options (RFC 5464 §4.2.1, §4.2.2); DEPTH defaults to 0.
struct GetMetadataOptions {
    max_size: Option<u64>,
    depth: MetadataDepth,
}

impl Default for GetMetadataOptions {
    fn default() -> Self {
        Self {
            max_size: None,
            depth: MetadataDepth::Zero,
        }
    }
}

impl GetMetadataOptions {
    /// The rest of `getmetadata-options` after its `(`, the first option's
    /// upper-cased `name` already read, up to and including the `)`.
    fn parse_from(
        &mut self,
        cursor: &mut Cursor<'_>,
        mut name: String,
    ) -> Result<(), ParseErrorKind> {
        loop {
            match name.as_str() {
                "MAXSIZE" => {
                    cursor.sp()?;
                    self.max_size = Some(cursor.number64()?);
                }
                "DEPTH" => {
                    cursor.sp()?;
                    self.depth = if cursor.eat_keyword("INFINITY") {
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
                return Ok(());
            }
            cursor
                .sp()
                .map_err(|_| syntax("expected ')' closing the options"))?;
            name = cursor.atom()?.to_ascii_uppercase();
        }
    }
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
        // The forms of the RFC's §4.2.1, §4.2.2 and §4.4.1 examples.
        assert_eq!(
            body("a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)\r\n"),
            body("a GETMETADATA (MAXSIZE 1024) INBOX (/shared/comment /private/comment)\r\n"),
        );
        assert_eq!(
            body("a GETMETADATA \"INBOX\" (DEPTH 1) (/private/filters/values)\r\n"),
            body("a GETMETADATA (DEPTH 1) INBOX /private/filters/values\r\n"),
        );
        assert_eq!(
            body("a GETMETADATA \"INBOX\" /private/comment /shared/comment\r\n"),
            body("a GETMETADATA INBOX (/private/comment /shared/comment)\r\n"),
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
            "a GETMETADATA INBOX (DEPTH 2) /shared/x\r\n",
            "a GETMETADATA INBOX (MAXSIZE 1 /shared/x\r\n",
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
