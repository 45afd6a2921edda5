//! The byte cursor and the lexical primitives of RFC 3501 §9 / RFC 9051 §9:
//! character classes, atoms, quoted strings, literals (`{n}`, `{n+}`,
//! `~{n}`), astrings, nstrings and numbers. The cursor only moves forward
//! and never past the end; every failure is a `ParseErrorKind::Syntax`
//! naming what was expected, so the session can answer `BAD` precisely.

use std::borrow::Cow;

use super::ParseErrorKind;

/// RFC 9051 §9 `CHAR`: 7-bit, excluding NUL.
const fn is_char(byte: u8) -> bool {
    matches!(byte, 0x01..=0x7f)
}

/// RFC 9051 §9 `ATOM-CHAR`: any CHAR except atom-specials
/// (`(` `)` `{` SP CTL `%` `*` `"` `\` `]`).
pub(crate) const fn is_atom_char(byte: u8) -> bool {
    is_char(byte)
        && !matches!(
            byte,
            b'(' | b')' | b'{' | b' ' | 0x00..=0x1f | 0x7f | b'%' | b'*' | b'"' | b'\\' | b']'
        )
}

/// RFC 9051 §9 `ASTRING-CHAR`: ATOM-CHAR or `]`.
pub(crate) const fn is_astring_char(byte: u8) -> bool {
    is_atom_char(byte) || byte == b']'
}

/// RFC 9051 §9 `tag`: any ASTRING-CHAR except `+`.
pub(crate) const fn is_tag_char(byte: u8) -> bool {
    is_astring_char(byte) && byte != b'+'
}

/// RFC 3501 §9 `list-char`: ATOM-CHAR, list-wildcards or resp-specials.
pub(crate) const fn is_list_char(byte: u8) -> bool {
    is_astring_char(byte) || byte == b'%' || byte == b'*'
}

pub(crate) fn syntax(message: &str) -> ParseErrorKind {
    ParseErrorKind::Syntax(message.to_owned())
}

