//! Tenant administration: listing with cursor pagination and filters,
//! updates under optimistic concurrency (a `version` every update bumps),
//! and step one of deletion (mark `deleting`, record a running purge; the
//! purge itself is `purge`).

use crate::admin::{ListFilter, Page, TenantPurge, TenantUpdate};
use crate::error::StoreError;
use crate::model::Tenant;
use crate::sql::accounts::{find_tenant, tenant_from_row, tenant_select};
use crate::sql::driver::{Arg, Driver, fetch_optional};
use crate::sql::rows::{now, to_i64};
use crate::sql::validate::{
    check_settable_status, check_version, list_bounds, normalize_domain, page_from_rows,
};

use super::purge::purge_progress;

pub async fn list<D: Driver>(driver: &D, filter: &ListFilter) -> Result<Page<Tenant>, StoreError> {
    let (limit, after) = list_bounds(filter)?;
    let prefix = filter.prefix.trim().to_lowercase();
    let mut tx = driver.begin_read().await?;
    let rows = D::fetch_all(
        &mut tx,
        tenant_select!(
            "t.domain > $1 AND ($2 = '' OR t.status = $2) \
             AND substr(t.domain, 1, length($3)) = $3 ORDER BY t.domain LIMIT $4"
        ),
        &[
            Arg::Text(&after),
            Arg::Text(&filter.status),
            Arg::Text(&prefix),
            Arg::Int(i64::from(limit) + 1),
        ],
    )
    .await?;
    page_from_rows(&rows, limit, tenant_from_row, |item| item.domain.clone())
}

/// Locks the tenant row and returns it; `Conflict` when it is being deleted,
/// `PreconditionFailed` when `expected_version` is stale.
async fn lock_for_change<D: Driver>(
    tx: &mut D::Tx,
    domain: &str,
    expected_version: Option<i64>,
) -> Result<Tenant, StoreError> {
    let domain = normalize_domain(domain)?;
    fetch_optional::<D>(
        tx,
        "UPDATE tenants SET version = version WHERE domain = $1 RETURNING id",
        &[Arg::Text(&domain)],
    )
    .await?
    .ok_or(StoreError::NotFound("tenant"))?;
    let tenant = find_tenant::<D>(tx, &domain).await?;
    check_version(expected_version, tenant.version)?;
    if tenant.status == "deleting" {
        return Err(StoreError::Conflict("tenant is being deleted"));
    }
    Ok(tenant)
}

pub async fn update<D: Driver>(
    driver: &D,
    domain: &str,
    update: TenantUpdate,
) -> Result<Tenant, StoreError> {
    if let Some(status) = &update.status {
        check_settable_status(status)?;
    }
    let mut tx = driver.begin_write().await?;
    let current = lock_for_change::<D>(&mut tx, domain, update.expected_version).await?;
    let status = update.status.unwrap_or(current.status);
    let quota = |new: Option<u64>, old: u64, what| to_i64(new.unwrap_or(old), what);
    D::execute(
        &mut tx,
        "UPDATE tenants SET status = $2, default_quota_bytes = $3, default_quota_messages = $4, \
         quota_bytes = $5, quota_messages = $6, version = version + 1, updated_at = $7 \
         WHERE domain = $1",
        &[
            Arg::Text(&current.domain),
            Arg::Text(&status),
            Arg::Int(quota(
                update.default_quota_bytes,
                current.default_quota_bytes,
                "default_quota_bytes",
            )?),
            Arg::Int(quota(
                update.default_quota_messages,
                current.default_quota_messages,
                "default_quota_messages",
            )?),
            Arg::Int(quota(
                update.quota_bytes,
                current.quota_bytes,
                "quota_bytes",
            )?),
            Arg::Int(quota(
                update.quota_messages,
                current.quota_messages,
                "quota_messages",
            )?),
            Arg::Int(now()),
        ],
    )
    .await?;
    let tenant = find_tenant::<D>(&mut tx, &current.domain).await?;
    D::commit(tx).await?;
    Ok(tenant)
}

/// Step one of the purge. Deleting a tenant that is already being deleted
/// answers with the running purge (the call is idempotent).
pub async fn mark_deleting<D: Driver>(
    driver: &D,
    domain: &str,
    expected_version: Option<i64>,
) -> Result<TenantPurge, StoreError> {
    let mut tx = driver.begin_write().await?;
    let tenant = match lock_for_change::<D>(&mut tx, domain, expected_version).await {
        Err(StoreError::Conflict(_)) => {
            let tenant = find_tenant::<D>(&mut tx, domain).await?;
            return purge_progress::<D>(&mut tx, &tenant.domain).await;
        }
        other => other?,
    };
    let id = tenant.id.to_string();
    D::execute(
        &mut tx,
        "UPDATE tenants SET status = 'deleting', version = version + 1, updated_at = $2 \
         WHERE id = $1",
        &[Arg::Text(&id), Arg::Int(now())],
    )
    .await?;
    D::execute(
        &mut tx,
        "INSERT INTO tenant_purges (tenant_id, domain, state, started_at) \
         VALUES ($1, $2, 'running', $3)",
        &[Arg::Text(&id), Arg::Text(&tenant.domain), Arg::Int(now())],
    )
    .await?;
    let progress = purge_progress::<D>(&mut tx, &tenant.domain).await?;
    D::commit(tx).await?;
    Ok(progress)
}
