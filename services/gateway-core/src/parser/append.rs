//! APPEND arguments (RFC 3501 §6.3.11) with MULTIAPPEND (RFC 3502: several
//! messages in one command) and binary data (RFC 3516 `literal8`, RFC 6855
//! `UTF8 (literal8)`). Each message keeps its literal bytes exactly.

use super::ParseErrorKind;
use super::commands::mailbox_argument;
use super::cursor::Cursor;
use crate::command::{AppendMessage, CommandBody};

/// `APPEND SP mailbox 1*(SP [flag-list SP] [date-time SP] append-data)`
/// (RFC 3502 §6.3.11); append-data is a literal, a literal8 or
/// `UTF8 (literal8)`.
pub(super) fn append(cursor: &mut Cursor<'_>) -> Result<CommandBody, ParseErrorKind> {
    let mailbox = mailbox_argument(cursor)?;
    let mut messages = Vec::new();
    loop {
        cursor.sp()?;
        let flags = if cursor.peek() == Some(b'(') {
            let flags = cursor.flag_list()?;
            cursor.sp()?;
            flags
        } else {
            Vec::new()
        };
        let internal_date = if cursor.peek() == Some(b'"') {
            let date = cursor.date_time()?;
            cursor.sp()?;
            Some(date)
        } else {
            None
        };
        let literal = if cursor.eat_keyword("UTF8") {
            cursor.sp()?;
            cursor.expect(b'(', "'(' after UTF8")?;
            let literal = cursor.literal(true)?;
            cursor.expect(b')', "')' after the UTF8 literal")?;
            literal
        } else {
            cursor.literal(cursor.peek() == Some(b'~'))?
        };
        messages.push(AppendMessage {
            flags,
            internal_date,
            literal: literal.to_vec(),
        });
        if cursor.at_line_end() {
            return Ok(CommandBody::Append { mailbox, messages });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::command::Flag;
    use crate::parser::parse_command;

    use super::*;
    use crate::parser::test_support::{body, kind, name};

    #[test]
    fn append_forms() {
        let command = parse_command(
            b"A003 APPEND saved-messages (\\Seen) \"17-Jul-1996 02:44:25 -0700\" {5}\r\nHello\r\n",
        )
        .unwrap();
        let CommandBody::Append { mailbox, messages } = command.body else {
            panic!("not an append");
        };
        assert_eq!(mailbox, name("saved-messages"));
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].flags, vec![Flag::Seen]);
        assert_eq!(
            messages[0].internal_date.unwrap().to_rfc3339(),
            "1996-07-17T02:44:25-07:00"
        );
        assert_eq!(messages[0].literal, b"Hello");

        let multi = body(
            "a append INBOX {2+}\r\nab (\\Draft) ~{3}\r\nc\0d \"1-Jan-2020 00:00:00 +0000\" UTF8 (~{1}\r\ne)\r\n",
        );
        let CommandBody::Append { messages, .. } = multi else {
            panic!("not an append");
        };
        let literals: Vec<&[u8]> = messages
            .iter()
            .map(|message| &message.literal[..])
            .collect();
        assert_eq!(literals, vec![&b"ab"[..], b"c\0d", b"e"]);
        assert_eq!(messages[1].flags, vec![Flag::Draft]);
        assert!(messages[2].internal_date.is_some());

        assert!(matches!(
            kind(b"a APPEND INBOX\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        assert!(matches!(
            kind(b"a APPEND INBOX \"x\"\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        assert!(matches!(
            kind(b"a APPEND INBOX (\\Seen {1}\r\nx\r\n"),
            ParseErrorKind::Syntax(_)
        ));
    }
}
