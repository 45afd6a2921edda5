//! METADATA (RFC 5464) in SQL: the entries of one mailbox, or of the
//! account's server (`mailbox_id = ''`), in `mailbox_metadata`. A change
//! set is applied in one transaction and rolled back whole when it would
//! leave more than `MAX_METADATA_ENTRIES` entries (`Limit`); names and
//! sizes are checked before anything is written.
//!
//! Change tracking (RFC 5465 §5.6-5.7, `migrations/*/0008_metadata_changes.sql`):
//! each change set first bumps `accounts.metadata_modseq`, whose row lock
//! serialises the account's change sets so counter values commit in order.
//! Set entries carry the new value; removed ones (when they existed) leave a
//! `metadata_removals` row carrying it, kept for [`REMOVAL_RETENTION_SECONDS`].

use mailkeep_common::AccountId;
use mailkeep_common::mail::{
    ChangedMetadataEntry, MAX_METADATA_ENTRIES, MAX_METADATA_VALUE_BYTES, MetadataChange,
    MetadataChanges, MetadataEntry, metadata_entry_name,
};

use super::driver::{Arg, Driver, fetch_one, fetch_optional};
use super::rows::{lock_mailbox_by_name, mailbox_by_name, now};
use crate::error::StoreError;
use crate::names;

/// How long a removal stays reportable. Sessions ask for changes at least
/// every poll interval (30 s by default), so an hour is ample.
const REMOVAL_RETENTION_SECONDS: i64 = 3600;

const SELECT_ENTRIES: &str = "SELECT name, value FROM mailbox_metadata \
     WHERE account_id = $1 AND mailbox_id = $2 ORDER BY name";
const UPSERT_ENTRY: &str = "INSERT INTO mailbox_metadata \
     (account_id, mailbox_id, name, value, modseq) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (account_id, mailbox_id, name) \
     DO UPDATE SET value = excluded.value, modseq = excluded.modseq";
const DELETE_ENTRY: &str =
    "DELETE FROM mailbox_metadata WHERE account_id = $1 AND mailbox_id = $2 AND name = $3";
const COUNT_ENTRIES: &str =
    "SELECT COUNT(*) FROM mailbox_metadata WHERE account_id = $1 AND mailbox_id = $2";
const BUMP_COUNTER: &str = "UPDATE accounts SET metadata_modseq = metadata_modseq + 1 \
     WHERE id = $1 RETURNING metadata_modseq";
const SELECT_COUNTER: &str = "SELECT metadata_modseq FROM accounts WHERE id = $1";
const UPSERT_REMOVAL: &str = "INSERT INTO metadata_removals \
     (account_id, mailbox_id, name, modseq, removed_at) VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (account_id, mailbox_id, name) \
     DO UPDATE SET modseq = excluded.modseq, removed_at = excluded.removed_at";
const DELETE_REMOVAL: &str =
    "DELETE FROM metadata_removals WHERE account_id = $1 AND mailbox_id = $2 AND name = $3";
const PRUNE_REMOVALS: &str = "DELETE FROM metadata_removals \
     WHERE account_id = $1 AND mailbox_id = $2 AND removed_at < $3";
/// Entries set and removed after `$2`, by their mailbox's current name
/// (`''`: the server); entries of a mailbox that no longer exists are left out.
const SELECT_CHANGED: &str = "SELECT COALESCE(m.name, ''), c.name FROM (\
     SELECT mailbox_id, name FROM mailbox_metadata WHERE account_id = $1 AND modseq > $2 \
     UNION ALL \
     SELECT mailbox_id, name FROM metadata_removals WHERE account_id = $1 AND modseq > $2\
     ) AS c LEFT JOIN mailboxes AS m ON m.account_id = $1 AND m.id = c.mailbox_id \
     WHERE c.mailbox_id = '' OR m.id IS NOT NULL";

/// Whether looking up a mailbox's key locks its row (in a write).
#[derive(Clone, Copy)]
enum Lookup {
    Read,
    Lock,
}

/// The key of `mailbox`'s entries: `''` for the server, else its id
/// (`NotFound` when it does not exist).
async fn mailbox_key<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    mailbox: &str,
    lookup: Lookup,
) -> Result<String, StoreError> {
    if mailbox.is_empty() {
        return Ok(String::new());
    }
    let name = names::normalize(mailbox)?;
    let row = match lookup {
        Lookup::Read => mailbox_by_name::<D>(tx, account, &name).await?,
        Lookup::Lock => lock_mailbox_by_name::<D>(tx, account, &name).await?,
    };
    Ok(row.info.id.to_string())
}

/// Every entry of `mailbox` (`""`: the server), by name.
pub async fn entries<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: &str,
) -> Result<Vec<MetadataEntry>, StoreError> {
    let mut tx = driver.begin_read().await?;
    let key = mailbox_key::<D>(&mut tx, account, mailbox, Lookup::Read).await?;
    let account = account.to_string();
    D::fetch_all(
        &mut tx,
        SELECT_ENTRIES,
        &[Arg::Text(&account), Arg::Text(&key)],
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok(MetadataEntry {
            name: row.text(0)?,
            value: row.bytes(1)?,
        })
    })
    .collect()
}

