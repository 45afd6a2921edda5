//! STATUS and LIST-STATUS (RFC 3501 §6.3.10, RFC 5819, RFC 8438 SIZE,
//! RFC 9208 DELETED-STORAGE): the
//! counters of one mailbox, or of many in one read transaction, counted
//! from the `messages` rows (no blob is read).

use mailkeep_common::AccountId;
use mailkeep_common::mail::{MailboxStatus, SystemFlags};

use super::driver::{Arg, Driver, fetch_one};
use super::rows::mailbox_by_name;
use crate::error::StoreError;
use crate::names;

pub async fn status<D: Driver>(
    driver: &D,
    account: AccountId,
    name: &str,
) -> Result<MailboxStatus, StoreError> {
    let name = names::normalize(name)?;
    let mut tx = driver.begin_read().await?;
    status_in::<D>(&mut tx, account, &name).await
}

/// Most names one LIST-STATUS call may ask about.
const MAX_STATUS_NAMES: usize = 10_000;

/// LIST-STATUS (RFC 5819): the status of every named mailbox that exists, in
/// request order, read in one transaction; missing or invalid names are
/// skipped.
pub async fn statuses<D: Driver>(
    driver: &D,
    account: AccountId,
    names: &[String],
) -> Result<Vec<MailboxStatus>, StoreError> {
    if names.len() > MAX_STATUS_NAMES {
        return Err(StoreError::Limit("too many mailboxes in one status call"));
    }
    let mut tx = driver.begin_read().await?;
    let mut statuses = Vec::with_capacity(names.len());
    for name in names {
        let Ok(name) = names::normalize(name) else {
            continue;
        };
        match status_in::<D>(&mut tx, account, &name).await {
            Ok(status) => statuses.push(status),
            Err(StoreError::NotFound(_)) => {}
            Err(error) => return Err(error),
        }
    }
    Ok(statuses)
}

async fn status_in<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    name: &str,
) -> Result<MailboxStatus, StoreError> {
    let mailbox = mailbox_by_name::<D>(tx, account, name).await?;
    let (account, id) = (account.to_string(), mailbox.info.id.to_string());
    let counts = fetch_one::<D>(
        tx,
        "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT), \
         COUNT(CASE WHEN (system_flags & $3) = 0 THEN 1 END), \
         COUNT(CASE WHEN uid >= $4 THEN 1 END), \
         COUNT(CASE WHEN (system_flags & $5) <> 0 THEN 1 END), \
         CAST(COALESCE(SUM(CASE WHEN (system_flags & $5) <> 0 THEN size END), 0) AS BIGINT) \
         FROM messages WHERE account_id = $1 AND mailbox_id = $2",
        &[
            Arg::Text(&account),
            Arg::Text(&id),
            Arg::Int(i64::from(SystemFlags::SEEN)),
            Arg::Int(i64::from(mailbox.recent_uid)),
            Arg::Int(i64::from(SystemFlags::DELETED)),
        ],
    )
    .await?;
    Ok(MailboxStatus {
        mailbox: mailbox.info,
        messages: counts.u32(0)?,
        size: counts.u64(1)?,
        unseen: counts.u32(2)?,
        recent: counts.u32(3)?,
        deleted: counts.u32(4)?,
        deleted_size: counts.u64(5)?,
    })
}
