//! SEARCH arguments (RFC 3501 §6.4.4, §9): the optional CHARSET (only
//! US-ASCII and UTF-8; anything else is `BadCharset`), every RFC 3501 key,
//! parenthesised lists, OR and NOT, CONDSTORE's `MODSEQ` (RFC 7162
//! §3.1.5) and WITHIN's `OLDER`/`YOUNGER` (RFC 5032). RETURN options are in
//! `returns`. Nesting is bounded by [`MAX_NESTING`] so that a hostile line
//! cannot exhaust the stack.

mod returns;

use super::ParseErrorKind;
use super::cursor::{Cursor, syntax, utf8};
use crate::command::{SearchArgs, SearchKey};
pub(super) use returns::cancel_update_arguments;
pub(super) use returns::return_options;

/// How deep NOT, OR and parentheses may nest.
const MAX_NESTING: usize = 64;

/// `SP [CHARSET SP charset SP] search-key *(SP search-key)`; several keys
/// at top level are an implicit AND.
pub(super) fn search_arguments(cursor: &mut Cursor<'_>) -> Result<SearchArgs, ParseErrorKind> {
    cursor.sp()?;
    let result = if cursor.eat_keyword("RETURN") {
        cursor.sp()?;
        let options = return_options(cursor)?;
        cursor.sp()?;
        Some(options)
    } else {
        None
    };
    let mut charset = None;
    if cursor.eat_keyword("CHARSET") {
        cursor.sp()?;
        charset = Some(charset_name(cursor)?.to_owned());
        cursor.sp()?;
    }
    let criteria = search_criteria(cursor)?;
    Ok(SearchArgs {
        result,
        charset,
        criteria,
    })
}

