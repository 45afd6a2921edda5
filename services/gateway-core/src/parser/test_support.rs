//! Helpers shared by the parser's unit tests.

use crate::command::{CommandBody, MailboxName};
use crate::parser::{ParseErrorKind, parse_command};

/// The body of a command that must parse.
pub(super) fn body(input: &str) -> CommandBody {
    parse_command(input.as_bytes())
        .unwrap_or_else(|error| panic!("{input}: {error}"))
        .body
}

/// The error kind of a command that must not parse.
pub(super) fn kind(input: &[u8]) -> ParseErrorKind {
    parse_command(input).expect_err("must fail").kind
}

pub(super) fn name(name: &str) -> MailboxName {
    MailboxName(name.to_owned())
}
