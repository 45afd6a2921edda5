//! Step two of a tenant's deletion: the purge, in small transactions. Each
//! step takes the oldest running purge (locking its row, so two workers on
//! two pods take turns), then deletes one batch of messages of one account,
//! or the emptied account, or finally the emptied tenant, and records the
//! progress in `tenant_purges`. Everything lives in the database, so a
//! restarted worker resumes where the last committed step stopped.

use crate::admin::TenantPurge;
use crate::error::StoreError;
use crate::sql::accounts::delete_account_rows;
use crate::sql::driver::{Arg, Driver, Row, fetch_optional};
use crate::sql::rows::{charge, now, to_i64};
use crate::sql::validate::normalize_domain;

/// The latest purge of `domain` with what remains of the tenant.
pub async fn purge_progress<D: Driver>(
    tx: &mut D::Tx,
    domain: &str,
) -> Result<TenantPurge, StoreError> {
    let domain = normalize_domain(domain)?;
    let row = fetch_optional::<D>(
        tx,
        "SELECT p.tenant_id, p.domain, p.state, p.accounts_removed, p.messages_removed, \
         p.started_at, p.finished_at, \
         (SELECT CAST(COUNT(*) AS BIGINT) FROM accounts a WHERE a.tenant_id = p.tenant_id), \
         COALESCE((SELECT tu.messages FROM tenant_usage tu WHERE tu.tenant_id = p.tenant_id), 0) \
         FROM tenant_purges p WHERE p.domain = $1 \
         ORDER BY p.started_at DESC, p.tenant_id LIMIT 1",
        &[Arg::Text(&domain)],
    )
    .await?
    .ok_or(StoreError::NotFound("tenant purge"))?;
    purge_from_row(&row)
}

fn purge_from_row(row: &Row) -> Result<TenantPurge, StoreError> {
    Ok(TenantPurge {
        tenant_id: row.text(0)?,
        domain: row.text(1)?,
        state: row.text(2)?,
        accounts_removed: row.u64(3)?,
        messages_removed: row.u64(4)?,
        started_at: row.int(5)?,
        finished_at: row.int(6)?,
        accounts_remaining: row.u64(7)?,
        messages_remaining: row.u64(8)?,
    })
}

pub async fn get<D: Driver>(driver: &D, domain: &str) -> Result<TenantPurge, StoreError> {
    let mut tx = driver.begin_read().await?;
    purge_progress::<D>(&mut tx, domain).await
}

/// One step of the oldest running purge; `false` when none is running.
pub async fn step<D: Driver>(driver: &D, batch: usize) -> Result<bool, StoreError> {
    let batch = to_i64(batch.max(1) as u64, "batch")?;
    let mut tx = driver.begin_write().await?;
    let Some(purge) = fetch_optional::<D>(
        &mut tx,
        "UPDATE tenant_purges SET state = state WHERE state = 'running' AND tenant_id = \
         (SELECT tenant_id FROM tenant_purges WHERE state = 'running' \
          ORDER BY started_at, tenant_id LIMIT 1) RETURNING tenant_id, domain",
        &[],
    )
    .await?
    else {
        return Ok(false);
    };
    let (tenant, domain) = (purge.text(0)?, purge.text(1)?);
    let account = fetch_optional::<D>(
        &mut tx,
        "SELECT id FROM accounts WHERE tenant_id = $1 ORDER BY id LIMIT 1",
        &[Arg::Text(&tenant)],
    )
    .await?;
    match account {
        Some(account) => {
            purge_account_batch::<D>(&mut tx, &tenant, &account.text(0)?, batch).await?
        }
        None => finish::<D>(&mut tx, &tenant, &domain).await?,
    }
    D::commit(tx).await?;
    Ok(true)
}

/// Deletes up to `batch` messages of the account, or the account itself
/// once it holds none.
async fn purge_account_batch<D: Driver>(
    tx: &mut D::Tx,
    tenant: &str,
    account: &str,
    batch: i64,
) -> Result<(), StoreError> {
    let sizes = D::fetch_all(
        tx,
        "DELETE FROM messages WHERE account_id = $1 AND (mailbox_id, uid) IN \
         (SELECT mailbox_id, uid FROM messages WHERE account_id = $1 LIMIT $2) RETURNING size",
        &[Arg::Text(account), Arg::Int(batch)],
    )
    .await?;
    if sizes.is_empty() {
        delete_account_rows::<D>(tx, account).await?;
        D::execute(
            tx,
            "UPDATE tenant_purges SET accounts_removed = accounts_removed + 1 \
             WHERE tenant_id = $1",
            &[Arg::Text(tenant)],
        )
        .await?;
        return Ok(());
    }
    let bytes = sizes.iter().map(|row| row.int(0)).sum::<Result<i64, _>>()?;
    let count = to_i64(sizes.len() as u64, "count")?;
    charge::<D>(tx, account.parse()?, -bytes, -count).await?;
    D::execute(
        tx,
        "UPDATE tenant_purges SET messages_removed = messages_removed + $2 WHERE tenant_id = $1",
        &[Arg::Text(tenant), Arg::Int(count)],
    )
    .await?;
    Ok(())
}

/// Removes the emptied tenant, revokes its tenant-admin tokens and marks the
/// purge done.
async fn finish<D: Driver>(tx: &mut D::Tx, tenant: &str, domain: &str) -> Result<(), StoreError> {
    let now = now();
    D::execute(
        tx,
        "UPDATE api_tokens SET revoked_at = $2 WHERE tenant_domain = $1 AND revoked_at = 0",
        &[Arg::Text(domain), Arg::Int(now)],
    )
    .await?;
    D::execute(
        tx,
        "DELETE FROM tenant_usage WHERE tenant_id = $1",
        &[Arg::Text(tenant)],
    )
    .await?;
    D::execute(
        tx,
        "DELETE FROM tenants WHERE id = $1",
        &[Arg::Text(tenant)],
    )
    .await?;
    D::execute(
        tx,
        "UPDATE tenant_purges SET state = 'done', finished_at = $2 WHERE tenant_id = $1",
        &[Arg::Text(tenant), Arg::Int(now)],
    )
    .await?;
    tracing::info!(tenant = %tenant, domain = %domain, "tenant purge finished");
    Ok(())
}
