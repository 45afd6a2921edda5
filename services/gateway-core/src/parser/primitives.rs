//! Grammar pieces shared by several commands (RFC 3501 §9, RFC 9051 §9):
//! sequence sets (with SEARCHRES `$`, RFC 5182), flags and flag lists,
//! dates and date-times, and mailbox names. Mailbox names leave here as
//! UTF-8: `INBOX` in any case becomes `INBOX`, anything else is strictly
//! modified-UTF-7 decoded (RFC 3501 §5.1, §5.1.3), or, once the session
//! takes UTF-8 names (RFC 6855 §3, RFC 9051 §5.1), checked as UTF-8 and
//! normalized to NFC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use unicode_normalization::UnicodeNormalization;

use super::ParseErrorKind;
use super::cursor::{Cursor, is_atom_char, is_list_char, syntax};
use crate::command::{Flag, MailboxName, SeqBound, SequenceSet};
use crate::mutf7;

impl Cursor<'_> {
    /// `sequence-set` (RFC 9051 §9) or `$` (RFC 5182 `seq-last-command`).
    pub(crate) fn sequence_set(&mut self) -> Result<SequenceSet, ParseErrorKind> {
        if self.eat(b'$') {
            return Ok(SequenceSet::SavedResult);
        }
        let mut ranges = Vec::new();
        loop {
            let first = self.seq_number()?;
            let last = if self.eat(b':') {
                self.seq_number()?
            } else {
                first
            };
            ranges.push((first, last));
            if !self.eat(b',') {
                return Ok(SequenceSet::Ranges(ranges));
            }
        }
    }

    /// `seq-number`: nz-number / `*`.
    fn seq_number(&mut self) -> Result<SeqBound, ParseErrorKind> {
        if self.eat(b'*') {
            return Ok(SeqBound::Largest);
        }
        match self.number() {
            Ok(0) | Err(_) => Err(syntax("invalid sequence set")),
            Ok(value) => Ok(SeqBound::Value(value)),
        }
    }

    /// `flag`: a system flag (case-insensitive), `\Recent`, another
    /// `flag-extension`, or a `flag-keyword` atom.
    pub(crate) fn flag(&mut self) -> Result<Flag, ParseErrorKind> {
        if !self.eat(b'\\') {
            let keyword = self.atom().map_err(|_| syntax("expected a flag"))?;
            return Ok(Flag::Keyword(keyword.to_owned()));
        }
        let name = self
            .atom()
            .map_err(|_| syntax("expected a flag name after '\\'"))?;
        Ok(match name.to_ascii_uppercase().as_str() {
            "SEEN" => Flag::Seen,
            "ANSWERED" => Flag::Answered,
            "FLAGGED" => Flag::Flagged,
            "DELETED" => Flag::Deleted,
            "DRAFT" => Flag::Draft,
            "RECENT" => Flag::Recent,
            _ => Flag::Extension(name.to_owned()),
        })
    }

    /// `flag-list`: "(" [flag *(SP flag)] ")".
    pub(crate) fn flag_list(&mut self) -> Result<Vec<Flag>, ParseErrorKind> {
        self.expect(b'(', "'(' opening a flag list")?;
        let mut flags = Vec::new();
        if self.eat(b')') {
            return Ok(flags);
        }
        loop {
            flags.push(self.flag()?);
            if self.eat(b')') {
                return Ok(flags);
            }
            self.sp()
                .map_err(|_| syntax("expected ')' closing the flag list"))?;
        }
    }

    /// `date` (RFC 3501 §9): date-text, bare or quoted; the day has 1 or 2
    /// digits.
    pub(crate) fn date(&mut self) -> Result<NaiveDate, ParseErrorKind> {
        let quoted = self.eat(b'"');
        let day = self.digits(1, 2)?;
        self.expect(b'-', "'-' in a date")?;
        let month = self.month()?;
        self.expect(b'-', "'-' in a date")?;
        let year = self.digits(4, 4)?;
        if quoted {
            self.expect(b'"', "'\"' closing the date")?;
        }
        NaiveDate::from_ymd_opt(year as i32, month, day).ok_or_else(|| syntax("invalid date"))
    }

    /// `date-time` (RFC 3501 §9): `"dd-Mon-yyyy hh:mm:ss +zzzz"`, where the
    /// day is `SP DIGIT` or 2 digits; a bare single digit is tolerated.
    pub(crate) fn date_time(&mut self) -> Result<DateTime<FixedOffset>, ParseErrorKind> {
        self.expect(b'"', "'\"' opening a date-time")?;
        self.eat(b' ');
        let day = self.digits(1, 2)?;
        self.expect(b'-', "'-' in a date-time")?;
        let month = self.month()?;
        self.expect(b'-', "'-' in a date-time")?;
        let year = self.digits(4, 4)?;
        self.sp()?;
        let hour = self.digits(2, 2)?;
        self.expect(b':', "':' in a time")?;
        let minute = self.digits(2, 2)?;
        self.expect(b':', "':' in a time")?;
        let second = self.digits(2, 2)?;
        self.sp()?;
        let east = match self.peek() {
            Some(b'+') => true,
            Some(b'-') => false,
            _ => return Err(syntax("expected a zone")),
        };
        self.eat(b'+');
        self.eat(b'-');
        let zone = self.digits(4, 4)?;
        self.expect(b'"', "'\"' closing the date-time")?;
        let zone_seconds = ((zone / 100) * 3600 + (zone % 100) * 60) as i32;
        let offset = if east {
            FixedOffset::east_opt(zone_seconds)
        } else {
            FixedOffset::west_opt(zone_seconds)
        };
        let date = NaiveDate::from_ymd_opt(year as i32, month, day);
        let time = NaiveTime::from_hms_opt(hour, minute, second);
        match (offset, date, time) {
            (Some(offset), Some(date), Some(time)) if zone % 100 < 60 => offset
                .from_local_datetime(&date.and_time(time))
                .single()
                .ok_or_else(|| syntax("invalid date-time")),
            _ => Err(syntax("invalid date-time")),
        }
    }

    /// Between `min` and `max` decimal digits.
    fn digits(&mut self, min: usize, max: usize) -> Result<u32, ParseErrorKind> {
        let mut value = 0;
        let mut count = 0;
        while count < max {
            match self.peek() {
                Some(digit @ b'0'..=b'9') => {
                    value = value * 10 + u32::from(digit - b'0');
                    count += 1;
                    self.eat(digit);
                }
                _ => break,
            }
        }
        if count < min {
            return Err(syntax("expected digits in a date"));
        }
        Ok(value)
    }

    /// `date-month`, case-insensitive.
    fn month(&mut self) -> Result<u32, ParseErrorKind> {
        const MONTHS: [&str; 12] = [
            "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
        ];
        for (index, month) in (1..).zip(MONTHS) {
            if self.eat_prefix(month) {
                return Ok(index);
            }
        }
        Err(syntax("expected a month name"))
    }

    /// `mailbox`: "INBOX" / astring, decoded to UTF-8.
    pub(crate) fn mailbox(&mut self) -> Result<MailboxName, ParseErrorKind> {
        let wire = self.astring()?;
        mailbox_from_wire(&wire, self.utf8_names)
    }

    /// `list-mailbox` (RFC 3501 §9): 1*list-char / string, decoded to UTF-8.
    /// Modified UTF-7 is decoded between wildcards, since a shift cannot span
    /// one; a piece that is not valid modified UTF-7 (a bare `&`) is matched
    /// literally, because LIST only filters names and no such name exists.
    pub(crate) fn list_pattern(&mut self) -> Result<String, ParseErrorKind> {
        let wire = match self.peek() {
            Some(b'"' | b'{') => self.string()?,
            _ => {
                let pattern = self.take_while(is_list_char);
                if pattern.is_empty() {
                    return Err(syntax("expected a mailbox pattern"));
                }
                pattern.into()
            }
        };
        if wire.eq_ignore_ascii_case(b"INBOX") {
            return Ok("INBOX".to_owned());
        }
        if self.utf8_names {
            return utf8_name(&wire);
        }
        let text =
            std::str::from_utf8(&wire).map_err(|_| invalid_name(mutf7::Mutf7Error::NonAscii))?;
        let mut pattern = String::with_capacity(text.len());
        for segment in text.split_inclusive(['*', '%']) {
            let (name, wildcard) = match segment.strip_suffix(['*', '%']) {
                Some(name) => (name, &segment[name.len()..]),
                None => (segment, ""),
            };
            match mutf7::decode(name) {
                Ok(decoded) => pattern.push_str(&decoded),
                Err(_) => pattern.push_str(name),
            }
            pattern.push_str(wildcard);
        }
        Ok(pattern)
    }

    /// A flag keyword for SEARCH KEYWORD/UNKEYWORD: an atom (RFC 3501 §9
    /// `flag-keyword`).
    pub(crate) fn keyword(&mut self) -> Result<String, ParseErrorKind> {
        let keyword = self.take_while(is_atom_char);
        match std::str::from_utf8(keyword) {
            Ok(keyword) if !keyword.is_empty() => Ok(keyword.to_owned()),
            _ => Err(syntax("expected a keyword")),
        }
    }
}

