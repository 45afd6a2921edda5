//! Tenants and accounts: creation (with the default mailboxes), lookup,
//! deletion with every row the account owns, and password authentication.
//! Domains are stored lower-case; local parts as given.

use mailkeep_common::{AccountId, TenantId};

use super::driver::{Arg, Driver, Row, fetch_optional};
use super::mailboxes::insert_mailbox;
use super::rows::{now, random_u128, to_i64};
use crate::error::StoreError;
use crate::model::{Account, NewAccount, Tenant};
use crate::password;

/// The mailboxes every new account starts with (RFC 6154 special uses).
const DEFAULT_MAILBOXES: [(&str, Option<&str>); 6] = [
    ("INBOX", None),
    ("Drafts", Some("\\Drafts")),
    ("Sent", Some("\\Sent")),
    ("Trash", Some("\\Trash")),
    ("Junk", Some("\\Junk")),
    ("Archive", Some("\\Archive")),
];

const SELECT_ACCOUNT: &str = "SELECT a.id, a.tenant_id, a.local_part, t.domain, a.status, \
    a.quota_bytes, a.quota_messages, u.bytes, u.messages, a.created_at, a.password_hash \
    FROM accounts a JOIN tenants t ON t.id = a.tenant_id JOIN usage u ON u.account_id = a.id \
    WHERE t.domain = $1 AND a.local_part = $2";

fn normalize_domain(domain: &str) -> Result<String, StoreError> {
    let domain = domain.trim().to_lowercase();
    let valid = !domain.is_empty()
        && domain.len() <= 253
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if valid {
        Ok(domain)
    } else {
        Err(StoreError::InvalidArgument(format!(
            "invalid domain {domain:?}"
        )))
    }
}

fn check_local_part(local_part: &str) -> Result<(), StoreError> {
    let valid = !local_part.is_empty()
        && local_part.len() <= 64
        && !local_part
            .chars()
            .any(|c| c == '@' || c.is_whitespace() || c.is_control());
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidArgument(format!(
            "invalid local part {local_part:?}"
        )))
    }
}

fn tenant_from_row(row: &Row) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: row.parse(0)?,
        domain: row.text(1)?,
        status: row.text(2)?,
        created_at: row.int(3)?,
    })
}

fn account_from_row(row: &Row) -> Result<Account, StoreError> {
    Ok(Account {
        id: row.parse(0)?,
        tenant_id: row.parse(1)?,
        local_part: row.text(2)?,
        domain: row.text(3)?,
        status: row.text(4)?,
        quota_bytes: row.u64(5)?,
        quota_messages: row.u64(6)?,
        used_bytes: row.u64(7)?,
        used_messages: row.u64(8)?,
        created_at: row.int(9)?,
    })
}

fn already_exists(kind: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |error| match error {
        StoreError::AlreadyExists(_) => StoreError::AlreadyExists(kind),
        other => other,
    }
}

pub async fn create_tenant<D: Driver>(driver: &D, domain: &str) -> Result<Tenant, StoreError> {
    let domain = normalize_domain(domain)?;
    let tenant = Tenant {
        id: TenantId::from_u128(random_u128()),
        domain,
        status: "active".into(),
        created_at: now(),
    };
    let mut tx = driver.begin_write().await?;
    let id = tenant.id.to_string();
    D::execute(
        &mut tx,
        "INSERT INTO tenants (id, domain, status, created_at) VALUES ($1, $2, $3, $4)",
        &[
            Arg::Text(&id),
            Arg::Text(&tenant.domain),
            Arg::Text(&tenant.status),
            Arg::Int(tenant.created_at),
        ],
    )
    .await
    .map_err(already_exists("tenant"))?;
    D::commit(tx).await?;
    Ok(tenant)
}

pub async fn get_tenant<D: Driver>(driver: &D, domain: &str) -> Result<Tenant, StoreError> {
    let domain = normalize_domain(domain)?;
    let mut tx = driver.begin_read().await?;
    let row = fetch_optional::<D>(
        &mut tx,
        "SELECT id, domain, status, created_at FROM tenants WHERE domain = $1",
        &[Arg::Text(&domain)],
    )
    .await?
    .ok_or(StoreError::NotFound("tenant"))?;
    tenant_from_row(&row)
}

