//! Raw header blocks (RFC 5322 §2.2): splitting a block into fields with
//! their folded lines kept whole, unfolding values, and the
//! HEADER.FIELDS / HEADER.FIELDS.NOT filter (RFC 3501 §6.4.5). Works on raw
//! bytes so that ENVELOPE strings stay undecoded and filtered output is
//! byte-exact; a field runs from its name to the line break that is not
//! followed by whitespace, and the block ends at the first empty line.

/// Which header lines a BODY[HEADER.FIELDS ...] fetch keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderFilter {
    /// Field names, compared case-insensitively.
    pub fields: Vec<String>,
    /// `true` for HEADER.FIELDS.NOT.
    pub exclude: bool,
}

/// One header field as it appears in the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RawField<'a> {
    /// The name, without surrounding whitespace.
    pub name: &'a [u8],
    /// Everything after the colon, folded line breaks included, final line
    /// break excluded.
    pub value: &'a [u8],
    /// The whole field with its final line break.
    pub whole: &'a [u8],
}

/// The fields of a header block, in order. Lines without a colon are
/// skipped, as they cannot be matched by name.
pub(crate) fn fields(block: &[u8]) -> Vec<RawField<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < block.len() {
        let end = field_end(block, start);
        let whole = &block[start..end];
        if is_blank_line(whole) {
            break;
        }
        if let Some(colon) = whole.iter().position(|&b| b == b':') {
            let name = whole[..colon].trim_ascii();
            let value = trim_line_break(&whole[colon + 1..]);
            if !name.is_empty() {
                out.push(RawField { name, value, whole });
            }
        }
        start = end;
    }
    out
}

/// The end (exclusive, after its LF) of the field starting at `start`.
fn field_end(block: &[u8], start: usize) -> usize {
    let mut pos = start;
    loop {
        let line_end = match block[pos..].iter().position(|&b| b == b'\n') {
            Some(lf) => pos + lf + 1,
            None => return block.len(),
        };
        let continues = matches!(block.get(line_end), Some(b' ' | b'\t'));
        // A field's first line may itself be empty: the block's end.
        if !continues || is_blank_line(&block[start..line_end]) {
            return line_end;
        }
        pos = line_end;
    }
}

fn is_blank_line(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

fn trim_line_break(value: &[u8]) -> &[u8] {
    let value = value.strip_suffix(b"\n").unwrap_or(value);
    value.strip_suffix(b"\r").unwrap_or(value)
}

/// Removes CR and LF bytes (RFC 5322 §2.2.3 unfolding keeps the whitespace
/// that follows) and trims the ends.
pub(crate) fn unfold(value: &[u8]) -> Vec<u8> {
    value
        .trim_ascii()
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect()
}

/// The raw value of the first field named `name` (case-insensitive).
pub(crate) fn first_value<'a>(fields: &[RawField<'a>], name: &str) -> Option<&'a [u8]> {
    fields
        .iter()
        .find(|field| field.name.eq_ignore_ascii_case(name.as_bytes()))
        .map(|field| field.value)
}

/// The lines of `header` kept by the filter, folded lines whole, ending with
/// the blank line (CRLF).
pub fn filter_header(header: &[u8], filter: &HeaderFilter) -> Vec<u8> {
    let mut out = Vec::new();
    for field in fields(header) {
        let listed = filter
            .fields
            .iter()
            .any(|wanted| field.name.eq_ignore_ascii_case(wanted.as_bytes()));
        if listed != filter.exclude {
            out.extend_from_slice(field.whole);
            if !field.whole.ends_with(b"\n") {
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &[u8] =
        b"From: a@b\r\nSubject: one\r\n two\r\nX-Empty:\r\nnot a field\r\n\r\nbody";

    #[test]
    fn splits_fields_with_folds_and_stops_at_blank_line() {
        let found = fields(BLOCK);
        let names: Vec<&[u8]> = found.iter().map(|f| f.name).collect();
        assert_eq!(names, vec![&b"From"[..], b"Subject", b"X-Empty"]);
        assert_eq!(found[1].value, b" one\r\n two");
        assert_eq!(found[1].whole, b"Subject: one\r\n two\r\n");
        assert_eq!(unfold(found[1].value), b"one two");
        assert_eq!(first_value(&found, "x-empty"), Some(&b""[..]));
    }

    #[test]
    fn filters_by_name_in_message_order() {
        let keep = HeaderFilter {
            fields: vec!["subject".into(), "FROM".into()],
            exclude: false,
        };
        assert_eq!(
            filter_header(BLOCK, &keep),
            b"From: a@b\r\nSubject: one\r\n two\r\n\r\n"
        );
        let drop = HeaderFilter {
            fields: vec!["subject".into()],
            exclude: true,
        };
        assert_eq!(
            filter_header(BLOCK, &drop),
            b"From: a@b\r\nX-Empty:\r\n\r\n"
        );
        let none = HeaderFilter {
            fields: vec!["xyz".into()],
            exclude: false,
        };
        assert_eq!(filter_header(BLOCK, &none), b"\r\n");
    }

    #[test]
    fn a_last_field_without_line_break_gets_one() {
        let keep = HeaderFilter {
            fields: vec!["a".into()],
            exclude: false,
        };
        assert_eq!(filter_header(b"A: 1", &keep), b"A: 1\r\n\r\n");
    }
}
