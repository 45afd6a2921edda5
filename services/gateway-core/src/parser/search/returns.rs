//! SEARCH result options: `RETURN (...)` of ESEARCH (RFC 4731 §3.1),
//! SEARCHRES `SAVE` (RFC 5182 §2.1), CONTEXT=SEARCH `UPDATE`, `CONTEXT` and
//! `PARTIAL` (RFC 5267 §4, RFC 9394 §3.1), and the CANCELUPDATE command's
//! tags (RFC 5267 §4.3.5). Options are deduplicated in the order written.

use super::super::ParseErrorKind;
use super::super::cursor::{Cursor, syntax, utf8};
use crate::command::{PartialRange, SearchReturn};

/// `"(" [search-return-opt *(SP search-return-opt)] ")"`; `()` means ALL
/// (RFC 4731 §3.1). PARTIAL may appear once and not with ALL (RFC 9394 §3.1).
pub(in crate::parser) fn return_options(
    cursor: &mut Cursor<'_>,
) -> Result<Vec<SearchReturn>, ParseErrorKind> {
    cursor.expect(b'(', "( after RETURN")?;
    let mut options: Vec<SearchReturn> = Vec::new();
    while !cursor.eat(b')') {
        if !options.is_empty() {
            cursor.sp()?;
        }
        let option = return_option(cursor)?;
        let is_partial = matches!(option, SearchReturn::Partial(_));
        if is_partial
            && options
                .iter()
                .any(|seen| matches!(seen, SearchReturn::Partial(_)))
        {
            return Err(syntax("PARTIAL given twice"));
        }
        if !options.contains(&option) {
            options.push(option);
        }
    }
    let has_partial = options
        .iter()
        .any(|option| matches!(option, SearchReturn::Partial(_)));
    if has_partial && options.contains(&SearchReturn::All) {
        return Err(syntax("PARTIAL and ALL cannot be combined"));
    }
    if options.is_empty() {
        options.push(SearchReturn::All);
    }
    Ok(options)
}

fn return_option(cursor: &mut Cursor<'_>) -> Result<SearchReturn, ParseErrorKind> {
    if cursor.eat_keyword("PARTIAL") {
        cursor.sp()?;
        return partial_range(cursor).map(SearchReturn::Partial);
    }
    [
        ("MIN", SearchReturn::Min),
        ("MAX", SearchReturn::Max),
        ("ALL", SearchReturn::All),
        ("COUNT", SearchReturn::Count),
        ("SAVE", SearchReturn::Save),
        ("UPDATE", SearchReturn::Update),
        ("CONTEXT", SearchReturn::Context),
    ]
    .into_iter()
    .find(|(name, _)| cursor.eat_keyword(name))
    .map(|(_, option)| option)
    .ok_or_else(|| syntax("unknown SEARCH RETURN option"))
}

/// `nz-number ":" nz-number` or `"-" nz-number ":" "-" nz-number`
/// (RFC 9394 §5); the bounds may come in either order. Shared with SORT.
pub(in crate::parser) fn partial_range(
    cursor: &mut Cursor<'_>,
) -> Result<PartialRange, ParseErrorKind> {
    let from_end = cursor.eat(b'-');
    let first = cursor.nz_number()?;
    cursor.expect(b':', "':' in the PARTIAL range")?;
    if from_end {
        cursor.expect(b'-', "'-' before the PARTIAL range end")?;
    }
    let last = cursor.nz_number()?;
    Ok(PartialRange {
        first: first.min(last),
        last: first.max(last),
        from_end,
    })
}

/// `SP tag-string *(SP tag-string)` of CANCELUPDATE (RFC 5267 §4.3.5).
pub(in crate::parser) fn cancel_update_arguments(
    cursor: &mut Cursor<'_>,
) -> Result<Vec<String>, ParseErrorKind> {
    let mut tags = Vec::new();
    while tags.is_empty() || cursor.peek() == Some(b' ') {
        cursor.sp()?;
        tags.push(utf8(cursor.astring()?, "the search tag")?);
    }
    Ok(tags)
}

#[cfg(test)]
mod tests {
    use crate::command::{CommandBody, PartialRange, SearchReturn};
    use crate::parser::{ParseErrorKind, parse_command};

    fn options(input: &str) -> Vec<SearchReturn> {
        match parse_command(input.as_bytes()).map(|command| command.body) {
            Ok(CommandBody::Search { args, .. }) => args.result.expect("RETURN options"),
            other => panic!("{input}: {other:?}"),
        }
    }

    fn is_syntax_error(input: &str) -> bool {
        matches!(
            parse_command(input.as_bytes()).map_err(|error| error.kind),
            Err(ParseErrorKind::Syntax(_))
        )
    }

    fn partial(first: u32, last: u32, from_end: bool) -> SearchReturn {
        SearchReturn::Partial(PartialRange {
            first,
            last,
            from_end,
        })
    }

    // RFC 5182 §2.1, RFC 5267 §4.
    #[test]
    fn save_update_and_context_options() {
        use SearchReturn::*;
        assert_eq!(
            options("a SEARCH RETURN (SAVE MIN update CONTEXT save) ALL\r\n"),
            vec![Save, Min, Update, Context]
        );
        assert_eq!(options("a SEARCH RETURN () ALL\r\n"), vec![All]);
    }

    // The search-partial conformance script: ranges are normalised, `1`,
    // `1:*` and `*:1` are syntax errors.
    #[test]
    fn partial_ranges() {
        assert_eq!(
            options("a SEARCH RETURN (PARTIAL 4:2) ALL\r\n"),
            vec![partial(2, 4, false)]
        );
        assert_eq!(
            options("a UID SEARCH RETURN (COUNT PARTIAL -1:-100) ALL\r\n"),
            vec![SearchReturn::Count, partial(1, 100, true)]
        );
        for bad in [
            "a SEARCH RETURN (PARTIAL 1) ALL\r\n",
            "a SEARCH RETURN (PARTIAL 1:*) ALL\r\n",
            "a SEARCH RETURN (PARTIAL *:1) ALL\r\n",
            "a SEARCH RETURN (PARTIAL 0:3) ALL\r\n",
            "a SEARCH RETURN (PARTIAL -1:2) ALL\r\n",
            "a SEARCH RETURN (PARTIAL 1:2 PARTIAL 3:4) ALL\r\n",
            "a SEARCH RETURN (ALL PARTIAL 1:2) ALL\r\n",
            "a SEARCH RETURN (FROB) ALL\r\n",
        ] {
            assert!(is_syntax_error(bad), "{bad}");
        }
    }

    #[test]
    fn cancelupdate_takes_one_or_more_tags() {
        let body = |input: &str| parse_command(input.as_bytes()).map(|command| command.body);
        assert_eq!(
            body("a CANCELUPDATE \"A1\" {2}\r\nB2\r\n").unwrap(),
            CommandBody::CancelUpdate(vec!["A1".into(), "B2".into()])
        );
        assert!(body("a CANCELUPDATE\r\n").is_err());
        assert!(body("a CANCELUPDATE \"A1\" \r\n").is_err());
    }
}