/// A `charset` argument: only US-ASCII and UTF-8 (RFC 3501 §6.4.4, RFC
/// 5256 §3); anything else is `BadCharset`.
pub(super) fn charset_name(cursor: &mut Cursor<'_>) -> Result<&'static str, ParseErrorKind> {
    match cursor.astring()?.to_ascii_uppercase().as_slice() {
        b"US-ASCII" => Ok("US-ASCII"),
        b"UTF-8" => Ok("UTF-8"),
        _ => Err(ParseErrorKind::BadCharset),
    }
}

/// `search-key *(SP search-key)`; several keys are an implicit AND (also
/// the criteria of SORT and THREAD).
pub(super) fn search_criteria(cursor: &mut Cursor<'_>) -> Result<SearchKey, ParseErrorKind> {
    let mut keys = vec![search_key(cursor, 0)?];
    while cursor.eat(b' ') {
        keys.push(search_key(cursor, 0)?);
    }
    Ok(if keys.len() == 1 {
        keys.remove(0)
    } else {
        SearchKey::And(keys)
    })
}

fn search_key(cursor: &mut Cursor<'_>, depth: usize) -> Result<SearchKey, ParseErrorKind> {
    if depth >= MAX_NESTING {
        return Err(syntax("search criteria nested too deeply"));
    }
    match cursor.peek() {
        Some(b'(') => return key_list(cursor, depth + 1),
        Some(b'0'..=b'9' | b'*' | b'$') => return cursor.sequence_set().map(SearchKey::Sequence),
        _ => {}
    }
    let name = cursor.atom().map_err(|_| syntax("expected a search key"))?;
    let key = match name.to_ascii_uppercase().as_str() {
        "ALL" => SearchKey::All,
        "ANSWERED" => SearchKey::Answered,
        "DELETED" => SearchKey::Deleted,
        "DRAFT" => SearchKey::Draft,
        "FLAGGED" => SearchKey::Flagged,
        "NEW" => SearchKey::New,
        "OLD" => SearchKey::Old,
        "RECENT" => SearchKey::Recent,
        "SEEN" => SearchKey::Seen,
        "UNANSWERED" => SearchKey::Unanswered,
        "UNDELETED" => SearchKey::Undeleted,
        "UNDRAFT" => SearchKey::Undraft,
        "UNFLAGGED" => SearchKey::Unflagged,
        "UNSEEN" => SearchKey::Unseen,
        "BCC" => SearchKey::Bcc(text_argument(cursor)?),
        "BODY" => SearchKey::Body(text_argument(cursor)?),
        "CC" => SearchKey::Cc(text_argument(cursor)?),
        "FROM" => SearchKey::From(text_argument(cursor)?),
        "SUBJECT" => SearchKey::Subject(text_argument(cursor)?),
        "TEXT" => SearchKey::Text(text_argument(cursor)?),
        "TO" => SearchKey::To(text_argument(cursor)?),
        "BEFORE" => SearchKey::Before(date_argument(cursor)?),
        "ON" => SearchKey::On(date_argument(cursor)?),
        "SINCE" => SearchKey::Since(date_argument(cursor)?),
        "SENTBEFORE" => SearchKey::SentBefore(date_argument(cursor)?),
        "SENTON" => SearchKey::SentOn(date_argument(cursor)?),
        "SENTSINCE" => SearchKey::SentSince(date_argument(cursor)?),
        "KEYWORD" => {
            cursor.sp()?;
            SearchKey::Keyword(cursor.keyword()?)
        }
        "UNKEYWORD" => {
            cursor.sp()?;
            SearchKey::Unkeyword(cursor.keyword()?)
        }
        "HEADER" => {
            cursor.sp()?;
            let field = cursor.astring_utf8("a header field name")?;
            SearchKey::Header(field, text_argument(cursor)?)
        }
        "LARGER" => {
            cursor.sp()?;
            SearchKey::Larger(cursor.number()?)
        }
        "SMALLER" => {
            cursor.sp()?;
            SearchKey::Smaller(cursor.number()?)
        }
        "UID" => {
            cursor.sp()?;
            SearchKey::Uid(cursor.sequence_set()?)
        }
        "NOT" => {
            cursor.sp()?;
            SearchKey::Not(Box::new(search_key(cursor, depth + 1)?))
        }
        "OR" => {
            cursor.sp()?;
            let left = search_key(cursor, depth + 1)?;
            cursor.sp()?;
            SearchKey::Or(Box::new(left), Box::new(search_key(cursor, depth + 1)?))
        }
        "MODSEQ" => SearchKey::ModSeq(modseq_argument(cursor)?),
        // WITHIN (RFC 5032 §3): `nz-number` seconds.
        "OLDER" => {
            cursor.sp()?;
            SearchKey::Older(cursor.nz_number()?)
        }
        "YOUNGER" => {
            cursor.sp()?;
            SearchKey::Younger(cursor.nz_number()?)
        }
        "EMAILID" => SearchKey::EmailId(objectid_argument(cursor)?),
        "THREADID" => SearchKey::ThreadId(objectid_argument(cursor)?),
        other => {
            return Err(ParseErrorKind::Syntax(format!(
                "unknown search key {other}"
            )));
        }
    };
    Ok(key)
}

/// "(" search-key *(SP search-key) ")".
fn key_list(cursor: &mut Cursor<'_>, depth: usize) -> Result<SearchKey, ParseErrorKind> {
    cursor.expect(b'(', "'('")?;
    let mut keys = Vec::new();
    loop {
        keys.push(search_key(cursor, depth)?);
        if cursor.eat(b')') {
            return Ok(SearchKey::And(keys));
        }
        cursor
            .sp()
            .map_err(|_| syntax("expected ')' closing the search list"))?;
    }
}

/// `SP astring`, as UTF-8 text (a literal may carry UTF-8).
fn text_argument(cursor: &mut Cursor<'_>) -> Result<String, ParseErrorKind> {
    cursor.sp()?;
    let text = cursor.astring()?;
    utf8(text, "the search string")
}

fn date_argument(cursor: &mut Cursor<'_>) -> Result<chrono::NaiveDate, ParseErrorKind> {
    cursor.sp()?;
    cursor.date()
}

/// `SP [entry-name SP entry-type-req SP] mod-sequence-valzer`; the entry
/// (a per-flag MODSEQ) is accepted and ignored, since Mailkeep keeps one
/// MODSEQ per message.
fn modseq_argument(cursor: &mut Cursor<'_>) -> Result<u64, ParseErrorKind> {
    cursor.sp()?;
    if cursor.peek() == Some(b'"') {
        let entry = cursor.quoted()?;
        if !entry.to_ascii_lowercase().starts_with(b"/flags/") {
            return Err(syntax("invalid MODSEQ entry name"));
        }
        cursor.sp()?;
        let entry_type = cursor.atom()?.to_ascii_lowercase();
        if !matches!(entry_type.as_str(), "priv" | "shared" | "all") {
            return Err(syntax("invalid MODSEQ entry type"));
        }
        cursor.sp()?;
    }
    cursor.number64()
}

/// `SP objectid`: 1 to 255 of `A-Z a-z 0-9 _ -` (RFC 8474 §7).
fn objectid_argument(cursor: &mut Cursor<'_>) -> Result<String, ParseErrorKind> {
    cursor.sp()?;
    let id = cursor.take_while(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'));
    if id.is_empty() || id.len() > 255 {
        return Err(syntax("invalid object id"));
    }
    // ASCII only, so nothing is lost.
    Ok(String::from_utf8_lossy(id).into_owned())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::command::{CommandBody, SeqBound, SequenceSet};
    use crate::parser::parse_command;

    use super::*;

    fn search(input: &str) -> (bool, SearchArgs) {
        match parse_command(input.as_bytes()).map(|command| command.body) {
            Ok(CommandBody::Search { uid, args }) => (uid, args),
            other => panic!("{input}: {other:?}"),
        }
    }

    fn criteria(input: &str) -> SearchKey {
        search(input).1.criteria
    }

    fn error(input: &[u8]) -> ParseErrorKind {
        parse_command(input).expect_err("must fail").kind
    }

    fn date(day: u32, month: u32, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn every_flag_key() {
        use SearchKey::*;
        assert_eq!(
            criteria(
                "a SEARCH ALL ANSWERED DELETED DRAFT FLAGGED NEW OLD RECENT SEEN UNANSWERED UNDELETED UNDRAFT UNFLAGGED unseen\r\n"
            ),
            And(vec![
                All, Answered, Deleted, Draft, Flagged, New, Old, Recent, Seen, Unanswered,
                Undeleted, Undraft, Unflagged, Unseen
            ])
        );
        assert_eq!(
            criteria("a search keyword $Junk\r\n"),
            Keyword("$Junk".into())
        );
        assert_eq!(criteria("a SEARCH UNKEYWORD x\r\n"), Unkeyword("x".into()));
    }

    #[test]
    fn strings_dates_and_sizes() {
        use SearchKey::*;
        assert_eq!(
            criteria(
                "a SEARCH BCC a CC \"b c\" FROM d SUBJECT {4}\r\ne fg TEXT h TO i BODY j HEADER Message-ID \"<x@y>\"\r\n"
            ),
            And(vec![
                Bcc("a".into()),
                Cc("b c".into()),
                From("d".into()),
                Subject("e fg".into()),
                Text("h".into()),
                To("i".into()),
                Body("j".into()),
                Header("Message-ID".into(), "<x@y>".into()),
            ])
        );
        assert_eq!(
            criteria(
                "a SEARCH BEFORE 1-Feb-1994 ON \"01-Feb-1994\" SINCE 28-dec-2023 SENTBEFORE 2-Mar-2000 SENTON 2-Mar-2000 SENTSINCE 2-Mar-2000\r\n"
            ),
            And(vec![
                Before(date(1, 2, 1994)),
                On(date(1, 2, 1994)),
                Since(date(28, 12, 2023)),
                SentBefore(date(2, 3, 2000)),
                SentOn(date(2, 3, 2000)),
                SentSince(date(2, 3, 2000)),
            ])
        );
        assert_eq!(
            criteria("a SEARCH LARGER 100 SMALLER 4294967295\r\n"),
            And(vec![Larger(100), Smaller(u32::MAX)])
        );
    }

    #[test]
    fn esearch_return_options() {
        use crate::command::SearchReturn::*;
        let (uid, args) = search("a UID SEARCH RETURN (MIN COUNT min) CHARSET UTF-8 ALL\r\n");
        assert!(uid);
        assert_eq!(args.result, Some(vec![Min, Count]));
        assert_eq!(args.charset.as_deref(), Some("UTF-8"));
        assert_eq!(
            search("a SEARCH RETURN () ALL\r\n").1.result,
            Some(vec![All])
        );
        assert_eq!(search("a SEARCH ALL\r\n").1.result, None);
        for bad in [
            &b"a SEARCH RETURN (MIN  MAX) ALL\r\n"[..],
            b"a SEARCH RETURN (MIN ALL\r\n",
            b"a SEARCH RETURN ALL\r\n",
        ] {
            assert!(matches!(error(bad), ParseErrorKind::Syntax(_)), "{bad:?}");
        }
    }

    #[test]
    fn utf8_charset_and_literals() {
        let (uid, args) = search("a UID SEARCH CHARSET utf-8 SUBJECT {6}\r\nd\u{e9}j\u{e0}\r\n");
        assert!(uid);
        assert_eq!(args.charset.as_deref(), Some("UTF-8"));
        assert_eq!(args.criteria, SearchKey::Subject("d\u{e9}j\u{e0}".into()));
        assert_eq!(
            search("a SEARCH CHARSET \"US-ASCII\" ALL\r\n")
                .1
                .charset
                .as_deref(),
            Some("US-ASCII")
        );
        assert_eq!(search("a SEARCH ALL\r\n").1.charset, None);
        assert_eq!(
            error(b"a SEARCH CHARSET KOI8-R ALL\r\n"),
            ParseErrorKind::BadCharset
        );
        assert!(matches!(
            error(b"a SEARCH SUBJECT {1}\r\n\xff\r\n"),
            ParseErrorKind::Syntax(_)
        ));
    }

    #[test]
    fn nesting_or_not_and_sets() {
        use SearchKey::*;
        let set = |first, last| SequenceSet::Ranges(vec![(SeqBound::Value(first), last)]);
        assert_eq!(
            criteria("a SEARCH OR (SEEN FROM x) NOT UID 5:* 1:3 $\r\n"),
            And(vec![
                Or(
                    Box::new(And(vec![Seen, From("x".into())])),
                    Box::new(Not(Box::new(Uid(set(5, SeqBound::Largest)))))
                ),
                Sequence(set(1, SeqBound::Value(3))),
                Sequence(SequenceSet::SavedResult),
            ])
        );
        assert_eq!(
            criteria("a SEARCH ((DELETED))\r\n"),
            And(vec![And(vec![Deleted])])
        );
        assert_eq!(criteria("a SEARCH MODSEQ 0\r\n"), ModSeq(0));
        assert_eq!(
            criteria("a SEARCH OLDER 3600 YOUNGER 60\r\n"),
            And(vec![Older(3600), Younger(60)])
        );
        assert!(matches!(
            error(b"a SEARCH YOUNGER 0\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        // RFC 8474 §6 examples.
        assert_eq!(
            criteria("27 SEARCH EMAILID M6d99ac3275bb4e\r\n"),
            EmailId("M6d99ac3275bb4e".into())
        );
        assert_eq!(
            criteria("28 UID SEARCH THREADID T64b478a75b7ea9\r\n"),
            ThreadId("T64b478a75b7ea9".into())
        );
        assert!(matches!(
            error(b"a SEARCH EMAILID M+1\r\n"),
            ParseErrorKind::Syntax(_)
        ));
        assert_eq!(
            criteria("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338\r\n"),
            ModSeq(620162338)
        );
        let deep = format!("a SEARCH {}ALL{}\r\n", "(".repeat(100), ")".repeat(100));
        assert!(matches!(error(deep.as_bytes()), ParseErrorKind::Syntax(_)));
        let nots = format!("a SEARCH {}ALL\r\n", "NOT ".repeat(10_000));
        assert!(matches!(error(nots.as_bytes()), ParseErrorKind::Syntax(_)));
    }

    #[test]
    fn malformed_criteria() {
        for bad in [
            &b"a SEARCH\r\n"[..],
            b"a SEARCH \r\n",
            b"a SEARCH (SEEN\r\n",
            b"a SEARCH SEEN)\r\n",
            b"a SEARCH ()\r\n",
            b"a SEARCH OR SEEN\r\n",
            b"a SEARCH FROB\r\n",
            b"a SEARCH SINCE 1994-02-01\r\n",
            b"a SEARCH LARGER -1\r\n",
            b"a SEARCH 0:4\r\n",
            b"a SEARCH MODSEQ \"/x\" all 5\r\n",
            b"a SEARCH CHARSET UTF-8\r\n",
        ] {
            assert!(matches!(error(bad), ParseErrorKind::Syntax(_)), "{bad:?}");
        }
    }
}
