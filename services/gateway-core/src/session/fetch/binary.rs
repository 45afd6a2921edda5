//! FETCH BINARY[part]<partial>, BINARY.PEEK and BINARY.SIZE (RFC 3516 §4.2,
//! RFC 9051 §6.4.5): a part with its content-transfer-encoding removed.
//! The part's MIME header and body are read by one ranged blob read (they
//! are adjacent), the header names the CTE, and the body is decoded in
//! memory bounded by the part itself.
//!
//! Invariants: data holding a NUL octet goes out as a `literal8`, anything
//! else as a literal (RFC 3516 §4.3); a CTE the server cannot decode fails
//! the command with `NO [UNKNOWN-CTE]`; a part that does not exist is NIL.

use super::section::{MessageSource, clip, slice};
use crate::backend::BackendError;
use crate::command::{Partial, Section, SectionText};
use crate::mime::{TransferEncoding, UnknownTransferEncoding};
use crate::response::Line;

/// Why one FETCH item could not be answered.
#[derive(Debug)]
pub(super) enum ItemFailure {
    Backend(BackendError),
    /// RFC 3516 §4.3: answered `NO [UNKNOWN-CTE]`.
    UnknownTransferEncoding,
}

impl From<BackendError> for ItemFailure {
    fn from(error: BackendError) -> Self {
        ItemFailure::Backend(error)
    }
}

impl From<UnknownTransferEncoding> for ItemFailure {
    fn from(_: UnknownTransferEncoding) -> Self {
        ItemFailure::UnknownTransferEncoding
    }
}

/// `BINARY[1.2]<0>` or `BINARY.SIZE[1.2]` as the response names it: the
/// partial keeps only its origin (RFC 3516 §4.3).
pub(super) fn item_name(name: &str, part: &[u32], partial: Option<Partial>) -> Vec<u8> {
    let numbers: Vec<String> = part.iter().map(u32::to_string).collect();
    let mut item = format!("{name}[{}]", numbers.join("."));
    if let Some(partial) = partial {
        item.push_str(&format!("<{}>", partial.offset));
    }
    item.into_bytes()
}

/// The decoded content of `part` (the whole message, as it is, when
/// `part` is empty); None when the part does not exist.
pub(super) async fn decoded_part(
    source: &mut MessageSource<'_>,
    part: &[u32],
) -> Result<Option<Vec<u8>>, ItemFailure> {
    if part.is_empty() {
        return Ok(source.section(&Section::default(), None).await?);
    }
    let mime = Section {
        part: part.to_vec(),
        text: Some(SectionText::Mime),
    };
    let body = Section {
        part: part.to_vec(),
        text: None,
    };
    let (Some(header), Some(body)) = (source.locate(&mime).await?, source.locate(&body).await?)
    else {
        return Ok(None);
    };
    let header_end = header.offset + header.length;
    let body_end = body.offset + body.length;
    if header_end > body.offset {
        // The part table always puts the header before its body.
        return Ok(None);
    }
    let bytes = source.read(header.offset, body_end - header.offset).await?;
    let header_bytes = slice(&bytes, 0, header.length);
    let encoding = TransferEncoding::of_header(header_bytes)?;
    let body_bytes = slice(&bytes, body.offset - header.offset, body.length);
    Ok(Some(encoding.decode(body_bytes)))
}

/// `BINARY[part]<partial>`: the decoded part, clipped to the partial.
pub(super) async fn binary_item(
    source: &mut MessageSource<'_>,
    part: &[u32],
    partial: Option<Partial>,
) -> Result<Option<Vec<u8>>, ItemFailure> {
    let Some(decoded) = decoded_part(source, part).await? else {
        return Ok(None);
    };
    let Some(partial) = partial else {
        return Ok(Some(decoded));
    };
    let total = u64::try_from(decoded.len()).unwrap_or(u64::MAX);
    let (start, length) = clip(partial, total);
    Ok(Some(slice(&decoded, start, length).to_vec()))
}

/// `BINARY.SIZE[part]`: the size of the decoded part (RFC 3516 §4.2); a
/// part that does not exist has no content, so 0 (the grammar has no NIL).
pub(super) async fn binary_size(
    source: &mut MessageSource<'_>,
    part: &[u32],
    message_size: u64,
) -> Result<u64, ItemFailure> {
    if part.is_empty() {
        return Ok(message_size);
    }
    let decoded = decoded_part(source, part).await?;
    Ok(decoded.map_or(0, |decoded| {
        u64::try_from(decoded.len()).unwrap_or(u64::MAX)
    }))
}

/// Decoded data: a `literal8` when it holds NUL, else a literal; NIL for a
/// missing part.
pub(super) fn write_binary(line: &mut Line, data: Option<&[u8]>) {
    match data {
        Some(data) if data.contains(&0) => line.literal8(data),
        Some(data) => line.literal(data),
        None => line.atom("NIL"),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_items_as_rfc3516_spells_them() {
        assert_eq!(item_name("BINARY", &[], None), b"BINARY[]");
        let partial = Partial {
            offset: 10,
            length: 5,
        };
        assert_eq!(
            item_name("BINARY", &[1, 2], Some(partial)),
            b"BINARY[1.2]<10>"
        );
        assert_eq!(item_name("BINARY.SIZE", &[3], None), b"BINARY.SIZE[3]");
    }

    #[test]
    fn nul_octets_need_a_literal8() {
        let mut line = Line::untagged();
        write_binary(&mut line, Some(b"a\0b"));
        write_binary(&mut line, Some(b"ab"));
        write_binary(&mut line, None);
        assert_eq!(line.finish(), b"* ~{3}\r\na\0b {2}\r\nab NIL\r\n");
    }
}