/// Checks every change before anything is written.
fn validated(changes: &[MetadataChange]) -> Result<Vec<MetadataChange>, StoreError> {
    changes
        .iter()
        .map(|change| {
            let name = metadata_entry_name(&change.name).ok_or_else(|| {
                StoreError::InvalidArgument("invalid metadata entry name".to_owned())
            })?;
            if change
                .value
                .as_ref()
                .is_some_and(|value| value.len() > MAX_METADATA_VALUE_BYTES)
            {
                return Err(StoreError::Limit("metadata value too large"));
            }
            Ok(MetadataChange {
                name,
                value: change.value.clone(),
            })
        })
        .collect()
}

/// Applies `changes` to `mailbox` (`""`: the server) in one transaction;
/// returns the account's METADATA change counter after it.
pub async fn set<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: &str,
    changes: &[MetadataChange],
) -> Result<u64, StoreError> {
    let changes = validated(changes)?;
    let mut tx = driver.begin_write().await?;
    // The mailbox's row lock first, as mailbox DELETE takes it: a deletion
    // either sees these entries or makes this lookup fail, and the two
    // never wait for each other's later locks.
    let key = mailbox_key::<D>(&mut tx, account, mailbox, Lookup::Lock).await?;
    let account = account.to_string();
    let counter = fetch_optional::<D>(&mut tx, BUMP_COUNTER, &[Arg::Text(&account)])
        .await?
        .ok_or(StoreError::NotFound("account"))?;
    let (modseq, modseq_arg) = (counter.u64(0)?, Arg::Int(counter.int(0)?));
    let now = now();
    D::execute(
        &mut tx,
        PRUNE_REMOVALS,
        &[
            Arg::Text(&account),
            Arg::Text(&key),
            Arg::Int(now.saturating_sub(REMOVAL_RETENTION_SECONDS)),
        ],
    )
    .await?;
    for change in &changes {
        let entry = [
            Arg::Text(&account),
            Arg::Text(&key),
            Arg::Text(&change.name),
        ];
        let [account_arg, key_arg, name_arg] = entry;
        match &change.value {
            Some(value) => {
                let args = [
                    account_arg,
                    key_arg,
                    name_arg,
                    Arg::Bytes(value),
                    modseq_arg,
                ];
                D::execute(&mut tx, UPSERT_ENTRY, &args).await?;
                D::execute(&mut tx, DELETE_REMOVAL, &entry).await?;
            }
            // Removing an entry that is not there changes nothing.
            None => {
                if D::execute(&mut tx, DELETE_ENTRY, &entry).await? > 0 {
                    let args = [account_arg, key_arg, name_arg, modseq_arg, Arg::Int(now)];
                    D::execute(&mut tx, UPSERT_REMOVAL, &args).await?;
                }
            }
        }
    }
    let count = fetch_one::<D>(
        &mut tx,
        COUNT_ENTRIES,
        &[Arg::Text(&account), Arg::Text(&key)],
    )
    .await?
    .u64(0)?;
    if count > MAX_METADATA_ENTRIES as u64 {
        return Err(StoreError::Limit("too many metadata entries"));
    }
    D::commit(tx).await?;
    Ok(modseq)
}

/// The account's METADATA change counter and, with `since`, the entries
/// set or removed after it, ordered by mailbox name, then entry name.
pub async fn changes<D: Driver>(
    driver: &D,
    account: AccountId,
    since: Option<u64>,
) -> Result<MetadataChanges, StoreError> {
    let mut tx = driver.begin_read().await?;
    let account = account.to_string();
    let modseq = fetch_optional::<D>(&mut tx, SELECT_COUNTER, &[Arg::Text(&account)])
        .await?
        .ok_or(StoreError::NotFound("account"))?
        .u64(0)?;
    let Some(since) = since.filter(|since| *since < modseq) else {
        return Ok(MetadataChanges {
            modseq,
            changed: Vec::new(),
        });
    };
    // `since < modseq`, and the counter is a BIGINT.
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let mut changed = D::fetch_all(
        &mut tx,
        SELECT_CHANGED,
        &[Arg::Text(&account), Arg::Int(since)],
    )
    .await?
    .into_iter()
    .map(|row| {
        Ok(ChangedMetadataEntry {
            mailbox: row.text(0)?,
            name: row.text(1)?,
        })
    })
    .collect::<Result<Vec<_>, StoreError>>()?;
    // Sorted here, not in SQL: collations differ between the databases.
    changed.sort_by(|a, b| (&a.mailbox, &a.name).cmp(&(&b.mailbox, &b.name)));
    Ok(MetadataChanges { modseq, changed })
}
