//! Message rows: APPEND (many messages, one transaction, one MODSEQ, quota
//! charged in the same transaction), paged metadata fetch, and the changes
//! since a MODSEQ (new and flag-changed messages plus expunge tombstones).
//! Bodies are never here: a row holds its blob id and the pre-encoded IMAP
//! bytes computed at append time.

use std::collections::{BTreeMap, BTreeSet};

use mailkeep_common::mail::{
    AppendOutcome, Changes, FlagUpdate, MessageMeta, MetaQuery, NewMessageMeta,
};
use mailkeep_common::{AccountId, BlobId, MailboxId, ModSeq, Uid, UidSet};

use super::driver::{Arg, Driver, Row};
use super::rows::{
    allocate, charge, flags_from_ids, ids_of, keyword_names, mailbox_by_id, random_u128,
    resolve_keywords, to_i64,
};
use super::threads;
use crate::error::StoreError;
use crate::flags::{check_system, decode_ids, encode_ids};
use crate::search::MAX_ZONE_MINUTES;

/// Messages one APPEND call may carry (MULTIAPPEND batches stay far below).
pub const MAX_APPEND_BATCH: usize = 10_000;

const INSERT_MESSAGE: &str = "INSERT INTO messages (account_id, mailbox_id, uid, modseq, \
    email_id, thread_id, blob_id, size, internal_date, internal_date_offset, system_flags, \
    keyword_ids, envelope, bodystructure, body, part_table, header_text, body_text, sent_date, \
    subject, from_text, to_text, cc_text, bcc_text, message_id, prefix) VALUES ($1, $2, $3, $4, \
    $5, $26, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, \
    $23, $24, $25)";

/// OBJECTID EMAILID (RFC 8474 §4): random, stable across COPY and MOVE.
fn new_email_id() -> String {
    format!("M{:024x}", random_u128() >> 32)
}

/// A new THREADID, named after the EMAILID of the message that starts it.
fn new_thread_id(email_id: &str) -> String {
    format!("T{}", &email_id[1..])
}

pub async fn append<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    messages: Vec<NewMessageMeta>,
) -> Result<AppendOutcome, StoreError> {
    if messages.is_empty() {
        return Err(StoreError::InvalidArgument("nothing to append".into()));
    }
    if messages.len() > MAX_APPEND_BATCH {
        return Err(StoreError::Limit("too many messages in one append"));
    }
    let mut total_bytes: i64 = 0;
    for message in &messages {
        check_system(message.flags.system.0)?;
        if message.internal_date_offset.abs() > MAX_ZONE_MINUTES {
            return Err(StoreError::InvalidArgument(
                "internal date zone out of range".into(),
            ));
        }
        total_bytes = total_bytes
            .checked_add(to_i64(message.size, "size")?)
            .ok_or(StoreError::Limit("append too large"))?;
    }
    let mut tx = driver.begin_write().await?;
    // One lookup for the whole batch; new keywords are created first (lock order).
    let all_keywords: BTreeSet<String> = messages
        .iter()
        .flat_map(|message| message.flags.keywords.iter().cloned())
        .collect();
    let known = resolve_keywords::<D>(&mut tx, account, &all_keywords, true).await?;
    let (first_uid, modseq, uidvalidity) =
        allocate::<D>(&mut tx, account, mailbox, messages.len()).await?;
    charge::<D>(
        &mut tx,
        account,
        total_bytes,
        to_i64(messages.len() as u64, "count")?,
    )
    .await?;
    let (account_text, mailbox_text) = (account.to_string(), mailbox.to_string());
    let modseq_value = to_i64(modseq.get(), "modseq")?;
    let mut uids = Vec::with_capacity(messages.len());
    for (message, uid) in messages.iter().zip(first_uid..) {
        let analysis = &message.analysis;
        let (email_id, blob_id) = (new_email_id(), message.blob_id.to_string());
        let thread_id = threads::assign::<D>(
            &mut tx,
            &account_text,
            &analysis.header_text,
            &analysis.message_id,
            || new_thread_id(&email_id),
        )
        .await?;
        let keywords = encode_ids(&ids_of(&message.flags.keywords, &known));
        D::execute(
            &mut tx,
            INSERT_MESSAGE,
            &[
                Arg::Text(&account_text),
                Arg::Text(&mailbox_text),
                Arg::Int(i64::from(uid)),
                Arg::Int(modseq_value),
                Arg::Text(&email_id),
                Arg::Text(&blob_id),
                Arg::Int(to_i64(message.size, "size")?),
                Arg::Int(message.internal_date),
                Arg::Int(i64::from(message.internal_date_offset)),
                Arg::Int(i64::from(message.flags.system.0)),
                Arg::Text(&keywords),
                Arg::Bytes(&analysis.envelope),
                Arg::Bytes(&analysis.bodystructure),
                Arg::Bytes(&analysis.body),
                Arg::Bytes(&analysis.part_table),
                Arg::Text(&analysis.header_text),
                Arg::Text(&analysis.body_text),
                Arg::OptInt(analysis.sent_date),
                Arg::Text(&analysis.subject),
                Arg::Text(&analysis.from),
                Arg::Text(&analysis.to),
                Arg::Text(&analysis.cc),
                Arg::Text(&analysis.bcc),
                Arg::Text(&analysis.message_id),
                Arg::Bytes(&message.prefix),
                Arg::Text(&thread_id),
            ],
        )
        .await?;
        uids.push(Uid::new(uid).ok_or_else(|| StoreError::Corrupt("uid 0 allocated".into()))?);
    }
    D::commit(tx).await?;
    Ok(AppendOutcome {
        uidvalidity,
        uids,
        modseq,
    })
}

