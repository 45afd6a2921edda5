//! App passwords: named per-account secrets with scopes, for clients that
//! cannot do the identity provider's MFA. The secret is returned once and
//! stored as its SHA-256 (see `secrets` for why not argon2). Deleting one
//! takes effect at once on every pod, because login reads this table on
//! every attempt (`login`).

use crate::admin::AppPassword;
use crate::error::StoreError;
use crate::secrets::{random_secret, secret_hash};
use crate::sql::accounts::{already_exists, require_account};
use crate::sql::driver::{Arg, Driver, Row};
use crate::sql::rows::{now, random_u128};
use crate::sql::validate::check_label;

/// Scopes an app password may carry.
pub const SCOPES: [&str; 2] = ["imap", "lmtp-submit"];
/// App passwords one account may hold.
pub const MAX_PER_ACCOUNT: usize = 50;

/// Sorted, de-duplicated scopes; empty means `imap`.
fn normalize_scopes(scopes: &[String]) -> Result<Vec<String>, StoreError> {
    if scopes.is_empty() {
        return Ok(vec!["imap".to_owned()]);
    }
    let mut chosen: Vec<String> = Vec::new();
    for scope in scopes {
        if !SCOPES.contains(&scope.as_str()) {
            return Err(StoreError::InvalidArgument(format!(
                "unknown scope {scope:?}: expected imap or lmtp-submit"
            )));
        }
        if !chosen.contains(scope) {
            chosen.push(scope.clone());
        }
    }
    chosen.sort();
    Ok(chosen)
}

fn app_password_from_row(row: &Row) -> Result<AppPassword, StoreError> {
    Ok(AppPassword {
        id: row.text(0)?,
        name: row.text(1)?,
        scopes: row.text(2)?.split(',').map(str::to_owned).collect(),
        created_at: row.int(3)?,
        last_used_at: row.int(4)?,
    })
}

const SELECT_FOR_ACCOUNT: &str = "SELECT id, name, scopes, created_at, last_used_at \
    FROM app_passwords WHERE account_id = $1 ORDER BY created_at, name";

pub async fn create<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
    name: &str,
    scopes: &[String],
) -> Result<(AppPassword, String), StoreError> {
    check_label(name, "app password name")?;
    let scopes = normalize_scopes(scopes)?;
    let secret = random_secret();
    let id = format!("{:032x}", random_u128());
    let mut tx = driver.begin_write().await?;
    let account = require_account::<D>(&mut tx, domain, local_part)
        .await?
        .text(0)?;
    // Lock the account row: the count check and the insert stay together.
    D::execute(
        &mut tx,
        "UPDATE accounts SET version = version WHERE id = $1",
        &[Arg::Text(&account)],
    )
    .await?;
    let existing = D::fetch_all(&mut tx, SELECT_FOR_ACCOUNT, &[Arg::Text(&account)]).await?;
    if existing.len() >= MAX_PER_ACCOUNT {
        return Err(StoreError::Limit("too many app passwords"));
    }
    let created_at = now();
    let scope_text = scopes.join(",");
    D::execute(
        &mut tx,
        "INSERT INTO app_passwords (account_id, id, name, secret_hash, scopes, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            Arg::Text(&account),
            Arg::Text(&id),
            Arg::Text(name),
            Arg::Text(&secret_hash(&secret)),
            Arg::Text(&scope_text),
            Arg::Int(created_at),
        ],
    )
    .await
    .map_err(already_exists("app password"))?;
    D::commit(tx).await?;
    let app_password = AppPassword {
        id,
        name: name.to_owned(),
        scopes,
        created_at,
        last_used_at: 0,
    };
    Ok((app_password, secret))
}

pub async fn list<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<Vec<AppPassword>, StoreError> {
    let mut tx = driver.begin_read().await?;
    let account = require_account::<D>(&mut tx, domain, local_part)
        .await?
        .text(0)?;
    let rows = D::fetch_all(&mut tx, SELECT_FOR_ACCOUNT, &[Arg::Text(&account)]).await?;
    rows.iter().map(app_password_from_row).collect()
}

pub async fn delete<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
    id: &str,
) -> Result<(), StoreError> {
    let mut tx = driver.begin_write().await?;
    let account = require_account::<D>(&mut tx, domain, local_part)
        .await?
        .text(0)?;
    let removed = D::execute(
        &mut tx,
        "DELETE FROM app_passwords WHERE account_id = $1 AND id = $2",
        &[Arg::Text(&account), Arg::Text(id)],
    )
    .await?;
    if removed == 0 {
        return Err(StoreError::NotFound("app password"));
    }
    D::commit(tx).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_default_to_imap_and_reject_unknown_ones() {
        assert_eq!(normalize_scopes(&[]).unwrap(), vec!["imap"]);
        let both = [
            "lmtp-submit".to_owned(),
            "imap".to_owned(),
            "imap".to_owned(),
        ];
        assert_eq!(
            normalize_scopes(&both).unwrap(),
            vec!["imap", "lmtp-submit"]
        );
        assert!(normalize_scopes(&["smtp".to_owned()]).is_err());
    }
}
