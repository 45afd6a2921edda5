//! The searchable text of a message (RFC 3501 §6.4.4): header fields
//! unfolded and RFC 2047-decoded, the decoded text of its text/* parts
//! (HTML reduced to text), and the Date header read as wall-clock time.
//! Nothing here fails: undecodable input is replaced, never rejected.

use mail_parser::decoders::html::html_to_text;
use mail_parser::parsers::MessageStream;
use mail_parser::{HeaderValue, Message, PartType};

use super::address::{EnvelopeAddress, parse_address_list};
use super::header::RawField;

/// Fields whose searchable text is their parsed address list, so that a
/// comment inside an address (`<user (c)@ (c) domain.org>`) does not hide
/// it from SEARCH FROM/TO/CC/BCC (RFC 3501 §6.4.4).
const ADDRESS_FIELDS: [&str; 6] = ["from", "sender", "reply-to", "to", "cc", "bcc"];

/// Unfolds a raw header value and decodes its RFC 2047 encoded words.
pub(crate) fn decode_value(raw: &[u8]) -> String {
    let mut line = raw.to_vec();
    line.push(b'\n');
    match MessageStream::new(&line).parse_unstructured() {
        HeaderValue::Text(text) => text.into_owned(),
        _ => String::new(),
    }
}

/// `lower-case-name: value\n` for every field, in order. Address fields
/// hold their addresses as `name <local@domain>` (see [`address_text`]).
pub(crate) fn header_text(fields: &[RawField<'_>]) -> String {
    let mut out = String::new();
    for field in fields {
        let name = String::from_utf8_lossy(field.name).to_ascii_lowercase();
        let value = if ADDRESS_FIELDS.contains(&name.as_str()) {
            address_text(field.value)
        } else {
            decode_value(field.value)
        };
        out.push_str(&name);
        out.push_str(": ");
        out.push_str(&value.replace(['\r', '\n'], " "));
        out.push('\n');
    }
    out
}

/// An address list as searchable text: `name <local@domain>` per mailbox
/// (a trailing comment counts as the name, as in ENVELOPE), `group: ...;`
/// per group, comments elsewhere dropped. A value without any recognisable
/// address keeps its decoded raw text.
fn address_text(raw: &[u8]) -> String {
    let addresses = parse_address_list(raw);
    if addresses.is_empty() {
        return decode_value(raw);
    }
    let mut out = String::new();
    let mut group_open = false;
    for address in &addresses {
        match address {
            EnvelopeAddress::GroupStart(name) => {
                if !out.is_empty() {
                    out.push_str(", ");
                }
                out.push_str(&decode_value(name));
                out.push(':');
                group_open = true;
            }
            EnvelopeAddress::GroupEnd => {
                out.push(';');
                group_open = false;
            }
            EnvelopeAddress::Mailbox {
                name,
                mailbox,
                host,
                ..
            } => {
                if group_open && out.ends_with(':') {
                    out.push(' ');
                } else if !out.is_empty() {
                    out.push_str(", ");
                }
                if let Some(name) = name {
                    out.push_str(&decode_value(name));
                    out.push(' ');
                }
                out.push('<');
                out.push_str(&String::from_utf8_lossy(mailbox));
                if !host.is_empty() {
                    out.push('@');
                    out.push_str(&String::from_utf8_lossy(host));
                }
                out.push('>');
            }
        }
    }
    out
}

/// All values of the fields named `name`, decoded, joined with ", ".
pub(crate) fn decoded_fields(fields: &[RawField<'_>], name: &str) -> String {
    fields
        .iter()
        .filter(|field| field.name.eq_ignore_ascii_case(name.as_bytes()))
        .map(|field| decode_value(field.value))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The decoded text of every text/* part, nested messages included, one
/// part per paragraph.
pub(crate) fn body_text(message: &Message<'_>) -> String {
    let mut out = String::new();
    collect_text(message, 0, &mut out);
    out
}

fn collect_text(message: &Message<'_>, depth: usize, out: &mut String) {
    if depth > super::tree::MAX_DEPTH {
        return;
    }
    for part in &message.parts {
        let text = match &part.body {
            PartType::Text(text) => text.to_string(),
            PartType::Html(html) => html_to_text(html),
            PartType::Message(inner) => {
                collect_text(inner, depth + 1, out);
                continue;
            }
            _ => continue,
        };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&text);
    }
}

/// The Date header's wall-clock time as if it were UTC, in unix seconds.
pub(crate) fn sent_date(raw_date: &[u8]) -> Option<i64> {
    let mut line = raw_date.to_vec();
    line.push(b'\n');
    let HeaderValue::DateTime(date) = MessageStream::new(&line).parse_date() else {
        return None;
    };
    if !date.is_valid() {
        return None;
    }
    let day = chrono::NaiveDate::from_ymd_opt(
        i32::from(date.year),
        u32::from(date.month),
        u32::from(date.day),
    )?;
    let time = day.and_hms_opt(
        u32::from(date.hour),
        u32::from(date.minute),
        u32::from(date.second),
    )?;
    Some(time.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::header::fields;

    #[test]
    fn decodes_and_unfolds_header_values() {
        assert_eq!(
            decode_value(b" =?utf-8?q?caf=C3=A9?=\r\n au lait"),
            "café au lait"
        );
        let header = b"Subject: =?iso-8859-1?q?=E9t=E9?=\r\nX-Thing: a\r\n b\r\n\r\n";
        assert_eq!(header_text(&fields(header)), "subject: été\nx-thing: a b\n");
    }

    #[test]
    fn address_fields_drop_comments_inside_addresses() {
        let header = b"From: <user-from (comment)@ (comment) domain.org>\r\n\
            To: user-to@domain.org (RealTo)\r\n\
            Cc: =?utf-8?q?G=C3=B6?= <g@y>, a@b\r\n\
            Bcc: groupname: g1@d.org, g2@d.org;, empty:;\r\n\
            Subject: x (not an address)\r\n\r\n";
        assert_eq!(
            header_text(&fields(header)),
            "from: <user-from@domain.org>\n\
             to: RealTo <user-to@domain.org>\n\
             cc: Gö <g@y>, <a@b>\n\
             bcc: groupname: <g1@d.org>, <g2@d.org>;, empty:;\n\
             subject: x (not an address)\n"
        );
        assert_eq!(address_text(b" ,,"), ",,");
    }

    #[test]
    fn sent_date_keeps_the_wall_clock() {
        // 01:02:03 at +0200 stays 15 Feb 2007 01:02:03, not the UTC instant.
        assert_eq!(
            sent_date(b" Thu, 15 Feb 2007 01:02:03 +0200"),
            Some(1_171_501_323)
        );
        assert_eq!(sent_date(b" not a date"), None);
    }
}