/// A forward-only position in one framed command.
pub(crate) struct Cursor<'a> {
    input: &'a [u8],
    position: usize,
    /// Mailbox names are UTF-8, not modified UTF-7 (RFC 6855 §3, RFC 9051
    /// §5.1).
    pub(crate) utf8_names: bool,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self {
            input,
            position: 0,
            utf8_names: false,
        }
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.input.get(self.position).copied()
    }

    /// Consumes `byte` if it is next.
    pub(crate) fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.position += 1;
            return true;
        }
        false
    }

    pub(crate) fn expect(&mut self, byte: u8, what: &str) -> Result<(), ParseErrorKind> {
        if self.eat(byte) {
            return Ok(());
        }
        Err(ParseErrorKind::Syntax(format!("expected {what}")))
    }

    /// Exactly one SP (RFC 3501 §9 is strict about single spaces).
    pub(crate) fn sp(&mut self) -> Result<(), ParseErrorKind> {
        self.expect(b' ', "a space")
    }

    /// Consumes `keyword` (ASCII, compared case-insensitively) if it is next
    /// and is not followed by another atom character.
    pub(crate) fn eat_keyword(&mut self, keyword: &str) -> bool {
        let end = self.position + keyword.len();
        let Some(candidate) = self.input.get(self.position..end) else {
            return false;
        };
        let boundary = self.input.get(end).is_none_or(|&next| !is_atom_char(next));
        if boundary && candidate.eq_ignore_ascii_case(keyword.as_bytes()) {
            self.position = end;
            return true;
        }
        false
    }

    /// Consumes `prefix` case-insensitively, whatever follows it.
    pub(crate) fn eat_prefix(&mut self, prefix: &str) -> bool {
        let end = self.position + prefix.len();
        match self.input.get(self.position..end) {
            Some(candidate) if candidate.eq_ignore_ascii_case(prefix.as_bytes()) => {
                self.position = end;
                true
            }
            _ => false,
        }
    }

    /// The end of the command: CRLF (a bare LF is tolerated) and nothing after.
    pub(crate) fn end(&mut self) -> Result<(), ParseErrorKind> {
        self.eat(b'\r');
        if self.eat(b'\n') && self.peek().is_none() {
            return Ok(());
        }
        Err(syntax("unexpected characters at end of command"))
    }

    pub(crate) fn at_line_end(&self) -> bool {
        matches!(self.peek(), Some(b'\r' | b'\n') | None)
    }

    /// The longest run of bytes satisfying `class` (possibly empty).
    pub(crate) fn take_while(&mut self, class: impl Fn(u8) -> bool) -> &'a [u8] {
        let start = self.position;
        while self.peek().is_some_and(&class) {
            self.position += 1;
        }
        &self.input[start..self.position]
    }

    /// `atom`: 1*ATOM-CHAR.
    pub(crate) fn atom(&mut self) -> Result<&'a str, ParseErrorKind> {
        let atom = self.take_while(is_atom_char);
        if atom.is_empty() {
            return Err(syntax("expected an atom"));
        }
        // ATOM-CHAR is 7-bit, so this cannot fail.
        std::str::from_utf8(atom).map_err(|_| syntax("expected an atom"))
    }

    /// `number`: 1*DIGIT fitting in `u32` (RFC 3501 §9).
    pub(crate) fn number(&mut self) -> Result<u32, ParseErrorKind> {
        let value = self.number64()?;
        u32::try_from(value).map_err(|_| syntax("number out of range"))
    }

    /// `nz-number`: a `number` other than zero.
    pub(crate) fn nz_number(&mut self) -> Result<u32, ParseErrorKind> {
        match self.number()? {
            0 => Err(syntax("expected a non-zero number")),
            value => Ok(value),
        }
    }

    /// `number64` (RFC 9051 §9): 1*DIGIT up to 2^63-1, which also bounds
    /// `mod-sequence-value` (RFC 7162 §7).
    pub(crate) fn number64(&mut self) -> Result<u64, ParseErrorKind> {
        let digits = self.take_while(|byte| byte.is_ascii_digit());
        if digits.is_empty() {
            return Err(syntax("expected a number"));
        }
        let mut value: u64 = 0;
        for &digit in digits {
            value = value
                .checked_mul(10)
                .and_then(|value| value.checked_add(u64::from(digit - b'0')))
                .filter(|&value| value <= i64::MAX as u64)
                .ok_or_else(|| syntax("number out of range"))?;
        }
        Ok(value)
    }

    /// `quoted`: DQUOTE *QUOTED-CHAR DQUOTE, with `\"` and `\\` escapes.
    /// 8-bit bytes are kept when they are UTF-8 (RFC 9051 `utf8-quoted`);
    /// others are a syntax error, as RFC 6855 §3 requires ("MUST reject,
    /// with a "BAD" response") and RFC 3501 (no 8-bit quoted) allows.
    pub(crate) fn quoted(&mut self) -> Result<Cow<'a, [u8]>, ParseErrorKind> {
        self.expect(b'"', "a quoted string")?;
        let start = self.position;
        let mut unescaped: Option<Vec<u8>> = None;
        loop {
            let Some(byte) = self.peek() else {
                return Err(syntax("unterminated quoted string"));
            };
            match byte {
                b'"' => {
                    let raw = &self.input[start..self.position];
                    self.position += 1;
                    let value = unescaped.map_or(Cow::Borrowed(raw), Cow::Owned);
                    if std::str::from_utf8(&value).is_err() {
                        return Err(syntax("quoted string is not valid UTF-8"));
                    }
                    return Ok(value);
                }
                b'\\' => {
                    let escaped = match self.input.get(self.position + 1) {
                        Some(&next @ (b'"' | b'\\')) => next,
                        _ => return Err(syntax("invalid escape in quoted string")),
                    };
                    unescaped
                        .get_or_insert_with(|| self.input[start..self.position].to_vec())
                        .push(escaped);
                    self.position += 2;
                }
                0x00 | b'\r' | b'\n' => return Err(syntax("invalid character in quoted string")),
                _ => {
                    if let Some(buffer) = unescaped.as_mut() {
                        buffer.push(byte);
                    }
                    self.position += 1;
                }
            }
        }
    }

    /// `literal` (`{n}` or LITERAL+ `{n+}`, RFC 7888) when `binary` is false,
    /// `literal8` (`~{n}`, RFC 3516) when true. Only literal8 may hold NUL.
    pub(crate) fn literal(&mut self, binary: bool) -> Result<&'a [u8], ParseErrorKind> {
        if binary {
            self.expect(b'~', "a literal8")?;
        }
        self.expect(b'{', "a literal")?;
        let length = self.number64()?;
        self.eat(b'+');
        self.expect(b'}', "'}' closing the literal length")?;
        self.eat(b'\r');
        self.expect(b'\n', "a line end after the literal length")?;
        let end = usize::try_from(length)
            .ok()
            .and_then(|length| self.position.checked_add(length))
            .filter(|&end| end <= self.input.len())
            .ok_or_else(|| syntax("literal shorter than announced"))?;
        let payload = &self.input[self.position..end];
        if !binary && payload.contains(&0) {
            return Err(syntax("NUL in a literal (use literal8)"));
        }
        self.position = end;
        Ok(payload)
    }

    /// `string`: quoted / literal.
    pub(crate) fn string(&mut self) -> Result<Cow<'a, [u8]>, ParseErrorKind> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{') => self.literal(false).map(Cow::Borrowed),
            _ => Err(syntax("expected a string")),
        }
    }

    /// `astring`: 1*ASTRING-CHAR / string.
    pub(crate) fn astring(&mut self) -> Result<Cow<'a, [u8]>, ParseErrorKind> {
        if matches!(self.peek(), Some(b'"' | b'{')) {
            return self.string();
        }
        let atom = self.take_while(is_astring_char);
        if atom.is_empty() {
            return Err(syntax("expected an atom or a string"));
        }
        Ok(Cow::Borrowed(atom))
    }

    /// `nstring`: string / NIL.
    pub(crate) fn nstring(&mut self) -> Result<Option<Cow<'a, [u8]>>, ParseErrorKind> {
        if self.eat_keyword("NIL") {
            return Ok(None);
        }
        self.string().map(Some)
    }

    /// An astring that must be UTF-8 text.
    pub(crate) fn astring_utf8(&mut self, what: &str) -> Result<String, ParseErrorKind> {
        let bytes = self.astring()?;
        utf8(bytes, what)
    }
}

