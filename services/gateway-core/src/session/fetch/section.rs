//! The body of one FETCH response: the bytes of one message as FETCH needs
//! them (RFC 3501 §6.4.5, §7.4.2). [`MessageSource`] reads only the byte
//! ranges the items ask for (one ranged `read_blob` per section, or one whole
//! read shared by every item when BODY[]/RFC822 is asked anyway) and falls
//! back to analysing the message itself when a stored ENVELOPE/BODY/
//! BODYSTRUCTURE or part table has a format version it does not know.
//!
//! Invariant: memory stays bounded by the message: at most its whole bytes,
//! its analysis, and the section being answered.

use mailkeep_common::{BlobId, ErrorCode};

use super::prefixed::split_range;
use crate::backend::{
    BackendError, BackendResult, MailBackend, MessageAnalysis, MessageMeta, Principal,
};
use crate::command::{Partial, Section, SectionText};
use crate::mime::{self, PartTable, SectionLocation, filter_header};
use crate::response::{is_astring_char, write_string};

/// `BODY[<section>]<<origin>>` as the response names it (RFC 3501 §7.4.2):
/// field names echo the request, the partial keeps only its origin.
pub(super) fn section_name(section: &Section, partial: Option<Partial>) -> Vec<u8> {
    let mut name = b"BODY[".to_vec();
    let parts: Vec<String> = section.part.iter().map(u32::to_string).collect();
    name.extend_from_slice(parts.join(".").as_bytes());
    if let Some(text) = &section.text {
        if !section.part.is_empty() {
            name.push(b'.');
        }
        let (spec, fields) = match text {
            SectionText::Header => ("HEADER", None),
            SectionText::HeaderFields(fields) => ("HEADER.FIELDS", Some(fields)),
            SectionText::HeaderFieldsNot(fields) => ("HEADER.FIELDS.NOT", Some(fields)),
            SectionText::Text => ("TEXT", None),
            SectionText::Mime => ("MIME", None),
        };
        name.extend_from_slice(spec.as_bytes());
        if let Some(fields) = fields {
            name.extend_from_slice(b" (");
            for (index, field) in fields.iter().enumerate() {
                if index > 0 {
                    name.push(b' ');
                }
                write_astring(&mut name, field.as_bytes());
            }
            name.push(b')');
        }
    }
    name.push(b']');
    if let Some(partial) = partial {
        name.extend_from_slice(format!("<{}>", partial.offset).as_bytes());
    }
    name
}

fn write_astring(out: &mut Vec<u8>, value: &[u8]) {
    if !value.is_empty() && value.iter().all(|&byte| is_astring_char(byte)) {
        out.extend_from_slice(value);
    } else {
        write_string(out, value);
    }
}

/// The stored IMAP bytes FETCH can serve without reading the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoredImap {
    Envelope,
    Body,
    BodyStructure,
}

impl StoredImap {
    fn pick<'b>(self, envelope: &'b [u8], body: &'b [u8], bodystructure: &'b [u8]) -> &'b [u8] {
        match self {
            StoredImap::Envelope => envelope,
            StoredImap::Body => body,
            StoredImap::BodyStructure => bodystructure,
        }
    }
}

/// One message's bytes and derived data, read lazily.
pub(super) struct MessageSource<'a> {
    backend: &'a dyn MailBackend,
    principal: &'a Principal,
    meta: &'a MessageMeta,
    full: Option<Vec<u8>>,
    analysis: Option<MessageAnalysis>,
}

impl<'a> MessageSource<'a> {
    pub(super) fn new(
        backend: &'a dyn MailBackend,
        principal: &'a Principal,
        meta: &'a MessageMeta,
    ) -> Self {
        Self {
            backend,
            principal,
            meta,
            full: None,
            analysis: None,
        }
    }

    fn blob(&self) -> BlobId {
        self.meta.blob_id
    }

    /// Reads the whole message (its prefix, then the blob) now, so every
    /// later item slices it.
    pub(super) async fn load_whole(&mut self) -> BackendResult<&[u8]> {
        let bytes = match self.full.take() {
            Some(bytes) => bytes,
            None => {
                let blob = self
                    .backend
                    .read_blob(self.principal, self.blob(), 0, None)
                    .await?;
                let mut whole = Vec::with_capacity(self.meta.prefix.len() + blob.len());
                whole.extend_from_slice(&self.meta.prefix);
                whole.extend_from_slice(&blob);
                whole
            }
        };
        Ok(self.full.insert(bytes))
    }

    /// `length` bytes of the message from `offset`: the part below the
    /// prefix length comes from the prefix, the rest from the blob.
    pub(super) async fn read(&mut self, offset: u64, length: u64) -> BackendResult<Vec<u8>> {
        if length == 0 {
            return Ok(Vec::new());
        }
        if let Some(full) = &self.full {
            return Ok(slice(full, offset, length).to_vec());
        }
        let prefix = &self.meta.prefix;
        let split = split_range(prefix.len(), offset, length);
        let mut bytes = prefix[split.prefix].to_vec();
        if let Some((blob_offset, blob_length)) = split.blob {
            let blob = self
                .backend
                .read_blob(self.principal, self.blob(), blob_offset, Some(blob_length))
                .await?;
            bytes.extend_from_slice(&blob);
        }
        Ok(bytes)
    }