/// Decodes one mailbox name as it came off the wire: UTF-8 when
/// `utf8_names`, modified UTF-7 otherwise.
pub(crate) fn mailbox_from_wire(
    wire: &[u8],
    utf8_names: bool,
) -> Result<MailboxName, ParseErrorKind> {
    if wire.eq_ignore_ascii_case(b"INBOX") {
        return Ok(MailboxName("INBOX".to_owned()));
    }
    if utf8_names {
        return utf8_name(wire).map(MailboxName);
    }
    let text = std::str::from_utf8(wire).map_err(|_| invalid_name(mutf7::Mutf7Error::NonAscii))?;
    mutf7::decode(text).map(MailboxName).map_err(invalid_name)
}

/// A UTF-8 mailbox name (or LIST pattern), without the characters RFC
/// 6855 §3 forbids in one: C0 and C1 controls, DEL, U+2028 and U+2029.
/// RFC 6855 §3 wants names in Net-Unicode (RFC 5198 §2), which is NFC: a
/// decomposed spelling is composed, so both spellings name one mailbox.
fn utf8_name(wire: &[u8]) -> Result<String, ParseErrorKind> {
    let text = std::str::from_utf8(wire)
        .map_err(|_| ParseErrorKind::InvalidMailboxName("not valid UTF-8".to_owned()))?;
    if text
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(ParseErrorKind::InvalidMailboxName(
            "control or separator character".to_owned(),
        ));
    }
    Ok(text.nfc().collect())
}

