//! Address-list parsing for ENVELOPE (RFC 5322 §3.4, RFC 3501 §7.4.2). It
//! reads raw header bytes and keeps display names undecoded (RFC 2047 words
//! stay as written), as Dovecot does. Lenient: it never fails, malformed
//! input yields whatever addresses can be recognised. Invariant: a group
//! start is always followed by its end marker.

/// One element of an ENVELOPE address list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EnvelopeAddress {
    Mailbox {
        name: Option<Vec<u8>>,
        route: Option<Vec<u8>>,
        mailbox: Vec<u8>,
        host: Vec<u8>,
    },
    /// `(NIL NIL "group" NIL)`.
    GroupStart(Vec<u8>),
    /// `(NIL NIL NIL NIL)`.
    GroupEnd,
}

/// Dovecot's placeholder for an address without a domain, so that a
/// mailbox never looks like a group marker (host NIL).
const MISSING_DOMAIN: &[u8] = b"MISSING_DOMAIN";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Atom(Vec<u8>),
    Quoted(Vec<u8>),
    Comment(Vec<u8>),
    DomainLiteral(Vec<u8>),
    Special(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: Kind,
    space_before: bool,
}

fn is_special(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b':' | b';' | b'@' | b'\\' | b',' | b'.' | b'"'
    )
}

fn tokenize(raw: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut pos = 0;
    let mut space_before = false;
    while let Some(&byte) = raw.get(pos) {
        let kind = match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {
                space_before = true;
                pos += 1;
                continue;
            }
            b'(' => {
                let (text, end) = read_comment(raw, pos + 1);
                pos = end;
                Kind::Comment(text)
            }
            b'"' => {
                let (text, end) = read_quoted(raw, pos + 1);
                pos = end;
                Kind::Quoted(text)
            }
            b'[' => {
                let end = raw[pos..]
                    .iter()
                    .position(|&b| b == b']')
                    .map_or(raw.len(), |close| pos + close + 1);
                let text = raw[pos..end]
                    .iter()
                    .copied()
                    .filter(|&b| b != b'\r' && b != b'\n');
                pos = end;
                Kind::DomainLiteral(text.collect())
            }
            _ if is_special(byte) => {
                pos += 1;
                Kind::Special(byte)
            }
            _ => {
                // A lone control byte becomes a one-byte atom, so the scan
                // always advances.
                let end = raw[pos..]
                    .iter()
                    .position(|&b| is_special(b) || b.is_ascii_whitespace() || b.is_ascii_control())
                    .map_or(raw.len(), |stop| pos + stop.max(1));
                let text = raw[pos..end].to_vec();
                pos = end;
                Kind::Atom(text)
            }
        };
        tokens.push(Token { kind, space_before });
        space_before = false;
    }
    tokens
}

/// Reads a (possibly nested) comment starting after its `(`; returns the
/// unescaped text and the position after the closing `)`.
fn read_comment(raw: &[u8], mut pos: usize) -> (Vec<u8>, usize) {
    let mut depth = 1usize;
    let mut text = Vec::new();
    while let Some(&byte) = raw.get(pos) {
        pos += 1;
        match byte {
            b'\\' => {
                if let Some(&escaped) = raw.get(pos) {
                    text.push(escaped);
                    pos += 1;
                }
            }
            b'(' => {
                depth += 1;
                text.push(byte);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
                text.push(byte);
            }
            b'\r' | b'\n' => {}
            _ => text.push(byte),
        }
    }
    (text, pos)
}

/// Reads a quoted string starting after its `"`.
fn read_quoted(raw: &[u8], mut pos: usize) -> (Vec<u8>, usize) {
    let mut text = Vec::new();
    while let Some(&byte) = raw.get(pos) {
        pos += 1;
        match byte {
            b'\\' => {
                if let Some(&escaped) = raw.get(pos) {
                    text.push(escaped);
                    pos += 1;
                }
            }
            b'"' => break,
            b'\r' | b'\n' => {}
            _ => text.push(byte),
        }
    }
    (text, pos)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    out: Vec<EnvelopeAddress>,
}

impl Parser {
    fn peek(&self) -> Option<&Kind> {
        self.tokens.get(self.pos).map(|token| &token.kind)
    }

    fn peek_special(&self) -> Option<u8> {
        match self.peek() {
            Some(Kind::Special(byte)) => Some(*byte),
            _ => None,
        }
    }

