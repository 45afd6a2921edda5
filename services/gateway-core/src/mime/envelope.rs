//! ENVELOPE encoding (RFC 3501 §7.4.2, RFC 9051 §7.5.2): the ten fields in
//! order, from the raw header block. Strings are the raw, unfolded values
//! (RFC 2047 words are not decoded); absent fields are NIL; Sender and
//! Reply-To default to From. Output is the exact IMAP bytes of the
//! parenthesised list.

use super::address::{EnvelopeAddress, parse_address_list};
use super::header::{RawField, fields, first_value, unfold};
use crate::response::write_string;

/// Appends the ENVELOPE of the message whose header block is `header`.
pub(crate) fn write_envelope(header: &[u8], out: &mut Vec<u8>) {
    let fields = fields(header);
    let from = addresses(&fields, "from");
    let sender = addresses(&fields, "sender");
    let reply_to = addresses(&fields, "reply-to");
    out.push(b'(');
    write_nstring(out, first_value(&fields, "date").map(unfold).as_deref());
    out.push(b' ');
    write_nstring(out, first_value(&fields, "subject").map(unfold).as_deref());
    for list in [
        &from,
        if sender.is_empty() { &from } else { &sender },
        if reply_to.is_empty() {
            &from
        } else {
            &reply_to
        },
        &addresses(&fields, "to"),
        &addresses(&fields, "cc"),
        &addresses(&fields, "bcc"),
    ] {
        out.push(b' ');
        write_address_list(out, list);
    }
    out.push(b' ');
    write_nstring(
        out,
        first_value(&fields, "in-reply-to").map(unfold).as_deref(),
    );
    out.push(b' ');
    write_nstring(
        out,
        first_value(&fields, "message-id").map(unfold).as_deref(),
    );
    out.push(b')');
}

fn addresses(fields: &[RawField<'_>], name: &str) -> Vec<EnvelopeAddress> {
    first_value(fields, name)
        .map(parse_address_list)
        .unwrap_or_default()
}

/// An `nstring` (RFC 3501 §9): NIL for `None`.
pub(crate) fn write_nstring(out: &mut Vec<u8>, value: Option<&[u8]>) {
    match value {
        Some(value) => write_string(out, value),
        None => out.extend_from_slice(b"NIL"),
    }
}

/// `"(" 1*address ")"` or NIL for an empty list.
fn write_address_list(out: &mut Vec<u8>, list: &[EnvelopeAddress]) {
    if list.is_empty() {
        out.extend_from_slice(b"NIL");
        return;
    }
    out.push(b'(');
    for address in list {
        let (name, route, mailbox, host) = match address {
            EnvelopeAddress::Mailbox {
                name,
                route,
                mailbox,
                host,
            } => (
                name.as_deref(),
                route.as_deref(),
                Some(mailbox.as_slice()),
                Some(host.as_slice()),
            ),
            EnvelopeAddress::GroupStart(name) => (None, None, Some(name.as_slice()), None),
            EnvelopeAddress::GroupEnd => (None, None, None, None),
        };
        out.push(b'(');
        write_nstring(out, name);
        out.push(b' ');
        write_nstring(out, route);
        out.push(b' ');
        write_nstring(out, mailbox);
        out.push(b' ');
        write_nstring(out, host);
        out.push(b')');
    }
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(header: &[u8]) -> String {
        let mut out = Vec::new();
        write_envelope(header, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn missing_fields_are_nil_and_sender_defaults_to_from() {
        assert_eq!(
            envelope(b"From: a@b\r\nSender: \r\n\r\n"),
            "(NIL NIL ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL)"
        );
    }

    #[test]
    fn keeps_encoded_words_and_uses_literals_for_8bit() {
        assert_eq!(
            envelope(b"Subject: =?utf-8?q?caf=C3=A9?=\r\n more\r\nMessage-ID: <x@y>\r\n\r\n"),
            "(NIL \"=?utf-8?q?caf=C3=A9?= more\" NIL NIL NIL NIL NIL NIL NIL \"<x@y>\")"
        );
        assert_eq!(
            envelope("Subject: café\r\n\r\n".as_bytes()),
            "(NIL {5}\r\ncafé NIL NIL NIL NIL NIL NIL NIL NIL)"
        );
    }
}
