//! Binary content arriving by APPEND (RFC 3516 §4.4): a leaf part whose
//! content-transfer-encoding is `binary`, or whose body holds NUL octets,
//! cannot travel in BODY[] (an IMAP literal excludes NUL, RFC 3501 §4.3),
//! so it is stored re-encoded as base64. FETCH BINARY decodes it back to
//! the exact octets the client appended.
//!
//! Invariant: only such leaf parts change; every other byte of the message
//! is kept as it came, in order.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::header;
use super::tree::{self, Content, Entity};

/// Base64 line length (RFC 2045 §6.8).
const BASE64_LINE: usize = 76;

const BASE64_FIELD: &[u8] = b"Content-Transfer-Encoding: base64\r\n";

/// The message with its binary leaf parts base64-encoded, or None when it
/// has none.
pub fn encode_binary_parts(raw: &[u8]) -> Option<Vec<u8>> {
    if !raw.contains(&0) && !contains_ignore_case(raw, b"binary") {
        return None;
    }
    let parsed = super::parse_message(raw);
    let root = tree::build(raw, parsed.as_ref());
    let mut leaves = Vec::new();
    binary_leaves(raw, &root, &mut leaves);
    if leaves.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 2);
    let mut copied = 0;
    for leaf in leaves {
        out.extend_from_slice(&raw[copied..leaf.header.start]);
        for field in header::fields(&raw[leaf.header.clone()]) {
            if !field
                .name
                .eq_ignore_ascii_case(b"content-transfer-encoding")
            {
                out.extend_from_slice(field.whole);
            }
        }
        out.extend_from_slice(BASE64_FIELD);
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&raw[leaf.header.end..leaf.body.start]);
        write_base64_lines(&raw[leaf.body.clone()], &mut out);
        copied = leaf.body.end;
    }
    out.extend_from_slice(&raw[copied..]);
    Some(out)
}

/// The leaf entities to re-encode, in message order.
fn binary_leaves<'e>(raw: &[u8], entity: &'e Entity, leaves: &mut Vec<&'e Entity>) {
    match &entity.content {
        Content::Multipart(children) => {
            for child in children {
                binary_leaves(raw, child, leaves);
            }
        }
        Content::Message(inner) => binary_leaves(raw, inner, leaves),
        Content::Leaf => {
            let fields = header::fields(&raw[entity.header.clone()]);
            let declared_binary = header::first_value(&fields, "content-transfer-encoding")
                .is_some_and(|value| header::unfold(value).eq_ignore_ascii_case(b"binary"));
            if declared_binary || raw[entity.body.clone()].contains(&0) {
                leaves.push(entity);
            }
        }
    }
}

fn write_base64_lines(body: &[u8], out: &mut Vec<u8>) {
    let encoded = BASE64.encode(body);
    for (index, line) in encoded.as_bytes().chunks(BASE64_LINE).enumerate() {
        if index > 0 {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(line);
    }
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::Section;
    use crate::mime::{PartTable, TransferEncoding, analyze};

    /// The imaptest append-binary message.
    const APPENDED: &[u8] = b"From: user@domain.org\r\nDate: Sat, 24 Mar 2007 23:00:00 +0200\r\n\
Mime-Version: 1.0\r\nContent-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: binary\r\n\r\n\0-\xe4\n\r\n\n";

    /// Part `part` of `raw` as BINARY[part] gives it.
    fn binary_part(raw: &[u8], part: u32) -> Vec<u8> {
        let table = PartTable::decode(&analyze(raw).part_table).unwrap();
        let locate = |text| {
            let section = Section {
                part: vec![part],
                text,
            };
            let location = table.locate(&section).unwrap();
            &raw[location.offset as usize..(location.offset + location.length) as usize]
        };
        let header = locate(Some(crate::command::SectionText::Mime));
        TransferEncoding::of_header(header)
            .unwrap()
            .decode(locate(None))
    }

    #[test]
    fn binary_parts_become_base64_and_decode_back() {
        let encoded = encode_binary_parts(APPENDED).unwrap();
        let text = String::from_utf8(encoded.clone()).unwrap();
        assert!(
            text.ends_with(
                "Content-Type: application/octet-stream\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\nAC3kCg0KCg=="
            ),
            "{text}"
        );
        assert_eq!(binary_part(&encoded, 1), b"\0-\xe4\n\r\n\n");
    }

    #[test]
    fn only_binary_leaves_change() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
Content-Type: text/plain\r\n\r\ntext\r\n--b\r\nContent-Type: application/x\r\n\
Content-Transfer-Encoding: 8bit\r\n\r\na\0b\r\n--b--\r\n";
        let encoded = encode_binary_parts(raw).unwrap();
        assert_eq!(binary_part(&encoded, 1), b"text");
        assert_eq!(binary_part(&encoded, 2), b"a\0b");
        assert!(!encoded.contains(&0));
        assert_eq!(encode_binary_parts(b"Subject: plain\r\n\r\nbody\r\n"), None);
        assert_eq!(
            encode_binary_parts(b"Subject: binary words\r\n\r\nbody\r\n"),
            None
        );
    }
}
