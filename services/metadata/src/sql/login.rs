//! Login verification for the gateway: `local@domain` with the account
//! password (argon2id) or one of its app passwords with the `imap` scope
//! (SHA-256 lookup, see `secrets`). Every call reads the database, so a
//! deleted account, a revoked app password or a suspended tenant is refused
//! on every pod at once. Failures cost one argon2 verification whatever the
//! reason, so timing tells nothing about which part was wrong.

use super::accounts::{PASSWORD_HASH_COLUMN, TENANT_STATUS_COLUMN, account_from_row, find_account};
use super::driver::{Arg, Driver, Row, fetch_optional};
use super::rows::now;
use super::validate::{MAX_PASSWORD_BYTES, normalize_domain};
use crate::error::StoreError;
use crate::model::Account;
use crate::password;
use crate::secrets::secret_hash;

/// The scope an app password needs to log in over IMAP.
pub const IMAP_SCOPE: &str = "imap";
/// `local@domain` at most (64 + 1 + 253).
const MAX_LOGIN_BYTES: usize = 318;
/// `last_used_at` is written at most this often per app password (seconds).
const LAST_USED_RESOLUTION: i64 = 60;

pub async fn authenticate<D: Driver>(
    driver: &D,
    login: &str,
    password: &str,
) -> Result<Account, StoreError> {
    // Longer input is no password we store; refuse it without hashing it.
    if password.len() > MAX_PASSWORD_BYTES || login.len() > MAX_LOGIN_BYTES {
        return Err(StoreError::AuthenticationFailed);
    }
    let found = match login.rsplit_once('@') {
        Some((local_part, domain)) if normalize_domain(domain).is_ok() => {
            let mut tx = driver.begin_read().await?;
            find_account::<D>(&mut tx, domain, local_part).await?
        }
        _ => None,
    };
    let Some(row) = found else {
        // An unknown login is verified against a dummy hash: same cost, no hint.
        password::verify(password.to_owned(), None).await?;
        return Err(StoreError::AuthenticationFailed);
    };
    let account = account_from_row(&row)?;
    let verified = if app_password_matches::<D>(driver, &account, password).await? {
        true
    } else if account.app_passwords_only {
        password::verify(password.to_owned(), None).await?
    } else {
        let stored = row.text(PASSWORD_HASH_COLUMN)?;
        password::verify(password.to_owned(), Some(stored)).await?
    };
    if verified && may_log_in(&account, &row)? {
        Ok(account)
    } else {
        Err(StoreError::AuthenticationFailed)
    }
}

/// Only an active account of an active tenant logs in.
fn may_log_in(account: &Account, row: &Row) -> Result<bool, StoreError> {
    Ok(account.status == "active" && row.text(TENANT_STATUS_COLUMN)? == "active")
}

/// Whether `password` is an app password of the account with the IMAP
/// scope; a match refreshes its `last_used_at` (coarsely).
async fn app_password_matches<D: Driver>(
    driver: &D,
    account: &Account,
    password: &str,
) -> Result<bool, StoreError> {
    let account_id = account.id.to_string();
    let hash = secret_hash(password);
    let mut tx = driver.begin_read().await?;
    let row = fetch_optional::<D>(
        &mut tx,
        "SELECT id, scopes, last_used_at FROM app_passwords \
         WHERE account_id = $1 AND secret_hash = $2",
        &[Arg::Text(&account_id), Arg::Text(&hash)],
    )
    .await?;
    drop(tx);
    let Some(row) = row else {
        return Ok(false);
    };
    if !row.text(1)?.split(',').any(|scope| scope == IMAP_SCOPE) {
        return Ok(false);
    }
    let now = now();
    if now - row.int(2)? >= LAST_USED_RESOLUTION {
        let mut tx = driver.begin_write().await?;
        D::execute(
            &mut tx,
            "UPDATE app_passwords SET last_used_at = $3 WHERE account_id = $1 AND id = $2",
            &[
                Arg::Text(&account_id),
                Arg::Text(&row.text(0)?),
                Arg::Int(now),
            ],
        )
        .await?;
        D::commit(tx).await?;
    }
    Ok(true)
}
