//! FETCH and STORE arguments (RFC 3501 §6.4.5, §6.4.6, §9; RFC 9051 §6.4.5)
//! with the CONDSTORE modifiers and the MODSEQ item (RFC 7162 §3.1.3,
//! §3.1.4), and BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE (RFC 3516
//! §4.2). FETCH macros (ALL, FAST, FULL) are expanded here, so the session
//! only ever sees single items.

use super::ParseErrorKind;
use super::cursor::{Cursor, syntax};
use crate::command::{
    FetchArgs, FetchAttribute, Partial, Section, SectionText, StoreArgs, StoreMode,
};

/// `SP sequence-set SP (macro / fetch-att / "(" fetch-att *(SP fetch-att)
/// ")") [SP "(" CHANGEDSINCE mod-sequence-value ")"]`.
pub(super) fn fetch_arguments(cursor: &mut Cursor<'_>) -> Result<FetchArgs, ParseErrorKind> {
    cursor.sp()?;
    let sequence = cursor.sequence_set()?;
    cursor.sp()?;
    let attributes = fetch_items(cursor)?;
    let mut changed_since = None;
    let mut vanished = false;
    if cursor.eat(b' ') {
        cursor.expect(b'(', "'(' opening the fetch modifiers")?;
        loop {
            // RFC 7162 §3.2.6: VANISHED, only beside CHANGEDSINCE (checked
            // by the session, which knows whether this is UID FETCH).
            if !vanished && cursor.eat_keyword("VANISHED") {
                vanished = true;
            } else if changed_since.is_none() && cursor.eat_keyword("CHANGEDSINCE") {
                cursor.sp()?;
                match cursor.number64()? {
                    0 => return Err(syntax("CHANGEDSINCE must be positive")),
                    value => changed_since = Some(value),
                }
            } else {
                return Err(syntax("unsupported fetch modifier"));
            }
            if cursor.eat(b')') {
                break;
            }
            cursor.sp()?;
        }
    }
    Ok(FetchArgs {
        sequence,
        attributes,
        changed_since,
        vanished,
    })
}

