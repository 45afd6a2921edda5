//! MIME analysis at append time (ARCHITECTURE.md §3a): ENVELOPE, BODY and
//! BODYSTRUCTURE pre-encoded as the exact IMAP bytes the gateway sends
//! (RFC 3501 §7.4.2), each behind a format version byte; the part table
//! that turns BODY[section] into one ranged read; and the searchable text.
//! mail-parser finds the parts; the IMAP encodings are ours. `analyze` never
//! fails: malformed mail gets a best-effort structure, as Dovecot does.

mod address;
mod binary_parts;
mod bodystructure;
#[cfg(test)]
mod conformance_tests;
#[cfg(test)]
mod corpus_tests;
mod decode;
mod envelope;
mod header;
mod params;
mod part_table;
mod text;
mod tree;

use mail_parser::MessageParser;

use crate::backend::MessageAnalysis;

pub use binary_parts::encode_binary_parts;
pub use decode::{TransferEncoding, UnknownTransferEncoding};
pub use header::{HeaderFilter, filter_header};
pub use part_table::{PartTable, SectionLocation};

/// Version byte leading stored ENVELOPE, BODY and BODYSTRUCTURE bytes.
const IMAP_FORMAT_VERSION: u8 = 1;

/// Analyses a raw message. Never fails: malformed mail gets a best-effort
/// structure, as Dovecot does.
pub fn analyze(raw: &[u8]) -> MessageAnalysis {
    let parsed = parse_message(raw);
    let root = tree::build(raw, parsed.as_ref());
    let fields = header::fields(&raw[root.header.clone()]);

    let mut envelope = vec![IMAP_FORMAT_VERSION];
    envelope::write_envelope(&raw[root.header.clone()], &mut envelope);
    let mut bodystructure = vec![IMAP_FORMAT_VERSION];
    bodystructure::write_body(raw, &root, true, &mut bodystructure);
    let mut body = vec![IMAP_FORMAT_VERSION];
    bodystructure::write_body(raw, &root, false, &mut body);

    MessageAnalysis {
        envelope,
        bodystructure,
        body,
        part_table: part_table::encode(&root),
        header_text: text::header_text(&fields),
        body_text: parsed.as_ref().map(text::body_text).unwrap_or_default(),
        sent_date: header::first_value(&fields, "date").and_then(text::sent_date),
        subject: text::decoded_fields(&fields, "subject"),
        from: text::decoded_fields(&fields, "from"),
        to: text::decoded_fields(&fields, "to"),
        cc: text::decoded_fields(&fields, "cc"),
        bcc: text::decoded_fields(&fields, "bcc"),
        message_id: header::first_value(&fields, "message-id")
            .map(|id| String::from_utf8_lossy(&header::unfold(id)).into_owned())
            .unwrap_or_default(),
    }
}

/// mail-parser's view of `raw`. It has `debug_assert!`s that some malformed
/// nestings trip in debug builds; such mail gets None (the flat structure)
/// instead of a panic.
fn parse_message(raw: &[u8]) -> Option<mail_parser::Message<'_>> {
    std::panic::catch_unwind(|| MessageParser::default().parse(raw)).unwrap_or_else(|_| {
        tracing::warn!(size = raw.len(), "mime parser gave up on a message");
        None
    })
}

/// Strips and checks the version byte of a stored envelope/bodystructure/
/// body; None if unknown.
pub fn stored_imap(stored: &[u8]) -> Option<&[u8]> {
    match stored.split_first() {
        Some((&IMAP_FORMAT_VERSION, imap)) => Some(imap),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_fields_are_decoded_and_message_id_is_raw() {
        let raw = "From: =?utf-8?q?=C3=89mile?= Zola <emile@example.fr>\r\n\
            To: \"Hiro\" <hiro@example.jp>,\r\n =?utf-8?q?Gy=C3=B6rgy?= <g@example.hu>\r\n\
            Subject: =?iso-8859-1?q?R=E9sum=E9?=\r\n\
            Date: Tue, 03 Jan 2023 23:37:00 -0500\r\n\
            Message-ID: <1@gen.example.org>\r\n\
            Content-Type: multipart/alternative; boundary=b\r\n\r\n\
            --b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain caf\u{e9}\r\n\
            --b\r\nContent-Type: text/html\r\n\r\n<p>html <b>bold</b></p>\r\n--b--\r\n";
        let analysis = analyze(raw.as_bytes());
        assert_eq!(analysis.from, "\u{c9}mile Zola <emile@example.fr>");
        assert!(analysis.to.contains("Gy\u{f6}rgy <g@example.hu>"));
        assert_eq!(analysis.subject, "R\u{e9}sum\u{e9}");
        assert_eq!(analysis.cc, "");
        assert_eq!(analysis.message_id, "<1@gen.example.org>");
        // 23:37 on 3 Jan stays 3 Jan although it is 4 Jan in UTC.
        assert_eq!(analysis.sent_date.map(|d| d.div_euclid(86400)), Some(19360));
        assert!(
            analysis
                .header_text
                .starts_with("from: \u{c9}mile Zola <emile@example.fr>\n")
        );
        assert!(
            analysis
                .header_text
                .contains("\nsubject: R\u{e9}sum\u{e9}\n")
        );
        assert!(analysis.body_text.contains("plain caf\u{e9}"));
        assert!(analysis.body_text.contains("bold"));
        assert!(!analysis.body_text.contains("<b>"));
    }

    #[test]
    fn stored_bytes_lead_with_the_version() {
        let analysis = analyze(b"Subject: s\r\n\r\nb\r\n");
        for stored in [&analysis.envelope, &analysis.body, &analysis.bodystructure] {
            assert_eq!(stored.first(), Some(&IMAP_FORMAT_VERSION));
            assert!(stored_imap(stored).is_some_and(|imap| imap.starts_with(b"(")));
        }
        assert!(PartTable::decode(&analysis.part_table).is_some());
    }
}