fn invalid_name(error: mutf7::Mutf7Error) -> ParseErrorKind {
    ParseErrorKind::InvalidMailboxName(error.to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn set(input: &[u8]) -> Result<SequenceSet, ParseErrorKind> {
        Cursor::new(input).sequence_set()
    }

    #[test]
    fn sequence_sets() {
        use SeqBound::{Largest, Value};
        assert_eq!(
            set(b"1,3:5,7:*").unwrap(),
            SequenceSet::Ranges(vec![
                (Value(1), Value(1)),
                (Value(3), Value(5)),
                (Value(7), Largest)
            ])
        );
        assert_eq!(
            set(b"*:4").unwrap(),
            SequenceSet::Ranges(vec![(Largest, Value(4))])
        );
        assert_eq!(set(b"$").unwrap(), SequenceSet::SavedResult);
        for bad in [&b"0"[..], b"1:0", b"1,", b":3", b"", b"4294967296", b"a"] {
            assert!(set(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn flags() {
        let mut cursor =
            Cursor::new(br"(\seen \ANSWERED \Flagged \deleted \Draft \Recent \X-Y $Label1)");
        assert_eq!(
            cursor.flag_list().unwrap(),
            vec![
                Flag::Seen,
                Flag::Answered,
                Flag::Flagged,
                Flag::Deleted,
                Flag::Draft,
                Flag::Recent,
                Flag::Extension("X-Y".into()),
                Flag::Keyword("$Label1".into()),
            ]
        );
        assert_eq!(Cursor::new(b"()").flag_list().unwrap(), vec![]);
        for bad in [
            &b"(\\Seen"[..],
            b"(\\Seen )",
            b"( \\Seen)",
            b"(\\)",
            b"(\\*)",
        ] {
            assert!(Cursor::new(bad).flag_list().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dates() {
        let expected = NaiveDate::from_ymd_opt(1994, 2, 1).unwrap();
        for input in [&b"1-Feb-1994"[..], b"01-feb-1994", b"\"1-FEB-1994\""] {
            assert_eq!(Cursor::new(input).date().unwrap(), expected, "{input:?}");
        }
        for bad in [
            &b"31-Feb-1994"[..],
            b"1-Fbr-1994",
            b"1-Feb-94",
            b"\"1-Feb-1994",
            b"123-Feb-1994",
        ] {
            assert!(Cursor::new(bad).date().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn date_times() {
        let parsed = Cursor::new(b"\"17-Jul-1996 02:44:25 -0700\"")
            .date_time()
            .unwrap();
        assert_eq!(parsed.to_rfc3339(), "1996-07-17T02:44:25-07:00");
        let padded = Cursor::new(b"\" 7-Jul-1996 02:44:25 +0130\"")
            .date_time()
            .unwrap();
        assert_eq!(padded.to_rfc3339(), "1996-07-07T02:44:25+01:30");
        assert!(
            Cursor::new(b"\"7-Jul-1996 02:44:25 +0000\"")
                .date_time()
                .is_ok()
        );
        for bad in [
            &b"\"17-Jul-1996 02:44:25\""[..],
            b"\"17-Jul-1996 25:44:25 -0700\"",
            b"\"17-Jul-1996 02:44:25 -0790\"",
            b"17-Jul-1996 02:44:25 -0700",
        ] {
            assert!(Cursor::new(bad).date_time().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn mailbox_names() {
        assert_eq!(Cursor::new(b"inbox").mailbox().unwrap().0, "INBOX");
        assert_eq!(Cursor::new(b"\"InBoX\"").mailbox().unwrap().0, "INBOX");
        assert_eq!(Cursor::new(b"INBOX/a").mailbox().unwrap().0, "INBOX/a");
        assert_eq!(Cursor::new(b"&ZeVnLIqe-").mailbox().unwrap().0, "日本語");
        assert!(matches!(
            Cursor::new(b"&AGE-").mailbox(),
            Err(ParseErrorKind::InvalidMailboxName(_))
        ));
        assert!(matches!(
            Cursor::new("\"caf\u{e9}\"".as_bytes()).mailbox(),
            Err(ParseErrorKind::InvalidMailboxName(_))
        ));
    }

    #[test]
    fn list_patterns() {
        assert_eq!(Cursor::new(b"*").list_pattern().unwrap(), "*");
        assert_eq!(Cursor::new(b"\"\"").list_pattern().unwrap(), "");
        assert_eq!(Cursor::new(b"inbox").list_pattern().unwrap(), "INBOX");
        assert_eq!(
            Cursor::new(b"&ZeVnLIqe-/%").list_pattern().unwrap(),
            "日本語/%"
        );
        assert_eq!(
            Cursor::new(b"\"a*&U,BTFw-%\"").list_pattern().unwrap(),
            "a*台北%"
        );
        assert_eq!(Cursor::new(b"&U,B*").list_pattern().unwrap(), "&U,B*");
        assert_eq!(
            Cursor::new(b"!#$&'+,-.09:;<=>?@^_`|[}%*")
                .list_pattern()
                .unwrap(),
            "!#$&'+,-.09:;<=>?@^_`|[}%*"
        );
        assert!(Cursor::new(b"()").list_pattern().is_err());
    }

    fn utf8_cursor(input: &str) -> Cursor<'_> {
        let mut cursor = Cursor::new(input.as_bytes());
        cursor.utf8_names = true;
        cursor
    }

    #[test]
    fn utf8_names_are_taken_as_they_are() {
        // RFC 6855 §3: after ENABLE UTF8=ACCEPT names are UTF-8, so a
        // modified UTF-7 spelling is no longer decoded.
        assert_eq!(utf8_cursor("\"台北\"").mailbox().unwrap().0, "台北");
        assert_eq!(utf8_cursor("&U,BTFw-").mailbox().unwrap().0, "&U,BTFw-");
        assert_eq!(utf8_cursor("inbox").mailbox().unwrap().0, "INBOX");
        assert_eq!(
            utf8_cursor("\"日本語/%\"").list_pattern().unwrap(),
            "日本語/%"
        );
        assert_eq!(
            utf8_cursor("&ZeVnLIqe-*").list_pattern().unwrap(),
            "&ZeVnLIqe-*"
        );
        for forbidden in [
            "\"a\u{1}\"",
            "\"a\u{7f}\"",
            "\"a\u{9f}\"",
            "\"\u{2028}\"",
            "\"\u{2029}*\"",
        ] {
            assert!(
                matches!(
                    utf8_cursor(forbidden).list_pattern(),
                    Err(ParseErrorKind::InvalidMailboxName(_))
                ),
                "{forbidden:?}"
            );
        }
        // RFC 6855 §3 / RFC 5198 §2: names are taken in NFC.
        assert_eq!(
            utf8_cursor("\"Cafe\u{301}/Ame\u{301}lie\"")
                .mailbox()
                .unwrap()
                .0,
            "Caf\u{e9}/Am\u{e9}lie"
        );
        assert_eq!(
            utf8_cursor("\"Re\u{301}sume\u{301}*\"")
                .list_pattern()
                .unwrap(),
            "R\u{e9}sum\u{e9}*"
        );
        let mut invalid = Cursor::new(b"{1}\r\n\xff");
        invalid.utf8_names = true;
        assert!(matches!(
            invalid.mailbox(),
            Err(ParseErrorKind::InvalidMailboxName(_))
        ));
    }

    fn bound() -> impl Strategy<Value = SeqBound> {
        prop_oneof![Just(SeqBound::Largest), (1u32..).prop_map(SeqBound::Value)]
    }

    fn render(bound: SeqBound) -> String {
        match bound {
            SeqBound::Largest => "*".to_owned(),
            SeqBound::Value(value) => value.to_string(),
        }
    }

    proptest! {
        #[test]
        fn utf8_names_round_trip_through_the_encoder(name in "[^\u{2028}\u{2029}\\p{C}]{1,24}") {
            prop_assume!(!name.eq_ignore_ascii_case("INBOX"));
            let mut line = crate::response::Line::untagged();
            line.mailbox(&name, true);
            let wire = line.finish();
            let mut cursor = Cursor::new(&wire[2..]);
            cursor.utf8_names = true;
            let composed: String = name.nfc().collect();
            prop_assert_eq!(cursor.mailbox().unwrap().0, composed);
        }

        #[test]
        fn written_sequence_sets_parse_back(ranges in proptest::collection::vec((bound(), bound()), 1..8)) {
            let written: Vec<String> = ranges
                .iter()
                .map(|&(first, last)| match first == last {
                    true => render(first),
                    false => format!("{}:{}", render(first), render(last)),
                })
                .collect();
            let written = written.join(",");
            let mut cursor = Cursor::new(written.as_bytes());
            prop_assert_eq!(cursor.sequence_set().unwrap(), SequenceSet::Ranges(ranges));
            prop_assert_eq!(cursor.peek(), None);
        }
    }
}
