//! Conversions between the `MailBackend` domain types and the
//! `mailkeep.metadata.v1` wire types. Ids and UIDs coming back from the
//! metadata service are validated here: a malformed one is an `Internal`
//! backend error, never a panic and never an invalid domain value.

use mailkeep_common::{AccountId, BlobId, ErrorCode, MailboxId, ModSeq, TenantId, Uid};
use mailkeep_gateway_core::backend::{
    AppendOutcome, BackendError, BackendResult, Changes, CopyOutcome, ExpungeOutcome, FlagUpdate,
    Flags, MailboxInfo, MailboxStatus, MessageAnalysis, MessageMeta, NewMessage, Principal,
    SearchFlag, SearchOutcome, SearchQuery, SelectedMailbox, StoreOperation, StoreOutcome,
    SystemFlags,
};
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::metadata::v1::search_key::Key;
use mailkeep_proto::{error_code, uid_set_from_proto, uid_set_to_proto};

/// A failed call, keeping the `ErrorCode` the peer sent (or the one implied
/// by the transport failure).
pub(crate) fn status_error(status: &tonic::Status) -> BackendError {
    BackendError::new(error_code(status), status.message())
}

fn malformed(what: &str) -> BackendError {
    BackendError::new(
        ErrorCode::Internal,
        format!("metadata service returned a malformed {what}"),
    )
}

fn parse_id<T: std::str::FromStr>(text: &str, what: &str) -> BackendResult<T> {
    text.parse().map_err(|_| malformed(what))
}

fn uid(value: u32) -> BackendResult<Uid> {
    Uid::new(value).ok_or_else(|| malformed("uid"))
}

fn uids(values: Vec<u32>) -> BackendResult<Vec<Uid>> {
    values.into_iter().map(uid).collect()
}

fn uid_set(set: Option<pb::UidSet>) -> mailkeep_common::UidSet {
    set.as_ref().map(uid_set_from_proto).unwrap_or_default()
}

pub(crate) fn principal_from_account(account: pb::Account) -> BackendResult<Principal> {
    Ok(Principal {
        account_id: parse_id::<AccountId>(&account.id, "account id")?,
        tenant_id: parse_id::<TenantId>(&account.tenant_id, "tenant id")?,
        login: format!("{}@{}", account.local_part, account.domain),
    })
}

pub(crate) fn flags_to_proto(flags: &Flags) -> pb::Flags {
    pb::Flags {
        system: flags.system.0,
        keywords: flags.keywords.clone(),
    }
}

fn flags_from_proto(flags: Option<pb::Flags>) -> Flags {
    let flags = flags.unwrap_or_default();
    Flags {
        system: SystemFlags(flags.system),
        keywords: flags.keywords,
    }
}

pub(crate) fn mailbox_from_proto(mailbox: Option<pb::Mailbox>) -> BackendResult<MailboxInfo> {
    let mailbox = mailbox.ok_or_else(|| malformed("mailbox"))?;
    Ok(MailboxInfo {
        id: parse_id::<MailboxId>(&mailbox.id, "mailbox id")?,
        name: mailbox.name,
        uidvalidity: mailbox.uidvalidity,
        uid_next: mailbox.uid_next,
        highest_modseq: ModSeq::new(mailbox.highest_modseq),
        special_use: Some(mailbox.special_use).filter(|value| !value.is_empty()),
    })
}

pub(crate) fn status_from_proto(status: pb::MailboxStatusResponse) -> BackendResult<MailboxStatus> {
    Ok(MailboxStatus {
        mailbox: mailbox_from_proto(status.mailbox)?,
        messages: status.messages,
        recent: status.recent,
        unseen: status.unseen,
        size: status.size,
    })
}

pub(crate) fn selected_from_proto(
    selected: pb::SelectMailboxResponse,
) -> BackendResult<SelectedMailbox> {
    Ok(SelectedMailbox {
        mailbox: mailbox_from_proto(selected.mailbox)?,
        uids: uid_set(selected.uids),
        recent: uid_set(selected.recent),
        first_unseen: Uid::new(selected.first_unseen_uid),
        keywords: selected.keywords,
    })
}

