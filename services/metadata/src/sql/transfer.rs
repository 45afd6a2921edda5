//! COPY, MOVE (RFC 6851) and EXPUNGE. Copies are new metadata rows sharing
//! the blob and the email id; the blob is never copied. The destination takes
//! new UIDs and one new MODSEQ; a move or expunge leaves `expunged` tombstones
//! under one new MODSEQ of the source. Usage grows on COPY (quota checked),
//! is unchanged by MOVE and shrinks on EXPUNGE, in the same transaction.

use mailkeep_common::mail::{CopyOutcome, ExpungeOutcome, SystemFlags};
use mailkeep_common::{AccountId, MailboxId, ModSeq, Uid, UidSet};

use super::driver::{Arg, Driver};
use super::rows::{MailboxRow, allocate, charge, lock_mailbox, next_modseq, to_i64};
use crate::error::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferMode {
    Copy,
    Move,
}

const COPY_ROW: &str = "INSERT INTO messages (account_id, mailbox_id, uid, modseq, email_id, \
    thread_id, blob_id, size, internal_date, internal_date_offset, system_flags, keyword_ids, \
    envelope, bodystructure, body, part_table, header_text, body_text, sent_date, subject, \
    from_text, to_text, cc_text, bcc_text, message_id, prefix) \
    SELECT account_id, $3, $4, $5, email_id, thread_id, blob_id, size, internal_date, \
    internal_date_offset, system_flags, keyword_ids, envelope, bodystructure, body, part_table, \
    header_text, body_text, sent_date, subject, from_text, to_text, cc_text, bcc_text, message_id, \
    prefix FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid = $6";

const SELECT_RANGE: &str = "SELECT uid, size, system_flags FROM messages \
    WHERE account_id = $1 AND mailbox_id = $2 AND uid BETWEEN $3 AND $4 ORDER BY uid";

/// (uid, size, system flags) of the existing messages of `uids` (all when None).
async fn existing<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    mailbox: &str,
    uids: Option<&UidSet>,
) -> Result<Vec<(u32, i64, u32)>, StoreError> {
    let everything = [(1, u32::MAX)];
    let ranges = uids.map_or(&everything[..], UidSet::ranges);
    let mut found = Vec::new();
    for &(first, last) in ranges {
        let rows = D::fetch_all(
            tx,
            SELECT_RANGE,
            &[
                Arg::Text(account),
                Arg::Text(mailbox),
                Arg::Int(i64::from(first)),
                Arg::Int(i64::from(last)),
            ],
        )
        .await?;
        for row in &rows {
            found.push((row.u32(0)?, row.int(1)?, row.u32(2)?));
        }
    }
    Ok(found)
}

