//! The endpoint handlers: validate and normalise input at the edge, make one
//! metadata call, map its answer. Passwords are passed through to the
//! metadata service (which hashes them) and never logged or echoed.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use mailkeep_proto::metadata::v1 as pb;
use serde::de::DeserializeOwned;

use crate::AdminState;
use crate::error::{AdminError, ErrorBody};
use crate::model::{
    AccountResponse, CreateAccountRequest, CreateTenantRequest, JsonBody, TenantResponse,
};
use crate::validate;

/// Path parameters whose rejection is a JSON [`AdminError`].
pub struct PathParams<T>(pub T);

impl<T, S> FromRequestParts<S> for PathParams<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AdminError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| PathParams(value))
            .map_err(|rejection| AdminError::InvalidInput(rejection.body_text()))
    }
}

/// Creates a tenant.
#[utoipa::path(
    post, path = "/v1/tenants", tag = "tenants",
    request_body = CreateTenantRequest,
    responses(
        (status = 201, description = "tenant created", body = TenantResponse),
        (status = 400, description = "invalid domain", body = ErrorBody),
        (status = 401, description = "missing or wrong token", body = ErrorBody),
        (status = 409, description = "the domain exists", body = ErrorBody),
        (status = 422, description = "body of the wrong shape", body = ErrorBody),
        (status = 503, description = "metadata service unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_tenant(
    State(state): State<AdminState>,
    JsonBody(request): JsonBody<CreateTenantRequest>,
) -> Result<(StatusCode, Json<TenantResponse>), AdminError> {
    let domain = validate::domain(&request.domain)?;
    let tenant = state
        .metadata
        .clone()
        .create_tenant(pb::CreateTenantRequest {
            domain: domain.clone(),
        })
        .await
        .map_err(|status| AdminError::from_status(&status))?
        .into_inner();
    tracing::info!(domain = %domain, tenant = %tenant.id, "tenant created");
    Ok((StatusCode::CREATED, Json(tenant.into())))
}

/// Reads a tenant.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}", tag = "tenants",
    params(("domain" = String, Path, description = "the tenant's mail domain")),
    responses(
        (status = 200, description = "the tenant", body = TenantResponse),
        (status = 400, description = "invalid domain", body = ErrorBody),
        (status = 401, description = "missing or wrong token", body = ErrorBody),
        (status = 404, description = "no such tenant", body = ErrorBody),
        (status = 503, description = "metadata service unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_tenant(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
) -> Result<Json<TenantResponse>, AdminError> {
    let domain = validate::domain(&domain)?;
    let tenant = state
        .metadata
        .clone()
        .get_tenant(pb::GetTenantRequest { domain })
        .await
        .map_err(|status| AdminError::from_status(&status))?
        .into_inner();
    Ok(Json(tenant.into()))
}

/// Creates an account in a tenant.
#[utoipa::path(
    post, path = "/v1/tenants/{domain}/accounts", tag = "accounts",
    params(("domain" = String, Path, description = "the tenant's mail domain")),
    request_body = CreateAccountRequest,
    responses(
        (status = 201, description = "account created", body = AccountResponse),
        (status = 400, description = "invalid local part or password", body = ErrorBody),
        (status = 401, description = "missing or wrong token", body = ErrorBody),
        (status = 404, description = "no such tenant", body = ErrorBody),
        (status = 409, description = "the account exists", body = ErrorBody),
        (status = 422, description = "body of the wrong shape", body = ErrorBody),
        (status = 503, description = "metadata service unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_account(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
    JsonBody(request): JsonBody<CreateAccountRequest>,
) -> Result<(StatusCode, Json<AccountResponse>), AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&request.local_part)?;
    validate::password(&request.password)?;
    let account = state
        .metadata
        .clone()
        .create_account(pb::CreateAccountRequest {
            domain,
            local_part,
            password: request.password,
            quota_bytes: request.quota_bytes.unwrap_or(0),
            quota_messages: request.quota_messages.unwrap_or(0),
        })
        .await
        .map_err(|status| AdminError::from_status(&status))?
        .into_inner();
    tracing::info!(
        account = %account.id,
        local_part = %account.local_part,
        domain = %account.domain,
        "account created"
    );
    Ok((StatusCode::CREATED, Json(account.into())))
}

/// Reads an account and its usage.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts/{local_part}", tag = "accounts",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses(
        (status = 200, description = "the account", body = AccountResponse),
        (status = 400, description = "invalid domain or local part", body = ErrorBody),
        (status = 401, description = "missing or wrong token", body = ErrorBody),
        (status = 404, description = "no such tenant or account", body = ErrorBody),
        (status = 503, description = "metadata service unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn get_account(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<Json<AccountResponse>, AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&local_part)?;
    let account = state
        .metadata
        .clone()
        .get_account(pb::GetAccountRequest { domain, local_part })
        .await
        .map_err(|status| AdminError::from_status(&status))?
        .into_inner();
    Ok(Json(account.into()))
}

/// Deletes an account and its mail.
#[utoipa::path(
    delete, path = "/v1/tenants/{domain}/accounts/{local_part}", tag = "accounts",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses(
        (status = 204, description = "account deleted"),
        (status = 400, description = "invalid domain or local part", body = ErrorBody),
        (status = 401, description = "missing or wrong token", body = ErrorBody),
        (status = 404, description = "no such tenant or account", body = ErrorBody),
        (status = 503, description = "metadata service unavailable", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn delete_account(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<StatusCode, AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&local_part)?;
    state
        .metadata
        .clone()
        .delete_account(pb::DeleteAccountRequest {
            domain: domain.clone(),
            local_part: local_part.clone(),
        })
        .await
        .map_err(|status| AdminError::from_status(&status))?;
    tracing::info!(local_part = %local_part, domain = %domain, "account deleted");
    Ok(StatusCode::NO_CONTENT)
}
