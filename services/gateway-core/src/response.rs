//! The response encoder: builds response lines byte-exactly (RFC 3501 §7,
//! §9 formal syntax). Strings are written as atoms, quoted strings or
//! literals, whichever the bytes allow; mailbox names go out in modified
//! UTF-7, or as UTF-8 once the client enabled UTF8=ACCEPT or IMAP4rev2. Every line ends in CRLF exactly once, written by `finish`.

use crate::mutf7;

/// The status of a tagged or untagged condition response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    No,
    Bad,
    Bye,
    PreAuth,
}

impl Status {
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::No => "NO",
            Status::Bad => "BAD",
            Status::Bye => "BYE",
            Status::PreAuth => "PREAUTH",
        }
    }
}

/// Builds one response line. Items are separated by single spaces, except
/// right after an opening parenthesis or bracket and before a closing one.
#[derive(Debug, Default)]
pub struct Line {
    bytes: Vec<u8>,
    need_space: bool,
}

impl Line {
    /// `* ...`
    pub fn untagged() -> Self {
        Self::starting_with(b"*")
    }

    /// `<tag> ...`
    pub fn tagged(tag: &str) -> Self {
        Self::starting_with(tag.as_bytes())
    }

    /// `+ ...`
    pub fn continuation() -> Self {
        Self::starting_with(b"+")
    }

    fn starting_with(first: &[u8]) -> Self {
        Self {
            bytes: first.to_vec(),
            need_space: true,
        }
    }

    fn separate(&mut self) {
        if self.need_space {
            self.bytes.push(b' ');
        }
        self.need_space = true;
    }

    /// Raw bytes the caller guarantees are valid here (atoms, numbers,
    /// pre-encoded ENVELOPE/BODYSTRUCTURE).
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.separate();
        self.bytes.extend_from_slice(bytes);
        self
    }

    pub fn atom(&mut self, atom: &str) -> &mut Self {
        self.raw(atom.as_bytes())
    }

    pub fn number(&mut self, value: u64) -> &mut Self {
        self.raw(value.to_string().as_bytes())
    }

    /// `(` opens a list; the next item follows without a space.
    pub fn open(&mut self) -> &mut Self {
        self.separate();
        self.bytes.push(b'(');
        self.need_space = false;
        self
    }

    /// An atom immediately followed by `(`, as in `FLAGS (`.
    pub fn open_named(&mut self, name: &str) -> &mut Self {
        self.separate();
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.extend_from_slice(b" (");
        self.need_space = false;
        self
    }

    pub fn close(&mut self) -> &mut Self {
        self.bytes.push(b')');
        self.need_space = true;
        self
    }

    /// A response code in brackets: `[UIDNEXT 5]`.
    pub fn code(&mut self, code: &str) -> &mut Self {
        self.separate();
        self.bytes.push(b'[');
        self.bytes.extend_from_slice(code.as_bytes());
        self.bytes.push(b']');
        self
    }

    /// A `string`: quoted when the bytes allow, a literal otherwise.
    pub fn string(&mut self, value: &[u8]) -> &mut Self {
        self.separate();
        write_string(&mut self.bytes, value);
        self
    }

    /// An `nstring`: NIL for `None`.
    pub fn nstring(&mut self, value: Option<&[u8]>) -> &mut Self {
        match value {
            Some(value) => self.string(value),
            None => self.atom("NIL"),
        }
    }

    /// Always a literal (`{n}\r\n` + bytes), as BODY[] data must allow any byte.
    pub fn literal(&mut self, value: &[u8]) -> &mut Self {
        self.separate();
        write_literal(&mut self.bytes, value);
        self
    }

    /// A `literal8` (`~{n}\r\n` + bytes, RFC 3516 §4.2): data that may
    /// hold NUL octets.
    pub fn literal8(&mut self, value: &[u8]) -> &mut Self {
        self.separate();
        self.bytes.push(b'~');
        write_literal(&mut self.bytes, value);
        self
    }

    /// An `astring`: an atom when every byte is an ASTRING-CHAR, else a string.
    pub fn astring(&mut self, value: &[u8]) -> &mut Self {
        if !value.is_empty() && value.iter().all(|&b| is_astring_char(b)) {
            return self.raw(value);
        }
        self.string(value)
    }

    /// A mailbox name, UTF-8 inside; on the wire modified UTF-7, or, when
    /// `utf8_names`, UTF-8 in an atom, a quoted string (RFC 6855 §3
    /// `utf8-quoted`) or a literal.
    pub fn mailbox(&mut self, name: &str, utf8_names: bool) -> &mut Self {
        if !utf8_names {
            let wire = mutf7::encode(name);
            return self.astring(wire.as_bytes());
        }
        if !name.is_empty() && name.bytes().all(is_astring_char) {
            return self.raw(name.as_bytes());
        }
        self.separate();
        write_string_allowing_utf8(&mut self.bytes, name.as_bytes(), true);
        self
    }

    /// Human-readable text: the rest of the line (no CR or LF allowed).
    pub fn text(&mut self, text: &str) -> &mut Self {
        let cleaned: String = text
            .chars()
            .map(|c| if c == '\r' || c == '\n' { ' ' } else { c })
            .collect();
        self.raw(cleaned.as_bytes())
    }

    /// Ends the line with CRLF and returns its bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.bytes.extend_from_slice(b"\r\n");
        self.bytes
    }
}