    /// The analysis of the message's own bytes (only for unknown formats).
    async fn analysis(&mut self) -> BackendResult<&MessageAnalysis> {
        let analysis = match self.analysis.take() {
            Some(analysis) => analysis,
            None => {
                tracing::debug!(
                    uid = self.meta.uid.get(),
                    "re-analysing a message with an unknown stored format"
                );
                mime::analyze(self.load_whole().await?)
            }
        };
        Ok(self.analysis.insert(analysis))
    }

    /// ENVELOPE, BODY or BODYSTRUCTURE, from metadata when its format is known.
    pub(super) async fn structure(&mut self, which: StoredImap) -> BackendResult<Vec<u8>> {
        let meta = self.meta;
        if let Some(imap) =
            mime::stored_imap(which.pick(&meta.envelope, &meta.body, &meta.bodystructure))
        {
            return Ok(imap.to_vec());
        }
        let analysis = self.analysis().await?;
        let fresh = which.pick(&analysis.envelope, &analysis.body, &analysis.bodystructure);
        mime::stored_imap(fresh).map(<[u8]>::to_vec).ok_or_else(|| {
            BackendError::new(ErrorCode::Internal, "analysis produced an unknown format")
        })
    }

    pub(super) async fn locate(
        &mut self,
        section: &Section,
    ) -> BackendResult<Option<SectionLocation>> {
        // BODY[] needs no table: it is the whole message.
        if section.part.is_empty() && section.text.is_none() {
            return Ok(Some(SectionLocation {
                offset: 0,
                length: self.meta.size,
                filter: None,
            }));
        }
        let table = match PartTable::decode(&self.meta.part_table) {
            Some(table) => Some(table),
            None => PartTable::decode(&self.analysis().await?.part_table),
        };
        Ok(table.and_then(|table| table.locate(section)))
    }

    /// The bytes of `section` (after `partial`), or None when the part does
    /// not exist (answered as NIL).
    pub(super) async fn section(
        &mut self,
        section: &Section,
        partial: Option<Partial>,
    ) -> BackendResult<Option<Vec<u8>>> {
        let Some(location) = self.locate(section).await? else {
            return Ok(None);
        };
        if let Some(filter) = &location.filter {
            let header = self.read(location.offset, location.length).await?;
            let filtered = filter_header(&header, filter);
            let range =
                partial.map_or((0, len(&filtered)), |partial| clip(partial, len(&filtered)));
            return Ok(Some(slice(&filtered, range.0, range.1).to_vec()));
        }
        // A partial reads only the bytes it answers (RFC 3501 §6.4.5).
        let (start, length) = partial.map_or((0, location.length), |partial| {
            clip(partial, location.length)
        });
        Ok(Some(self.read(location.offset + start, length).await?))
    }
}

/// `(start, length)` of a `<offset.length>` partial within `total` bytes:
/// an origin past the end gives an empty string (RFC 3501 §6.4.5).
pub(super) fn clip(partial: Partial, total: u64) -> (u64, u64) {
    let start = u64::from(partial.offset).min(total);
    (start, u64::from(partial.length).min(total - start))
}

fn len(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

/// `bytes[offset..offset + length]`, clipped to the bytes there are.
pub(super) fn slice(bytes: &[u8], offset: u64, length: u64) -> &[u8] {
    let start = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let end = usize::try_from(offset.saturating_add(length))
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sections_as_the_response_spells_them() {
        let fields = Section {
            part: vec![2, 1],
            text: Some(SectionText::HeaderFields(vec![
                "From".into(),
                "X Odd".into(),
            ])),
        };
        assert_eq!(
            section_name(&fields, None),
            b"BODY[2.1.HEADER.FIELDS (From \"X Odd\")]"
        );
        let text = Section {
            part: Vec::new(),
            text: Some(SectionText::Text),
        };
        let partial = Partial {
            offset: 7,
            length: 3,
        };
        assert_eq!(section_name(&text, Some(partial)), b"BODY[TEXT]<7>");
        assert_eq!(section_name(&Section::default(), None), b"BODY[]");
        let mime = Section {
            part: vec![3],
            text: Some(SectionText::Mime),
        };
        assert_eq!(section_name(&mime, None), b"BODY[3.MIME]");
    }

    #[test]
    fn partials_clip_to_the_section() {
        let partial = |offset, length| Partial { offset, length };
        assert_eq!(clip(partial(2, 5), 10), (2, 5));
        assert_eq!(clip(partial(8, 5), 10), (8, 2));
        assert_eq!(clip(partial(12, 5), 10), (10, 0));
        assert_eq!(slice(b"abcdef", 4, 9), b"ef");
        assert_eq!(slice(b"abcdef", 9, 1), b"");
    }
}
