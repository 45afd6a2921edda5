//! Quota usage of accounts and tenants, its recount from the stored
//! messages, and the read-only mailbox list of an account for support.

use axum::Json;
use axum::extract::State;
use mailkeep_proto::metadata::v1 as pb;

use super::answer;
use crate::AdminState;
use crate::error::AdminError;
use crate::extract::PathParams;
use crate::model::{MailboxList, RecalculatedUsage, UsageResponse};
use crate::validate;

/// Quota and usage of a tenant: the sum over its accounts.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/usage", tag = "quotas",
    params(("domain" = String, Path, description = "the tenant's mail domain")),
    responses((status = 200, description = "tenant usage", body = UsageResponse)),
    security(("bearer" = []))
)]
pub async fn tenant_usage(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
) -> Result<Json<UsageResponse>, AdminError> {
    let usage = answer(
        state
            .admin_client()
            .get_tenant_usage(pb::TenantRef {
                domain: validate::domain(&domain)?,
            })
            .await,
    )?;
    Ok(Json(usage.into()))
}

/// Recounts the usage of every account of a tenant.
#[utoipa::path(
    post, path = "/v1/tenants/{domain}/usage/recalculate", tag = "quotas",
    params(("domain" = String, Path, description = "the tenant's mail domain")),
    responses((status = 200, description = "usage before and after", body = RecalculatedUsage)),
    security(("bearer" = []))
)]
pub async fn recalculate_tenant_usage(
    State(state): State<AdminState>,
    PathParams(domain): PathParams<String>,
) -> Result<Json<RecalculatedUsage>, AdminError> {
    recalculate(&state, validate::domain(&domain)?, String::new()).await
}

/// Quota and usage of an account.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts/{local_part}/usage", tag = "quotas",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses((status = 200, description = "account usage", body = UsageResponse)),
    security(("bearer" = []))
)]
pub async fn account_usage(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<Json<UsageResponse>, AdminError> {
    let usage = answer(
        state
            .admin_client()
            .get_account_usage(account_ref(&domain, &local_part)?)
            .await,
    )?;
    Ok(Json(usage.into()))
}

/// Recounts an account's usage from its stored messages.
#[utoipa::path(
    post, path = "/v1/tenants/{domain}/accounts/{local_part}/usage/recalculate", tag = "quotas",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses((status = 200, description = "usage before and after", body = RecalculatedUsage)),
    security(("bearer" = []))
)]
pub async fn recalculate_account_usage(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<Json<RecalculatedUsage>, AdminError> {
    let account = account_ref(&domain, &local_part)?;
    recalculate(&state, account.domain, account.local_part).await
}

/// The mailboxes of an account with message counts and sizes.
#[utoipa::path(
    get, path = "/v1/tenants/{domain}/accounts/{local_part}/mailboxes", tag = "mailboxes",
    params(
        ("domain" = String, Path, description = "the tenant's mail domain"),
        ("local_part" = String, Path, description = "the part of the login before '@'"),
    ),
    responses((status = 200, description = "the mailboxes", body = MailboxList)),
    security(("bearer" = []))
)]
pub async fn list_mailboxes(
    State(state): State<AdminState>,
    PathParams((domain, local_part)): PathParams<(String, String)>,
) -> Result<Json<MailboxList>, AdminError> {
    let list = answer(
        state
            .admin_client()
            .list_mailbox_summaries(account_ref(&domain, &local_part)?)
            .await,
    )?;
    Ok(Json(MailboxList {
        items: list.mailboxes.into_iter().map(Into::into).collect(),
    }))
}

fn account_ref(domain: &str, local_part: &str) -> Result<pb::AccountRef, AdminError> {
    Ok(pb::AccountRef {
        domain: validate::domain(domain)?,
        local_part: validate::local_part(local_part)?,
    })
}

async fn recalculate(
    state: &AdminState,
    domain: String,
    local_part: String,
) -> Result<Json<RecalculatedUsage>, AdminError> {
    let answer = answer(
        state
            .admin_client()
            .recalculate_usage(pb::RecalculateUsageRequest { domain, local_part })
            .await,
    )?;
    Ok(Json(answer.into()))
}
