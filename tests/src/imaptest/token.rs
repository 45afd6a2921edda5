//! The one tokenizer shared by script expectations and server responses
//! (FORMAT.md §5): space-separated tokens, `(`/`)` lists, `"..."` quoted
//! strings with `\` escapes, `{N}`/`~{N}` literals (RFC 9051 §4.3), and
//! atoms. Atom, quoted string and literal with the same bytes are the same
//! value, so all three become [`Token::Str`]; an atom spelled NIL is
//! [`Token::Nil`]. Invariant: tokenizing never fails; an unclosed list or
//! quote simply ends at the end of the input.

/// One token of a response or expectation line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Nil,
    Str(Vec<u8>),
    List(Vec<Token>),
}

impl Token {
    /// The token's text as a comparison sees it: NIL reads as `NIL`.
    pub fn text(&self) -> Option<&[u8]> {
        match self {
            Token::Nil => Some(b"NIL"),
            Token::Str(bytes) => Some(bytes),
            Token::List(_) => None,
        }
    }
}

/// Splits a whole line (literals included) into tokens.
pub fn tokenize(input: &[u8]) -> Vec<Token> {
    let mut pos = 0;
    parse_items(input, &mut pos, false)
}

fn parse_items(input: &[u8], pos: &mut usize, in_list: bool) -> Vec<Token> {
    let mut items = Vec::new();
    while *pos < input.len() {
        match input[*pos] {
            b' ' | b'\r' | b'\n' => *pos += 1,
            b'(' => {
                *pos += 1;
                items.push(Token::List(parse_items(input, pos, true)));
            }
            b')' if in_list => {
                *pos += 1;
                return items;
            }
            b'"' => items.push(Token::Str(quoted(input, pos))),
            _ => match literal(input, pos) {
                Some(data) => items.push(Token::Str(data)),
                None => items.push(atom(input, pos, in_list)),
            },
        }
    }
    items
}

fn quoted(input: &[u8], pos: &mut usize) -> Vec<u8> {
    let mut out = Vec::new();
    *pos += 1;
    while *pos < input.len() {
        let byte = input[*pos];
        *pos += 1;
        match byte {
            b'"' => return out,
            b'\\' if *pos < input.len() => {
                out.push(input[*pos]);
                *pos += 1;
            }
            _ => out.push(byte),
        }
    }
    out
}

/// `{N}`, `{N+}`, `~{N}` or `~{N+}`, then CRLF or LF, then N bytes.
fn literal(input: &[u8], pos: &mut usize) -> Option<Vec<u8>> {
    let mut at = *pos;
    if input.get(at) == Some(&b'~') {
        at += 1;
    }
    if input.get(at) != Some(&b'{') {
        return None;
    }
    at += 1;
    let digits_start = at;
    while input.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    let size: usize = std::str::from_utf8(&input[digits_start..at])
        .ok()?
        .parse()
        .ok()?;
    if input.get(at) == Some(&b'+') {
        at += 1;
    }
    if input.get(at) != Some(&b'}') {
        return None;
    }
    at += 1;
    if input.get(at) == Some(&b'\r') {
        at += 1;
    }
    if input.get(at) != Some(&b'\n') {
        return None;
    }
    at += 1;
    let end = at.checked_add(size).filter(|end| *end <= input.len())?;
    *pos = end;
    Some(input[at..end].to_vec())
}

fn atom(input: &[u8], pos: &mut usize, in_list: bool) -> Token {
    let start = *pos;
    while *pos < input.len() {
        let byte = input[*pos];
        if byte == b' ' || byte == b'\r' || byte == b'\n' || (in_list && byte == b')') {
            break;
        }
        *pos += 1;
    }
    let text = &input[start..*pos];
    if text.eq_ignore_ascii_case(b"NIL") {
        Token::Nil
    } else {
        Token::Str(text.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Token {
        Token::Str(text.as_bytes().to_vec())
    }

    #[test]
    fn sections_split_into_three_tokens() {
        let tokens = tokenize(b"BODY[HEADER.FIELDS (FROM)] [UIDNEXT 5]");
        assert_eq!(
            tokens,
            vec![
                s("BODY[HEADER.FIELDS"),
                Token::List(vec![s("FROM")]),
                s("]"),
                s("[UIDNEXT"),
                s("5]"),
            ]
        );
    }

    #[test]
    fn quoted_literal_and_nil() {
        let tokens = tokenize(b"1 FETCH (BODY[] {5}\r\nab cd \"x\\\"y\" nil)");
        assert_eq!(
            tokens,
            vec![
                s("1"),
                s("FETCH"),
                Token::List(vec![s("BODY[]"), s("ab cd"), s("x\"y"), Token::Nil]),
            ]
        );
    }

    #[test]
    fn literal8_and_lf_only_literal() {
        assert_eq!(tokenize(b"~{3}\nA\0B x"), vec![s("A\0B"), s("x")]);
    }
}
