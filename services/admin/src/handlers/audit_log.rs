//! `GET /v1/audit`: the audit log, newest first, with filters and cursor
//! pagination. A tenant-admin token sees only its own tenant's entries,
//! whatever `tenant` it asks for.

use axum::extract::State;
use axum::{Extension, Json};
use mailkeep_proto::metadata::v1 as pb;

use super::answer;
use crate::AdminState;
use crate::auth::{Principal, Role};
use crate::error::AdminError;
use crate::extract::QueryParams;
use crate::model::{AuditFilter, AuditList, PageQuery, next_cursor};
use crate::validate;

/// Queries the audit log.
#[utoipa::path(
    get, path = "/v1/audit", tag = "audit",
    params(PageQuery, AuditFilter),
    responses((status = 200, description = "one page of entries, newest first", body = AuditList)),
    security(("bearer" = []))
)]
pub async fn list_audit(
    State(state): State<AdminState>,
    Extension(principal): Extension<Principal>,
    QueryParams(page): QueryParams<PageQuery>,
    QueryParams(filter): QueryParams<AuditFilter>,
) -> Result<Json<AuditList>, AdminError> {
    let tenant = match (&principal.role, filter.tenant) {
        (Role::TenantAdmin(own), _) => own.clone(),
        (_, Some(tenant)) => validate::domain(&tenant)?,
        (_, None) => String::new(),
    };
    let list = answer(
        state
            .admin_client()
            .list_audit(pb::ListAuditRequest {
                limit: validate::page_limit(page.limit)?,
                cursor: validate::text("cursor", page.cursor)?,
                tenant_domain: tenant,
                actor: validate::text("actor", filter.actor)?,
                action: validate::text("action", filter.action)?,
                since: filter.since.unwrap_or(0).max(0),
                until: filter.until.unwrap_or(0).max(0),
            })
            .await,
    )?;
    Ok(Json(AuditList {
        items: list.entries.into_iter().map(Into::into).collect(),
        next_cursor: next_cursor(list.next_cursor),
    }))
}
