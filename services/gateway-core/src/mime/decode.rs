//! Content-transfer-encoding decoding for FETCH BINARY (RFC 3516 §3,
//! RFC 2045 §6): the CTE named by a part's header, and the decoders for
//! base64 and quoted-printable. Decoding is lenient, as mail in the wild
//! needs: base64 skips characters outside its alphabet and stops at the
//! first pad; quoted-printable keeps malformed `=` sequences as they are.
//!
//! Invariant: the decoded output is never longer than the input, so a
//! decoded part is bounded by the part read from the blob.

use super::header;

/// A part's content-transfer-encoding (RFC 2045 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferEncoding {
    /// `7bit`, `8bit`, `binary` or none: the bytes are the content.
    Identity,
    Base64,
    QuotedPrintable,
}

/// A CTE this server cannot decode (RFC 3516 §4.3 `[UNKNOWN-CTE]`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown content-transfer-encoding")]
pub struct UnknownTransferEncoding;

impl TransferEncoding {
    /// The CTE declared in a MIME header block; none means 7bit.
    pub fn of_header(header_block: &[u8]) -> Result<Self, UnknownTransferEncoding> {
        let fields = header::fields(header_block);
        let Some(value) = header::first_value(&fields, "content-transfer-encoding") else {
            return Ok(TransferEncoding::Identity);
        };
        let value = header::unfold(value);
        // A comment may follow the mechanism (RFC 2045 §6.1 allows CFWS).
        let mechanism = value
            .split(|&byte| byte == b'(' || byte == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii()
            .to_ascii_lowercase();
        match mechanism.as_slice() {
            b"" | b"7bit" | b"8bit" | b"binary" => Ok(TransferEncoding::Identity),
            b"base64" => Ok(TransferEncoding::Base64),
            b"quoted-printable" => Ok(TransferEncoding::QuotedPrintable),
            _ => Err(UnknownTransferEncoding),
        }
    }

    /// `body` with this encoding removed.
    pub fn decode(self, body: &[u8]) -> Vec<u8> {
        match self {
            TransferEncoding::Identity => body.to_vec(),
            TransferEncoding::Base64 => decode_base64(body),
            TransferEncoding::QuotedPrintable => decode_quoted_printable(body),
        }
    }
}

/// The value of a base64 alphabet character (RFC 2045 §6.8 table 1).
fn base64_value(byte: u8) -> Option<u32> {
    let value = match byte {
        b'A'..=b'Z' => byte - b'A',
        b'a'..=b'z' => byte - b'a' + 26,
        b'0'..=b'9' => byte - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    };
    Some(u32::from(value))
}

/// RFC 2045 §6.8: characters outside the alphabet (line breaks, spaces)
/// are ignored; `=` ends the data; a trailing lone sextet is dropped.
pub fn decode_base64(encoded: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(encoded.len() / 4 * 3 + 3);
    let mut group = 0u32;
    let mut sextets = 0;
    for &byte in encoded {
        if byte == b'=' {
            break;
        }
        let Some(value) = base64_value(byte) else {
            continue;
        };
        group = (group << 6) | value;
        sextets += 1;
        if sextets == 4 {
            decoded.extend_from_slice(&group.to_be_bytes()[1..]);
            group = 0;
            sextets = 0;
        }
    }
    match sextets {
        2 => decoded.push((group >> 4) as u8),
        3 => decoded.extend_from_slice(&((group >> 2) as u16).to_be_bytes()),
        _ => {}
    }
    decoded
}

/// RFC 2045 §6.7: `=XX` is an octet, `=` ending a line is a soft line
/// break, whitespace ending a line is transport padding; hard line breaks
/// come out as CRLF.
pub fn decode_quoted_printable(encoded: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(encoded.len());
    let mut lines = encoded.split(|&byte| byte == b'\n').peekable();
    while let Some(line) = lines.next() {
        let has_break = lines.peek().is_some();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = line.trim_ascii_end();
        let (content, soft_break) = match line.strip_suffix(b"=") {
            Some(content) => (content, true),
            None => (line, false),
        };
        decode_qp_line(content, &mut decoded);
        if has_break && !soft_break {
            decoded.extend_from_slice(b"\r\n");
        }
    }
    decoded
}

fn decode_qp_line(line: &[u8], decoded: &mut Vec<u8>) {
    let mut index = 0;
    while index < line.len() {
        let byte = line[index];
        let escaped = (byte == b'=')
            .then(|| line.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(value) => {
                decoded.push(value);
                index += 3;
            }
            None => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_ignores_noise_and_stops_at_padding() {
        assert_eq!(decode_base64(b"aGVs\r\nbG8gd29y\r\nbGQ="), b"hello world");
        assert_eq!(
            decode_base64(b"  aGVs    \r\n bG8g  \r\n   d29y  \t \r\n    bGQ= \r\n"),
            b"hello world"
        );
        assert_eq!(
            decode_base64(b"aGVsbG8gdG8geW91IHRv\r\nbw=="),
            b"hello to you too"
        );
        assert_eq!(
            decode_base64(b"YWJjZGVmZw1oaWprbA0KbW5vCnBxcnN0dXZxeHl6"),
            b"abcdefg\rhijkl\r\nmno\npqrstuvqxyz"
        );
        assert_eq!(decode_base64(b"AA=="), b"\0");
        assert_eq!(decode_base64(b"QUI"), b"AB");
        assert_eq!(decode_base64(b"Q"), b"");
        assert_eq!(decode_base64(b"!!"), b"");
    }

    #[test]
    fn quoted_printable_follows_rfc2045() {
        // The imaptest fetch-binary-mime-qp fixture, CRLF line ends.
        let encoded = b"hello  \r\nbar=\r\n\r\nfoo\t=\r\nbar\r\nfoo\t \t= \r\n=62\r\nfoo = \t\r\nbar\r\nfoo =\r\n=62\r\nfoo  \r\nbar=\r\n\r\nfoo_bar\r\n";
        let decoded = decode_quoted_printable(encoded);
        assert_eq!(
            decoded,
            b"hello\r\nbar\r\nfoo\tbar\r\nfoo\t \tb\r\nfoo bar\r\nfoo b\r\nfoo\r\nbar\r\nfoo_bar\r\n"
        );
        assert_eq!(decoded.len(), 65);
        // RFC 2045 §6.7 rule 1, and malformed escapes kept as written.
        assert_eq!(decode_quoted_printable(b"caf=C3=A9"), "café".as_bytes());
        assert_eq!(decode_quoted_printable(b"a=4=ZZ="), b"a=4=ZZ");
        assert_eq!(decode_quoted_printable(b"no end"), b"no end");
    }

    #[test]
    fn the_encoding_comes_from_the_header() {
        let of = |header: &[u8]| TransferEncoding::of_header(header);
        assert_eq!(
            of(b"Content-Type: text/plain\r\n\r\n"),
            Ok(TransferEncoding::Identity)
        );
        assert_eq!(
            of(b"Content-Transfer-Encoding: BASE64\r\n\r\n"),
            Ok(TransferEncoding::Base64)
        );
        assert_eq!(
            of(b"content-transfer-encoding:\r\n quoted-printable (x)\r\n\r\n"),
            Ok(TransferEncoding::QuotedPrintable)
        );
        assert_eq!(
            of(b"Content-Transfer-Encoding: binary\r\n\r\n"),
            Ok(TransferEncoding::Identity)
        );
        assert_eq!(
            of(b"Content-Transfer-Encoding: x-uuencode\r\n\r\n"),
            Err(UnknownTransferEncoding)
        );
        assert_eq!(TransferEncoding::Base64.decode(b"aGk="), b"hi");
    }
}
