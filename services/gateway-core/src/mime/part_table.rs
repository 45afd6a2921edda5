//! The stored MIME part table and BODY[section] location (RFC 3501 §6.4.5,
//! RFC 9051 §6.4.5). The table holds, for every entity in pre-order, its
//! header and body byte ranges and its kind, so a section becomes one ranged
//! blob read. Encoding: a version byte, then per entity a kind byte and
//! LEB128 numbers (header start, header length, gap to body, body length,
//! and for a multipart its child count; a message is followed by its one
//! encapsulated entity). Ranges are stored as lengths, so they never run
//! backwards; `decode` rejects truncated or trailing data, unknown kinds and
//! nesting deeper than the tree allows.

use super::header::HeaderFilter;
use super::tree::{Content, Entity, MAX_DEPTH};
use crate::command::{Section, SectionText};

/// Version of the part table format.
const TABLE_VERSION: u8 = 1;

const KIND_LEAF: u8 = 0;
const KIND_MULTIPART: u8 = 1;
const KIND_MESSAGE: u8 = 2;

/// Where a BODY[section] lives in the raw message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionLocation {
    pub offset: u64,
    pub length: u64,
    /// HEADER.FIELDS / HEADER.FIELDS.NOT: the bytes at offset..offset+length
    /// are a header block to filter.
    pub filter: Option<HeaderFilter>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Leaf,
    /// Indices of the children in `PartTable::nodes`.
    Multipart(Vec<usize>),
    /// Index of the encapsulated message's top entity.
    Message(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    header: (u64, u64),
    body: (u64, u64),
    kind: Kind,
}

/// The decoded part table of one message; `nodes[0]` is the message itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartTable {
    nodes: Vec<Node>,
}

fn write_number(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let low = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(low);
            return;
        }
        out.push(low | 0x80);
    }
}

/// Serialises the tree of `root`.
pub(crate) fn encode(root: &Entity) -> Vec<u8> {
    let mut out = vec![TABLE_VERSION];
    encode_entity(root, &mut out);
    out
}

fn encode_entity(entity: &Entity, out: &mut Vec<u8>) {
    let kind = match &entity.content {
        Content::Leaf => KIND_LEAF,
        Content::Multipart(_) => KIND_MULTIPART,
        Content::Message(_) => KIND_MESSAGE,
    };
    out.push(kind);
    for number in [
        entity.header.start,
        entity.header.len(),
        entity.body.start - entity.header.end,
        entity.body.len(),
    ] {
        write_number(out, number as u64);
    }
    match &entity.content {
        Content::Leaf => {}
        Content::Multipart(children) => {
            write_number(out, children.len() as u64);
            for child in children {
                encode_entity(child, out);
            }
        }
        Content::Message(inner) => encode_entity(inner, out),
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    nodes: Vec<Node>,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let byte = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(byte)
    }

    fn number(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.byte()?;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    }

    fn node(&mut self, depth: usize) -> Option<usize> {
        if depth > MAX_DEPTH {
            return None;
        }
        let kind = self.byte()?;
        let header_start = self.number()?;
        let header_end = header_start.checked_add(self.number()?)?;
        let body_start = header_end.checked_add(self.number()?)?;
        let body_end = body_start.checked_add(self.number()?)?;
        let index = self.nodes.len();
        self.nodes.push(Node {
            header: (header_start, header_end),
            body: (body_start, body_end),
            kind: Kind::Leaf,
        });
        let kind = match kind {
            KIND_LEAF => Kind::Leaf,
            KIND_MULTIPART => {
                let count = self.number()?;
                // Each child takes at least five bytes: bounds the loop.
                if count > (self.bytes.len() - self.pos) as u64 {
                    return None;
                }
                let mut children = Vec::new();
                for _ in 0..count {
                    children.push(self.node(depth + 1)?);
                }
                Kind::Multipart(children)
            }
            KIND_MESSAGE => Kind::Message(self.node(depth + 1)?),
            _ => return None,
        };
        self.nodes.get_mut(index)?.kind = kind;
        Some(index)
    }
}

impl PartTable {
    /// Decodes a stored table; None when the version or data is invalid.
    pub fn decode(stored: &[u8]) -> Option<PartTable> {
        let (&version, bytes) = stored.split_first()?;
        if version != TABLE_VERSION {
            return None;
        }
        let mut reader = Reader {
            bytes,
            pos: 0,
            nodes: Vec::new(),
        };
        reader.node(0)?;
        (reader.pos == bytes.len()).then_some(PartTable {
            nodes: reader.nodes,
        })
    }

    /// The size of the whole message.
    fn message_end(&self) -> u64 {
        self.nodes.first().map_or(0, |root| root.body.1)
    }

    /// Part `number` of the message whose top entity is `top`: a child of a
    /// multipart, or part 1 = the entity itself otherwise (RFC 3501 §6.4.5).
    fn numbered(&self, top: usize, number: u32) -> Option<usize> {
        let node = self.nodes.get(top)?;
        match &node.kind {
            Kind::Multipart(children) => children
                .get(usize::try_from(number).ok()?.checked_sub(1)?)
                .copied(),
            _ => (number == 1).then_some(top),
        }
    }

