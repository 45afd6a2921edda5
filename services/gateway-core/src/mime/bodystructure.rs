//! BODY and BODYSTRUCTURE encoding (RFC 3501 §7.4.2, RFC 9051 §7.5.2), in
//! the shape Dovecot produces: type and subtype as written, text without
//! parameters gets `("charset" "us-ascii")`, sizes are body octets, line
//! counts are LF counts, a multipart without parts shows one empty
//! text/plain part. BODY omits all extension data; BODYSTRUCTURE carries
//! md5, disposition, language and location (and the parameters of
//! multiparts). Nested messages are described in the same form as their
//! parent.

use super::envelope::{write_envelope, write_nstring};
use super::header::{fields, first_value, unfold};
use super::tree::{Content, Entity, TypeValue};
use crate::response::write_string;

/// What Dovecot writes for a multipart that has no parts.
const EMPTY_PART: &[u8] = b"(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0)";

/// Appends the BODYSTRUCTURE (`extended`) or BODY of `entity`.
pub(crate) fn write_body(raw: &[u8], entity: &Entity, extended: bool, out: &mut Vec<u8>) {
    let header = fields(&raw[entity.header.clone()]);
    let raw_field = |name: &str| first_value(&header, name).map(unfold);
    out.push(b'(');
    match &entity.content {
        Content::Multipart(children) => {
            if children.is_empty() {
                out.extend_from_slice(EMPTY_PART);
            }
            for child in children {
                write_body(raw, child, extended, out);
            }
            out.push(b' ');
            let subtype = entity.content_type.as_ref().and_then(|t| t.sub.as_deref());
            write_string(out, subtype.unwrap_or("mixed").as_bytes());
            if extended {
                out.push(b' ');
                write_params(
                    out,
                    entity.content_type.as_ref().map_or(&[][..], |t| &t.params),
                );
                write_extension(out, entity, &raw_field);
            }
        }
        Content::Leaf | Content::Message(_) => {
            let body = &raw[entity.body.clone()];
            let (main, sub, params, shape) = media_type(entity);
            write_string(out, main.as_bytes());
            out.push(b' ');
            write_string(out, sub.as_bytes());
            out.push(b' ');
            if params.is_empty() && shape == Shape::Text {
                out.extend_from_slice(b"(\"charset\" \"us-ascii\")");
            } else {
                write_params(out, params);
            }
            for name in ["content-id", "content-description"] {
                out.push(b' ');
                write_nstring(out, raw_field(name).as_deref());
            }
            out.push(b' ');
            let encoding = raw_field("content-transfer-encoding").filter(|e| !e.is_empty());
            write_string(out, encoding.as_deref().unwrap_or(b"7bit"));
            out.extend_from_slice(format!(" {}", body.len()).as_bytes());
            let lines = body.iter().filter(|&&b| b == b'\n').count();
            match (&entity.content, shape) {
                (Content::Message(inner), _) => {
                    out.push(b' ');
                    write_envelope(&raw[inner.header.clone()], out);
                    out.push(b' ');
                    write_body(raw, inner, extended, out);
                    out.extend_from_slice(format!(" {lines}").as_bytes());
                }
                // An encoded message/rfc822 we could not open still needs
                // the body-type-msg fields (RFC 3501 §9): empty ones.
                (_, Shape::Message) => {
                    out.extend_from_slice(b" (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ");
                    out.extend_from_slice(EMPTY_PART);
                    out.extend_from_slice(format!(" {lines}").as_bytes());
                }
                (_, Shape::Text) => out.extend_from_slice(format!(" {lines}").as_bytes()),
                (_, Shape::Basic) => {}
            }
            if extended {
                out.push(b' ');
                write_nstring(out, raw_field("content-md5").as_deref());
                write_extension(out, entity, &raw_field);
            }
        }
    }
    out.push(b')');
}

/// Which body form RFC 3501 §9 requires for a single part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Basic,
    /// body-type-text: adds the line count.
    Text,
    /// body-type-msg: adds envelope, body and line count.
    Message,
}

/// Type, subtype, parameters and body form, with the defaults of RFC 2045
/// §5.2 and RFC 2046 §5.1.5 (digest parts are message/rfc822). An entity
/// holding an encapsulated message is always described as message/*.
fn media_type(entity: &Entity) -> (&str, &str, &[(String, String)], Shape) {
    let declared = entity.content_type.as_ref().and_then(|t| {
        t.sub
            .as_deref()
            .map(|sub| (t.main.as_str(), sub, t.params.as_slice()))
    });
    let is_message = |main: &str, sub: &str| {
        main.eq_ignore_ascii_case("message")
            && (sub.eq_ignore_ascii_case("rfc822") || sub.eq_ignore_ascii_case("global"))
    };
    let (main, sub, params) = match declared {
        Some((main, sub, params))
            if is_message(main, sub) || !matches!(entity.content, Content::Message(_)) =>
        {
            (main, sub, params)
        }
        None if !entity.digest_child && matches!(entity.content, Content::Leaf) => {
            ("text", "plain", &[][..])
        }
        _ => ("message", "rfc822", &[][..]),
    };
    let shape = if is_message(main, sub) {
        Shape::Message
    } else if main.eq_ignore_ascii_case("text") {
        Shape::Text
    } else {
        Shape::Basic
    };
    (main, sub, params, shape)
}

