//! `/v1/tokens`: named API tokens with a role (admin, tenant-admin of one
//! tenant, read-only), stored hashed by the metadata service; the secret is
//! in the create answer only. Admin role only (see [`crate::access`]).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use mailkeep_proto::metadata::v1 as pb;

use super::{answer, created};
use crate::AdminState;
use crate::error::{AdminError, ErrorBody};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::model::{
    CreateTokenRequest, PageQuery, TokenFilter, TokenList, TokenResponse, TokenRole, next_cursor,
};
use crate::validate;

/// Creates an API token; the answer holds its secret, shown once.
#[utoipa::path(
    post, path = "/v1/tokens", tag = "tokens",
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "created; `secret` is shown once", body = TokenResponse),
        (status = 409, description = "a token has that name", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_token(
    State(state): State<AdminState>,
    JsonBody(request): JsonBody<CreateTokenRequest>,
) -> Result<Response, AdminError> {
    let tenant = match (request.role, request.tenant) {
        (TokenRole::TenantAdmin, Some(tenant)) => validate::domain(&tenant)?,
        (TokenRole::TenantAdmin, None) => {
            return Err(AdminError::InvalidInput(
                "a tenant-admin token needs a tenant".to_owned(),
            ));
        }
        (_, Some(_)) => {
            return Err(AdminError::InvalidInput(
                "only a tenant-admin token has a tenant".to_owned(),
            ));
        }
        (_, None) => String::new(),
    };
    let name = validate::name(&request.name)?;
    let token = answer(
        state
            .admin_client()
            .create_api_token(pb::CreateApiTokenRequest {
                name: name.clone(),
                role: request.role.as_str().to_owned(),
                tenant_domain: tenant,
                expires_at: request.expires_at.unwrap_or(0),
            })
            .await,
    )?;
    tracing::info!(name = %name, role = request.role.as_str(), "api token created");
    Ok(created(name, None, TokenResponse::from(token)))
}

/// Lists API tokens (never their secrets).
#[utoipa::path(
    get, path = "/v1/tokens", tag = "tokens",
    params(PageQuery, TokenFilter),
    responses((status = 200, description = "one page of tokens", body = TokenList)),
    security(("bearer" = []))
)]
pub async fn list_tokens(
    State(state): State<AdminState>,
    QueryParams(page): QueryParams<PageQuery>,
    QueryParams(filter): QueryParams<TokenFilter>,
) -> Result<Json<TokenList>, AdminError> {
    let tenant = filter
        .tenant
        .map(|tenant| validate::domain(&tenant))
        .transpose()?
        .unwrap_or_default();
    let list = answer(
        state
            .admin_client()
            .list_api_tokens(pb::ListApiTokensRequest {
                limit: validate::page_limit(page.limit)?,
                cursor: validate::text("cursor", page.cursor)?,
                tenant_domain: tenant,
                include_revoked: filter.include_revoked.unwrap_or(false),
            })
            .await,
    )?;
    Ok(Json(TokenList {
        items: list.tokens.into_iter().map(Into::into).collect(),
        next_cursor: next_cursor(list.next_cursor),
    }))
}

/// Revokes an API token at once.
#[utoipa::path(
    delete, path = "/v1/tokens/{id}", tag = "tokens",
    params(("id" = String, Path, description = "the token id")),
    responses((status = 200, description = "the revoked token", body = TokenResponse)),
    security(("bearer" = []))
)]
pub async fn revoke_token(
    State(state): State<AdminState>,
    PathParams(id): PathParams<String>,
) -> Result<Json<TokenResponse>, AdminError> {
    let token = answer(
        state
            .admin_client()
            .revoke_api_token(pb::RevokeApiTokenRequest {
                id: validate::identifier(&id)?,
            })
            .await,
    )?;
    Ok(Json(token.into()))
}
