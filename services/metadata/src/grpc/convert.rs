//! Conversions between the wire types of `mailkeep.metadata.v1` and the
//! domain types of [`crate::model`]. Incoming ids and enums are validated
//! here (bad input is `InvalidArgument`); outgoing errors become statuses
//! carrying their [`ErrorCode`] via `mailkeep_proto::status`.

use std::str::FromStr;

use mailkeep_common::{ErrorCode, InvalidId, ModSeq, UidSet};
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::{status, uid_set_from_proto};
use tonic::Status;

use crate::error::StoreError;
use crate::model::{
    Account, FlagUpdate, Flags, MailboxInfo, MessageAnalysis, MessageMeta, NewMessage, SearchFlag,
    SearchQuery, StoreOperation, Tenant,
};

/// Deeper search programs are refused (they only come from hostile input).
const MAX_SEARCH_DEPTH: usize = 64;

fn invalid(message: impl Into<String>) -> Status {
    status(ErrorCode::InvalidArgument, message)
}

/// Parses an id field; the field name is echoed, never the value.
pub fn parse_id<T: FromStr<Err = InvalidId>>(text: &str, field: &str) -> Result<T, Status> {
    text.parse()
        .map_err(|_| invalid(format!("invalid {field}")))
}

/// Maps a store failure to a status, logging what the client cannot fix.
pub fn store_status(error: StoreError) -> Status {
    let code = error.code();
    match code {
        ErrorCode::Internal | ErrorCode::Unavailable => {
            tracing::error!(code = %code, error = ?error, "metadata store failed");
        }
        _ => tracing::debug!(code = %code, error = %error, "metadata request refused"),
    }
    status(code, error.to_string())
}

pub fn uid_set(set: Option<&pb::UidSet>) -> UidSet {
    set.map(uid_set_from_proto).unwrap_or_default()
}

pub fn tenant(tenant: Tenant) -> pb::Tenant {
    pb::Tenant {
        id: tenant.id.to_string(),
        domain: tenant.domain,
        status: tenant.status,
        created_at: tenant.created_at,
    }
}

pub fn account(account: Account) -> pb::Account {
    pb::Account {
        id: account.id.to_string(),
        tenant_id: account.tenant_id.to_string(),
        local_part: account.local_part,
        domain: account.domain,
        status: account.status,
        quota_bytes: account.quota_bytes,
        quota_messages: account.quota_messages,
        used_bytes: account.used_bytes,
        used_messages: account.used_messages,
        created_at: account.created_at,
    }
}

pub fn mailbox(mailbox: MailboxInfo) -> pb::Mailbox {
    pb::Mailbox {
        id: mailbox.id.to_string(),
        name: mailbox.name,
        uidvalidity: mailbox.uidvalidity,
        uid_next: mailbox.uid_next,
        highest_modseq: mailbox.highest_modseq.get(),
        special_use: mailbox.special_use.unwrap_or_default(),
    }
}

pub fn flags_to_proto(flags: Flags) -> pb::Flags {
    pb::Flags {
        system: flags.system,
        keywords: flags.keywords,
    }
}

pub fn flags_from_proto(flags: Option<pb::Flags>) -> Flags {
    flags
        .map(|flags| Flags {
            system: flags.system,
            keywords: flags.keywords,
        })
        .unwrap_or_default()
}

pub fn flag_update(update: FlagUpdate) -> pb::FlagUpdate {
    pb::FlagUpdate {
        uid: update.uid.get(),
        modseq: update.modseq.get(),
        flags: Some(flags_to_proto(update.flags)),
    }
}

pub fn message_meta(meta: MessageMeta) -> pb::MessageMeta {
    pb::MessageMeta {
        uid: meta.uid.get(),
        modseq: meta.modseq.get(),
        flags: Some(flags_to_proto(meta.flags)),
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
    }
}

pub fn new_message(message: pb::NewMessage) -> Result<NewMessage, Status> {
    let analysis = message.analysis.unwrap_or_default();
    Ok(NewMessage {
        blob_id: parse_id(&message.blob_id, "blob_id")?,
        size: message.size,
        internal_date: message.internal_date,
        internal_date_offset: message.internal_date_offset,
        flags: flags_from_proto(message.flags),
        analysis: MessageAnalysis {
            envelope: analysis.envelope,
            bodystructure: analysis.bodystructure,
            body: analysis.body,
            part_table: analysis.part_table,
            header_text: analysis.header_text,
            body_text: analysis.body_text,
            // The wire says 0 when the Date: header is missing.
            sent_date: (analysis.sent_date != 0).then_some(analysis.sent_date),
            subject: analysis.subject,
            from: analysis.from,
            to: analysis.to,
            cc: analysis.cc,
            bcc: analysis.bcc,
            message_id: analysis.message_id,
        },
    })
}

pub fn store_operation(value: i32) -> Result<StoreOperation, Status> {
    match pb::StoreOperation::try_from(value) {
        Ok(pb::StoreOperation::Replace) => Ok(StoreOperation::Replace),
        Ok(pb::StoreOperation::Add) => Ok(StoreOperation::Add),
        Ok(pb::StoreOperation::Remove) => Ok(StoreOperation::Remove),
        Err(_) => Err(invalid("unknown store operation")),
    }
}