const FETCH_PAGE: &str = "SELECT uid, modseq, system_flags, keyword_ids, blob_id, size, \
    internal_date, internal_date_offset, email_id, thread_id, \
    CASE WHEN $7 <> 0 THEN envelope END, CASE WHEN $8 <> 0 THEN bodystructure END, \
    CASE WHEN $8 <> 0 THEN body END, CASE WHEN $9 <> 0 THEN part_table END, prefix \
    FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid BETWEEN $3 AND $4 \
    AND modseq > $5 ORDER BY uid LIMIT $6";

fn meta_from_row(row: &Row, names: &BTreeMap<i64, String>) -> Result<MessageMeta, StoreError> {
    let uid = Uid::new(row.u32(0)?).ok_or_else(|| StoreError::Corrupt("uid 0 stored".into()))?;
    let internal_date_offset = i32::try_from(row.int(7)?)
        .map_err(|_| StoreError::Corrupt("internal date offset".into()))?;
    Ok(MessageMeta {
        uid,
        modseq: ModSeq::new(row.u64(1)?),
        flags: flags_from_ids(row.u32(2)?, &decode_ids(&row.text(3)?)?, names),
        blob_id: row.parse::<BlobId>(4)?,
        size: row.u64(5)?,
        prefix: row.bytes(14)?,
        internal_date: row.int(6)?,
        internal_date_offset,
        email_id: row.text(8)?,
        thread_id: row.text(9)?,
        envelope: row.bytes(10)?,
        bodystructure: row.bytes(11)?,
        body: row.bytes(12)?,
        part_table: row.bytes(13)?,
    })
}

pub async fn fetch_page<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    uids: &UidSet,
    query: MetaQuery,
    after: Option<Uid>,
    limit: usize,
) -> Result<Vec<MessageMeta>, StoreError> {
    let mut tx = driver.begin_read().await?;
    mailbox_by_id::<D>(&mut tx, account, mailbox).await?;
    let names = keyword_names::<D>(&mut tx, account).await?;
    let (account_text, mailbox_text) = (account.to_string(), mailbox.to_string());
    let changed_since = to_i64(query.changed_since.map_or(0, ModSeq::get), "changed_since")?;
    let floor = after.map_or(1, |uid| uid.get().saturating_add(1));
    let mut page = Vec::new();
    for &(first, last) in uids.ranges() {
        let remaining = limit.saturating_sub(page.len());
        if remaining == 0 || after.is_some_and(|after| after.get() == u32::MAX) {
            break;
        }
        if last < floor {
            continue;
        }
        let rows = D::fetch_all(
            &mut tx,
            FETCH_PAGE,
            &[
                Arg::Text(&account_text),
                Arg::Text(&mailbox_text),
                Arg::Int(i64::from(first.max(floor))),
                Arg::Int(i64::from(last)),
                Arg::Int(changed_since),
                Arg::Int(to_i64(remaining as u64, "limit")?),
                Arg::Int(i64::from(query.with_envelope)),
                Arg::Int(i64::from(query.with_bodystructure)),
                Arg::Int(i64::from(query.with_part_table)),
            ],
        )
        .await?;
        for row in &rows {
            page.push(meta_from_row(row, &names)?);
        }
    }
    D::commit(tx).await?;
    Ok(page)
}

pub async fn changes<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    since: ModSeq,
) -> Result<Changes, StoreError> {
    let mut tx = driver.begin_read().await?;
    let row = mailbox_by_id::<D>(&mut tx, account, mailbox).await?;
    let names = keyword_names::<D>(&mut tx, account).await?;
    let (account_text, mailbox_text) = (account.to_string(), mailbox.to_string());
    let args = [
        Arg::Text(&account_text),
        Arg::Text(&mailbox_text),
        Arg::Int(to_i64(since.get(), "since")?),
    ];
    let changed_rows = D::fetch_all(
        &mut tx,
        "SELECT uid, modseq, system_flags, keyword_ids FROM messages \
         WHERE account_id = $1 AND mailbox_id = $2 AND modseq > $3 ORDER BY uid",
        &args,
    )
    .await?;
    let expunged_rows = D::fetch_all(
        &mut tx,
        "SELECT uid FROM expunged WHERE account_id = $1 AND mailbox_id = $2 AND modseq > $3",
        &args,
    )
    .await?;
    D::commit(tx).await?;
    let changed = changed_rows
        .iter()
        .map(|row| {
            Ok(FlagUpdate {
                uid: Uid::new(row.u32(0)?).ok_or_else(|| StoreError::Corrupt("uid 0".into()))?,
                modseq: ModSeq::new(row.u64(1)?),
                flags: flags_from_ids(row.u32(2)?, &decode_ids(&row.text(3)?)?, &names),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let expunged = expunged_rows
        .iter()
        .map(|row| Ok(Uid::new(row.u32(0)?)))
        .collect::<Result<Vec<_>, StoreError>>()?
        .into_iter()
        .flatten()
        .collect();
    Ok(Changes {
        highest_modseq: row.info.highest_modseq,
        uid_next: row.info.uid_next,
        changed,
        expunged,
    })
}
