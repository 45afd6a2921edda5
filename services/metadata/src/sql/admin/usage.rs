//! Quota usage of accounts and tenants, and its recalculation: recounting
//! from the stored messages and fixing the counters (`usage` per account,
//! `tenant_usage` per tenant) in one transaction, under the same row locks
//! appends take, so a recount never races an append into a wrong total.

use crate::admin::Usage;
use crate::error::StoreError;
use crate::model::{Account, Tenant};
use crate::sql::accounts::{account_from_row, find_tenant, require_account};
use crate::sql::driver::{Arg, Driver};

pub fn of_account(account: &Account) -> Usage {
    Usage {
        quota_bytes: account.quota_bytes,
        quota_messages: account.quota_messages,
        used_bytes: account.used_bytes,
        used_messages: account.used_messages,
        accounts: 1,
    }
}

pub fn of_tenant(tenant: &Tenant) -> Usage {
    Usage {
        quota_bytes: tenant.quota_bytes,
        quota_messages: tenant.quota_messages,
        used_bytes: tenant.used_bytes,
        used_messages: tenant.used_messages,
        accounts: tenant.accounts,
    }
}

pub async fn account<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<Usage, StoreError> {
    let mut tx = driver.begin_read().await?;
    let row = require_account::<D>(&mut tx, domain, local_part).await?;
    Ok(of_account(&account_from_row(&row)?))
}

pub async fn tenant<D: Driver>(driver: &D, domain: &str) -> Result<Usage, StoreError> {
    let mut tx = driver.begin_read().await?;
    Ok(of_tenant(&find_tenant::<D>(&mut tx, domain).await?))
}

/// Sets the account's usage row to what its messages add up to.
async fn recount_account<D: Driver>(tx: &mut D::Tx, account: &str) -> Result<(), StoreError> {
    D::execute(
        tx,
        "UPDATE usage SET \
         bytes = (SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM messages WHERE account_id = $1), \
         messages = (SELECT CAST(COUNT(*) AS BIGINT) FROM messages WHERE account_id = $1) \
         WHERE account_id = $1",
        &[Arg::Text(account)],
    )
    .await?;
    Ok(())
}

/// Sets the tenant's counters to the sum of its accounts' usage rows.
async fn resum_tenant<D: Driver>(tx: &mut D::Tx, tenant: &str) -> Result<(), StoreError> {
    D::execute(
        tx,
        "UPDATE tenant_usage SET \
         bytes = (SELECT CAST(COALESCE(SUM(u.bytes), 0) AS BIGINT) FROM usage u \
                  JOIN accounts a ON a.id = u.account_id WHERE a.tenant_id = $1), \
         messages = (SELECT CAST(COALESCE(SUM(u.messages), 0) AS BIGINT) FROM usage u \
                     JOIN accounts a ON a.id = u.account_id WHERE a.tenant_id = $1) \
         WHERE tenant_id = $1",
        &[Arg::Text(tenant)],
    )
    .await?;
    Ok(())
}

pub async fn recalculate<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: Option<&str>,
) -> Result<(Usage, Usage), StoreError> {
    let mut tx = driver.begin_write().await?;
    let tenant = find_tenant::<D>(&mut tx, domain).await?;
    let tenant_id = tenant.id.to_string();
    let before = match local_part {
        Some(local_part) => {
            let row = require_account::<D>(&mut tx, &tenant.domain, local_part).await?;
            recount_account::<D>(&mut tx, &row.text(0)?).await?;
            of_account(&account_from_row(&row)?)
        }
        None => {
            let accounts = D::fetch_all(
                &mut tx,
                "SELECT id FROM accounts WHERE tenant_id = $1 ORDER BY id",
                &[Arg::Text(&tenant_id)],
            )
            .await?;
            for account in &accounts {
                recount_account::<D>(&mut tx, &account.text(0)?).await?;
            }
            of_tenant(&tenant)
        }
    };
    // Lock order: usage rows above, then the tenant's counters.
    resum_tenant::<D>(&mut tx, &tenant_id).await?;
    let after = match local_part {
        Some(local_part) => of_account(&account_from_row(
            &require_account::<D>(&mut tx, &tenant.domain, local_part).await?,
        )?),
        None => of_tenant(&find_tenant::<D>(&mut tx, &tenant.domain).await?),
    };
    D::commit(tx).await?;
    Ok((before, after))
}
