//! `/v1/tenants/{domain}/accounts`: create (password by value or generated
//! and returned once), list, read, update and delete with data purge.

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
    AccountFilter, AccountList, AccountResponse, CreateAccountRequest, PageQuery,
    UpdateAccountRequest, next_cursor,
};
use crate::validate;

/// Checks that at most one way of setting a password is used, and the
/// password given by value.
fn password_choice(password: Option<&str>, generate: bool) -> Result<(), AdminError> {
    match password {
        Some(_) if generate => Err(AdminError::InvalidInput(
            "give either password or generate_password, not both".to_owned(),
        )),
        Some(password) => validate::password(password),
        None => Ok(()),
    }
}

fn display_name(raw: Option<String>) -> Result<Option<String>, AdminError> {
    raw.map(|name| validate::text("display_name", Some(name)))
        .transpose()
}

/// Creates an account in a tenant.
#[utoipa::path(
    post, path = "/v1/tenants/{domain}/accounts", tag = "accounts",
    params(("domain" = String, Path, description = "the tenant's mail domain")),
    request_body = CreateAccountRequest,
    responses(
        (status = 201, description = "account created; a generated password is shown once", body = AccountResponse),
        (status = 409, description = "the address exists", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn create_account(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
    JsonBody(request): JsonBody<CreateAccountRequest>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&request.local_part)?;
    password_choice(request.password.as_deref(), request.generate_password)?;
    if request.password.is_none() && !request.generate_password {
        return Err(AdminError::InvalidInput(
            "give a password or set generate_password".to_owned(),
        ));
    }
    let quota = |value: Option<Option<u64>>| value.map(validate::quota).transpose();
    let account = answer(
        state
            .admin_client()
            .create_account(pb::AdminCreateAccountRequest {
                domain: domain.clone(),
                local_part: local_part.clone(),
                password: request.password.unwrap_or_default(),
                generate_password: request.generate_password,
                quota_bytes: quota(request.quota_bytes)?,
                quota_messages: quota(request.quota_messages)?,
                display_name: display_name(request.display_name)?.unwrap_or_default(),
                app_passwords_only: request.app_passwords_only,
            })
            .await,
    )?;
    tracing::info!(local_part = %local_part, domain = %domain, "account created");
    Ok(created(
        format!("{local_part}@{domain}"),
        None,
        AccountResponse::from(account),
    ))
}

/// Lists a tenant's accounts, by local part.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts", tag = "accounts",
    params(("domain" = String, Path, description = "the tenant's mail domain"), PageQuery, AccountFilter),
    responses((status = 200, description = "one page of accounts", body = AccountList)),
    security(("bearer" = []))
)]
pub async fn list_accounts(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
    QueryParams(page): QueryParams<PageQuery>,
    QueryParams(filter): QueryParams<AccountFilter>,
) -> Result<Json<AccountList>, AdminError> {
    let list = answer(
        state
            .admin_client()
            .list_accounts(pb::ListAccountsRequest {
                domain: validate::domain(&domain)?,
                limit: validate::page_limit(page.limit)?,
                cursor: validate::text("cursor", page.cursor)?,
                status: validate::status_filter(filter.status, &["active", "suspended"])?,
                local_part_prefix: validate::text("prefix", filter.prefix)?.to_ascii_lowercase(),
            })
            .await,
    )?;
    Ok(Json(AccountList {
        items: list.accounts.into_iter().map(Into::into).collect(),
        next_cursor: next_cursor(list.next_cursor),
    }))
}

/// Reads an account and its usage.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts/{local_part}", tag = "accounts",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses((status = 200, description = "the account; `ETag` names its version", body = AccountResponse)),
    security(("bearer" = []))
)]
pub async fn get_account(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<Response, AdminError> {
    let account = answer(
        state
            .admin_client()
            .get_account(pb::AccountRef {
                domain: validate::domain(&domain)?,
                local_part: validate::local_part(&local_part)?,
            })
            .await,
    )?;
    Ok(tagged(account.version, AccountResponse::from(account)))
}

/// Changes an account's password, status, quota, display name or
/// app-passwords-only flag. `If-Match` makes it conditional.
#[utoipa::path(
    patch, path = "/v1/tenants/{domain}/accounts/{local_part}", tag = "accounts",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
        ("If-Match" = Option<String>, Header, description = "an `ETag` of this account"),
    ),
    request_body = UpdateAccountRequest,
    responses(
        (status = 200, description = "the updated account; a generated password is shown once", body = AccountResponse),
        (status = 412, description = "the account changed since that ETag", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn update_account(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
    IfMatch(expected_version): IfMatch,
    JsonBody(request): JsonBody<UpdateAccountRequest>,
) -> Result<Response, AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&local_part)?;
    password_choice(request.password.as_deref(), request.generate_password)?;
    let quota = |value: Option<Option<u64>>| value.map(validate::quota).transpose();
    let account = answer(
        state
            .admin_client()
            .update_account(pb::UpdateAccountRequest {
                domain,
                local_part,
                expected_version,
                password: request.password,
                generate_password: request.generate_password,
                status: request.status.map(|status| status.as_str().to_owned()),
                quota_bytes: quota(request.quota_bytes)?,
                quota_messages: quota(request.quota_messages)?,
                display_name: display_name(request.display_name)?,
                app_passwords_only: request.app_passwords_only,
            })
            .await,
    )?;
    let version = account
        .account
        .as_ref()
        .map_or(0, |account| account.version);
    Ok(tagged(version, AccountResponse::from(account)))
}

/// Deletes an account with every message, mailbox, alias and app password;
/// it cannot log in any more on any pod.
#[utoipa::path(
    delete, path = "/v1/tenants/{domain}/accounts/{local_part}", tag = "accounts",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
        ("If-Match" = Option<String>, Header, description = "an `ETag` of this account"),
    ),
    responses(
        (status = 204, description = "account and its mail deleted"),
        (status = 412, description = "the account changed since that ETag", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
pub async fn delete_account(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
    IfMatch(expected_version): IfMatch,
) -> Result<StatusCode, AdminError> {
    let domain = validate::domain(&domain)?;
    let local_part = validate::local_part(&local_part)?;
    let deleted = answer(
        state
            .admin_client()
            .delete_account(pb::AdminDeleteAccountRequest {
                domain: domain.clone(),
                local_part: local_part.clone(),
                expected_version,
            })
            .await,
    )?;
    tracing::info!(
        local_part = %local_part,
        domain = %domain,
        messages = deleted.messages_removed,
        bytes = deleted.bytes_released,
        "account deleted"
    );
    Ok(StatusCode::NO_CONTENT)
}
