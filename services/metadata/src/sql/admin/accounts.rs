//! Account administration: listing with cursor pagination and filters,
//! updates under optimistic concurrency (password, status, quotas, display
//! name, app-passwords-only), and the read-only mailbox summaries support
//! staff look at.

use crate::admin::{AccountUpdate, ListFilter, MailboxSummary, Page};
use crate::error::StoreError;
use crate::model::Account;
use crate::password;
use crate::sql::accounts::{
    PASSWORD_HASH_COLUMN, account_from_row, account_select, require_account, require_tenant_id,
};
use crate::sql::driver::{Arg, Driver};
use crate::sql::rows::{now, to_i64};
use crate::sql::validate::{
    check_display_name, check_password, check_settable_status, check_version, list_bounds,
    normalize_domain, page_from_rows,
};

pub async fn list<D: Driver>(
    driver: &D,
    domain: &str,
    filter: &ListFilter,
) -> Result<Page<Account>, StoreError> {
    let domain = normalize_domain(domain)?;
    let (limit, after) = list_bounds(filter)?;
    let mut tx = driver.begin_read().await?;
    require_tenant_id::<D>(&mut tx, &domain).await?;
    let rows = D::fetch_all(
        &mut tx,
        account_select!(
            "t.domain = $1 AND a.local_part > $2 AND ($3 = '' OR a.status = $3) \
             AND substr(a.local_part, 1, length($4)) = $4 ORDER BY a.local_part LIMIT $5"
        ),
        &[
            Arg::Text(&domain),
            Arg::Text(&after),
            Arg::Text(&filter.status),
            Arg::Text(&filter.prefix),
            Arg::Int(i64::from(limit) + 1),
        ],
    )
    .await?;
    page_from_rows(&rows, limit, account_from_row, |item| {
        item.local_part.clone()
    })
}

pub async fn update<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
    update: AccountUpdate,
) -> Result<Account, StoreError> {
    if let Some(status) = &update.status {
        check_settable_status(status)?;
    }
    if let Some(name) = &update.display_name {
        check_display_name(name)?;
    }
    // Hash before the transaction: it is slow on purpose.
    let password_hash = match update.password {
        Some(password) => {
            check_password(&password)?;
            Some(password::hash(password).await?)
        }
        None => None,
    };
    let mut tx = driver.begin_write().await?;
    let row = require_account::<D>(&mut tx, domain, local_part).await?;
    let id = row.text(0)?;
    // Lock the row, then re-read what the lock guarantees is current.
    D::execute(
        &mut tx,
        "UPDATE accounts SET version = version WHERE id = $1",
        &[Arg::Text(&id)],
    )
    .await?;
    let locked = require_account::<D>(&mut tx, domain, local_part).await?;
    let current = account_from_row(&locked)?;
    check_version(update.expected_version, current.version)?;
    let stored_hash = match password_hash {
        Some(hash) => hash,
        None => locked.text(PASSWORD_HASH_COLUMN)?,
    };
    let status = update.status.unwrap_or(current.status);
    let display_name = update.display_name.unwrap_or(current.display_name);
    let app_passwords_only = update
        .app_passwords_only
        .unwrap_or(current.app_passwords_only);
    D::execute(
        &mut tx,
        "UPDATE accounts SET password_hash = $2, status = $3, quota_bytes = $4, \
         quota_messages = $5, display_name = $6, app_passwords_only = $7, \
         version = version + 1, updated_at = $8 WHERE id = $1",
        &[
            Arg::Text(&id),
            Arg::Text(&stored_hash),
            Arg::Text(&status),
            Arg::Int(to_i64(
                update.quota_bytes.unwrap_or(current.quota_bytes),
                "quota_bytes",
            )?),
            Arg::Int(to_i64(
                update.quota_messages.unwrap_or(current.quota_messages),
                "quota_messages",
            )?),
            Arg::Text(&display_name),
            Arg::Int(i64::from(app_passwords_only)),
            Arg::Int(now()),
        ],
    )
    .await?;
    let account = account_from_row(&require_account::<D>(&mut tx, domain, local_part).await?)?;
    D::commit(tx).await?;
    Ok(account)
}

pub async fn mailbox_summaries<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<Vec<MailboxSummary>, StoreError> {
    let mut tx = driver.begin_read().await?;
    let account = require_account::<D>(&mut tx, domain, local_part)
        .await?
        .text(0)?;
    let rows = D::fetch_all(
        &mut tx,
        "SELECT m.id, m.name, m.special_use, m.uidvalidity, m.uid_next, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM messages x \
          WHERE x.account_id = m.account_id AND x.mailbox_id = m.id), \
         (SELECT CAST(COALESCE(SUM(x.size), 0) AS BIGINT) FROM messages x \
          WHERE x.account_id = m.account_id AND x.mailbox_id = m.id), \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM subscriptions s \
          WHERE s.account_id = m.account_id AND s.name = m.name) \
         FROM mailboxes m WHERE m.account_id = $1 ORDER BY m.name",
        &[Arg::Text(&account)],
    )
    .await?;
    rows.iter()
        .map(|row| {
            let special_use = row.text(2)?;
            Ok(MailboxSummary {
                id: row.parse(0)?,
                name: row.text(1)?,
                special_use: (!special_use.is_empty()).then_some(special_use),
                uidvalidity: row.u32(3)?,
                uid_next: row.u32(4)?,
                messages: row.u64(5)?,
                bytes: row.u64(6)?,
                subscribed: row.int(7)? > 0,
            })
        })
        .collect()
}
