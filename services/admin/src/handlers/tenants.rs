//! `/v1/tenants`: create, list, read, update and delete (a two-step purge
//! whose progress `GET /v1/tenants/{domain}/purge` reports).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mailkeep_proto::metadata::v1 as pb;

use super::{answer, created, tagged};
use crate::AdminState;
use crate::error::{AdminError, ErrorBody};
use crate::extract::{IfMatch, JsonBody, PathParams, QueryParams};
use crate::model::{
    CreateTenantRequest, PageQuery, TenantFilter, TenantList, TenantPurgeResponse, TenantResponse,
    UpdateTenantRequest, next_cursor,
};
use crate::validate;

/// Creates a tenant.
#[utoipa::path(
    post, path = "/v1/tenants", tag = "tenants",
    request_body = CreateTenantRequest,
    responses(
        (status = 201, description = "tenant created", body = TenantResponse),
        (status = 409, description = "the domain exists", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_tenant(
    State(state): State<AdminState>,
    JsonBody(request): JsonBody<CreateTenantRequest>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&request.domain)?;
    let tenant = answer(
        state
            .admin_client()
            .create_tenant(pb::AdminCreateTenantRequest {
                domain: domain.clone(),
                default_quota_bytes: validate::quota(request.default_quota_bytes)?,
                default_quota_messages: validate::quota(request.default_quota_messages)?,
                quota_bytes: validate::quota(request.quota_bytes)?,
                quota_messages: validate::quota(request.quota_messages)?,
            })
            .await,
    )?;
    tracing::info!(domain = %domain, tenant = %tenant.id, "tenant created");
    Ok(created(
        domain.clone(),
        Some(domain),
        TenantResponse::from(tenant),
    ))
}

/// Lists tenants, by domain.
#[utoipa::path(
    get, path = "/v1/tenants", tag = "tenants",
    params(PageQuery, TenantFilter),
    responses((status = 200, description = "one page of tenants", body = TenantList)),
    security(("bearer" = []))
)]
pub async fn list_tenants(
    State(state): State<AdminState>,
    QueryParams(page): QueryParams<PageQuery>,
    QueryParams(filter): QueryParams<TenantFilter>,
) -> Result<Json<TenantList>, AdminError> {
    let list = answer(
        state
            .admin_client()
            .list_tenants(pb::ListTenantsRequest {
                limit: validate::page_limit(page.limit)?,
                cursor: validate::text("cursor", page.cursor)?,
                status: validate::status_filter(
                    filter.status,
                    &["active", "suspended", "deleting"],
                )?,
                domain_prefix: validate::text("prefix", filter.prefix)?.to_ascii_lowercase(),
            })
            .await,
    )?;
    Ok(Json(TenantList {
        items: list.tenants.into_iter().map(Into::into).collect(),
        next_cursor: next_cursor(list.next_cursor),
    }))
}

/// Reads a tenant with its quotas and usage.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}", tag = "tenants",
    params(("domain" = String, Path, description = "the tenant's mail domain")),
    responses((status = 200, description = "the tenant; `ETag` names its version", body = TenantResponse)),
    security(("bearer" = []))
)]
pub async fn get_tenant(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&domain)?;
    let tenant = answer(
        state
            .admin_client()
            .get_tenant(pb::TenantRef { domain })
            .await,
    )?;
    Ok(tagged(tenant.version, TenantResponse::from(tenant)))
}

/// Changes a tenant's status or quotas. `If-Match` makes it conditional.
#[utoipa::path(
    patch, path = "/v1/tenants/{domain}", tag = "tenants",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("If-Match" = Option<String>, Header, description = "an `ETag` of this tenant"),
    ),
    request_body = UpdateTenantRequest,
    responses(
        (status = 200, description = "the updated tenant", body = TenantResponse),
        (status = 409, description = "the tenant is being deleted", body = ErrorBody),
        (status = 412, description = "the tenant changed since that ETag", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update_tenant(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
    IfMatch(expected_version): IfMatch,
    JsonBody(request): JsonBody<UpdateTenantRequest>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&domain)?;
    let quota = |value: Option<Option<u64>>| value.map(validate::quota).transpose();
    let tenant = answer(
        state
            .admin_client()
            .update_tenant(pb::UpdateTenantRequest {
                domain,
                expected_version,
                status: request.status.map(|status| status.as_str().to_owned()),
                default_quota_bytes: quota(request.default_quota_bytes)?,
                default_quota_messages: quota(request.default_quota_messages)?,
                quota_bytes: quota(request.quota_bytes)?,
                quota_messages: quota(request.quota_messages)?,
            })
            .await,
    )?;
    Ok(tagged(tenant.version, TenantResponse::from(tenant)))
}

/// Starts deleting a tenant: it is marked `deleting` at once (its accounts
/// can no longer log in) and a background job removes its data.
#[utoipa::path(
    delete, path = "/v1/tenants/{domain}", tag = "tenants",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("If-Match" = Option<String>, Header, description = "an `ETag` of this tenant"),
    ),
    responses(
        (status = 202, description = "purge started; poll `/purge` for progress", body = TenantPurgeResponse),
        (status = 412, description = "the tenant changed since that ETag", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn delete_tenant(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
    IfMatch(expected_version): IfMatch,
) -> Result<(StatusCode, Json<TenantPurgeResponse>), AdminError> {
    let domain = validate::domain(&domain)?;
    let purge = answer(
        state
            .admin_client()
            .delete_tenant(pb::DeleteTenantRequest {
                domain: domain.clone(),
                expected_version,
            })
            .await,
    )?;
    tracing::info!(domain = %domain, "tenant purge started");
    Ok((StatusCode::ACCEPTED, Json(purge.into())))
}

/// Progress of a tenant's purge.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/purge", tag = "tenants",
    params(("domain" = String, Path, description = "the tenant's mail domain")),
    responses((status = 200, description = "purge progress", body = TenantPurgeResponse)),
    security(("bearer" = []))
)]
pub async fn get_tenant_purge(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
) -> Result<Json<TenantPurgeResponse>, AdminError> {
    let domain = validate::domain(&domain)?;
    let purge = answer(
        state
            .admin_client()
            .get_tenant_purge(pb::TenantRef { domain })
            .await,
    )?;
    Ok(Json(purge.into()))
}
