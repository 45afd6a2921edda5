//! The MIME entity tree of one message (RFC 2045 §2.4, RFC 2046 §5), built
//! from mail-parser's part list. Invariants: every range lies inside the
//! raw message, `header.end <= body.start`, and nesting is capped at
//! [`MAX_DEPTH`] (deeper parts become leaves) so later recursion is bounded.

use std::ops::Range;

use mail_parser::{ContentType, Encoding, HeaderName, Message, MessagePart, PartType};

use super::params;

/// Nesting limit for multiparts and encapsulated messages, as Dovecot's.
pub(crate) const MAX_DEPTH: usize = 100;

/// A parsed Content-Type or Content-Disposition value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeValue {
    pub main: String,
    pub sub: Option<String>,
    pub params: Vec<(String, String)>,
}

impl TypeValue {
    /// The type from mail-parser; the parameters as written in `raw_value`
    /// (mail-parser decodes RFC 2231 and RFC 2047, BODYSTRUCTURE must not).
    fn from_parsed(value: &ContentType<'_>, raw_value: &[u8]) -> Self {
        Self {
            main: value.ctype().to_string(),
            sub: value.subtype().map(str::to_string),
            params: params::parameters(raw_value),
        }
    }

    pub fn is(&self, main: &str, sub: &str) -> bool {
        self.main.eq_ignore_ascii_case(main)
            && self
                .sub
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(sub))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    Leaf,
    Multipart(Vec<Entity>),
    /// message/rfc822 (or message/global): the encapsulated message's top
    /// entity, whose header range is this part's body start.
    Message(Box<Entity>),
}

/// One MIME entity: a header block, a body, and what the body contains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entity {
    /// The header block including its terminating empty line.
    pub header: Range<usize>,
    pub body: Range<usize>,
    pub content_type: Option<TypeValue>,
    pub disposition: Option<TypeValue>,
    /// A child of multipart/digest: message/rfc822 when untyped (RFC 2046 §5.1.5).
    pub digest_child: bool,
    pub content: Content,
}

/// Builds the tree of `raw`; `parsed` is mail-parser's view of the same bytes.
pub(crate) fn build(raw: &[u8], parsed: Option<&Message<'_>>) -> Entity {
    let place = Placement {
        bounds: 0..raw.len(),
        top: true,
        digest_child: false,
    };
    match parsed {
        Some(message) if !message.parts.is_empty() => from_part(raw, message, 0, 0, place),
        _ => unparsed(raw),
    }
}

/// Bytes mail-parser found no header in: the header runs to the first empty
/// line (or the end), the rest is a text/plain body.
fn unparsed(raw: &[u8]) -> Entity {
    let header_end = blank_line_end(raw).unwrap_or(raw.len());
    Entity {
        header: 0..header_end,
        body: header_end..raw.len(),
        content_type: None,
        disposition: None,
        digest_child: false,
        content: Content::Leaf,
    }
}

/// The offset after the first empty line (LF or CRLF), if any.
fn blank_line_end(raw: &[u8]) -> Option<usize> {
    let mut line_start = 0;
    while line_start < raw.len() {
        let line_end = line_start + raw[line_start..].iter().position(|&b| b == b'\n')? + 1;
        if matches!(&raw[line_start..line_end], b"\n" | b"\r\n") {
            return Some(line_end);
        }
        line_start = line_end;
    }
    None
}

fn parsed_type(raw: &[u8], part: &MessagePart<'_>, name: HeaderName<'static>) -> Option<TypeValue> {
    let header = part.headers.iter().find(|header| header.name == name)?;
    let parsed = header.value.as_content_type()?;
    let raw_value = raw
        .get(header.offset_start as usize..header.offset_end as usize)
        .unwrap_or_default();
    Some(TypeValue::from_parsed(parsed, raw_value))
}

/// Where an entity sits in its parent.
struct Placement {
    /// The parent's body (the whole message for the root): every range of
    /// the entity is clamped into it, so children nest in their parents.
    bounds: Range<usize>,
    /// The top entity of a message spans the whole message: mail-parser
    /// stops a multipart at its closing boundary and drops the epilogue.
    top: bool,
    digest_child: bool,
}

/// The entity of part `id` of `message`.
fn from_part(
    raw: &[u8],
    message: &Message<'_>,
    id: usize,
    depth: usize,
    place: Placement,
) -> Entity {
    let Placement {
        bounds,
        top,
        digest_child,
    } = place;
    let Some(part) = message.parts.get(id) else {
        return Entity {
            header: bounds.end..bounds.end,
            body: bounds.end..bounds.end,
            content_type: None,
            disposition: None,
            digest_child,
            content: Content::Leaf,
        };
    };
    let header_start = (part.offset_header as usize).clamp(bounds.start, bounds.end);
    let body_start = (part.offset_body as usize).clamp(header_start, bounds.end);
    let body_end = if top {
        bounds.end
    } else {
        (part.offset_end as usize).clamp(body_start, bounds.end)
    };
    let content_type = parsed_type(raw, part, HeaderName::ContentType);
    let is_digest = content_type
        .as_ref()
        .is_some_and(|t| t.is("multipart", "digest"));
    let content = match &part.body {
        PartType::Multipart(ids) if depth < MAX_DEPTH => Content::Multipart(
            ids.iter()
                .map(|&child| {
                    let place = Placement {
                        bounds: body_start..body_end,
                        top: false,
                        digest_child: is_digest,
                    };
                    from_part(raw, message, child as usize, depth + 1, place)
                })
                .collect(),
        ),
        // An encoded message/rfc822 was parsed from decoded bytes, whose
        // offsets do not point into `raw`: it stays a leaf.
        PartType::Message(inner)
            if depth < MAX_DEPTH && part.encoding == Encoding::None && !inner.parts.is_empty() =>
        {
            let place = Placement {
                bounds: body_start..body_end,
                top: true,
                digest_child: false,
            };
            Content::Message(Box::new(from_part(raw, inner, 0, depth + 1, place)))
        }
        _ => Content::Leaf,
    };
    Entity {
        header: header_start..body_start,
        body: body_start..body_end,
        content_type,
        disposition: parsed_type(raw, part, HeaderName::ContentDisposition),
        digest_child,
        content,
    }
}
