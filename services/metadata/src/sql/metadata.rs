//! METADATA (RFC 5464) in SQL: the entries of one mailbox, or of the
//! account's server (`mailbox_id = ''`), in `mailbox_metadata`. A change
//! set is applied in one transaction and rolled back whole when it would
//! leave more than `MAX_METADATA_ENTRIES` entries (`Limit`); names and
//! sizes are checked before anything is written.

use mailkeep_common::AccountId;
use mailkeep_common::mail::{
    MAX_METADATA_ENTRIES, MAX_METADATA_VALUE_BYTES, MetadataChange, MetadataEntry,
    metadata_entry_name,
};

use super::driver::{Arg, Driver, fetch_one};
use super::rows::mailbox_by_name;
use crate::error::StoreError;
use crate::names;

const SELECT_ENTRIES: &str = "SELECT name, value FROM mailbox_metadata \
     WHERE account_id = $1 AND mailbox_id = $2 ORDER BY name";
const UPSERT_ENTRY: &str = "INSERT INTO mailbox_metadata (account_id, mailbox_id, name, value) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, mailbox_id, name) \
     DO UPDATE SET value = excluded.value";
const DELETE_ENTRY: &str =
    "DELETE FROM mailbox_metadata WHERE account_id = $1 AND mailbox_id = $2 AND name = $3";
const COUNT_ENTRIES: &str =
    "SELECT COUNT(*) FROM mailbox_metadata WHERE account_id = $1 AND mailbox_id = $2";

/// The key of `mailbox`'s entries: `''` for the server, else its id
/// (`NotFound` when it does not exist).
async fn mailbox_key<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    mailbox: &str,
) -> Result<String, StoreError> {
    if mailbox.is_empty() {
        return Ok(String::new());
    }
    let name = names::normalize(mailbox)?;
    Ok(mailbox_by_name::<D>(tx, account, &name)
        .await?
        .info
        .id
        .to_string())
}

/// Every entry of `mailbox` (`""`: the server), by name.
pub async fn entries<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: &str,
) -> Result<Vec<MetadataEntry>, StoreError> {
    let mut tx = driver.begin_read().await?;
    let key = mailbox_key::<D>(&mut tx, account, mailbox).await?;
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

/// Applies `changes` to `mailbox` (`""`: the server) in one transaction.
pub async fn set<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: &str,
    changes: &[MetadataChange],
) -> Result<(), StoreError> {
    let changes = validated(changes)?;
    let mut tx = driver.begin_write().await?;
    let key = mailbox_key::<D>(&mut tx, account, mailbox).await?;
    let account = account.to_string();
    for change in &changes {
        let name = Arg::Text(&change.name);
        match &change.value {
            Some(value) => {
                let args = [
                    Arg::Text(&account),
                    Arg::Text(&key),
                    name,
                    Arg::Bytes(value),
                ];
                D::execute(&mut tx, UPSERT_ENTRY, &args).await?;
            }
            None => {
                let args = [Arg::Text(&account), Arg::Text(&key), name];
                D::execute(&mut tx, DELETE_ENTRY, &args).await?;
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
    D::commit(tx).await
}