    /// The entity a part path names, or None when it does not exist.
    fn find(&self, path: &[u32]) -> Option<usize> {
        let (&first, rest) = path.split_first()?;
        let mut current = self.numbered(0, first)?;
        for &number in rest {
            current = match &self.nodes.get(current)?.kind {
                // Numbers after a message/rfc822 part address its message.
                Kind::Message(inner) => self.numbered(*inner, number)?,
                Kind::Multipart(children) => children
                    .get(usize::try_from(number).ok()?.checked_sub(1)?)
                    .copied()?,
                Kind::Leaf => return None,
            };
        }
        Some(current)
    }

    /// Where a BODY[section] lives in the raw message, or None when the part
    /// does not exist.
    pub fn locate(&self, section: &Section) -> Option<SectionLocation> {
        let root = self.nodes.first()?;
        if section.part.is_empty() {
            return match &section.text {
                None => Some(span((0, self.message_end()), None)),
                Some(SectionText::Mime) => None,
                Some(text) => message_text(root, text),
            };
        }
        let node = self.nodes.get(self.find(&section.part)?)?;
        match &section.text {
            None => Some(span(node.body, None)),
            Some(SectionText::Mime) => Some(span(node.header, None)),
            // HEADER/TEXT after a part number: only for message/rfc822.
            Some(text) => match node.kind {
                Kind::Message(inner) => message_text(self.nodes.get(inner)?, text),
                _ => None,
            },
        }
    }
}

fn span(range: (u64, u64), filter: Option<HeaderFilter>) -> SectionLocation {
    SectionLocation {
        offset: range.0,
        length: range.1 - range.0,
        filter,
    }
}

/// HEADER, HEADER.FIELDS(.NOT) and TEXT of the message whose top entity is `top`.
fn message_text(top: &Node, text: &SectionText) -> Option<SectionLocation> {
    let filter = |fields: &Vec<String>, exclude: bool| HeaderFilter {
        fields: fields.clone(),
        exclude,
    };
    Some(match text {
        SectionText::Header => span(top.header, None),
        SectionText::HeaderFields(fields) => span(top.header, Some(filter(fields, false))),
        SectionText::HeaderFieldsNot(fields) => span(top.header, Some(filter(fields, true))),
        SectionText::Text => span(top.body, None),
        SectionText::Mime => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mime::analyze;

    fn table(raw: &[u8]) -> PartTable {
        PartTable::decode(&analyze(raw).part_table).unwrap()
    }

    fn at(table: &PartTable, part: &[u32], text: Option<SectionText>) -> Option<(u64, u64)> {
        let section = Section {
            part: part.to_vec(),
            text,
        };
        table.locate(&section).map(|l| (l.offset, l.length))
    }

    #[test]
    fn a_single_part_message_has_only_part_one() {
        let raw = b"Subject: x\r\n\r\nbody\r\n";
        let table = table(raw);
        assert_eq!(at(&table, &[], None), Some((0, 20)));
        assert_eq!(at(&table, &[], Some(SectionText::Header)), Some((0, 14)));
        assert_eq!(at(&table, &[], Some(SectionText::Text)), Some((14, 6)));
        assert_eq!(at(&table, &[1], None), Some((14, 6)));
        assert_eq!(at(&table, &[1], Some(SectionText::Mime)), Some((0, 14)));
        assert_eq!(at(&table, &[], Some(SectionText::Mime)), None);
        assert_eq!(at(&table, &[2], None), None);
        assert_eq!(at(&table, &[0], None), None);
        assert_eq!(at(&table, &[1, 1], None), None);
        assert_eq!(at(&table, &[1], Some(SectionText::Header)), None);
    }

    #[test]
    fn multipart_children_and_filters() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nX: 1\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b--\r\n";
        let table = table(raw);
        let (offset, length) = at(&table, &[1], None).unwrap();
        assert_eq!(&raw[offset as usize..(offset + length) as usize], b"one");
        let (offset, length) = at(&table, &[1], Some(SectionText::Mime)).unwrap();
        assert_eq!(
            &raw[offset as usize..(offset + length) as usize],
            b"X: 1\r\n\r\n"
        );
        let (offset, length) = at(&table, &[2], None).unwrap();
        assert_eq!(&raw[offset as usize..(offset + length) as usize], b"two");
        assert_eq!(at(&table, &[3], None), None);
        let fields = Section {
            part: vec![],
            text: Some(SectionText::HeaderFieldsNot(vec!["x".into()])),
        };
        let location = table.locate(&fields).unwrap();
        assert_eq!(
            location.filter,
            Some(HeaderFilter {
                fields: vec!["x".into()],
                exclude: true
            })
        );
        assert_eq!(location.offset, 0);
    }

    #[test]
    fn numbers_round_trip_through_leb128() {
        for value in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            write_number(&mut out, value);
            let mut reader = Reader {
                bytes: &out,
                pos: 0,
                nodes: Vec::new(),
            };
            assert_eq!(reader.number(), Some(value));
            assert_eq!(reader.pos, out.len());
        }
    }
}
