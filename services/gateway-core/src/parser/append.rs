//! APPEND arguments (RFC 3501 §6.3.11) with MULTIAPPEND (RFC 3502: several
//! messages in one command), binary data (RFC 3516 `literal8`, RFC 6855
//! `UTF8 (literal8)`) and CATENATE (RFC 4469 §5). Each message keeps its
//! literal bytes exactly.

use super::ParseErrorKind;
use super::commands::mailbox_argument;
use super::cursor::Cursor;
use super::cursor::syntax;
use crate::command::{AppendData, AppendMessage, CatenatePart, CommandBody};

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
        let data = if cursor.eat_keyword("UTF8") {
            cursor.sp()?;
            cursor.expect(b'(', "'(' after UTF8")?;
            let literal = cursor.literal(true)?;
            cursor.expect(b')', "')' after the UTF8 literal")?;
            AppendData::Literal(literal.to_vec())
        } else if cursor.eat_keyword("CATENATE") {
            AppendData::Catenate(catenate_parts(cursor)?)
        } else {
            AppendData::Literal(cursor.literal(cursor.peek() == Some(b'~'))?.to_vec())
        };
        messages.push(AppendMessage {
            flags,
            internal_date,
            data,
        });
        if cursor.at_line_end() {
            return Ok(CommandBody::Append { mailbox, messages });
        }
    }
}

/// `SP "(" cat-part *(SP cat-part) ")"` where cat-part is `"URL" SP
/// astring` or `"TEXT" SP (literal / literal8)` (RFC 4469 §5, RFC 3516).
fn catenate_parts(cursor: &mut Cursor<'_>) -> Result<Vec<CatenatePart>, ParseErrorKind> {
    cursor.sp()?;
    cursor.expect(b'(', "'(' opening the CATENATE parts")?;
    let mut parts = Vec::new();
    loop {
        let part = if cursor.eat_keyword("TEXT") {
            cursor.sp()?;
            CatenatePart::Text(cursor.literal(cursor.peek() == Some(b'~'))?.to_vec())
        } else if cursor.eat_keyword("URL") {
            cursor.sp()?;
            CatenatePart::Url(cursor.astring_utf8("an IMAP URL")?)
        } else {
            return Err(syntax("expected TEXT or URL in CATENATE"));
        };
        parts.push(part);
        if cursor.eat(b')') {
            return Ok(parts);
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the CATENATE parts"))?;
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
        assert_eq!(messages[0].data, AppendData::Literal(b"Hello".to_vec()));

        let multi = body(
            "a append INBOX {2+}\r\nab (\\Draft) ~{3}\r\nc\0d \"1-Jan-2020 00:00:00 +0000\" UTF8 (~{1}\r\ne)\r\n",
        );
        let CommandBody::Append { messages, .. } = multi else {
            panic!("not an append");
        };
        let literals: Vec<AppendData> = messages
            .iter()
            .map(|message| message.data.clone())
            .collect();
        let literal = |bytes: &[u8]| AppendData::Literal(bytes.to_vec());
        assert_eq!(
            literals,
            vec![literal(b"ab"), literal(b"c\0d"), literal(b"e")]
        );
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

    #[test]
    fn catenate_forms() {
        // RFC 4469 §5 example, then CATENATE beside a plain message.
        let command = body(
            "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE \
             (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" \
             TEXT {42}\r\n\r\n--------------030308070208000400050907\r\n \
             URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" TEXT ~{2+}\r\n\0x) \
             {1+}\r\ny\r\n",
        );
        let CommandBody::Append { messages, .. } = command else {
            panic!("not an append");
        };
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].flags.len(), 3);
        assert_eq!(
            messages[0].data,
            AppendData::Catenate(vec![
                CatenatePart::Url("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER".into()),
                CatenatePart::Text(b"\r\n--------------030308070208000400050907\r\n".to_vec()),
                CatenatePart::Url("/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME".into()),
                CatenatePart::Text(b"\0x".to_vec()),
            ])
        );
        assert_eq!(messages[1].data, AppendData::Literal(b"y".to_vec()));
        for bad in [
            &b"a APPEND INBOX CATENATE ()\r\n"[..],
            b"a APPEND INBOX CATENATE (TEXT \"x\")\r\n",
            b"a APPEND INBOX CATENATE (URL)\r\n",
            b"a APPEND INBOX CATENATE (FILE {1}\r\nx)\r\n",
        ] {
            assert!(matches!(kind(bad), ParseErrorKind::Syntax(_)));
        }
    }
}
