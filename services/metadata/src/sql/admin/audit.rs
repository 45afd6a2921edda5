//! The audit log of the admin API: one row per mutating call (who, what,
//! which tenant and target, from where, request id, result), append-only,
//! listed newest first with filters and a cursor on the row id. The record
//! type has no field for a secret, so none can be written.

use crate::admin::{AuditEntry, AuditFilter, AuditRecord, Page};
use crate::error::StoreError;
use crate::sql::driver::{Arg, Driver, Row, fetch_one};
use crate::sql::rows::now;
use crate::sql::validate::{check_audit_field, decode_cursor, page_from_rows, page_limit};

fn check_record(record: &AuditRecord) -> Result<(), StoreError> {
    if record.action.is_empty() {
        return Err(StoreError::InvalidArgument("audit action is empty".into()));
    }
    for (value, what) in [
        (&record.actor_id, "actor_id"),
        (&record.actor_name, "actor_name"),
        (&record.action, "action"),
        (&record.tenant_domain, "tenant_domain"),
        (&record.target, "target"),
        (&record.source_ip, "source_ip"),
        (&record.request_id, "request_id"),
    ] {
        check_audit_field(value, what)?;
    }
    if !(100..=599).contains(&record.result_code) {
        return Err(StoreError::InvalidArgument(
            "result_code must be an HTTP status".into(),
        ));
    }
    Ok(())
}

fn entry_from_row(row: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: row.int(0)?,
        at: row.int(1)?,
        record: AuditRecord {
            actor_id: row.text(2)?,
            actor_name: row.text(3)?,
            action: row.text(4)?,
            tenant_domain: row.text(5)?,
            target: row.text(6)?,
            source_ip: row.text(7)?,
            request_id: row.text(8)?,
            result_code: row.u32(9)?,
        },
    })
}

pub async fn record<D: Driver>(driver: &D, record: AuditRecord) -> Result<AuditEntry, StoreError> {
    check_record(&record)?;
    let at = now();
    let mut tx = driver.begin_write().await?;
    let row = fetch_one::<D>(
        &mut tx,
        "INSERT INTO audit_log (at, actor_id, actor_name, action, tenant_domain, target, \
         source_ip, request_id, result_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
        &[
            Arg::Int(at),
            Arg::Text(&record.actor_id),
            Arg::Text(&record.actor_name),
            Arg::Text(&record.action),
            Arg::Text(&record.tenant_domain),
            Arg::Text(&record.target),
            Arg::Text(&record.source_ip),
            Arg::Text(&record.request_id),
            Arg::Int(i64::from(record.result_code)),
        ],
    )
    .await?;
    D::commit(tx).await?;
    Ok(AuditEntry {
        id: row.int(0)?,
        at,
        record,
    })
}

pub async fn list<D: Driver>(
    driver: &D,
    filter: &AuditFilter,
) -> Result<Page<AuditEntry>, StoreError> {
    let limit = page_limit(filter.limit)?;
    for (value, what) in [
        (&filter.tenant_domain, "tenant_domain"),
        (&filter.actor, "actor"),
        (&filter.action, "action"),
    ] {
        check_audit_field(value, what)?;
    }
    let before = match decode_cursor(&filter.cursor)?.as_str() {
        "" => i64::MAX,
        id => id
            .parse()
            .map_err(|_| StoreError::InvalidArgument("malformed cursor".into()))?,
    };
    let until = if filter.until == 0 {
        i64::MAX
    } else {
        filter.until
    };
    let mut tx = driver.begin_read().await?;
    let rows = D::fetch_all(
        &mut tx,
        "SELECT id, at, actor_id, actor_name, action, tenant_domain, target, source_ip, \
         request_id, result_code FROM audit_log WHERE id < $1 \
         AND ($2 = '' OR tenant_domain = $2) AND ($3 = '' OR actor_id = $3 OR actor_name = $3) \
         AND ($4 = '' OR action = $4) AND at >= $5 AND at < $6 ORDER BY id DESC LIMIT $7",
        &[
            Arg::Int(before),
            Arg::Text(&filter.tenant_domain.to_lowercase()),
            Arg::Text(&filter.actor),
            Arg::Text(&filter.action),
            Arg::Int(filter.since),
            Arg::Int(until),
            Arg::Int(i64::from(limit) + 1),
        ],
    )
    .await?;
    page_from_rows(&rows, limit, entry_from_row, |item| item.id.to_string())
}
