//! Message conversions: the MIME analysis (its `sent_date` travels as `0`
//! when the message has no Date:), the metadata half of a message to append,
//! per-message metadata for FETCH, and the APPEND, COPY/MOVE and EXPUNGE
//! outcomes. Blob ids and UIDs from the wire are validated.

use mailkeep_common::ModSeq;
use mailkeep_common::mail::{
    AppendOutcome, CopyOutcome, ExpungeOutcome, MessageAnalysis, MessageMeta, MetaQuery,
    NewMessageMeta,
};

use super::flags::flags;
use super::{ConvertError, optional_modseq, parse_id, uid, uid_set, uids, uids_to_proto};
use crate::metadata::v1 as pb;
use crate::uid_set_to_proto;

impl From<MessageAnalysis> for pb::MessageAnalysis {
    fn from(analysis: MessageAnalysis) -> Self {
        Self {
            envelope: analysis.envelope,
            bodystructure: analysis.bodystructure,
            body: analysis.body,
            part_table: analysis.part_table,
            header_text: analysis.header_text,
            body_text: analysis.body_text,
            // The contract spells "no Date:" as 0.
            sent_date: analysis.sent_date.unwrap_or(0),
            subject: analysis.subject,
            from: analysis.from,
            to: analysis.to,
            cc: analysis.cc,
            bcc: analysis.bcc,
            message_id: analysis.message_id,
        }
    }
}

impl From<pb::MessageAnalysis> for MessageAnalysis {
    fn from(analysis: pb::MessageAnalysis) -> Self {
        Self {
            envelope: analysis.envelope,
            bodystructure: analysis.bodystructure,
            body: analysis.body,
            part_table: analysis.part_table,
            header_text: analysis.header_text,
            body_text: analysis.body_text,
            sent_date: (analysis.sent_date != 0).then_some(analysis.sent_date),
            subject: analysis.subject,
            from: analysis.from,
            to: analysis.to,
            cc: analysis.cc,
            bcc: analysis.bcc,
            message_id: analysis.message_id,
        }
    }
}

impl From<NewMessageMeta> for pb::NewMessage {
    fn from(message: NewMessageMeta) -> Self {
        Self {
            blob_id: message.blob_id.to_string(),
            size: message.size,
            internal_date: message.internal_date,
            flags: Some(message.flags.into()),
            analysis: Some(message.analysis.into()),
            internal_date_offset: message.internal_date_offset,
            prefix: message.prefix,
        }
    }
}

impl TryFrom<pb::NewMessage> for NewMessageMeta {
    type Error = ConvertError;

    fn try_from(message: pb::NewMessage) -> Result<Self, ConvertError> {
        Ok(Self {
            blob_id: parse_id(&message.blob_id, "blob_id")?,
            size: message.size,
            prefix: message.prefix,
            internal_date: message.internal_date,
            internal_date_offset: message.internal_date_offset,
            flags: flags(message.flags),
            analysis: message.analysis.unwrap_or_default().into(),
        })
    }
}

impl From<AppendOutcome> for pb::AppendMessagesResponse {
    fn from(outcome: AppendOutcome) -> Self {
        Self {
            uidvalidity: outcome.uidvalidity,
            uids: uids_to_proto(&outcome.uids),
            modseq: outcome.modseq.get(),
        }
    }
}

impl TryFrom<pb::AppendMessagesResponse> for AppendOutcome {
    type Error = ConvertError;

    fn try_from(response: pb::AppendMessagesResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            uidvalidity: response.uidvalidity,
            uids: uids(response.uids, "uids")?,
            modseq: ModSeq::new(response.modseq),
        })
    }
}

/// The optional columns and CHANGEDSINCE bound a fetch asks for.
impl From<&pb::FetchMessagesRequest> for MetaQuery {
    fn from(request: &pb::FetchMessagesRequest) -> Self {
        Self {
            with_envelope: request.with_envelope,
            with_bodystructure: request.with_bodystructure,
            with_part_table: request.with_part_table,
            changed_since: optional_modseq(request.changed_since),
        }
    }
}

impl From<MessageMeta> for pb::MessageMeta {
    fn from(meta: MessageMeta) -> Self {
        Self {
            uid: meta.uid.get(),
            modseq: meta.modseq.get(),
            flags: Some(meta.flags.into()),
            blob_id: meta.blob_id.to_string(),
            size: meta.size,
            internal_date: meta.internal_date,
            envelope: meta.envelope,
            bodystructure: meta.bodystructure,
            body: meta.body,
            part_table: meta.part_table,
            email_id: meta.email_id,
            thread_id: meta.thread_id,
            internal_date_offset: meta.internal_date_offset,
            prefix: meta.prefix,
        }
    }
}

impl TryFrom<pb::MessageMeta> for MessageMeta {
    type Error = ConvertError;

    fn try_from(meta: pb::MessageMeta) -> Result<Self, ConvertError> {
        Ok(Self {
            uid: uid(meta.uid, "uid")?,
            modseq: ModSeq::new(meta.modseq),
            flags: flags(meta.flags),
            blob_id: parse_id(&meta.blob_id, "blob_id")?,
            size: meta.size,
            prefix: meta.prefix,
            internal_date: meta.internal_date,
            internal_date_offset: meta.internal_date_offset,
            envelope: meta.envelope,
            bodystructure: meta.bodystructure,
            body: meta.body,
            part_table: meta.part_table,
            email_id: meta.email_id,
            thread_id: meta.thread_id,
        })
    }
}