    /// Advances over words, dots and comments (a phrase or a local-part).
    fn skip_words(&mut self) {
        while let Some(kind) = self.peek() {
            match kind {
                Kind::Atom(_) | Kind::Quoted(_) | Kind::Comment(_) | Kind::Special(b'.') => {
                    self.pos += 1
                }
                _ => break,
            }
        }
    }

    /// The display name of `tokens[start..end]`: words joined as written,
    /// runs of whitespace collapsed to one space, comments dropped.
    fn phrase(&self, start: usize, end: usize) -> Option<Vec<u8>> {
        let mut name = Vec::new();
        for token in &self.tokens[start..end] {
            let text: &[u8] = match &token.kind {
                Kind::Atom(text) | Kind::Quoted(text) => text,
                Kind::Special(b'.') => b".",
                _ => continue,
            };
            if token.space_before && !name.is_empty() {
                name.push(b' ');
            }
            name.extend_from_slice(text);
        }
        (!name.is_empty()).then_some(name)
    }

    /// Concatenates atoms, quoted strings, dots and literals of
    /// `tokens[start..end]` without spaces (local-parts, domains, routes).
    fn joined(&self, start: usize, end: usize) -> Vec<u8> {
        let mut text = Vec::new();
        for token in &self.tokens[start..end] {
            match &token.kind {
                Kind::Atom(part) | Kind::Quoted(part) | Kind::DomainLiteral(part) => {
                    text.extend_from_slice(part)
                }
                Kind::Special(byte) => text.push(*byte),
                Kind::Comment(_) => {}
            }
        }
        text
    }

    /// A domain: atoms, dots and literals up to anything else. Outside angle
    /// brackets a comment ends it, so `user@host (Name)` keeps its name;
    /// inside them (`skip_comments`) comments are CFWS and skipped.
    fn domain(&mut self, skip_comments: bool) -> Vec<u8> {
        let start = self.pos;
        while let Some(kind) = self.peek() {
            match kind {
                Kind::Atom(_) | Kind::DomainLiteral(_) | Kind::Special(b'.') => self.pos += 1,
                Kind::Comment(_) if skip_comments => self.pos += 1,
                _ => break,
            }
        }
        self.joined(start, self.pos)
    }

    /// Skips to the end of the current address, returning the first comment
    /// seen (used as the name of `user@host (Name)`).
    fn skip_to_separator(&mut self) -> Option<Vec<u8>> {
        let mut comment = None;
        while let Some(kind) = self.peek() {
            match kind {
                Kind::Special(b',' | b';') => break,
                Kind::Comment(text) if comment.is_none() && !text.is_empty() => {
                    comment = Some(text.clone());
                }
                _ => {}
            }
            self.pos += 1;
        }
        comment
    }

    fn mailbox(
        &mut self,
        name: Option<Vec<u8>>,
        route: Option<Vec<u8>>,
        local: Vec<u8>,
        host: Vec<u8>,
    ) {
        let host = if host.is_empty() {
            MISSING_DOMAIN.to_vec()
        } else {
            host
        };
        self.out.push(EnvelopeAddress::Mailbox {
            name,
            route,
            mailbox: local,
            host,
        });
    }

    /// `[phrase] "<" [route ":"] local "@" domain ">"`, after the `<`.
    fn angle_addr(&mut self, name: Option<Vec<u8>>) {
        let mut route = None;
        if self.peek_special() == Some(b'@') {
            let start = self.pos;
            while !matches!(self.peek_special(), Some(b':' | b'>')) && self.peek().is_some() {
                self.pos += 1;
            }
            route = Some(self.joined(start, self.pos));
            if self.peek_special() == Some(b':') {
                self.pos += 1;
            }
        }
        let start = self.pos;
        self.skip_words();
        let local = self.joined(start, self.pos);
        let mut host = Vec::new();
        if self.peek_special() == Some(b'@') {
            self.pos += 1;
            host = self.domain(true);
        }
        let trailing = self.skip_to_separator();
        if local.is_empty() && host.is_empty() && route.is_none() {
            return;
        }
        self.mailbox(name.or(trailing), route, local, host);
    }

