//! Tenants and accounts: creation (with the default mailboxes and the tenant's
//! default quotas), lookup, and deletion with every row the account owns.
//! Domains are stored lower-case; local parts as given. Creating an account
//! locks its tenant row, which serialises it with alias creation (an alias
//! never shadows an account) and with the tenant's deletion.

use mailkeep_common::{AccountId, TenantId};

use super::driver::{Arg, Driver, Row, fetch_one, fetch_optional};
use super::mailboxes::insert_mailbox;
use super::rows::{now, random_u128, to_i64};
use super::validate::{check_local_part, normalize_domain};
use crate::admin::TenantQuotas;
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

/// `SELECT` of every account column [`account_from_row`] reads (plus the
/// password hash at 10 and the tenant status at 15), then `$where`.
macro_rules! account_select {
    ($where:literal) => {
        concat!(
            "SELECT a.id, a.tenant_id, a.local_part, t.domain, a.status, a.quota_bytes, \
             a.quota_messages, u.bytes, u.messages, a.created_at, a.password_hash, \
             a.display_name, a.app_passwords_only, a.version, a.updated_at, t.status \
             FROM accounts a JOIN tenants t ON t.id = a.tenant_id \
             JOIN usage u ON u.account_id = a.id WHERE ",
            $where
        )
    };
}
pub(crate) use account_select;

/// `SELECT` of every tenant column [`tenant_from_row`] reads, then `$where`.
macro_rules! tenant_select {
    ($where:literal) => {
        concat!(
            "SELECT t.id, t.domain, t.status, t.created_at, t.updated_at, t.version, \
             t.default_quota_bytes, t.default_quota_messages, t.quota_bytes, t.quota_messages, \
             COALESCE(tu.bytes, 0), COALESCE(tu.messages, 0), \
             (SELECT CAST(COUNT(*) AS BIGINT) FROM accounts a WHERE a.tenant_id = t.id) \
             FROM tenants t LEFT JOIN tenant_usage tu ON tu.tenant_id = t.id WHERE ",
            $where
        )
    };
}
pub(crate) use tenant_select;

const SELECT_ACCOUNT: &str = account_select!("t.domain = $1 AND a.local_part = $2");
const SELECT_TENANT: &str = tenant_select!("t.domain = $1");

/// Column of [`account_select`] holding the password hash.
pub const PASSWORD_HASH_COLUMN: usize = 10;
/// Column of [`account_select`] holding the tenant's status.
pub const TENANT_STATUS_COLUMN: usize = 15;

pub fn tenant_from_row(row: &Row) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: row.parse(0)?,
        domain: row.text(1)?,
        status: row.text(2)?,
        created_at: row.int(3)?,
        updated_at: row.int(4)?,
        version: row.int(5)?,
        default_quota_bytes: row.u64(6)?,
        default_quota_messages: row.u64(7)?,
        quota_bytes: row.u64(8)?,
        quota_messages: row.u64(9)?,
        used_bytes: row.u64(10)?,
        used_messages: row.u64(11)?,
        accounts: row.u64(12)?,
    })
}

pub fn account_from_row(row: &Row) -> Result<Account, StoreError> {
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
        display_name: row.text(11)?,
        app_passwords_only: row.int(12)? != 0,
        version: row.int(13)?,
        updated_at: row.int(14)?,
    })
}

pub fn already_exists(kind: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |error| match error {
        StoreError::AlreadyExists(_) => StoreError::AlreadyExists(kind),
        other => other,
    }
}

