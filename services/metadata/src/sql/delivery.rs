//! LMTP delivery (RFC 2033): resolving `local[+detail]@domain` to an account
//! that may receive mail, and storing one recipient's copy of a message.
//!
//! Resolution reuses the admin side's address lookup (accounts, then
//! aliases); the full local part is tried first, so an account whose name
//! holds the delimiter still receives its mail, then the part before the
//! first `+`. Each recipient's copy is one `messages::append` transaction, so
//! its quota is checked and charged with the insert and one recipient over
//! quota never blocks the others.

use mailkeep_common::mail::{
    DeliveredMessage, NewMessageMeta, RECIPIENT_DELIMITER, RecipientDelivery, ResolvedRecipient,
};
use mailkeep_common::{AccountId, MailboxId};

use super::admin::aliases;
use super::driver::{Arg, Driver, fetch_one, fetch_optional};
use super::messages;
use super::rows::mailbox_by_name;
use crate::error::StoreError;
use crate::model::Account;

/// Recipients one `deliver` call may carry (RFC 5321 §4.5.3.1.8 asks for at
/// least 100; MTAs batch far fewer per LMTP transaction).
pub const MAX_DELIVERY_RECIPIENTS: usize = 1_000;
/// Largest per-recipient header prefix (a few header lines).
pub const MAX_PREFIX_BYTES: usize = 16 * 1024;

/// The folder of that name, exact match first, then case-insensitive.
const FOLDER_BY_DETAIL: &str = "SELECT id FROM mailboxes WHERE account_id = $1 \
    AND (name = $2 OR lower(name) = lower($2)) \
    ORDER BY CASE WHEN name = $2 THEN 0 ELSE 1 END, name LIMIT 1";

const TENANT_STATE: &str = "SELECT t.status, t.quota_bytes, t.quota_messages, u.bytes, \
    u.messages FROM tenants t JOIN tenant_usage u ON u.tenant_id = t.id WHERE t.id = $1";

pub async fn resolve_recipient<D: Driver>(
    driver: &D,
    address: &str,
) -> Result<ResolvedRecipient, StoreError> {
    let (local_part, domain) = address
        .rsplit_once('@')
        .ok_or_else(|| StoreError::InvalidArgument("address must be local@domain".into()))?;
    let (account, detail) = match local_part.split_once(RECIPIENT_DELIMITER) {
        None => (aliases::resolve(driver, address).await?.0, None),
        Some((base, detail)) => match aliases::resolve(driver, address).await {
            Ok((account, _)) => (account, None),
            Err(StoreError::NotFound(_)) => {
                let base_address = format!("{base}@{domain}");
                let (account, _) = aliases::resolve(driver, &base_address).await?;
                (account, Some(detail.to_owned()).filter(|d| !d.is_empty()))
            }
            Err(other) => return Err(other),
        },
    };
    check_receivable(driver, &account).await?;
    Ok(ResolvedRecipient {
        account_id: account.id,
        tenant_id: account.tenant_id,
        detail,
    })
}

/// Whether `used` already reached a non-zero `quota`.
fn at_quota(used: u64, quota: u64) -> bool {
    quota > 0 && used >= quota
}

/// `PermissionDenied` unless the account and its tenant are active,
/// `OverQuota` when either is already full.
async fn check_receivable<D: Driver>(driver: &D, account: &Account) -> Result<(), StoreError> {
    if account.status != "active" {
        return Err(StoreError::PermissionDenied("account is not active"));
    }
    if at_quota(account.used_bytes, account.quota_bytes)
        || at_quota(account.used_messages, account.quota_messages)
    {
        return Err(StoreError::OverQuota);
    }
    let mut tx = driver.begin_read().await?;
    let tenant = account.tenant_id.to_string();
    let row = fetch_one::<D>(&mut tx, TENANT_STATE, &[Arg::Text(&tenant)]).await?;
    D::commit(tx).await?;
    if row.text(0)? != "active" {
        return Err(StoreError::PermissionDenied("tenant is not active"));
    }
    if at_quota(row.u64(3)?, row.u64(1)?) || at_quota(row.u64(4)?, row.u64(2)?) {
        return Err(StoreError::OverQuota);
    }
    Ok(())
}

pub async fn deliver<D: Driver>(
    driver: &D,
    deliveries: Vec<RecipientDelivery>,
) -> Vec<Result<DeliveredMessage, StoreError>> {
    if deliveries.len() > MAX_DELIVERY_RECIPIENTS {
        return deliveries
            .iter()
            .map(|_| Err(StoreError::Limit("too many recipients in one delivery")))
            .collect();
    }
    let mut results = Vec::with_capacity(deliveries.len());
    for delivery in deliveries {
        results.push(deliver_one(driver, delivery).await);
    }
    results
}

async fn deliver_one<D: Driver>(
    driver: &D,
    delivery: RecipientDelivery,
) -> Result<DeliveredMessage, StoreError> {
    let RecipientDelivery {
        account_id,
        detail,
        message,
    } = delivery;
    if message.prefix.len() > MAX_PREFIX_BYTES {
        return Err(StoreError::Limit("delivery prefix too large"));
    }
    if (message.prefix.len() as u64) > message.size {
        return Err(StoreError::InvalidArgument(
            "size must count the prefix".into(),
        ));
    }
    let (folder, inbox) = target_mailboxes(driver, account_id, detail.as_deref()).await?;
    match folder {
        // The folder may vanish before the append: INBOX takes the message.
        Some(folder) => match append_one(driver, account_id, folder, message.clone()).await {
            Err(StoreError::NotFound("mailbox")) => {
                append_one(driver, account_id, inbox, message).await
            }
            landed => landed,
        },
        None => append_one(driver, account_id, inbox, message).await,
    }
}

/// The `detail` folder when it exists, and INBOX.
async fn target_mailboxes<D: Driver>(
    driver: &D,
    account: AccountId,
    detail: Option<&str>,
) -> Result<(Option<MailboxId>, MailboxId), StoreError> {
    let mut tx = driver.begin_read().await?;
    let folder = match detail {
        Some(detail) => {
            let account_text = account.to_string();
            fetch_optional::<D>(
                &mut tx,
                FOLDER_BY_DETAIL,
                &[Arg::Text(&account_text), Arg::Text(detail)],
            )
            .await?
            .map(|row| row.parse::<MailboxId>(0))
            .transpose()?
        }
        None => None,
    };
    let inbox = mailbox_by_name::<D>(&mut tx, account, "INBOX")
        .await?
        .info
        .id;
    D::commit(tx).await?;
    Ok((folder, inbox))
}

async fn append_one<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
    message: NewMessageMeta,
) -> Result<DeliveredMessage, StoreError> {
    let outcome = messages::append(driver, account, mailbox, vec![message]).await?;
    let uid = outcome
        .uids
        .first()
        .copied()
        .ok_or_else(|| StoreError::Corrupt("append returned no uid".into()))?;
    Ok(DeliveredMessage {
        mailbox_id: mailbox,
        uidvalidity: outcome.uidvalidity,
        uid,
        modseq: outcome.modseq,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_zero_is_unlimited_and_full_means_at_or_over() {
        assert!(!at_quota(10, 0));
        assert!(!at_quota(9, 10));
        assert!(at_quota(10, 10));
        assert!(at_quota(11, 10));
    }
}
