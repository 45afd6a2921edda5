//! Building blocks every store operation shares, each running inside the
//! caller's transaction: reading and locking mailbox rows, allocating UIDs and
//! MODSEQs from a mailbox's counters, charging quota usage, and resolving
//! keyword names to per-account ids.
//!
//! Lock order (PostgreSQL; SQLite holds one database lock): keywords, then the
//! account row (UIDVALIDITY), then mailbox rows in id order, then usage, then
//! tenant usage. Every writer follows it, so writers cannot deadlock.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use mailkeep_common::mail::{Flags, MailboxInfo, SystemFlags};
use mailkeep_common::{AccountId, MailboxId, ModSeq};

use super::driver::{Arg, Driver, Row, fetch_one, fetch_optional};
use crate::error::StoreError;
use crate::flags::{self, KeywordIds};

/// A mailbox row with its `\Recent` watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxRow {
    pub info: MailboxInfo,
    pub recent_uid: u32,
}

const SELECT_BY_ID: &str = "SELECT id, name, uidvalidity, uid_next, highest_modseq, special_use, \
    recent_uid FROM mailboxes WHERE account_id = $1 AND id = $2";
const SELECT_BY_NAME: &str = "SELECT id, name, uidvalidity, uid_next, highest_modseq, \
    special_use, recent_uid FROM mailboxes WHERE account_id = $1 AND name = $2";
// A no-op UPDATE takes the row lock and returns the committed values.
const LOCK_BY_ID: &str = "UPDATE mailboxes SET uid_next = uid_next WHERE account_id = $1 AND id = $2 \
    RETURNING id, name, uidvalidity, uid_next, highest_modseq, special_use, recent_uid";
const LOCK_BY_NAME: &str = "UPDATE mailboxes SET uid_next = uid_next \
    WHERE account_id = $1 AND name = $2 \
    RETURNING id, name, uidvalidity, uid_next, highest_modseq, special_use, recent_uid";

pub fn mailbox_from_row(row: &Row) -> Result<MailboxRow, StoreError> {
    let special_use = row.text(5)?;
    Ok(MailboxRow {
        info: MailboxInfo {
            id: row.parse(0)?,
            name: row.text(1)?,
            uidvalidity: row.u32(2)?,
            uid_next: row.u32(3)?,
            highest_modseq: ModSeq::new(row.u64(4)?),
            special_use: (!special_use.is_empty()).then_some(special_use),
        },
        recent_uid: row.u32(6)?,
    })
}

async fn one_mailbox<D: Driver>(
    tx: &mut D::Tx,
    sql: &'static str,
    account: AccountId,
    key: &str,
) -> Result<MailboxRow, StoreError> {
    let account = account.to_string();
    let row = fetch_optional::<D>(tx, sql, &[Arg::Text(&account), Arg::Text(key)])
        .await?
        .ok_or(StoreError::NotFound("mailbox"))?;
    mailbox_from_row(&row)
}

pub async fn mailbox_by_id<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    id: MailboxId,
) -> Result<MailboxRow, StoreError> {
    one_mailbox::<D>(tx, SELECT_BY_ID, account, &id.to_string()).await
}

pub async fn mailbox_by_name<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    name: &str,
) -> Result<MailboxRow, StoreError> {
    one_mailbox::<D>(tx, SELECT_BY_NAME, account, name).await
}

pub async fn lock_mailbox<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    id: MailboxId,
) -> Result<MailboxRow, StoreError> {
    one_mailbox::<D>(tx, LOCK_BY_ID, account, &id.to_string()).await
}

pub async fn lock_mailbox_by_name<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    name: &str,
) -> Result<MailboxRow, StoreError> {
    one_mailbox::<D>(tx, LOCK_BY_NAME, account, name).await
}

/// Takes `count` UIDs and one new MODSEQ; returns the first UID, the MODSEQ
/// and the mailbox's UIDVALIDITY. UIDs above `u32::MAX` do not exist: a
/// mailbox that would need one refuses with `Limit`.
pub async fn allocate<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    mailbox: MailboxId,
    count: usize,
) -> Result<(u32, ModSeq, u32), StoreError> {
    let count = i64::try_from(count).map_err(|_| StoreError::Limit("too many messages"))?;
    let (account, mailbox) = (account.to_string(), mailbox.to_string());
    let row = fetch_optional::<D>(
        tx,
        "UPDATE mailboxes SET uid_next = uid_next + $3, highest_modseq = highest_modseq + 1 \
         WHERE account_id = $1 AND id = $2 RETURNING uid_next, highest_modseq, uidvalidity",
        &[Arg::Text(&account), Arg::Text(&mailbox), Arg::Int(count)],
    )
    .await?
    .ok_or(StoreError::NotFound("mailbox"))?;
    let uid_next = row.int(0)?;
    if uid_next > i64::from(u32::MAX) {
        return Err(StoreError::Limit("mailbox has used every uid"));
    }
    let first = u32::try_from(uid_next - count)
        .map_err(|_| StoreError::Corrupt(format!("uid_next {uid_next}")))?;
    Ok((first, ModSeq::new(row.u64(1)?), row.u32(2)?))
}

/// Takes one new MODSEQ of the mailbox.
pub async fn next_modseq<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<ModSeq, StoreError> {
    let (account, mailbox) = (account.to_string(), mailbox.to_string());
    let row = fetch_optional::<D>(
        tx,
        "UPDATE mailboxes SET highest_modseq = highest_modseq + 1 \
         WHERE account_id = $1 AND id = $2 RETURNING highest_modseq",
        &[Arg::Text(&account), Arg::Text(&mailbox)],
    )
    .await?
    .ok_or(StoreError::NotFound("mailbox"))?;
    Ok(ModSeq::new(row.u64(0)?))
}