/// Creates a tenant with its quotas (defaults for new accounts, and the cap).
pub async fn create_tenant<D: Driver>(
    driver: &D,
    domain: &str,
    quotas: TenantQuotas,
) -> Result<Tenant, StoreError> {
    let domain = normalize_domain(domain)?;
    let id = TenantId::from_u128(random_u128()).to_string();
    let mut tx = driver.begin_write().await?;
    D::execute(
        &mut tx,
        "INSERT INTO tenants (id, domain, status, created_at, default_quota_bytes, \
         default_quota_messages, quota_bytes, quota_messages) \
         VALUES ($1, $2, 'active', $3, $4, $5, $6, $7)",
        &[
            Arg::Text(&id),
            Arg::Text(&domain),
            Arg::Int(now()),
            Arg::Int(to_i64(quotas.default_quota_bytes, "default_quota_bytes")?),
            Arg::Int(to_i64(
                quotas.default_quota_messages,
                "default_quota_messages",
            )?),
            Arg::Int(to_i64(quotas.quota_bytes, "quota_bytes")?),
            Arg::Int(to_i64(quotas.quota_messages, "quota_messages")?),
        ],
    )
    .await
    .map_err(already_exists("tenant"))?;
    D::execute(
        &mut tx,
        "INSERT INTO tenant_usage (tenant_id, bytes, messages) VALUES ($1, 0, 0)",
        &[Arg::Text(&id)],
    )
    .await?;
    let row = fetch_one::<D>(&mut tx, SELECT_TENANT, &[Arg::Text(&domain)]).await?;
    D::commit(tx).await?;
    tenant_from_row(&row)
}

/// The tenant of `domain` inside a transaction.
pub async fn find_tenant<D: Driver>(tx: &mut D::Tx, domain: &str) -> Result<Tenant, StoreError> {
    let domain = normalize_domain(domain)?;
    let row = fetch_optional::<D>(tx, SELECT_TENANT, &[Arg::Text(&domain)])
        .await?
        .ok_or(StoreError::NotFound("tenant"))?;
    tenant_from_row(&row)
}

pub async fn get_tenant<D: Driver>(driver: &D, domain: &str) -> Result<Tenant, StoreError> {
    let mut tx = driver.begin_read().await?;
    find_tenant::<D>(&mut tx, domain).await
}

/// The id of the tenant of a normalised `domain`; `NotFound` when missing.
pub async fn require_tenant_id<D: Driver>(
    tx: &mut D::Tx,
    domain: &str,
) -> Result<String, StoreError> {
    fetch_optional::<D>(
        tx,
        "SELECT id FROM tenants WHERE domain = $1",
        &[Arg::Text(domain)],
    )
    .await?
    .ok_or(StoreError::NotFound("tenant"))?
    .text(0)
}

/// Locks the tenant row of `domain` (a no-op update) and returns its id,
/// status and default quotas.
pub async fn lock_tenant<D: Driver>(
    tx: &mut D::Tx,
    domain: &str,
) -> Result<(String, String, i64, i64), StoreError> {
    let row = fetch_optional::<D>(
        tx,
        "UPDATE tenants SET version = version WHERE domain = $1 \
         RETURNING id, status, default_quota_bytes, default_quota_messages",
        &[Arg::Text(domain)],
    )
    .await?
    .ok_or(StoreError::NotFound("tenant"))?;
    Ok((row.text(0)?, row.text(1)?, row.int(2)?, row.int(3)?))
}

/// Refuses an address already taken by an alias of the tenant.
pub async fn check_no_alias<D: Driver>(
    tx: &mut D::Tx,
    tenant: &str,
    local_part: &str,
) -> Result<(), StoreError> {
    let alias = fetch_optional::<D>(
        tx,
        "SELECT local_part FROM aliases WHERE tenant_id = $1 AND local_part = $2",
        &[Arg::Text(tenant), Arg::Text(local_part)],
    )
    .await?;
    match alias {
        Some(_) => Err(StoreError::AlreadyExists("address")),
        None => Ok(()),
    }
}