/// `body-fld-param`: `("name" "value" ...)` or NIL.
fn write_params(out: &mut Vec<u8>, params: &[(String, String)]) {
    if params.is_empty() {
        out.extend_from_slice(b"NIL");
        return;
    }
    out.push(b'(');
    for (index, (name, value)) in params.iter().enumerate() {
        if index > 0 {
            out.push(b' ');
        }
        write_string(out, name.as_bytes());
        out.push(b' ');
        write_string(out, value.as_bytes());
    }
    out.push(b')');
}

/// ` body-fld-dsp body-fld-lang body-fld-loc`.
fn write_extension(
    out: &mut Vec<u8>,
    entity: &Entity,
    raw_field: &dyn Fn(&str) -> Option<Vec<u8>>,
) {
    out.push(b' ');
    write_disposition(out, entity.disposition.as_ref());
    out.push(b' ');
    let languages: Vec<Vec<u8>> = raw_field("content-language")
        .map(|value| {
            value
                .split(|&b| b == b',' || b.is_ascii_whitespace())
                .filter(|tag| !tag.is_empty())
                .map(<[u8]>::to_vec)
                .collect()
        })
        .unwrap_or_default();
    if languages.is_empty() {
        out.extend_from_slice(b"NIL");
    } else {
        out.push(b'(');
        for (index, language) in languages.iter().enumerate() {
            if index > 0 {
                out.push(b' ');
            }
            write_string(out, language);
        }
        out.push(b')');
    }
    out.push(b' ');
    write_nstring(out, raw_field("content-location").as_deref());
}

/// `body-fld-dsp`: `("type" params)` or NIL.
fn write_disposition(out: &mut Vec<u8>, disposition: Option<&TypeValue>) {
    let Some(disposition) = disposition.filter(|d| !d.main.is_empty()) else {
        out.extend_from_slice(b"NIL");
        return;
    };
    out.push(b'(');
    write_string(out, disposition.main.as_bytes());
    out.push(b' ');
    write_params(out, &disposition.params);
    out.push(b')');
}

#[cfg(test)]
mod tests {
    use crate::mime::{analyze, stored_imap};

    fn structures(raw: &[u8]) -> (String, String) {
        let analysis = analyze(raw);
        let text =
            |stored: &[u8]| String::from_utf8(stored_imap(stored).unwrap().to_vec()).unwrap();
        (text(&analysis.body), text(&analysis.bodystructure))
    }

    #[test]
    fn untyped_mail_is_us_ascii_text() {
        let (body, bodystructure) = structures(b"Subject: x\r\n\r\nline one\r\nline two\r\n");
        assert_eq!(
            body,
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 20 2)"
        );
        assert_eq!(
            bodystructure,
            "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 20 2 NIL NIL NIL NIL)"
        );
    }

    #[test]
    fn extension_fields_come_from_the_part_header() {
        let raw = b"Content-Type: application/pdf; name=\"a.pdf\"\r\nContent-ID: <c@id>\r\n\
            Content-Description: the report\r\nContent-Transfer-Encoding: base64\r\n\
            Content-MD5: abc=\r\nContent-Disposition: attachment; filename=a.pdf\r\n\
            Content-Language: en, de\r\nContent-Location: http://x/a.pdf\r\n\r\nAAAA\r\n";
        let (body, bodystructure) = structures(raw);
        assert_eq!(
            body,
            "(\"application\" \"pdf\" (\"name\" \"a.pdf\") \"<c@id>\" \"the report\" \"base64\" 6)"
        );
        assert_eq!(
            bodystructure,
            "(\"application\" \"pdf\" (\"name\" \"a.pdf\") \"<c@id>\" \"the report\" \"base64\" 6 \
             \"abc=\" (\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"de\") \"http://x/a.pdf\")"
        );
    }

    #[test]
    fn an_encoded_forward_keeps_the_message_form() {
        let raw = b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nU3ViamVjdDogeA0KDQpoaQ==\r\n";
        let (body, _) = structures(raw);
        assert_eq!(
            body,
            "(\"message\" \"rfc822\" NIL NIL NIL \"base64\" 26 \
             (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) \
             (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0) 1)"
        );
    }
}
