//! Aliases: extra local parts of a tenant that deliver to one of its
//! accounts, and address resolution for delivery. An alias never equals an
//! account's local part: creation locks the tenant row, as account creation
//! does, so the check and the insert cannot interleave with either.

use crate::admin::{Alias, ListFilter, Page};
use crate::error::StoreError;
use crate::model::Account;
use crate::sql::accounts::{
    account_from_row, already_exists, find_account, lock_tenant, require_account, require_tenant_id,
};
use crate::sql::driver::{Arg, Driver, Row, fetch_optional};
use crate::sql::rows::now;
use crate::sql::validate::{check_local_part, list_bounds, normalize_domain, page_from_rows};

pub async fn create<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
    target: &str,
) -> Result<Alias, StoreError> {
    let domain = normalize_domain(domain)?;
    check_local_part(local_part)?;
    let mut tx = driver.begin_write().await?;
    let (tenant, status, _, _) = lock_tenant::<D>(&mut tx, &domain).await?;
    if status == "deleting" {
        return Err(StoreError::Conflict("tenant is being deleted"));
    }
    if find_account::<D>(&mut tx, &domain, local_part)
        .await?
        .is_some()
    {
        return Err(StoreError::AlreadyExists("address"));
    }
    let account = require_account::<D>(&mut tx, &domain, target)
        .await?
        .text(0)?;
    let created_at = now();
    D::execute(
        &mut tx,
        "INSERT INTO aliases (tenant_id, local_part, account_id, created_at) \
         VALUES ($1, $2, $3, $4)",
        &[
            Arg::Text(&tenant),
            Arg::Text(local_part),
            Arg::Text(&account),
            Arg::Int(created_at),
        ],
    )
    .await
    .map_err(already_exists("address"))?;
    D::commit(tx).await?;
    Ok(Alias {
        domain,
        local_part: local_part.to_owned(),
        target_local_part: target.to_owned(),
        created_at,
    })
}

fn alias_from_row(row: &Row) -> Result<Alias, StoreError> {
    Ok(Alias {
        domain: row.text(0)?,
        local_part: row.text(1)?,
        target_local_part: row.text(2)?,
        created_at: row.int(3)?,
    })
}

pub async fn list<D: Driver>(
    driver: &D,
    domain: &str,
    filter: &ListFilter,
    target: &str,
) -> Result<Page<Alias>, StoreError> {
    let domain = normalize_domain(domain)?;
    let (limit, after) = list_bounds(filter)?;
    let mut tx = driver.begin_read().await?;
    require_tenant_id::<D>(&mut tx, &domain).await?;
    let rows = D::fetch_all(
        &mut tx,
        "SELECT t.domain, l.local_part, a.local_part, l.created_at FROM aliases l \
         JOIN tenants t ON t.id = l.tenant_id JOIN accounts a ON a.id = l.account_id \
         WHERE t.domain = $1 AND l.local_part > $2 AND ($3 = '' OR a.local_part = $3) \
         AND substr(l.local_part, 1, length($4)) = $4 ORDER BY l.local_part LIMIT $5",
        &[
            Arg::Text(&domain),
            Arg::Text(&after),
            Arg::Text(target),
            Arg::Text(&filter.prefix),
            Arg::Int(i64::from(limit) + 1),
        ],
    )
    .await?;
    page_from_rows(&rows, limit, alias_from_row, |item| item.local_part.clone())
}

pub async fn delete<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<(), StoreError> {
    let domain = normalize_domain(domain)?;
    let mut tx = driver.begin_write().await?;
    let removed = D::execute(
        &mut tx,
        "DELETE FROM aliases WHERE local_part = $2 \
         AND tenant_id = (SELECT id FROM tenants WHERE domain = $1)",
        &[Arg::Text(&domain), Arg::Text(local_part)],
    )
    .await?;
    if removed == 0 {
        return Err(StoreError::NotFound("alias"));
    }
    D::commit(tx).await
}

/// `local@domain` to its account: the account of that local part, else the
/// account an alias of that local part delivers to.
pub async fn resolve<D: Driver>(
    driver: &D,
    address: &str,
) -> Result<(Account, Option<String>), StoreError> {
    let (local_part, domain) = address
        .rsplit_once('@')
        .ok_or_else(|| StoreError::InvalidArgument("address must be local@domain".into()))?;
    check_local_part(local_part)?;
    let domain = normalize_domain(domain)?;
    let mut tx = driver.begin_read().await?;
    if let Some(row) = find_account::<D>(&mut tx, &domain, local_part).await? {
        return Ok((account_from_row(&row)?, None));
    }
    let target = fetch_optional::<D>(
        &mut tx,
        "SELECT a.local_part FROM aliases l JOIN tenants t ON t.id = l.tenant_id \
         JOIN accounts a ON a.id = l.account_id WHERE t.domain = $1 AND l.local_part = $2",
        &[Arg::Text(&domain), Arg::Text(local_part)],
    )
    .await?
    .ok_or(StoreError::NotFound("address"))?
    .text(0)?;
    let row = require_account::<D>(&mut tx, &domain, &target).await?;
    Ok((account_from_row(&row)?, Some(local_part.to_owned())))
}