fn fetch_items(cursor: &mut Cursor<'_>) -> Result<Vec<FetchAttribute>, ParseErrorKind> {
    use FetchAttribute::{Body, Envelope, Flags, InternalDate, Rfc822Size};
    // RFC 3501 §6.4.5: the macros stand alone, never inside a list.
    if cursor.eat_keyword("ALL") {
        return Ok(vec![Flags, InternalDate, Rfc822Size, Envelope]);
    }
    if cursor.eat_keyword("FAST") {
        return Ok(vec![Flags, InternalDate, Rfc822Size]);
    }
    if cursor.eat_keyword("FULL") {
        return Ok(vec![Flags, InternalDate, Rfc822Size, Envelope, Body]);
    }
    if !cursor.eat(b'(') {
        return Ok(vec![fetch_attribute(cursor)?]);
    }
    let mut attributes = Vec::new();
    loop {
        attributes.push(fetch_attribute(cursor)?);
        if cursor.eat(b')') {
            return Ok(attributes);
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the fetch items"))?;
    }
}

/// `fetch-att` (RFC 3501 §9) plus `MODSEQ` (RFC 7162 §7).
pub(super) fn fetch_attribute(cursor: &mut Cursor<'_>) -> Result<FetchAttribute, ParseErrorKind> {
    let name = cursor.take_while(|byte| byte.is_ascii_alphanumeric() || byte == b'.');
    let name = String::from_utf8_lossy(name).to_ascii_uppercase();
    Ok(match name.as_str() {
        "FLAGS" => FetchAttribute::Flags,
        "INTERNALDATE" => FetchAttribute::InternalDate,
        "RFC822.SIZE" => FetchAttribute::Rfc822Size,
        "ENVELOPE" => FetchAttribute::Envelope,
        "BODYSTRUCTURE" => FetchAttribute::BodyStructure,
        "UID" => FetchAttribute::Uid,
        "MODSEQ" => FetchAttribute::ModSeq,
        "EMAILID" => FetchAttribute::EmailId,
        "THREADID" => FetchAttribute::ThreadId,
        "RFC822" => FetchAttribute::Rfc822,
        "RFC822.HEADER" => FetchAttribute::Rfc822Header,
        "RFC822.TEXT" => FetchAttribute::Rfc822Text,
        "BODY" if cursor.peek() != Some(b'[') => FetchAttribute::Body,
        "BODY" | "BODY.PEEK" => FetchAttribute::BodySection {
            section: section(cursor)?,
            partial: partial(cursor)?,
            peek: name == "BODY.PEEK",
        },
        "BINARY" | "BINARY.PEEK" => FetchAttribute::Binary {
            part: section_binary(cursor)?,
            partial: partial(cursor)?,
            peek: name == "BINARY.PEEK",
        },
        "BINARY.SIZE" => FetchAttribute::BinarySize {
            part: section_binary(cursor)?,
        },
        "" => return Err(syntax("expected a fetch item")),
        other => {
            return Err(ParseErrorKind::Syntax(format!(
                "unknown fetch item {other}"
            )));
        }
    })
}

/// `section-binary`: "[" [section-part] "]" (RFC 3516 §4.2).
fn section_binary(cursor: &mut Cursor<'_>) -> Result<Vec<u32>, ParseErrorKind> {
    cursor.expect(b'[', "'[' opening the section")?;
    let mut part = Vec::new();
    if cursor.eat(b']') {
        return Ok(part);
    }
    loop {
        part.push(cursor.nz_number()?);
        if cursor.eat(b']') {
            return Ok(part);
        }
        cursor.expect(b'.', "'.' or ']' in the binary section")?;
    }
}

/// A section spec as FETCH BODY[...] writes it, without the brackets (an
/// IMAP URL's `;SECTION=`, RFC 5092 §3); None when it is not one.
pub(crate) fn parse_section(spec: &str) -> Option<Section> {
    let bracketed = format!("[{spec}]");
    let mut cursor = Cursor::new(bracketed.as_bytes());
    let section = section(&mut cursor).ok()?;
    cursor.peek().is_none().then_some(section)
}

/// `section`: "[" [section-part ["." section-text] / section-msgtext] "]".
fn section(cursor: &mut Cursor<'_>) -> Result<Section, ParseErrorKind> {
    cursor.expect(b'[', "'[' opening the section")?;
    let mut section = Section::default();
    if cursor.eat(b']') {
        return Ok(section);
    }
    if cursor.peek().is_some_and(|byte| byte.is_ascii_digit()) {
        loop {
            section.part.push(cursor.nz_number()?);
            if !cursor.eat(b'.') {
                break;
            }
            if !cursor.peek().is_some_and(|byte| byte.is_ascii_digit()) {
                section.text = Some(section_text(cursor, true)?);
                break;
            }
        }
    } else {
        section.text = Some(section_text(cursor, false)?);
    }
    cursor.expect(b']', "']' closing the section")?;
    Ok(section)
}

/// `section-text` (after a part number, MIME is allowed) or
/// `section-msgtext`.
fn section_text(cursor: &mut Cursor<'_>, after_part: bool) -> Result<SectionText, ParseErrorKind> {
    let name = cursor.take_while(|byte| byte.is_ascii_alphabetic() || byte == b'.');
    Ok(match name.to_ascii_uppercase().as_slice() {
        b"HEADER" => SectionText::Header,
        b"HEADER.FIELDS" => SectionText::HeaderFields(header_list(cursor)?),
        b"HEADER.FIELDS.NOT" => SectionText::HeaderFieldsNot(header_list(cursor)?),
        b"TEXT" => SectionText::Text,
        b"MIME" if after_part => SectionText::Mime,
        _ => return Err(syntax("invalid section")),
    })
}

/// `SP header-list`: "(" header-fld-name *(SP header-fld-name) ")". Some
/// clients omit the space before the parenthesis; that is tolerated.
fn header_list(cursor: &mut Cursor<'_>) -> Result<Vec<String>, ParseErrorKind> {
    cursor.eat(b' ');
    cursor.expect(b'(', "'(' opening the header list")?;
    let mut names = Vec::new();
    loop {
        names.push(cursor.astring_utf8("a header field name")?);
        if cursor.eat(b')') {
            return Ok(names);
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the header list"))?;
    }
}

/// `partial`: "<" number "." nz-number ">".
fn partial(cursor: &mut Cursor<'_>) -> Result<Option<Partial>, ParseErrorKind> {
    if !cursor.eat(b'<') {
        return Ok(None);
    }
    let offset = cursor.number()?;
    cursor.expect(b'.', "'.' in the partial range")?;
    let length = cursor.nz_number()?;
    cursor.expect(b'>', "'>' closing the partial range")?;
    Ok(Some(Partial { offset, length }))
}

/// `SP sequence-set [SP "(" UNCHANGEDSINCE mod-sequence-valzer ")"] SP
/// ["+" / "-"] "FLAGS" [".SILENT"] SP (flag-list / (flag *(SP flag)))`.
pub(super) fn store_arguments(cursor: &mut Cursor<'_>) -> Result<StoreArgs, ParseErrorKind> {
    cursor.sp()?;
    let sequence = cursor.sequence_set()?;
    cursor.sp()?;
    let mut unchanged_since = None;
    if cursor.eat(b'(') {
        if !cursor.eat_keyword("UNCHANGEDSINCE") {
            return Err(syntax("unsupported store modifier"));
        }
        cursor.sp()?;
        unchanged_since = Some(cursor.number64()?);
        cursor.expect(b')', "')' closing the store modifiers")?;
        cursor.sp()?;
    }
    let mode = if cursor.eat(b'+') {
        StoreMode::Add
    } else if cursor.eat(b'-') {
        StoreMode::Remove
    } else {
        StoreMode::Replace
    };
    let silent = if cursor.eat_keyword("FLAGS") {
        false
    } else if cursor.eat_keyword("FLAGS.SILENT") {
        true
    } else {
        return Err(syntax("expected FLAGS or FLAGS.SILENT"));
    };
    cursor.sp()?;
    let flags = if cursor.peek() == Some(b'(') {
        cursor.flag_list()?
    } else {
        let mut flags = vec![cursor.flag()?];
        while cursor.eat(b' ') {
            flags.push(cursor.flag()?);
        }
        flags
    };
    Ok(StoreArgs {
        sequence,
        mode,
        silent,
        flags,
        unchanged_since,
    })
}

#[cfg(test)]
mod tests {
    use crate::command::{CommandBody, Flag, SeqBound, SequenceSet};
    use crate::parser::parse_command;

    use super::*;

    fn fetch(input: &str) -> (bool, FetchArgs) {
        match parse_command(input.as_bytes()).map(|command| command.body) {
            Ok(CommandBody::Fetch { uid, args }) => (uid, args),
            other => panic!("{input}: {other:?}"),
        }
    }

    fn store(input: &str) -> (bool, StoreArgs) {
        match parse_command(input.as_bytes()).map(|command| command.body) {
            Ok(CommandBody::Store { uid, args }) => (uid, args),
            other => panic!("{input}: {other:?}"),
        }
    }

    fn fails(input: &str) -> bool {
        matches!(parse_command(input.as_bytes()), Err(error) if matches!(error.kind, ParseErrorKind::Syntax(_)))
    }

    fn body_section(
        part: &[u32],
        text: Option<SectionText>,
        partial: Option<Partial>,
        peek: bool,
    ) -> FetchAttribute {
        FetchAttribute::BodySection {
            section: Section {
                part: part.to_vec(),
                text,
            },
            partial,
            peek,
        }
    }

    #[test]
    fn macros_expand() {
        use FetchAttribute::*;
        assert_eq!(
            fetch("a FETCH 1 ALL\r\n").1.attributes,
            vec![Flags, InternalDate, Rfc822Size, Envelope]
        );
        assert_eq!(
            fetch("a FETCH 1 fast\r\n").1.attributes,
            vec![Flags, InternalDate, Rfc822Size]
        );
        assert_eq!(
            fetch("a FETCH 1 Full\r\n").1.attributes,
            vec![Flags, InternalDate, Rfc822Size, Envelope, Body]
        );
        assert!(fails("a FETCH 1 (ALL)\r\n"));
    }

    #[test]
    fn every_item() {
        use FetchAttribute::*;
        let (uid, args) = fetch(
            "a UID fetch 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY RFC822 RFC822.HEADER rfc822.text MODSEQ)\r\n",
        );
        assert!(uid);
        assert_eq!(
            args.sequence,
            SequenceSet::Ranges(vec![(SeqBound::Value(1), SeqBound::Largest)])
        );
        assert_eq!(
            args.attributes,
            vec![
                Uid,
                Flags,
                InternalDate,
                Rfc822Size,
                Envelope,
                BodyStructure,
                Body,
                Rfc822,
                Rfc822Header,
                Rfc822Text,
                ModSeq
            ]
        );
        assert_eq!(args.changed_since, None);
    }

    #[test]
    fn sections_and_partials() {
        let (_, args) = fetch(
            "a FETCH 2 (BODY[] BODY.PEEK[1.2.HEADER.FIELDS (From \"To\")]<0.100> body[1.MIME] BODY[HEADER.FIELDS.NOT (Received)] BODY[TEXT]<5.1> BODY[3] BODY.PEEK[HEADER.FIELDS(Date)] BODY[2.TEXT])\r\n",
        );
        assert_eq!(
            args.attributes,
            vec![
                body_section(&[], None, None, false),
                body_section(
                    &[1, 2],
                    Some(SectionText::HeaderFields(vec!["From".into(), "To".into()])),
                    Some(Partial {
                        offset: 0,
                        length: 100
                    }),
                    true
                ),
                body_section(&[1], Some(SectionText::Mime), None, false),
                body_section(
                    &[],
                    Some(SectionText::HeaderFieldsNot(vec!["Received".into()])),
                    None,
                    false
                ),
                body_section(
                    &[],
                    Some(SectionText::Text),
                    Some(Partial {
                        offset: 5,
                        length: 1
                    }),
                    false
                ),
                body_section(&[3], None, None, false),
                body_section(
                    &[],
                    Some(SectionText::HeaderFields(vec!["Date".into()])),
                    None,
                    true
                ),
                body_section(&[2], Some(SectionText::Text), None, false),
            ]
        );
        for bad in [
            "a FETCH 1 BODY[MIME]\r\n",
            "a FETCH 1 BODY[0]\r\n",
            "a FETCH 1 BODY[1.]\r\n",
            "a FETCH 1 BODY[HEADER\r\n",
            "a FETCH 1 BODY[]<0.0>\r\n",
            "a FETCH 1 BODY[]<1>\r\n",
            "a FETCH 1 BODY.PEEK\r\n",
            "a FETCH 1 BINARY[1.TEXT]\r\n",
            "a FETCH 1 BINARY.SIZE[1]<0.1>\r\n",
            "a FETCH 1 BODY[HEADER.FIELDS ()]\r\n",
            "a FETCH 1 ()\r\n",
            "a FETCH 1 (FLAGS  UID)\r\n",
        ] {
            assert!(fails(bad), "{bad}");
        }
    }

    #[test]
    fn changed_since() {
        let (_, args) = fetch("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n");
        assert_eq!(args.changed_since, Some(12345));
        assert!(fails("a FETCH 1 FLAGS (CHANGEDSINCE 0)\r\n"));
        // RFC 7162 §3.2.6 example; the session checks VANISHED's context.
        let (_, args) = fetch("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)\r\n");
        assert_eq!((args.changed_since, args.vanished), (Some(12345), true));
        assert!(fails("a FETCH 1 FLAGS (VANISHED VANISHED)\r\n"));
        assert!(fails("a FETCH 1 FLAGS (CHANGEDSINCE 1 CHANGEDSINCE 2)\r\n"));
        assert!(fails("a FETCH 1 FLAGS \r\n"));
    }

    #[test]
    fn store_forms() {
        let (uid, args) = store("a STORE 2:4 +FLAGS (\\Deleted)\r\n");
        assert_eq!(
            (
                uid,
                args.mode,
                args.silent,
                args.flags,
                args.unchanged_since
            ),
            (false, StoreMode::Add, false, vec![Flag::Deleted], None)
        );
        let (uid, args) = store("a uid store 1 -flags.silent \\Seen $Junk\r\n");
        assert_eq!(
            (uid, args.mode, args.silent, args.flags),
            (
                true,
                StoreMode::Remove,
                true,
                vec![Flag::Seen, Flag::Keyword("$Junk".into())]
            )
        );
        let (_, args) = store("a STORE 1 (UNCHANGEDSINCE 0) FLAGS ()\r\n");
        assert_eq!(
            (args.mode, args.flags, args.unchanged_since),
            (StoreMode::Replace, vec![], Some(0))
        );
        for bad in [
            "a STORE 1 FLAGS\r\n",
            "a STORE 1 +FLAGS.LOUD (\\Seen)\r\n",
            "a STORE 1 (UNCHANGEDSINCE x) FLAGS ()\r\n",
            "a STORE 1 *FLAGS ()\r\n",
            "a STORE 1 FLAGS (\\Seen\r\n",
        ] {
            assert!(fails(bad), "{bad}");
        }
    }
}