fn analysis_to_proto(analysis: MessageAnalysis) -> pb::MessageAnalysis {
    pb::MessageAnalysis {
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

/// The metadata half of a message whose `size`-byte body is already stored
/// as `blob` (its `raw` bytes are not read).
pub(crate) fn new_message_to_proto(blob: BlobId, size: u64, message: NewMessage) -> pb::NewMessage {
    pb::NewMessage {
        blob_id: blob.to_string(),
        size,
        internal_date: message.internal_date,
        flags: Some(flags_to_proto(&message.flags)),
        analysis: Some(analysis_to_proto(message.analysis)),
        internal_date_offset: message.internal_date_offset,
    }
}

pub(crate) fn append_from_proto(
    response: pb::AppendMessagesResponse,
) -> BackendResult<AppendOutcome> {
    Ok(AppendOutcome {
        uidvalidity: response.uidvalidity,
        uids: uids(response.uids)?,
        modseq: ModSeq::new(response.modseq),
    })
}

pub(crate) fn meta_from_proto(meta: pb::MessageMeta) -> BackendResult<MessageMeta> {
    Ok(MessageMeta {
        uid: uid(meta.uid)?,
        modseq: ModSeq::new(meta.modseq),
        flags: flags_from_proto(meta.flags),
        blob_id: parse_id::<BlobId>(&meta.blob_id, "blob id")?,
        size: meta.size,
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

pub(crate) fn store_operation_to_proto(operation: StoreOperation) -> pb::StoreOperation {
    match operation {
        StoreOperation::Replace => pb::StoreOperation::Replace,
        StoreOperation::Add => pb::StoreOperation::Add,
        StoreOperation::Remove => pb::StoreOperation::Remove,
    }
}

fn flag_updates(updates: Vec<pb::FlagUpdate>) -> BackendResult<Vec<FlagUpdate>> {
    updates
        .into_iter()
        .map(|update| {
            Ok(FlagUpdate {
                uid: uid(update.uid)?,
                modseq: ModSeq::new(update.modseq),
                flags: flags_from_proto(update.flags),
            })
        })
        .collect()
}

pub(crate) fn store_from_proto(response: pb::StoreFlagsResponse) -> BackendResult<StoreOutcome> {
    Ok(StoreOutcome {
        updated: flag_updates(response.updated)?,
        modified: uid_set(response.modified),
        highest_modseq: ModSeq::new(response.highest_modseq),
    })
}

pub(crate) fn copy_from_proto(response: pb::CopyMessagesResponse) -> BackendResult<CopyOutcome> {
    Ok(CopyOutcome {
        uidvalidity: response.uidvalidity,
        source_uids: uids(response.source_uids)?,
        destination_uids: uids(response.destination_uids)?,
        source_modseq: ModSeq::new(response.source_modseq),
    })
}

pub(crate) fn expunge_from_proto(response: pb::ExpungeResponse) -> ExpungeOutcome {
    ExpungeOutcome {
        expunged: uid_set(response.expunged),
        highest_modseq: ModSeq::new(response.highest_modseq),
    }
}

pub(crate) fn changes_from_proto(response: pb::ChangesResponse) -> BackendResult<Changes> {
    Ok(Changes {
        highest_modseq: ModSeq::new(response.highest_modseq),
        uid_next: response.uid_next,
        changed: flag_updates(response.changed)?,
        expunged: uid_set(response.expunged),
    })
}

fn search_flag_to_proto(flag: &SearchFlag) -> pb::SearchFlag {
    match flag {
        SearchFlag::System(bit) => pb::SearchFlag {
            system: *bit,
            keyword: String::new(),
        },
        SearchFlag::Keyword(keyword) => pb::SearchFlag {
            system: 0,
            keyword: keyword.clone(),
        },
    }
}

fn search_keys(queries: &[SearchQuery]) -> pb::SearchKeys {
    pb::SearchKeys {
        keys: queries.iter().map(search_key_to_proto).collect(),
    }
}

pub(crate) fn search_key_to_proto(query: &SearchQuery) -> pb::SearchKey {
    let key = match query {
        SearchQuery::All => Key::All(true),
        SearchQuery::And(queries) => Key::And(search_keys(queries)),
        SearchQuery::Or(queries) => Key::Or(search_keys(queries)),
        SearchQuery::Not(query) => Key::Not(Box::new(search_key_to_proto(query))),
        SearchQuery::Uid(set) => Key::Uid(uid_set_to_proto(set)),
        SearchQuery::FlagSet(flag) => Key::FlagSet(search_flag_to_proto(flag)),
        SearchQuery::FlagUnset(flag) => Key::FlagUnset(search_flag_to_proto(flag)),
        SearchQuery::InternalBefore(day) => Key::InternalBefore(*day),
        SearchQuery::InternalOn(day) => Key::InternalOn(*day),
        SearchQuery::InternalSince(day) => Key::InternalSince(*day),
        SearchQuery::SentBefore(day) => Key::SentBefore(*day),
        SearchQuery::SentOn(day) => Key::SentOn(*day),
        SearchQuery::SentSince(day) => Key::SentSince(*day),
        SearchQuery::Larger(size) => Key::Larger(*size),
        SearchQuery::Smaller(size) => Key::Smaller(*size),
        SearchQuery::Header { field, value } => Key::Header(pb::HeaderMatch {
            field: field.clone(),
            value: value.clone(),
        }),
        SearchQuery::Body(text) => Key::Body(text.clone()),
        SearchQuery::Text(text) => Key::Text(text.clone()),
        SearchQuery::ModSeqAtLeast(modseq) => Key::ModseqAtLeast(modseq.get()),
    };
    pb::SearchKey { key: Some(key) }
}

pub(crate) fn search_from_proto(response: pb::SearchResponse) -> BackendResult<SearchOutcome> {
    Ok(SearchOutcome {
        uids: uids(response.uids)?,
        highest_modseq: ModSeq::new(response.highest_modseq),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::UidSet;

    #[test]
    fn a_mailbox_without_special_use_maps_to_none() {
        let mailbox = pb::Mailbox {
            id: format!("{:032x}", 7),
            name: "Work/2024".to_owned(),
            uidvalidity: 3,
            uid_next: 10,
            highest_modseq: 42,
            special_use: String::new(),
        };
        let info = mailbox_from_proto(Some(mailbox)).unwrap();
        assert_eq!(info.id, MailboxId::from_u128(7));
        assert_eq!(info.special_use, None);
        assert_eq!(info.highest_modseq, ModSeq::new(42));
    }

    #[test]
    fn malformed_ids_and_zero_uids_are_internal_errors() {
        let mailbox = pb::Mailbox {
            id: "not-an-id".to_owned(),
            ..Default::default()
        };
        assert_eq!(
            mailbox_from_proto(Some(mailbox)).unwrap_err().code,
            ErrorCode::Internal
        );
        let response = pb::AppendMessagesResponse {
            uidvalidity: 1,
            uids: vec![0],
            modseq: 1,
        };
        assert_eq!(
            append_from_proto(response).unwrap_err().code,
            ErrorCode::Internal
        );
    }

    #[test]
    fn search_programs_keep_their_shape() {
        let query = SearchQuery::And(vec![
            SearchQuery::Not(Box::new(SearchQuery::FlagSet(SearchFlag::System(
                SystemFlags::SEEN,
            )))),
            SearchQuery::Uid(UidSet::from_ranges([(1, 5)])),
            SearchQuery::Header {
                field: "subject".to_owned(),
                value: "hello".to_owned(),
            },
        ]);
        let Some(Key::And(keys)) = search_key_to_proto(&query).key else {
            panic!("expected an AND key");
        };
        assert_eq!(keys.keys.len(), 3);
        let Some(Key::Not(inner)) = &keys.keys[0].key else {
            panic!("expected a NOT key");
        };
        assert_eq!(
            inner.key,
            Some(Key::FlagSet(pb::SearchFlag {
                system: SystemFlags::SEEN,
                keyword: String::new(),
            }))
        );
        assert_eq!(
            keys.keys[1].key,
            Some(Key::Uid(pb::UidSet {
                ranges: vec![pb::UidRange { first: 1, last: 5 }],
            }))
        );
    }

    #[test]
    fn a_missing_date_travels_as_zero() {
        let message = NewMessage {
            raw: b"Subject: x\r\n\r\nbody".to_vec(),
            internal_date: 1_700_000_000,
            internal_date_offset: 120,
            flags: Flags {
                system: SystemFlags(SystemFlags::SEEN | SystemFlags::FLAGGED),
                keywords: vec!["$Work".to_owned()],
            },
            analysis: MessageAnalysis::default(),
        };
        let blob = BlobId::from_digest([1; 32]);
        let wire = new_message_to_proto(blob, message.raw.len() as u64, message);
        assert_eq!(wire.size, 18);
        assert_eq!(wire.blob_id, blob.to_string());
        assert_eq!(wire.analysis.unwrap().sent_date, 0);
        assert_eq!(wire.flags.unwrap().system, 5);
        assert_eq!(wire.internal_date_offset, 120);
    }
}
