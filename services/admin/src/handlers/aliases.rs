//! `/v1/tenants/{domain}/aliases`: extra addresses of a tenant that deliver
//! to one of its accounts. `PUT` is idempotent: repeating it with the same
//! target answers 200, a different target is a 409.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mailkeep_common::ErrorCode;
use mailkeep_proto::metadata::v1 as pb;

use super::answer;
use crate::AdminState;
use crate::error::{AdminError, ErrorBody};
use crate::extract::{JsonBody, PathParams, QueryParams};
use crate::model::{
    AliasFilter, AliasList, AliasResponse, PageQuery, PutAliasRequest, next_cursor,
};
use crate::validate;

/// Reads the alias `local_part` of `domain`.
async fn find_alias(
    state: &AdminState,
    domain: &str,
    local_part: &str,
) -> Result<AliasResponse, AdminError> {
    let list = answer(
        state
            .admin_client()
            .list_aliases(pb::ListAliasesRequest {
                domain: domain.to_owned(),
                limit: 1,
                cursor: String::new(),
                local_part_prefix: local_part.to_owned(),
                target_local_part: String::new(),
            })
            .await,
    )?;
    list.aliases
        .into_iter()
        .find(|alias| alias.local_part == local_part)
        .map(Into::into)
        .ok_or_else(|| AdminError::Metadata {
            code: ErrorCode::NotFound,
            message: format!("no alias {local_part}@{domain}"),
        })
}

/// Lists a tenant's aliases.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/aliases", tag = "aliases",
    params(("domain" = String, Path, description = "the tenant's mail domain"), PageQuery, AliasFilter),
    responses((status = 200, description = "one page of aliases", body = AliasList)),
    security(("bearer" = []))
)]
pub async fn list_aliases(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
    QueryParams(page): QueryParams<PageQuery>,
    QueryParams(filter): QueryParams<AliasFilter>,
) -> Result<Json<AliasList>, AdminError> {
    let target = match filter.target {
        Some(target) => validate::local_part(&target)?,
        None => String::new(),
    };
    let list = answer(
        state
            .admin_client()
            .list_aliases(pb::ListAliasesRequest {
                domain: validate::domain(&domain)?,
                limit: validate::page_limit(page.limit)?,
                cursor: validate::text("cursor", page.cursor)?,
                local_part_prefix: validate::text("prefix", filter.prefix)?.to_ascii_lowercase(),
                target_local_part: target,
            })
            .await,
    )?;
    Ok(Json(AliasList {
        items: list.aliases.into_iter().map(Into::into).collect(),
        next_cursor: next_cursor(list.next_cursor),
    }))
}

/// Reads one alias.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/aliases/{alias}", tag = "aliases",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("alias" = String, Path, description = "the alias local part"),
    ),
    responses((status = 200, description = "the alias", body = AliasResponse)),
    security(("bearer" = []))
)]
pub async fn get_alias(
    State(state): State<AdminState>,
    PathParams((domain, alias)): PathParams<(String, String)>,
) -> Result<Json<AliasResponse>, AdminError> {
    let domain = validate::domain(&domain)?;
    let alias = validate::local_part(&alias)?;
    find_alias(&state, &domain, &alias).await.map(Json)
}

/// Creates an alias, or confirms an identical one.
#[utoipa::path(
    put, path = "/v1/tenants/{domain}/aliases/{alias}", tag = "aliases",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("alias" = String, Path, description = "the alias local part"),
    ),
    request_body = PutAliasRequest,
    responses(
        (status = 201, description = "alias created", body = AliasResponse),
        (status = 200, description = "the same alias existed already", body = AliasResponse),
        (status = 409, description = "the address is taken by an account or another alias", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn put_alias(
    State(state): State<AdminState>,
    PathParams((domain, alias)): PathParams<(String, String)>,
    JsonBody(request): JsonBody<PutAliasRequest>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&domain)?;
    let alias = validate::local_part(&alias)?;
    let target = validate::local_part(&request.target)?;
    let created = state
        .admin_client()
        .create_alias(pb::CreateAliasRequest {
            domain: domain.clone(),
            local_part: alias.clone(),
            target_local_part: target.clone(),
        })
        .await;
    match answer(created) {
        Ok(created) => {
            Ok((StatusCode::CREATED, Json(AliasResponse::from(created))).into_response())
        }
        Err(error) if error.code() == ErrorCode::AlreadyExists => {
            match find_alias(&state, &domain, &alias).await {
                Ok(existing) if existing.target == target => Ok(Json(existing).into_response()),
                _ => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

/// Deletes an alias.
#[utoipa::path(
    delete, path = "/v1/tenants/{domain}/aliases/{alias}", tag = "aliases",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("alias" = String, Path, description = "the alias local part"),
    ),
    responses((status = 204, description = "alias deleted")),
    security(("bearer" = []))
)]
pub async fn delete_alias(
    State(state): State<AdminState>,
    PathParams((domain, alias)): PathParams<(String, String)>,
) -> Result<StatusCode, AdminError> {
    answer(
        state
            .admin_client()
            .delete_alias(pb::DeleteAliasRequest {
                domain: validate::domain(&domain)?,
                local_part: validate::local_part(&alias)?,
            })
            .await,
    )?;
    Ok(StatusCode::NO_CONTENT)
}