pub async fn create_account<D: Driver>(driver: &D, new: NewAccount) -> Result<Account, StoreError> {
    let domain = normalize_domain(&new.domain)?;
    check_local_part(&new.local_part)?;
    if new.password.is_empty() {
        return Err(StoreError::InvalidArgument("empty password".into()));
    }
    let quota_bytes = to_i64(new.quota_bytes, "quota_bytes")?;
    let quota_messages = to_i64(new.quota_messages, "quota_messages")?;
    // Hash before the transaction: it is slow on purpose.
    let password_hash = password::hash(new.password).await?;
    let id = AccountId::from_u128(random_u128());
    let id_text = id.to_string();
    let created_at = now();

    let mut tx = driver.begin_write().await?;
    let tenant = fetch_optional::<D>(
        &mut tx,
        "SELECT id FROM tenants WHERE domain = $1",
        &[Arg::Text(&domain)],
    )
    .await?
    .ok_or(StoreError::NotFound("tenant"))?
    .text(0)?;
    D::execute(
        &mut tx,
        "INSERT INTO accounts (id, tenant_id, local_part, password_hash, status, quota_bytes, \
         quota_messages, created_at) VALUES ($1, $2, $3, $4, 'active', $5, $6, $7)",
        &[
            Arg::Text(&id_text),
            Arg::Text(&tenant),
            Arg::Text(&new.local_part),
            Arg::Text(&password_hash),
            Arg::Int(quota_bytes),
            Arg::Int(quota_messages),
            Arg::Int(created_at),
        ],
    )
    .await
    .map_err(already_exists("account"))?;
    D::execute(
        &mut tx,
        "INSERT INTO usage (account_id, bytes, messages) VALUES ($1, 0, 0)",
        &[Arg::Text(&id_text)],
    )
    .await?;
    for (name, special_use) in DEFAULT_MAILBOXES {
        insert_mailbox::<D>(&mut tx, id, name, special_use).await?;
        D::execute(
            &mut tx,
            "INSERT INTO subscriptions (account_id, name) VALUES ($1, $2)",
            &[Arg::Text(&id_text), Arg::Text(name)],
        )
        .await?;
    }
    let row = fetch_optional::<D>(
        &mut tx,
        SELECT_ACCOUNT,
        &[Arg::Text(&domain), Arg::Text(&new.local_part)],
    )
    .await?
    .ok_or(StoreError::NotFound("account"))?;
    D::commit(tx).await?;
    account_from_row(&row)
}

async fn find_account<D: Driver>(
    tx: &mut D::Tx,
    domain: &str,
    local_part: &str,
) -> Result<Option<Row>, StoreError> {
    let domain = normalize_domain(domain)?;
    fetch_optional::<D>(
        tx,
        SELECT_ACCOUNT,
        &[Arg::Text(&domain), Arg::Text(local_part)],
    )
    .await
}

pub async fn get_account<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<Account, StoreError> {
    let mut tx = driver.begin_read().await?;
    let row = find_account::<D>(&mut tx, domain, local_part)
        .await?
        .ok_or(StoreError::NotFound("account"))?;
    account_from_row(&row)
}

/// Tables in deletion order: children before the rows they reference.
const ACCOUNT_DELETES: [&str; 7] = [
    "DELETE FROM expunged WHERE account_id = $1",
    "DELETE FROM messages WHERE account_id = $1",
    "DELETE FROM mailboxes WHERE account_id = $1",
    "DELETE FROM subscriptions WHERE account_id = $1",
    "DELETE FROM keywords WHERE account_id = $1",
    "DELETE FROM usage WHERE account_id = $1",
    "DELETE FROM accounts WHERE id = $1",
];

pub async fn delete_account<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<(), StoreError> {
    let mut tx = driver.begin_write().await?;
    let row = find_account::<D>(&mut tx, domain, local_part)
        .await?
        .ok_or(StoreError::NotFound("account"))?;
    let id = row.text(0)?;
    for statement in ACCOUNT_DELETES {
        D::execute(&mut tx, statement, &[Arg::Text(&id)]).await?;
    }
    D::commit(tx).await
}

pub async fn authenticate<D: Driver>(
    driver: &D,
    login: &str,
    password: &str,
) -> Result<Account, StoreError> {
    let found = match login.rsplit_once('@') {
        Some((local_part, domain)) if normalize_domain(domain).is_ok() => {
            let mut tx = driver.begin_read().await?;
            find_account::<D>(&mut tx, domain, local_part).await?
        }
        _ => None,
    };
    let stored = found.as_ref().map(|row| row.text(10)).transpose()?;
    // An unknown login is verified against a dummy hash: same cost, no hint.
    let verified = password::verify(password.to_owned(), stored).await?;
    match found {
        Some(row) if verified => {
            let account = account_from_row(&row)?;
            if account.status == "active" {
                Ok(account)
            } else {
                Err(StoreError::AuthenticationFailed)
            }
        }
        _ => Err(StoreError::AuthenticationFailed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_lower_cased_and_checked() {
        assert_eq!(normalize_domain("Example.TEST").unwrap(), "example.test");
        assert_eq!(
            normalize_domain("bücher.example").unwrap(),
            "bücher.example"
        );
        for bad in ["", "a..b", ".a", "a b", "a@b", "a/b"] {
            assert!(normalize_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn local_parts_are_checked() {
        assert!(check_local_part("alice.smith+tag").is_ok());
        for bad in ["", "a@b", "a b", &"x".repeat(65)] {
            assert!(check_local_part(bad).is_err(), "{bad}");
        }
    }
}
