//! The IMAP command parser: one framed command (from [`crate::framing`]) in,
//! one [`Command`] out, following RFC 3501 §9 and, where it is a superset,
//! RFC 9051 §9, plus the extensions Mailkeep serves (LITERAL+, SASL-IR, ID,
//! ENABLE, IDLE, UNSELECT, MOVE, UIDPLUS, CONDSTORE, QRESYNC, OBJECTID,
//! MULTIAPPEND, SEARCHRES, BINARY, CATENATE, COMPRESS, NOTIFY).
//! Command names and keywords are case-insensitive; spacing is strict. An
//! error carries the tag whenever the command began with a valid one, and
//! never a tag that is not in the input.

mod append;
mod commands;
mod create;
mod cursor;
mod fetch;
mod list_ext;
mod metadata;
mod notify;
mod primitives;
mod quota;
mod search;
mod select;
mod sort;
#[cfg(test)]
mod test_support;

pub(crate) use fetch::parse_section;

use std::fmt;

use mailkeep_common::ErrorCode;

use crate::command::{Command, CommandBody, Tag};
use cursor::{Cursor, is_tag_char};

/// Why a command could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct ParseError {
    /// The command's tag, when it began with a valid one (answer `tag BAD`,
    /// else `* BAD`).
    pub tag: Option<Tag>,
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub fn code(&self) -> ErrorCode {
        self.kind.code()
    }
}

/// How much of an unknown command name an error message repeats.
const MAX_SHOWN_NAME: usize = 32;

/// The class of a parse failure; `Display` is a short lowercase message fit
/// for the text of a `BAD` (or, for `BadCharset`, `NO [BADCHARSET]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The line does not start with a tag followed by a space.
    MissingTag,
    /// The command name, as the client wrote it.
    UnknownCommand(String),
    /// The arguments do not follow the grammar; the message says where.
    Syntax(String),
    /// SEARCH CHARSET other than US-ASCII or UTF-8 (RFC 3501 §6.4.4).
    BadCharset,
    /// A mailbox name that is not valid modified UTF-7 (RFC 3501 §5.1.3).
    InvalidMailboxName(String),
}

impl ParseErrorKind {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidArgument
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::MissingTag => formatter.write_str("missing or invalid tag"),
            ParseErrorKind::UnknownCommand(name) => {
                // Atom characters only; cut so a huge name is not echoed.
                let shown: String = name.chars().take(MAX_SHOWN_NAME).collect();
                write!(formatter, "unknown command {shown}")
            }
            ParseErrorKind::Syntax(message) => write!(formatter, "syntax error: {message}"),
            ParseErrorKind::BadCharset => formatter.write_str("unsupported charset"),
            ParseErrorKind::InvalidMailboxName(reason) => {
                write!(formatter, "invalid mailbox name: {reason}")
            }
        }
    }
}

/// The tag a raw command line starts with: 1+ tag characters followed by a
/// space (RFC 9051 §9 `tag SP`). Used to answer `tag BAD` even when the rest
/// of the line cannot be parsed or was too long to keep.
pub fn leading_tag(raw: &[u8]) -> Option<Tag> {
    let length = raw.iter().take_while(|&&byte| is_tag_char(byte)).count();
    if length == 0 || raw.get(length) != Some(&b' ') {
        return None;
    }
    // Tag characters are 7-bit, so the conversion cannot fail.
    std::str::from_utf8(&raw[..length])
        .ok()
        .map(|tag| Tag(tag.to_owned()))
}

/// Parses one complete framed command, final CRLF included, with mailbox
/// names in modified UTF-7 (RFC 3501 §5.1.3).
pub fn parse_command(raw: &[u8]) -> Result<Command, ParseError> {
    parse_command_utf8(raw, false)
}

/// Parses one complete framed command; `utf8_names` takes mailbox names as
/// UTF-8 rather than modified UTF-7, as after ENABLE UTF8=ACCEPT (RFC 6855
/// §3) or IMAP4rev2 (RFC 9051 §5.1).
pub fn parse_command_utf8(raw: &[u8], utf8_names: bool) -> Result<Command, ParseError> {
    let Some(tag) = leading_tag(raw) else {
        return Err(ParseError {
            tag: None,
            kind: ParseErrorKind::MissingTag,
        });
    };
    let mut cursor = Cursor::new(&raw[tag.0.len() + 1..]);
    cursor.utf8_names = utf8_names;
    match command_body(&mut cursor) {
        Ok(body) => Ok(Command { tag, body }),
        Err(kind) => Err(ParseError {
            tag: Some(tag),
            kind,
        }),
    }
}

/// `command` after `tag SP`: the name, its arguments and the line end.
fn command_body(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let name = command_name(cursor)?;
    let body = if name.eq_ignore_ascii_case("UID") {
        cursor.sp()?;
        let name = command_name(cursor)?;
        commands::uid_command(cursor, &name)?
    } else {
        commands::command(cursor, &name)?
    };
    cursor.end()?;
    Ok(body)
}