/// A complete condition line: `<tag|*> <status> [<code>] <text>\r\n`.
pub fn condition(tag: Option<&str>, status: Status, code: Option<&str>, text: &str) -> Vec<u8> {
    let mut line = match tag {
        Some(tag) => Line::tagged(tag),
        None => Line::untagged(),
    };
    line.atom(status.as_str());
    if let Some(code) = code {
        line.code(code);
    }
    line.text(text);
    line.finish()
}

/// ATOM-CHAR plus `]` (RFC 3501 §9 ASTRING-CHAR).
pub fn is_astring_char(byte: u8) -> bool {
    byte.is_ascii_graphic() && !matches!(byte, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\')
}

/// Writes `value` quoted if it is 7-bit text without CR/LF/NUL, else as a literal.
pub fn write_string(out: &mut Vec<u8>, value: &[u8]) {
    write_string_allowing_utf8(out, value, false);
}

/// Writes `value` quoted if it is short text without CR/LF/NUL that is
/// 7-bit, or UTF-8 when `utf8` (RFC 6855 §3); else as a literal.
fn write_string_allowing_utf8(out: &mut Vec<u8>, value: &[u8], utf8: bool) {
    let quotable = value.len() <= 1024
        && ((utf8 && std::str::from_utf8(value).is_ok()) || value.is_ascii())
        && value.iter().all(|&b| b != 0 && b != b'\r' && b != b'\n');
    if !quotable {
        write_literal(out, value);
        return;
    }
    out.push(b'"');
    for &byte in value {
        if byte == b'"' || byte == b'\\' {
            out.push(b'\\');
        }
        out.push(byte);
    }
    out.push(b'"');
}

pub fn write_literal(out: &mut Vec<u8>, value: &[u8]) {
    out.extend_from_slice(format!("{{{}}}\r\n", value.len()).as_bytes());
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_fetch_line() {
        let mut line = Line::untagged();
        line.number(3).atom("FETCH").open().atom("UID").number(9);
        line.open_named("FLAGS")
            .atom("\\Seen")
            .atom("$Junk")
            .close();
        line.close();
        assert_eq!(line.finish(), b"* 3 FETCH (UID 9 FLAGS (\\Seen $Junk))\r\n");
    }

    #[test]
    fn strings_quote_or_fall_back_to_literals() {
        let mut line = Line::untagged();
        line.string(b"a \"b\" \\c")
            .string(b"two\r\nlines")
            .nstring(None);
        assert_eq!(
            line.finish(),
            b"* \"a \\\"b\\\" \\\\c\" {10}\r\ntwo\r\nlines NIL\r\n"
        );
    }

    #[test]
    fn mailbox_names_are_mutf7_astrings() {
        let mut line = Line::untagged();
        line.mailbox("Sent", false)
            .mailbox("Tom & Jerry", false)
            .mailbox("台北", false)
            .mailbox("", false);
        assert_eq!(line.finish(), b"* Sent \"Tom &- Jerry\" &U,BTFw- \"\"\r\n");
    }

    #[test]
    fn utf8_mailbox_names_are_atoms_quoted_or_literals() {
        // RFC 6855 §3: after ENABLE UTF8=ACCEPT names go out as UTF-8.
        let mut line = Line::untagged();
        line.mailbox("Sent", true)
            .mailbox("Tom & Jerry", true)
            .mailbox("~peter/mail/台北/日本語", true)
            .mailbox("a\"b", true)
            .mailbox("", true);
        assert_eq!(
            line.finish(),
            "* Sent \"Tom & Jerry\" \"~peter/mail/台北/日本語\" \"a\\\"b\" \"\"\r\n".as_bytes()
        );
        let mut long = Line::untagged();
        let name = "é".repeat(600);
        long.mailbox(&name, true);
        assert!(long.finish().starts_with(b"* {1200}\r\n"));
    }

    #[test]
    fn condition_lines_have_codes_and_no_stray_newlines() {
        assert_eq!(
            condition(
                Some("a1"),
                Status::No,
                Some("TRYCREATE"),
                "no such\r\nmailbox"
            ),
            b"a1 NO [TRYCREATE] no such  mailbox\r\n"
        );
        assert_eq!(condition(None, Status::Bye, None, "bye"), b"* BYE bye\r\n");
    }
}
