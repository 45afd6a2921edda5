//! API tokens of the admin API: named, with a role (`admin`, `tenant-admin`
//! scoped to one tenant, `read-only`), an optional expiry and revocation.
//! Secrets are `mkt_` plus 128 random bits, returned once and stored as their
//! SHA-256 (see `secrets`); verification is one indexed lookup.

use crate::admin::{ApiToken, NewApiToken, Page, TokenFilter};
use crate::error::StoreError;
use crate::secrets::{API_TOKEN_PREFIX, api_token_secret, secret_hash};
use crate::sql::accounts::already_exists;
use crate::sql::driver::{Arg, Driver, Row, fetch_one, fetch_optional};
use crate::sql::rows::{now, random_u128};
use crate::sql::validate::{
    check_label, decode_cursor, normalize_domain, page_from_rows, page_limit,
};

const SELECT_BY_ID: &str = "SELECT id, name, role, tenant_domain, created_at, expires_at, \
    revoked_at FROM api_tokens WHERE id = $1";

fn token_from_row(row: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: row.text(0)?,
        name: row.text(1)?,
        role: row.text(2)?,
        tenant_domain: row.text(3)?,
        created_at: row.int(4)?,
        expires_at: row.int(5)?,
        revoked_at: row.int(6)?,
    })
}

/// The tenant domain a token of `role` carries, checked against the role.
async fn tenant_of_role<D: Driver>(
    tx: &mut D::Tx,
    role: &str,
    tenant_domain: &str,
) -> Result<String, StoreError> {
    match (role, tenant_domain.is_empty()) {
        ("admin" | "read-only", true) => Ok(String::new()),
        ("admin" | "read-only", false) => Err(StoreError::InvalidArgument(
            "only tenant-admin tokens name a tenant".into(),
        )),
        ("tenant-admin", true) => Err(StoreError::InvalidArgument(
            "a tenant-admin token needs a tenant".into(),
        )),
        ("tenant-admin", false) => {
            let domain = normalize_domain(tenant_domain)?;
            fetch_optional::<D>(
                tx,
                "SELECT id FROM tenants WHERE domain = $1 AND status <> 'deleting'",
                &[Arg::Text(&domain)],
            )
            .await?
            .ok_or(StoreError::NotFound("tenant"))?;
            Ok(domain)
        }
        _ => Err(StoreError::InvalidArgument(
            "role must be admin, tenant-admin or read-only".into(),
        )),
    }
}

pub async fn create<D: Driver>(
    driver: &D,
    new: NewApiToken,
) -> Result<(ApiToken, String), StoreError> {
    check_label(&new.name, "token name")?;
    let created_at = now();
    if new.expires_at != 0 && new.expires_at <= created_at {
        return Err(StoreError::InvalidArgument(
            "expires_at must lie in the future".into(),
        ));
    }
    let secret = api_token_secret();
    let id = format!("{:032x}", random_u128());
    let mut tx = driver.begin_write().await?;
    let tenant_domain = tenant_of_role::<D>(&mut tx, &new.role, &new.tenant_domain).await?;
    D::execute(
        &mut tx,
        "INSERT INTO api_tokens (id, name, role, tenant_domain, secret_hash, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            Arg::Text(&id),
            Arg::Text(&new.name),
            Arg::Text(&new.role),
            Arg::Text(&tenant_domain),
            Arg::Text(&secret_hash(&secret)),
            Arg::Int(created_at),
            Arg::Int(new.expires_at),
        ],
    )
    .await
    .map_err(already_exists("token"))?;
    D::commit(tx).await?;
    let token = ApiToken {
        id,
        name: new.name,
        role: new.role,
        tenant_domain,
        created_at,
        expires_at: new.expires_at,
        revoked_at: 0,
    };
    Ok((token, secret))
}

pub async fn list<D: Driver>(
    driver: &D,
    filter: &TokenFilter,
) -> Result<Page<ApiToken>, StoreError> {
    let limit = page_limit(filter.limit)?;
    let after = decode_cursor(&filter.cursor)?;
    let tenant = match filter.tenant_domain.as_str() {
        "" => String::new(),
        domain => normalize_domain(domain)?,
    };
    let mut tx = driver.begin_read().await?;
    let rows = D::fetch_all(
        &mut tx,
        "SELECT id, name, role, tenant_domain, created_at, expires_at, revoked_at \
         FROM api_tokens WHERE name > $1 AND ($2 = '' OR tenant_domain = $2) \
         AND ($3 <> 0 OR revoked_at = 0) ORDER BY name LIMIT $4",
        &[
            Arg::Text(&after),
            Arg::Text(&tenant),
            Arg::Int(i64::from(filter.include_revoked)),
            Arg::Int(i64::from(limit) + 1),
        ],
    )
    .await?;
    page_from_rows(&rows, limit, token_from_row, |item| item.name.clone())
}

/// Revokes at once; revoking a revoked token keeps its first revocation time.
pub async fn revoke<D: Driver>(driver: &D, id: &str) -> Result<ApiToken, StoreError> {
    let mut tx = driver.begin_write().await?;
    let changed = D::execute(
        &mut tx,
        "UPDATE api_tokens SET revoked_at = CASE WHEN revoked_at = 0 THEN $2 ELSE revoked_at END \
         WHERE id = $1",
        &[Arg::Text(id), Arg::Int(now())],
    )
    .await?;
    if changed == 0 {
        return Err(StoreError::NotFound("token"));
    }
    let row = fetch_one::<D>(&mut tx, SELECT_BY_ID, &[Arg::Text(id)]).await?;
    D::commit(tx).await?;
    token_from_row(&row)
}

pub async fn verify<D: Driver>(driver: &D, secret: &str) -> Result<ApiToken, StoreError> {
    // Bounded: a real secret is 36 bytes.
    if !secret.starts_with(API_TOKEN_PREFIX) || secret.len() > 128 {
        return Err(StoreError::AuthenticationFailed);
    }
    let mut tx = driver.begin_read().await?;
    let row = fetch_optional::<D>(
        &mut tx,
        "SELECT id, name, role, tenant_domain, created_at, expires_at, revoked_at \
         FROM api_tokens WHERE secret_hash = $1",
        &[Arg::Text(&secret_hash(secret))],
    )
    .await?
    .ok_or(StoreError::AuthenticationFailed)?;
    let token = token_from_row(&row)?;
    let expired = token.expires_at != 0 && token.expires_at <= now();
    if token.revoked_at != 0 || expired {
        return Err(StoreError::AuthenticationFailed);
    }
    Ok(token)
}