impl From<CopyOutcome> for pb::CopyMessagesResponse {
    fn from(outcome: CopyOutcome) -> Self {
        Self {
            uidvalidity: outcome.uidvalidity,
            source_uids: uids_to_proto(&outcome.source_uids),
            destination_uids: uids_to_proto(&outcome.destination_uids),
            source_modseq: outcome.source_modseq.get(),
        }
    }
}

impl TryFrom<pb::CopyMessagesResponse> for CopyOutcome {
    type Error = ConvertError;

    fn try_from(response: pb::CopyMessagesResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            uidvalidity: response.uidvalidity,
            source_uids: uids(response.source_uids, "source_uids")?,
            destination_uids: uids(response.destination_uids, "destination_uids")?,
            source_modseq: ModSeq::new(response.source_modseq),
        })
    }
}

impl From<ExpungeOutcome> for pb::ExpungeResponse {
    fn from(outcome: ExpungeOutcome) -> Self {
        Self {
            expunged: Some(uid_set_to_proto(&outcome.expunged)),
            highest_modseq: outcome.highest_modseq.get(),
        }
    }
}

impl From<pb::ExpungeResponse> for ExpungeOutcome {
    fn from(response: pb::ExpungeResponse) -> Self {
        Self {
            expunged: uid_set(response.expunged.as_ref()),
            highest_modseq: ModSeq::new(response.highest_modseq),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::mail::{Flags, SystemFlags};
    use mailkeep_common::{BlobId, Uid};

    fn new_message(sent_date: Option<i64>) -> NewMessageMeta {
        NewMessageMeta {
            blob_id: BlobId::from_digest([1; 32]),
            size: 18,
            prefix: Vec::new(),
            internal_date: 1_700_000_000,
            internal_date_offset: 120,
            flags: Flags {
                system: SystemFlags(SystemFlags::SEEN | SystemFlags::FLAGGED),
                keywords: vec!["$Work".to_owned()],
            },
            analysis: MessageAnalysis {
                sent_date,
                subject: "hello".to_owned(),
                ..MessageAnalysis::default()
            },
        }
    }

    #[test]
    fn a_missing_date_travels_as_zero() {
        let message = new_message(None);
        let wire = pb::NewMessage::from(message.clone());
        assert_eq!(wire.size, 18);
        assert_eq!(wire.blob_id, BlobId::from_digest([1; 32]).to_string());
        assert_eq!(wire.analysis.as_ref().map(|a| a.sent_date), Some(0));
        assert_eq!(wire.flags.as_ref().map(|f| f.system), Some(5));
        assert_eq!(wire.internal_date_offset, 120);
        assert_eq!(NewMessageMeta::try_from(wire).unwrap(), message);
        let dated = new_message(Some(1_600_000_000));
        let back = NewMessageMeta::try_from(pb::NewMessage::from(dated.clone()));
        assert_eq!(back.unwrap(), dated);
    }

    #[test]
    fn malformed_blob_ids_and_zero_uids_are_refused() {
        let wire = pb::NewMessage {
            blob_id: "short".to_owned(),
            ..pb::NewMessage::default()
        };
        assert_eq!(
            NewMessageMeta::try_from(wire),
            Err(ConvertError::InvalidId { field: "blob_id" })
        );
        let response = pb::AppendMessagesResponse {
            uidvalidity: 1,
            uids: vec![0],
            modseq: 1,
        };
        assert_eq!(
            AppendOutcome::try_from(response),
            Err(ConvertError::ZeroUid { field: "uids" })
        );
    }

    #[test]
    fn metas_and_copies_round_trip() {
        let meta = MessageMeta {
            uid: Uid::new(3).unwrap(),
            modseq: ModSeq::new(4),
            flags: Flags::default(),
            blob_id: BlobId::from_digest([2; 32]),
            size: 99,
            prefix: b"Delivered-To: a@b.test\r\n".to_vec(),
            internal_date: 1_700_000_000,
            internal_date_offset: -300,
            envelope: vec![1, 2],
            bodystructure: vec![],
            body: vec![],
            part_table: vec![3],
            email_id: "e1".to_owned(),
            thread_id: String::new(),
        };
        let wire = pb::MessageMeta::from(meta.clone());
        assert_eq!(MessageMeta::try_from(wire).unwrap(), meta);
        let copy = CopyOutcome {
            uidvalidity: 7,
            source_uids: vec![Uid::new(1).unwrap()],
            destination_uids: vec![Uid::new(30).unwrap()],
            source_modseq: ModSeq::new(0),
        };
        let wire = pb::CopyMessagesResponse::from(copy.clone());
        assert_eq!(wire.destination_uids, vec![30]);
        assert_eq!(CopyOutcome::try_from(wire).unwrap(), copy);
    }

    #[test]
    fn fetch_requests_read_zero_as_no_bound() {
        let request = pb::FetchMessagesRequest {
            with_envelope: true,
            changed_since: 0,
            ..pb::FetchMessagesRequest::default()
        };
        let query = MetaQuery::from(&request);
        assert!(query.with_envelope && !query.with_part_table);
        assert_eq!(query.changed_since, None);
        let request = pb::FetchMessagesRequest {
            changed_since: 12,
            ..request
        };
        assert_eq!(
            MetaQuery::from(&request).changed_since,
            Some(ModSeq::new(12))
        );
    }
}