/// Converts wire bytes to a `String`, naming `what` in the error.
pub(crate) fn utf8(bytes: Cow<'_, [u8]>, what: &str) -> Result<String, ParseErrorKind> {
    String::from_utf8(bytes.into_owned())
        .map_err(|_| ParseErrorKind::Syntax(format!("{what} is not valid utf-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn character_classes_follow_rfc_9051() {
        assert!(is_atom_char(b'a') && is_atom_char(b'[') && is_atom_char(b'.'));
        assert!(!is_atom_char(b']') && !is_atom_char(b'%') && !is_atom_char(0x80));
        assert!(is_astring_char(b']') && !is_astring_char(b'{'));
        assert!(!is_tag_char(b'+') && is_tag_char(b'A'));
        assert!(is_list_char(b'*') && is_list_char(b'%') && !is_list_char(b'('));
    }

    #[test]
    fn quoted_strings_unescape() {
        let mut cursor = Cursor::new(br#""a \"b\" \\c" x"#);
        assert_eq!(cursor.quoted().unwrap().as_ref(), br#"a "b" \c"#);
        assert_eq!(cursor.peek(), Some(b' '));
        assert!(Cursor::new(br#""a\b""#).quoted().is_err());
        assert!(Cursor::new(b"\"open").quoted().is_err());
        assert!(Cursor::new(b"\"a\r\nb\"").quoted().is_err());
        assert_eq!(
            Cursor::new("\"gr\u{fc}\u{df}e\"".as_bytes())
                .quoted()
                .unwrap()
                .as_ref(),
            "gr\u{fc}\u{df}e".as_bytes()
        );
        assert!(Cursor::new(b"\"a\xc3\x28b\"").quoted().is_err());
    }

    #[test]
    fn literals_of_every_form() {
        let mut cursor = Cursor::new(b"{3}\r\nabc{2+}\r\nde~{2}\r\n\0f{1}\nx");
        assert_eq!(cursor.literal(false).unwrap(), b"abc");
        assert_eq!(cursor.literal(false).unwrap(), b"de");
        assert_eq!(cursor.literal(true).unwrap(), b"\0f");
        assert_eq!(cursor.literal(false).unwrap(), b"x");
        assert!(Cursor::new(b"{5}\r\nab").literal(false).is_err());
        assert!(Cursor::new(b"{1}\r\n\0").literal(false).is_err());
        assert!(
            Cursor::new(b"{99999999999999999999}\r\n")
                .literal(false)
                .is_err()
        );
    }

    #[test]
    fn numbers_are_range_checked() {
        assert_eq!(Cursor::new(b"4294967295").number().unwrap(), u32::MAX);
        assert!(Cursor::new(b"4294967296").number().is_err());
        assert!(Cursor::new(b"0").nz_number().is_err());
        assert_eq!(
            Cursor::new(b"9223372036854775807").number64().unwrap(),
            i64::MAX as u64
        );
        assert!(Cursor::new(b"9223372036854775808").number64().is_err());
        assert!(Cursor::new(b"x").number().is_err());
    }

    #[test]
    fn keywords_need_a_boundary() {
        let mut cursor = Cursor::new(b"nilx NIL");
        assert!(!cursor.eat_keyword("NIL"));
        assert_eq!(cursor.atom().unwrap(), "nilx");
        cursor.sp().unwrap();
        assert_eq!(cursor.nstring().unwrap(), None);
        assert!(cursor.end().is_err());
        assert!(Cursor::new(b"\r\n").end().is_ok());
        assert!(Cursor::new(b"\n").end().is_ok());
        assert!(Cursor::new(b" \r\n").end().is_err());
    }

    #[test]
    fn astrings_take_atoms_and_strings() {
        assert_eq!(
            Cursor::new(b"foo] bar").astring().unwrap().as_ref(),
            b"foo]"
        );
        assert_eq!(Cursor::new(b"{1+}\r\nz").astring().unwrap().as_ref(), b"z");
        assert!(Cursor::new(b"(x)").astring().is_err());
        assert!(utf8(Cow::Borrowed(b"\xff"), "name").is_err());
    }
}