pub async fn create_account<D: Driver>(driver: &D, new: NewAccount) -> Result<Account, StoreError> {
    let domain = normalize_domain(&new.domain)?;
    check_local_part(&new.local_part)?;
    super::validate::check_password(&new.password)?;
    super::validate::check_display_name(&new.display_name)?;
    let quota_bytes = new
        .quota_bytes
        .map(|q| to_i64(q, "quota_bytes"))
        .transpose()?;
    let quota_messages = new
        .quota_messages
        .map(|q| to_i64(q, "quota_messages"))
        .transpose()?;
    // Hash before the transaction: it is slow on purpose.
    let password_hash = password::hash(new.password).await?;
    let id = AccountId::from_u128(random_u128());
    let id_text = id.to_string();

    let mut tx = driver.begin_write().await?;
    let (tenant, status, default_bytes, default_messages) =
        lock_tenant::<D>(&mut tx, &domain).await?;
    if status == "deleting" {
        return Err(StoreError::Conflict("tenant is being deleted"));
    }
    check_no_alias::<D>(&mut tx, &tenant, &new.local_part).await?;
    D::execute(
        &mut tx,
        "INSERT INTO accounts (id, tenant_id, local_part, password_hash, status, quota_bytes, \
         quota_messages, created_at, display_name, app_passwords_only) \
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9)",
        &[
            Arg::Text(&id_text),
            Arg::Text(&tenant),
            Arg::Text(&new.local_part),
            Arg::Text(&password_hash),
            Arg::Int(quota_bytes.unwrap_or(default_bytes)),
            Arg::Int(quota_messages.unwrap_or(default_messages)),
            Arg::Int(now()),
            Arg::Text(&new.display_name),
            Arg::Int(i64::from(new.app_passwords_only)),
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
    let row = fetch_one::<D>(
        &mut tx,
        SELECT_ACCOUNT,
        &[Arg::Text(&domain), Arg::Text(&new.local_part)],
    )
    .await?;
    D::commit(tx).await?;
    account_from_row(&row)
}

/// The account row of `local_part@domain` (columns of [`account_select`]).
pub async fn find_account<D: Driver>(
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

/// Like [`find_account`], `NotFound` when missing.
pub async fn require_account<D: Driver>(
    tx: &mut D::Tx,
    domain: &str,
    local_part: &str,
) -> Result<Row, StoreError> {
    find_account::<D>(tx, domain, local_part)
        .await?
        .ok_or(StoreError::NotFound("account"))
}

pub async fn get_account<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<Account, StoreError> {
    let mut tx = driver.begin_read().await?;
    account_from_row(&require_account::<D>(&mut tx, domain, local_part).await?)
}

/// Tables in deletion order: children before the rows they reference.
const ACCOUNT_DELETES: [&str; 11] = [
    "DELETE FROM app_passwords WHERE account_id = $1",
    "DELETE FROM aliases WHERE account_id = $1",
    "DELETE FROM expunged WHERE account_id = $1",
    "DELETE FROM messages WHERE account_id = $1",
    "DELETE FROM mailboxes WHERE account_id = $1",
    "DELETE FROM subscriptions WHERE account_id = $1",
    "DELETE FROM mailbox_metadata WHERE account_id = $1",
    "DELETE FROM metadata_removals WHERE account_id = $1",
    "DELETE FROM keywords WHERE account_id = $1",
    "DELETE FROM usage WHERE account_id = $1",
    "DELETE FROM accounts WHERE id = $1",
];

/// Deletes every row of account `id` and releases its usage from the
/// tenant's counters; returns the (messages, bytes) it held.
pub async fn delete_account_rows<D: Driver>(
    tx: &mut D::Tx,
    id: &str,
) -> Result<(u64, u64), StoreError> {
    // Lock order: usage, then tenant usage (see `rows`).
    let usage = fetch_one::<D>(
        tx,
        "UPDATE usage SET bytes = bytes WHERE account_id = $1 RETURNING messages, bytes",
        &[Arg::Text(id)],
    )
    .await?;
    let (messages, bytes) = (usage.int(0)?, usage.int(1)?);
    D::execute(
        tx,
        "UPDATE tenant_usage SET bytes = bytes - $2, messages = messages - $3 \
         WHERE tenant_id = (SELECT tenant_id FROM accounts WHERE id = $1)",
        &[Arg::Text(id), Arg::Int(bytes), Arg::Int(messages)],
    )
    .await?;
    super::imports::delete_account_imports::<D>(tx, id).await?;
    for statement in ACCOUNT_DELETES {
        D::execute(tx, statement, &[Arg::Text(id)]).await?;
    }
    Ok((
        u64::try_from(messages).unwrap_or(0),
        u64::try_from(bytes).unwrap_or(0),
    ))
}

/// Deletes the account with all its data; `expected_version` guards against
/// a concurrent update. Returns the (messages, bytes) released.
pub async fn delete_account<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
    expected_version: Option<i64>,
) -> Result<(u64, u64), StoreError> {
    let mut tx = driver.begin_write().await?;
    let row = require_account::<D>(&mut tx, domain, local_part).await?;
    super::validate::check_version(expected_version, row.int(13)?)?;
    let released = delete_account_rows::<D>(&mut tx, &row.text(0)?).await?;
    D::commit(tx).await?;
    Ok(released)
}
