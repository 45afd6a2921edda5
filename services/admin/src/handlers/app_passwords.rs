//! `/v1/tenants/{domain}/accounts/{local_part}/app-passwords`: create (the
//! secret is in that answer only), list, and delete, which revokes at once
//! on every pod because logins read the store each time.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use mailkeep_proto::metadata::v1 as pb;

use super::{answer, created};
use crate::AdminState;
use crate::error::{AdminError, ErrorBody};
use crate::extract::{JsonBody, PathParams};
use crate::model::{AppPasswordList, AppPasswordResponse, CreateAppPasswordRequest};
use crate::validate;

/// Creates an app password; the answer holds its secret, shown once.
#[utoipa::path(
    post, path = "/v1/tenants/{domain}/accounts/{local_part}/app-passwords", tag = "app-passwords",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    request_body = CreateAppPasswordRequest,
    responses(
        (status = 201, description = "created; `secret` is shown once", body = AppPasswordResponse),
        (status = 409, description = "the account has an app password of that name", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_app_password(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
    JsonBody(request): JsonBody<CreateAppPasswordRequest>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&local_part)?;
    let mut scopes: Vec<String> = Vec::new();
    for scope in request.scopes {
        let scope = scope.as_str().to_owned();
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    let password = answer(
        state
            .admin_client()
            .create_app_password(pb::CreateAppPasswordRequest {
                domain: domain.clone(),
                local_part: local_part.clone(),
                name: validate::name(&request.name)?,
                scopes,
            })
            .await,
    )?;
    let id = password
        .app_password
        .as_ref()
        .map(|password| password.id.clone())
        .unwrap_or_default();
    Ok(created(
        format!("{local_part}@{domain} {id}"),
        None,
        AppPasswordResponse::from(password),
    ))
}

/// Lists an account's app passwords (names, scopes, creation and last use).
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts/{local_part}/app-passwords", tag = "app-passwords",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses((status = 200, description = "the app passwords, without secrets", body = AppPasswordList)),
    security(("bearer" = []))
)]
pub async fn list_app_passwords(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<Json<AppPasswordList>, AdminError> {
    let list = answer(
        state
            .admin_client()
            .list_app_passwords(pb::AccountRef {
                domain: validate::domain(&domain)?,
                local_part: validate::local_part(&local_part)?,
            })
            .await,
    )?;
    Ok(Json(AppPasswordList {
        items: list.app_passwords.into_iter().map(Into::into).collect(),
    }))
}

/// Revokes an app password at once.
#[utoipa::path(
    delete, path = "/v1/tenants/{domain}/accounts/{local_part}/app-passwords/{id}", tag = "app-passwords",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
        ("id" = String, Path, description = "the app password id"),
    ),
    responses((status = 204, description = "revoked")),
    security(("bearer" = []))
)]
pub async fn delete_app_password(
    State(state): State<AdminState>,
    PathParams((domain, local_part, id)): PathParams<(String, String, String)>,
) -> Result<StatusCode, AdminError> {
    answer(
        state
            .admin_client()
            .delete_app_password(pb::DeleteAppPasswordRequest {
                domain: validate::domain(&domain)?,
                local_part: validate::local_part(&local_part)?,
                id: validate::identifier(&id)?,
            })
            .await,
    )?;
    Ok(StatusCode::NO_CONTENT)
}