/// `0` on the wire means "no bound".
pub fn optional_modseq(value: u64) -> Option<ModSeq> {
    (value != 0).then_some(ModSeq::new(value))
}

fn search_flag(flag: pb::SearchFlag) -> Result<SearchFlag, Status> {
    match (flag.system, flag.keyword.is_empty()) {
        (0, false) => Ok(SearchFlag::Keyword(flag.keyword)),
        (bits, true) if bits.count_ones() == 1 => Ok(SearchFlag::System(bits)),
        _ => Err(invalid("a search flag is one system bit or one keyword")),
    }
}

pub fn search_query(key: Option<pb::SearchKey>) -> Result<SearchQuery, Status> {
    search_key(key, 0)
}

fn search_keys(keys: pb::SearchKeys, depth: usize) -> Result<Vec<SearchQuery>, Status> {
    keys.keys
        .into_iter()
        .map(|key| search_key(Some(key), depth + 1))
        .collect()
}

fn search_key(key: Option<pb::SearchKey>, depth: usize) -> Result<SearchQuery, Status> {
    use pb::search_key::Key;
    if depth > MAX_SEARCH_DEPTH {
        return Err(status(ErrorCode::Limit, "search program nested too deeply"));
    }
    let key = key
        .and_then(|key| key.key)
        .ok_or_else(|| invalid("empty search key"))?;
    Ok(match key {
        Key::And(keys) => SearchQuery::And(search_keys(keys, depth)?),
        Key::Or(keys) => SearchQuery::Or(search_keys(keys, depth)?),
        Key::Not(inner) => SearchQuery::Not(Box::new(search_key(Some(*inner), depth + 1)?)),
        Key::Uid(set) => SearchQuery::Uid(uid_set_from_proto(&set)),
        Key::FlagSet(flag) => SearchQuery::FlagSet(search_flag(flag)?),
        Key::FlagUnset(flag) => SearchQuery::FlagUnset(search_flag(flag)?),
        Key::InternalBefore(day) => SearchQuery::InternalBefore(day),
        Key::InternalOn(day) => SearchQuery::InternalOn(day),
        Key::InternalSince(day) => SearchQuery::InternalSince(day),
        Key::SentBefore(day) => SearchQuery::SentBefore(day),
        Key::SentOn(day) => SearchQuery::SentOn(day),
        Key::SentSince(day) => SearchQuery::SentSince(day),
        Key::Larger(size) => SearchQuery::Larger(size),
        Key::Smaller(size) => SearchQuery::Smaller(size),
        Key::Header(header) => SearchQuery::Header {
            field: header.field.to_lowercase(),
            value: header.value,
        },
        Key::Body(text) => SearchQuery::Body(text),
        Key::Text(text) => SearchQuery::Text(text),
        Key::ModseqAtLeast(modseq) => SearchQuery::ModSeqAtLeast(ModSeq::new(modseq)),
        Key::All(_) => SearchQuery::All,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: pb::search_key::Key) -> pb::SearchKey {
        pb::SearchKey { key: Some(key) }
    }

    #[test]
    fn search_keys_convert_and_bad_ones_are_refused() {
        use pb::search_key::Key;
        let program = key(Key::And(pb::SearchKeys {
            keys: vec![
                key(Key::Larger(10)),
                key(Key::Not(Box::new(key(Key::FlagSet(pb::SearchFlag {
                    system: 8,
                    keyword: String::new(),
                }))))),
                key(Key::Header(pb::HeaderMatch {
                    field: "Subject".into(),
                    value: "hi".into(),
                })),
            ],
        }));
        assert_eq!(
            search_query(Some(program)).unwrap(),
            SearchQuery::And(vec![
                SearchQuery::Larger(10),
                SearchQuery::Not(Box::new(SearchQuery::FlagSet(SearchFlag::System(8)))),
                SearchQuery::Header {
                    field: "subject".into(),
                    value: "hi".into()
                },
            ])
        );
        let error = search_query(None).unwrap_err();
        assert_eq!(
            mailkeep_proto::error_code(&error),
            ErrorCode::InvalidArgument
        );
        let both = key(Key::FlagSet(pb::SearchFlag {
            system: 1,
            keyword: "x".into(),
        }));
        assert!(search_query(Some(both)).is_err());
        let mut deep = key(Key::All(true));
        for _ in 0..100 {
            deep = key(Key::Not(Box::new(deep)));
        }
        let error = search_query(Some(deep)).unwrap_err();
        assert_eq!(mailkeep_proto::error_code(&error), ErrorCode::Limit);
    }

    #[test]
    fn ids_and_operations_are_validated() {
        let error = parse_id::<mailkeep_common::AccountId>("nope", "account_id").unwrap_err();
        assert_eq!(
            mailkeep_proto::error_code(&error),
            ErrorCode::InvalidArgument
        );
        assert_eq!(store_operation(1).unwrap(), StoreOperation::Add);
        assert!(store_operation(9).is_err());
        assert_eq!(optional_modseq(0), None);
    }
}