fn command_name(cursor: &mut Cursor<'_>) -> Result<String, ParseErrorKind> {
    let name = cursor.take_while(cursor::is_atom_char);
    if name.is_empty() {
        if cursor.at_line_end() {
            return Err(cursor::syntax("missing command"));
        }
        return Err(cursor::syntax("expected a command name"));
    }
    // Atom characters are 7-bit, so nothing is lost.
    Ok(String::from_utf8_lossy(name).into_owned())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn error(input: &str) -> ParseError {
        parse_command(input.as_bytes()).expect_err(input)
    }

    fn syntax_with_tag(input: &str, tag: &str) {
        let error = error(input);
        assert_eq!(error.tag, Some(Tag(tag.to_owned())), "{input}");
        assert!(
            matches!(error.kind, ParseErrorKind::Syntax(_)),
            "{input}: {:?}",
            error.kind
        );
    }

    #[test]
    fn simple_commands_are_case_insensitive() {
        for (input, body) in [
            ("a1 capability\r\n", CommandBody::Capability),
            ("A2 NOOP\r\n", CommandBody::Noop),
            ("A3 Logout\r\n", CommandBody::Logout),
            ("A4 STARTTLS\r\n", CommandBody::StartTls),
            ("A5 namespace\r\n", CommandBody::Namespace),
            ("A6 IDLE\r\n", CommandBody::Idle),
            ("A7 check\r\n", CommandBody::Check),
            ("A8 CLOSE\r\n", CommandBody::Close),
            ("A9 unselect\r\n", CommandBody::Unselect),
            ("A10 EXPUNGE\n", CommandBody::Expunge),
        ] {
            let command = parse_command(input.as_bytes()).unwrap();
            assert_eq!(command.body, body, "{input}");
            assert_eq!(command.tag.0, input.split(' ').next().unwrap());
        }
    }

    #[test]
    fn bad_inputs_name_the_problem_and_keep_the_tag() {
        let unknown = error("A1 FROB x\r\n");
        assert_eq!(unknown.tag, Some(Tag("A1".into())));
        assert_eq!(unknown.kind, ParseErrorKind::UnknownCommand("FROB".into()));
        assert_eq!(
            error("A1 UID FROB 1\r\n").kind,
            ParseErrorKind::UnknownCommand("FROB".into())
        );
        assert_eq!(
            error("A1 UID SELECT INBOX\r\n").kind,
            ParseErrorKind::UnknownCommand("SELECT".into())
        );
        for missing in [
            "\r\n",
            " NOOP\r\n",
            "NOOP\r\n",
            "+A NOOP\r\n",
            "(x) NOOP\r\n",
        ] {
            let error = error(missing);
            assert_eq!((error.tag, error.kind), (None, ParseErrorKind::MissingTag));
        }
        syntax_with_tag("A2 \r\n", "A2");
        syntax_with_tag("A3 FETCH 1 (FLAGS\r\n", "A3");
        syntax_with_tag("A4 FETCH 1 FLAGS)\r\n", "A4");
        syntax_with_tag("A5 SEARCH (SEEN (DELETED)\r\n", "A5");
        syntax_with_tag("A6 FETCH 0 FLAGS\r\n", "A6");
        syntax_with_tag("A7 FETCH 1:x FLAGS\r\n", "A7");
        syntax_with_tag("A8 FETCH {3}\r\n1:2 FLAGS\r\n", "A8");
        syntax_with_tag("A9 NOOP \r\n", "A9");
        syntax_with_tag("A10 NOOP\r\nA11 NOOP\r\n", "A10");
        syntax_with_tag("A11  NOOP\r\n", "A11");
        syntax_with_tag("A12 (NOOP)\r\n", "A12");
        assert!(matches!(
            error("A12 SELECT &AGE-\r\n").kind,
            ParseErrorKind::InvalidMailboxName(_)
        ));
        assert_eq!(
            error("A13 SEARCH CHARSET ISO-8859-1 TEXT x\r\n").kind,
            ParseErrorKind::BadCharset
        );
    }

    #[test]
    fn messages_are_short_and_lowercase() {
        assert_eq!(error("\r\n").to_string(), "missing or invalid tag");
        assert_eq!(error("A1 FROB\r\n").to_string(), "unknown command FROB");
        assert_eq!(
            error("A1 FETCH 1 (FLAGS\r\n").to_string(),
            "syntax error: expected ')' closing the fetch items"
        );
        assert_eq!(error("A1 FROB\r\n").code(), ErrorCode::InvalidArgument);
        let long = format!("A1 {}\r\n", "X".repeat(100));
        assert_eq!(
            error(&long).to_string(),
            format!("unknown command {}", "X".repeat(32))
        );
    }

    #[test]
    fn leading_tags() {
        assert_eq!(leading_tag(b"a.b] x"), Some(Tag("a.b]".into())));
        assert_eq!(leading_tag(b"abc"), None);
        assert_eq!(leading_tag(b"a+b x"), None);
        assert_eq!(leading_tag(b" x"), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_tags_come_from_the_input(input in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Err(ParseError { tag: Some(tag), .. }) = parse_command(&input) {
                prop_assert!(input.starts_with(tag.0.as_bytes()));
            }
        }

        #[test]
        fn never_panics_on_command_like_input(
            tag in "[A-Za-z0-9.]{1,6}",
            name in "(UID )?(FETCH|STORE|SEARCH|APPEND|LIST|STATUS|LOGIN|COPY|ID|ENABLE|AUTHENTICATE)",
            rest in "[ -~]{0,60}",
        ) {
            let input = format!("{tag} {name} {rest}\r\n");
            match parse_command(input.as_bytes()) {
                Ok(command) => prop_assert_eq!(command.tag.0, tag),
                Err(error) => prop_assert_eq!(error.tag, Some(Tag(tag))),
            }
        }
    }
}
