//! What every reader (and the IMAP migration, `crate::imap_import`)
//! yields: one [`SourceMessage`] (raw bytes as they will be stored,
//! internal date, flags) or a [`Failure`] naming the message and the
//! reason, and the line-ending rule both readers share: stored messages end
//! their lines in CRLF (RFC 5322 §2.1), as an IMAP client sees them, so a bare
//! LF (Maildir and mbox files on Unix) becomes CRLF.

use mailkeep_gateway_core::backend::Flags;

/// One message read from the source, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMessage {
    /// A file path, or `FILE message N (line L)`: for the failure summary.
    pub origin: String,
    pub raw: Vec<u8>,
    /// Unix seconds; `None` when the source gives none (the upload then
    /// uses the `Date:` header, or now).
    pub internal_date: Option<i64>,
    /// The zone of `internal_date`, minutes east of UTC.
    pub internal_date_offset: i32,
    pub flags: Flags,
}

/// A message that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub origin: String,
    pub reason: String,
}

/// What a reader yields per message.
pub type SourceItem = Result<SourceMessage, Failure>;

/// Appends `line` (one line, with or without its LF or CRLF) to `out`,
/// ending it in CRLF when it ended in a line break.
pub fn push_crlf_line(out: &mut Vec<u8>, line: &[u8]) {
    match line.strip_suffix(b"\n") {
        Some(text) => {
            out.extend_from_slice(text.strip_suffix(b"\r").unwrap_or(text));
            out.extend_from_slice(b"\r\n");
        }
        None => out.extend_from_slice(line),
    }
}

/// `raw` (CRLF lines) without the header fields called `name` (any case),
/// continuation lines included; the body is not looked at.
pub fn without_header(raw: &[u8], name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut in_header = true;
    let mut dropping = false;
    for line in raw.split_inclusive(|byte| *byte == b'\n') {
        if in_header {
            if line == b"\r\n" {
                in_header = false;
            } else if line.starts_with(b" ") || line.starts_with(b"\t") {
                if dropping {
                    continue;
                }
            } else {
                dropping = line
                    .split(|byte| *byte == b':')
                    .next()
                    .is_some_and(|field| field.eq_ignore_ascii_case(name.as_bytes()))
                    && line.contains(&b':');
                if dropping {
                    continue;
                }
            }
        }
        out.extend_from_slice(line);
    }
    out
}

/// `bytes` with every line ending in CRLF.
pub fn to_crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for line in bytes.split_inclusive(|byte| *byte == b'\n') {
        push_crlf_line(&mut out, line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_lf_becomes_crlf_and_crlf_stays() {
        assert_eq!(to_crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
        assert_eq!(to_crlf(b"\n\n"), b"\r\n\r\n");
        assert_eq!(to_crlf(b""), b"");
        assert_eq!(to_crlf(b"x\r\n"), b"x\r\n");
    }

    #[test]
    fn a_header_field_is_dropped_from_the_header_block_only() {
        let raw = b"A: 1\r\nX-TUID: abc\r\n more\r\nB: 2\r\n\r\nX-TUID: body\r\n";
        assert_eq!(
            without_header(raw, "x-tuid"),
            b"A: 1\r\nB: 2\r\n\r\nX-TUID: body\r\n"
        );
        assert_eq!(
            without_header(b"X-TUIDS: k\r\n\r\n", "X-TUID"),
            b"X-TUIDS: k\r\n\r\n"
        );
    }
}