/// Moves the account's and its tenant's usage by `bytes` and `messages`
/// (negative to release). Growth beyond a non-zero account or tenant quota
/// fails with `OverQuota`; the
/// caller's transaction is then rolled back, so nothing overshoots.
pub async fn charge<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    bytes: i64,
    messages: i64,
) -> Result<(), StoreError> {
    let account = account.to_string();
    let row = fetch_one::<D>(
        tx,
        "UPDATE usage SET bytes = bytes + $2, messages = messages + $3 WHERE account_id = $1 \
         RETURNING bytes, messages, \
         (SELECT quota_bytes FROM accounts WHERE id = $1), \
         (SELECT quota_messages FROM accounts WHERE id = $1)",
        &[Arg::Text(&account), Arg::Int(bytes), Arg::Int(messages)],
    )
    .await?;
    check_quota(&row, bytes, messages)?;
    // The tenant's counters move with the account's (lock order: usage first).
    let tenant = fetch_one::<D>(
        tx,
        "UPDATE tenant_usage SET bytes = bytes + $2, messages = messages + $3 \
         WHERE tenant_id = (SELECT tenant_id FROM accounts WHERE id = $1) \
         RETURNING bytes, messages, \
         (SELECT t.quota_bytes FROM tenants t JOIN accounts a ON a.tenant_id = t.id WHERE a.id = $1), \
         (SELECT t.quota_messages FROM tenants t JOIN accounts a ON a.tenant_id = t.id WHERE a.id = $1)",
        &[Arg::Text(&account), Arg::Int(bytes), Arg::Int(messages)],
    )
    .await?;
    check_quota(&tenant, bytes, messages)
}

/// `OverQuota` when a row of (used bytes, used messages, quota bytes, quota
/// messages) grew past a non-zero quota.
fn check_quota(row: &Row, bytes: i64, messages: i64) -> Result<(), StoreError> {
    let (used_bytes, used_messages) = (row.int(0)?, row.int(1)?);
    let (quota_bytes, quota_messages) = (row.int(2)?, row.int(3)?);
    let over = |used: i64, quota: i64, grew: bool| grew && quota > 0 && used > quota;
    if over(used_bytes, quota_bytes, bytes > 0) || over(used_messages, quota_messages, messages > 0)
    {
        return Err(StoreError::OverQuota);
    }
    Ok(())
}

/// The account's keywords, id -> name.
pub async fn keyword_names<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
) -> Result<BTreeMap<i64, String>, StoreError> {
    let account = account.to_string();
    let rows = D::fetch_all(
        tx,
        "SELECT id, name FROM keywords WHERE account_id = $1",
        &[Arg::Text(&account)],
    )
    .await?;
    rows.iter()
        .map(|row| Ok((row.int(0)?, row.text(1)?)))
        .collect()
}

/// The account's keywords, name -> id.
pub async fn keyword_ids<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
) -> Result<HashMap<String, i64>, StoreError> {
    Ok(keyword_names::<D>(tx, account)
        .await?
        .into_iter()
        .map(|(id, name)| (name, id))
        .collect())
}

/// Resolves keyword names to ids, creating the missing ones when `create`
/// (a removal never needs new ids: unknown keywords are simply not set).
/// Returns the account's name -> id map including every created keyword.
pub async fn resolve_keywords<'a, D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    names: impl IntoIterator<Item = &'a String>,
    create: bool,
) -> Result<HashMap<String, i64>, StoreError> {
    let mut known = keyword_ids::<D>(tx, account).await?;
    let account_text = account.to_string();
    for name in names {
        flags::check_keyword(name)?;
        if create && !known.contains_key(name) {
            let id = create_keyword::<D>(tx, &account_text, name).await?;
            known.insert(name.clone(), id);
        }
    }
    Ok(known)
}

/// The ids of `names` in `known`; names without an id are not set anywhere.
pub fn ids_of(names: &[String], known: &HashMap<String, i64>) -> KeywordIds {
    names
        .iter()
        .filter_map(|name| known.get(name).copied())
        .collect()
}

/// Inserts a keyword with the next free id. A concurrent writer may take the
/// same id first (PostgreSQL); the insert then does nothing and the next try
/// reads the new maximum.
async fn create_keyword<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    name: &str,
) -> Result<i64, StoreError> {
    const ATTEMPTS: usize = 16;
    for _ in 0..ATTEMPTS {
        D::execute(
            tx,
            "INSERT INTO keywords (account_id, id, name) \
             SELECT $1, COALESCE(MAX(id), 0) + 1, $2 FROM keywords WHERE account_id = $1 \
             ON CONFLICT DO NOTHING",
            &[Arg::Text(account), Arg::Text(name)],
        )
        .await?;
        let found = fetch_optional::<D>(
            tx,
            "SELECT id FROM keywords WHERE account_id = $1 AND name = $2",
            &[Arg::Text(account), Arg::Text(name)],
        )
        .await?;
        if let Some(row) = found {
            return row.int(0);
        }
    }
    Err(StoreError::Limit("keyword creation contended"))
}

/// Converts stored flags to names, skipping ids the account no longer knows.
pub fn flags_from_ids(system: u32, ids: &KeywordIds, names: &BTreeMap<i64, String>) -> Flags {
    Flags {
        system: SystemFlags(system),
        keywords: ids.iter().filter_map(|id| names.get(id).cloned()).collect(),
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A fresh random 128-bit id.
pub fn random_u128() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}

/// A value of the wire that must fit a BIGINT column.
pub fn to_i64(value: u64, what: &'static str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::InvalidArgument(format!("{what} too large")))
}