    /// One mailbox or group (start or end) at the current position.
    fn address(&mut self, in_group: &mut bool) {
        let start = self.pos;
        self.skip_words();
        match self.peek_special() {
            Some(b':') if !*in_group => {
                self.pos += 1;
                let name = self.phrase(start, self.pos - 1).unwrap_or_default();
                self.out.push(EnvelopeAddress::GroupStart(name));
                *in_group = true;
            }
            Some(b'<') => {
                let name = self.phrase(start, self.pos);
                self.pos += 1;
                self.angle_addr(name);
            }
            Some(b'@') => {
                let local = self.joined(start, self.pos);
                self.pos += 1;
                let host = self.domain(false);
                let comment = self.skip_to_separator();
                self.mailbox(comment, None, local, host);
            }
            _ => {
                let local = self.joined(start, self.pos);
                let comment = self.skip_to_separator();
                if !local.is_empty() {
                    self.mailbox(comment, None, local, Vec::new());
                }
                if self.pos == start {
                    self.pos += 1;
                }
            }
        }
    }
}

/// Parses an address-list header value (raw bytes after the colon).
pub(crate) fn parse_address_list(raw: &[u8]) -> Vec<EnvelopeAddress> {
    let mut parser = Parser {
        tokens: tokenize(raw),
        pos: 0,
        out: Vec::new(),
    };
    let mut in_group = false;
    while let Some(kind) = parser.peek() {
        match kind {
            Kind::Special(b',') | Kind::Comment(_) => parser.pos += 1,
            Kind::Special(b';') => {
                parser.pos += 1;
                if in_group {
                    parser.out.push(EnvelopeAddress::GroupEnd);
                    in_group = false;
                }
            }
            _ => parser.address(&mut in_group),
        }
    }
    if in_group {
        parser.out.push(EnvelopeAddress::GroupEnd);
    }
    parser.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(
        name: Option<&str>,
        route: Option<&str>,
        mailbox: &str,
        host: &str,
    ) -> EnvelopeAddress {
        EnvelopeAddress::Mailbox {
            name: name.map(|n| n.as_bytes().to_vec()),
            route: route.map(|r| r.as_bytes().to_vec()),
            mailbox: mailbox.as_bytes().to_vec(),
            host: host.as_bytes().to_vec(),
        }
    }

    #[test]
    fn parses_common_forms() {
        assert_eq!(
            parse_address_list(b" From Real <fromuser@fromdomain.org>"),
            vec![mailbox(
                Some("From Real"),
                None,
                "fromuser",
                "fromdomain.org"
            )]
        );
        assert_eq!(
            parse_address_list(b" user@domain (Real Name)"),
            vec![mailbox(Some("Real Name"), None, "user", "domain")]
        );
        assert_eq!(
            parse_address_list(b" <user (c)@ (c) domain.org>"),
            vec![mailbox(None, None, "user", "domain.org")]
        );
        assert_eq!(
            parse_address_list(b" <@route:user@domain>"),
            vec![mailbox(None, Some("@route"), "user", "domain")]
        );
        assert_eq!(
            parse_address_list(b" \"Doe, \\\"J\\\"\" <j@x>,\r\n =?utf-8?q?G=C3=B6?= Nagy <g@y>"),
            vec![
                mailbox(Some("Doe, \"J\""), None, "j", "x"),
                mailbox(Some("=?utf-8?q?G=C3=B6?= Nagy"), None, "g", "y"),
            ]
        );
    }

    #[test]
    fn parses_groups_and_empty_groups() {
        let found = parse_address_list(b" group: g1@d1.org, g2@d2.org;, group2: (foo) ;");
        assert_eq!(
            found,
            vec![
                EnvelopeAddress::GroupStart(b"group".to_vec()),
                mailbox(None, None, "g1", "d1.org"),
                mailbox(None, None, "g2", "d2.org"),
                EnvelopeAddress::GroupEnd,
                EnvelopeAddress::GroupStart(b"group2".to_vec()),
                EnvelopeAddress::GroupEnd,
            ]
        );
        assert_eq!(
            parse_address_list(b"undisclosed-recipients:"),
            vec![
                EnvelopeAddress::GroupStart(b"undisclosed-recipients".to_vec()),
                EnvelopeAddress::GroupEnd
            ]
        );
    }

    #[test]
    fn tolerates_garbage() {
        assert_eq!(parse_address_list(b""), vec![]);
        assert_eq!(parse_address_list(b"  "), vec![]);
        assert_eq!(
            parse_address_list(b"nobody"),
            vec![mailbox(None, None, "nobody", "MISSING_DOMAIN")]
        );
        assert_eq!(parse_address_list(b">>,;<"), vec![]);
        assert_eq!(parse_address_list(b"(unclosed \"x"), vec![]);
    }
}
