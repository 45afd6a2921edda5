//! Content-Type and Content-Disposition parameters as the message wrote them
//! (RFC 2045 §5.1), for BODYSTRUCTURE (RFC 3501 §7.4.2: values are returned
//! as written, not decoded). RFC 2231 continuations are joined the way IMAP
//! servers report them: `name*0=a; name*1=b` gives `("name", "ab")`, and any
//! encoded segment makes the name `name*` with the value left encoded
//! (`utf-8''sch%C3%A9ma.png`), so a client can still decode it. Names are
//! lower-cased; comments and folding whitespace are skipped.

/// The parameters after the first `;` of a raw header value, in order.
pub(crate) fn parameters(value: &[u8]) -> Vec<(String, String)> {
    let mut raw = Vec::new();
    let mut cursor = Cursor {
        bytes: value,
        pos: 0,
    };
    cursor.skip_until_separator();
    while cursor.eat(b';') {
        cursor.skip_cfws();
        let name = cursor.token();
        cursor.skip_cfws();
        if name.is_empty() || !cursor.eat(b'=') {
            cursor.skip_until_separator();
            continue;
        }
        cursor.skip_cfws();
        let value = cursor.value();
        raw.push((name.to_ascii_lowercase(), value));
        cursor.skip_until_separator();
    }
    join_continuations(raw)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Whitespace (folding included) and `(comments)`, which may nest.
    fn skip_cfws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => self.pos += 1,
                Some(b'(') => self.skip_comment(),
                _ => return,
            }
        }
    }

    fn skip_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(byte) = self.peek() {
            self.pos += 1;
            match byte {
                b'\\' => self.pos += 1,
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// Moves to the next `;` that is not inside quotes or a comment.
    fn skip_until_separator(&mut self) {
        while let Some(byte) = self.peek() {
            match byte {
                b';' => return,
                b'"' => {
                    self.quoted();
                }
                b'(' => self.skip_comment(),
                _ => self.pos += 1,
            }
        }
    }

    /// RFC 2045 `token` (plus `*`, which RFC 2231 names use).
    fn token(&mut self) -> String {
        let start = self.pos;
        while let Some(byte) = self.peek() {
            let special = byte <= b' ' || byte >= 0x7f || b"()<>@,;:\\\"/[]?=".contains(&byte);
            if special {
                break;
            }
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned()
    }

    /// A quoted-string (escapes removed, folding unfolded) or a token-like
    /// run up to whitespace, `;` or a comment, as lenient as mailers need.
    fn value(&mut self) -> String {
        if self.peek() == Some(b'"') {
            return self.quoted();
        }
        let start = self.pos;
        while let Some(byte) = self.peek() {
            if matches!(byte, b';' | b' ' | b'\t' | b'\r' | b'\n' | b'(') {
                break;
            }
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned()
    }

    fn quoted(&mut self) -> String {
        let mut out = Vec::new();
        self.pos += 1;
        while let Some(byte) = self.peek() {
            self.pos += 1;
            match byte {
                b'"' => break,
                b'\\' => {
                    if let Some(escaped) = self.peek() {
                        out.push(escaped);
                        self.pos += 1;
                    }
                }
                b'\r' | b'\n' => {}
                _ => out.push(byte),
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// One RFC 2231 segment name: `base*N` or `base*N*` (RFC 2231 §3, §4.1).
fn segment(name: &str) -> Option<(&str, u32, bool)> {
    let (base, rest) = name.split_once('*')?;
    let (number, encoded) = match rest.strip_suffix('*') {
        Some(number) => (number, true),
        None => (rest, false),
    };
    let index = number.parse().ok().filter(|_| !number.is_empty())?;
    Some((base, index, encoded))
}

/// One segment of a continued parameter: its number, whether it is
/// encoded, and its value.
type Segment = (u32, bool, String);

fn join_continuations(raw: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut groups: Vec<(String, Vec<Segment>)> = Vec::new();
    // Where each joined parameter goes: its first segment's position.
    let mut slots: Vec<(usize, usize)> = Vec::new();
    for (name, value) in raw {
        let Some((base, index, encoded)) = segment(&name) else {
            out.push((name, value));
            continue;
        };
        match groups.iter_mut().position(|(known, _)| known == base) {
            Some(group) => groups[group].1.push((index, encoded, value)),
            None => {
                slots.push((out.len(), groups.len()));
                groups.push((base.to_owned(), vec![(index, encoded, value)]));
            }
        }
    }
    for (position, group) in slots.into_iter().rev() {
        let (base, mut segments) = std::mem::take(&mut groups[group]);
        segments.sort_by_key(|&(index, _, _)| index);
        let any_encoded = segments.iter().any(|&(_, encoded, _)| encoded);
        let value: String = segments
            .iter()
            .map(|(_, encoded, value)| {
                if any_encoded && !encoded {
                    percent_encode(value)
                } else {
                    value.clone()
                }
            })
            .collect();
        let name = if any_encoded {
            format!("{base}*")
        } else {
            base
        };
        out.insert(position, (name, value));
    }
    out
}

/// RFC 2231 §4: an unencoded segment joined to encoded ones must be escaped.
fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|&(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    }

    #[test]
    fn plain_and_quoted_values_come_back_as_written() {
        assert_eq!(
            parameters(b" text/plain; charset=\"UTF-8\"; Format=flowed (a comment)"),
            pairs(&[("charset", "UTF-8"), ("format", "flowed")])
        );
        assert_eq!(
            parameters(b"attachment;\r\n filename=\"=?utf-8?q?a=C3=A9?= \\\"x\\\".pdf\""),
            pairs(&[("filename", "=?utf-8?q?a=C3=A9?= \"x\".pdf")])
        );
    }

    #[test]
    fn rfc_2231_encoded_names_keep_their_star() {
        assert_eq!(
            parameters(b"attachment; filename*=utf-8''sch%C3%A9ma.png"),
            pairs(&[("filename*", "utf-8''sch%C3%A9ma.png")])
        );
    }

    #[test]
    fn rfc_2231_continuations_are_joined_in_order() {
        // RFC 2231 §3 and §4.1 examples.
        assert_eq!(
            parameters(
                b"message/external-body; access-type=URL;\r\n URL*1=\"cc/\"; URL*0=\"ftp://\"; x=1"
            ),
            pairs(&[("access-type", "URL"), ("url", "ftp://cc/"), ("x", "1")])
        );
        assert_eq!(
            parameters(
                b"application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\""
            ),
            pairs(&[(
                "title*",
                "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!"
            )])
        );
    }

    #[test]
    fn broken_parameters_are_skipped_not_fatal() {
        assert_eq!(
            parameters(b"text/plain; ; junk; charset=us-ascii; =x; name=\"unterminated"),
            pairs(&[("charset", "us-ascii"), ("name", "unterminated")])
        );
        assert!(parameters(b"text/plain").is_empty());
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parameters(&bytes);
        }
    }
}