/// Writes tombstones under `modseq` and deletes the messages of `removed`.
async fn remove<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    mailbox: &str,
    removed: &UidSet,
    modseq: ModSeq,
) -> Result<(), StoreError> {
    let modseq = to_i64(modseq.get(), "modseq")?;
    for &(first, last) in removed.ranges() {
        let (first, last) = (i64::from(first), i64::from(last));
        D::execute(
            tx,
            "INSERT INTO expunged (account_id, mailbox_id, uid, modseq) \
             SELECT account_id, mailbox_id, uid, $5 FROM messages \
             WHERE account_id = $1 AND mailbox_id = $2 AND uid BETWEEN $3 AND $4",
            &[
                Arg::Text(account),
                Arg::Text(mailbox),
                Arg::Int(first),
                Arg::Int(last),
                Arg::Int(modseq),
            ],
        )
        .await?;
        D::execute(
            tx,
            "DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2 \
             AND uid BETWEEN $3 AND $4",
            &[
                Arg::Text(account),
                Arg::Text(mailbox),
                Arg::Int(first),
                Arg::Int(last),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Copies or moves `uids` (all when None) from `source` to `destination`,
/// both already locked by the caller's transaction.
pub async fn transfer<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    source: &MailboxRow,
    destination: &MailboxRow,
    uids: Option<&UidSet>,
    mode: TransferMode,
) -> Result<CopyOutcome, StoreError> {
    let account_text = account.to_string();
    let (source_text, destination_text) =
        (source.info.id.to_string(), destination.info.id.to_string());
    let found = existing::<D>(tx, &account_text, &source_text, uids).await?;
    if found.is_empty() {
        return Ok(CopyOutcome {
            uidvalidity: destination.info.uidvalidity,
            source_uids: Vec::new(),
            destination_uids: Vec::new(),
            source_modseq: ModSeq::default(),
        });
    }
    let (first_uid, modseq, uidvalidity) =
        allocate::<D>(tx, account, destination.info.id, found.len()).await?;
    if mode == TransferMode::Copy {
        let bytes = found.iter().map(|&(_, size, _)| size).sum();
        charge::<D>(tx, account, bytes, to_i64(found.len() as u64, "count")?).await?;
    }
    let modseq_value = to_i64(modseq.get(), "modseq")?;
    let mut source_uids = Vec::with_capacity(found.len());
    let mut destination_uids = Vec::with_capacity(found.len());
    for (&(uid, _, _), new_uid) in found.iter().zip(first_uid..) {
        D::execute(
            tx,
            COPY_ROW,
            &[
                Arg::Text(&account_text),
                Arg::Text(&source_text),
                Arg::Text(&destination_text),
                Arg::Int(i64::from(new_uid)),
                Arg::Int(modseq_value),
                Arg::Int(i64::from(uid)),
            ],
        )
        .await?;
        source_uids.extend(Uid::new(uid));
        destination_uids.extend(Uid::new(new_uid));
    }
    let source_modseq = match mode {
        TransferMode::Copy => ModSeq::default(),
        TransferMode::Move => {
            let removed: UidSet = source_uids.iter().copied().collect();
            let source_modseq = next_modseq::<D>(tx, account, source.info.id).await?;
            remove::<D>(tx, &account_text, &source_text, &removed, source_modseq).await?;
            source_modseq
        }
    };
    Ok(CopyOutcome {
        uidvalidity,
        source_uids,
        destination_uids,
        source_modseq,
    })
}

/// COPY and MOVE between two mailboxes of one account.
pub async fn copy_or_move<D: Driver>(
    driver: &D,
    account: AccountId,
    from: MailboxId,
    uids: &UidSet,
    to: MailboxId,
    mode: TransferMode,
) -> Result<CopyOutcome, StoreError> {
    let mut tx = driver.begin_write().await?;
    // Lock order: mailbox rows by id (see `rows`).
    let (source, destination) = if from == to {
        let row = lock_mailbox::<D>(&mut tx, account, from).await?;
        (row.clone(), row)
    } else if from < to {
        let source = lock_mailbox::<D>(&mut tx, account, from).await?;
        (source, lock_mailbox::<D>(&mut tx, account, to).await?)
    } else {
        let destination = lock_mailbox::<D>(&mut tx, account, to).await?;
        (
            lock_mailbox::<D>(&mut tx, account, from).await?,
            destination,
        )
    };
    let outcome = transfer::<D>(&mut tx, account, &source, &destination, Some(uids), mode).await?;
    D::commit(tx).await?;
    Ok(outcome)
}

pub async fn expunge<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    uids: Option<&UidSet>,
) -> Result<ExpungeOutcome, StoreError> {
    let mut tx = driver.begin_write().await?;
    let row = lock_mailbox::<D>(&mut tx, account, mailbox).await?;
    let (account_text, mailbox_text) = (account.to_string(), mailbox.to_string());
    let deleted: Vec<(u32, i64)> = existing::<D>(&mut tx, &account_text, &mailbox_text, uids)
        .await?
        .into_iter()
        .filter(|&(_, _, system)| system & SystemFlags::DELETED != 0)
        .map(|(uid, size, _)| (uid, size))
        .collect();
    if deleted.is_empty() {
        return Ok(ExpungeOutcome {
            expunged: UidSet::new(),
            highest_modseq: row.info.highest_modseq,
        });
    }
    let expunged: UidSet = deleted
        .iter()
        .filter_map(|&(uid, _)| Uid::new(uid))
        .collect();
    let modseq = next_modseq::<D>(&mut tx, account, mailbox).await?;
    remove::<D>(&mut tx, &account_text, &mailbox_text, &expunged, modseq).await?;
    let bytes: i64 = deleted.iter().map(|&(_, size)| size).sum();
    let count = to_i64(deleted.len() as u64, "count")?;
    charge::<D>(&mut tx, account, -bytes, -count).await?;
    D::commit(tx).await?;
    Ok(ExpungeOutcome {
        expunged,
        highest_modseq: modseq,
    })
}
