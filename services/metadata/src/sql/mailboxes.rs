//! Mailbox operations: list, create (with missing parents), delete, rename
//! (with children; INBOX moves its messages), subscriptions,
//! SELECT/EXAMINE and the `\Recent` claim (RFC 3501 §2.3.2: the
//! `recent_uid` watermark; UIDs at or above it belong to the next session
//! that sees them, which moves it to UIDNEXT under the mailbox lock).
//! Names are normalised by `crate::names` first. Each new
//! mailbox takes a UIDVALIDITY from the account's `last_uidvalidity`
//! counter: the current time, or one more than the last value handed out,
//! so a recreated name never sees an old UIDVALIDITY again.

use std::collections::{BTreeSet, HashSet};

use mailkeep_common::mail::{MailboxInfo, SelectedMailbox, SystemFlags};
use mailkeep_common::{AccountId, MailboxId, ModSeq, Uid, UidSet};

use super::driver::{Arg, Driver, fetch_one, fetch_optional};
use super::rows::{
    MailboxRow, charge, keyword_names, lock_mailbox, lock_mailbox_by_name, mailbox_by_name,
    mailbox_from_row, now, random_u128,
};
use super::transfer::{TransferMode, transfer};
use crate::error::StoreError;
use crate::flags::decode_ids;
use crate::names::{self, INBOX};

/// Hands every UID at or above the watermark to the caller.
const CLAIM_RECENT: &str =
    "UPDATE mailboxes SET recent_uid = uid_next WHERE account_id = $1 AND id = $2";

/// RFC 6154 §2 special-use attributes, canonical spelling.
const SPECIAL_USES: [&str; 7] = [
    "\\All",
    "\\Archive",
    "\\Drafts",
    "\\Flagged",
    "\\Junk",
    "\\Sent",
    "\\Trash",
];

fn check_special_use(special_use: Option<&str>) -> Result<Option<&'static str>, StoreError> {
    let Some(given) = special_use.filter(|given| !given.is_empty()) else {
        return Ok(None);
    };
    SPECIAL_USES
        .into_iter()
        .find(|known| known.eq_ignore_ascii_case(given))
        .map(Some)
        .ok_or_else(|| StoreError::InvalidArgument(format!("unknown special use {given:?}")))
}

/// Inserts one mailbox with a fresh UIDVALIDITY.
pub async fn insert_mailbox<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    name: &str,
    special_use: Option<&str>,
) -> Result<MailboxInfo, StoreError> {
    let account_text = account.to_string();
    let uidvalidity = fetch_optional::<D>(
        tx,
        "UPDATE accounts SET last_uidvalidity = CASE WHEN last_uidvalidity >= $2 \
         THEN last_uidvalidity + 1 ELSE $2 END WHERE id = $1 RETURNING last_uidvalidity",
        &[Arg::Text(&account_text), Arg::Int(now())],
    )
    .await?
    .ok_or(StoreError::NotFound("account"))?
    .u32(0)
    .map_err(|_| StoreError::Limit("uidvalidity exhausted"))?;
    let info = MailboxInfo {
        id: MailboxId::from_u128(random_u128()),
        name: name.to_owned(),
        uidvalidity,
        uid_next: 1,
        highest_modseq: ModSeq::new(1),
        special_use: special_use.map(str::to_owned),
    };
    let id = info.id.to_string();
    D::execute(
        tx,
        "INSERT INTO mailboxes (account_id, id, name, uidvalidity, uid_next, highest_modseq, \
         recent_uid, special_use) VALUES ($1, $2, $3, $4, 1, 1, 1, $5)",
        &[
            Arg::Text(&account_text),
            Arg::Text(&id),
            Arg::Text(name),
            Arg::Int(i64::from(uidvalidity)),
            Arg::Text(special_use.unwrap_or_default()),
        ],
    )
    .await
    .map_err(|error| match error {
        StoreError::AlreadyExists(_) => StoreError::AlreadyExists("mailbox"),
        other => other,
    })?;
    Ok(info)
}

async fn require_account<D: Driver>(tx: &mut D::Tx, account: AccountId) -> Result<(), StoreError> {
    let account = account.to_string();
    fetch_optional::<D>(
        tx,
        "SELECT id FROM accounts WHERE id = $1",
        &[Arg::Text(&account)],
    )
    .await?
    .map(|_| ())
    .ok_or(StoreError::NotFound("account"))
}

/// Every mailbox of the account as (id, name).
async fn all_names<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
) -> Result<Vec<(MailboxId, String)>, StoreError> {
    let account = account.to_string();
    let rows = D::fetch_all(
        tx,
        "SELECT id, name FROM mailboxes WHERE account_id = $1",
        &[Arg::Text(&account)],
    )
    .await?;
    rows.iter()
        .map(|row| Ok((row.parse(0)?, row.text(1)?)))
        .collect()
}

pub async fn list<D: Driver>(
    driver: &D,
    account: AccountId,
) -> Result<Vec<MailboxInfo>, StoreError> {
    let mut tx = driver.begin_read().await?;
    require_account::<D>(&mut tx, account).await?;
    let account = account.to_string();
    let rows = D::fetch_all(
        &mut tx,
        "SELECT id, name, uidvalidity, uid_next, highest_modseq, special_use, recent_uid \
         FROM mailboxes WHERE account_id = $1",
        &[Arg::Text(&account)],
    )
    .await?;
    let mut mailboxes = rows
        .iter()
        .map(|row| mailbox_from_row(row).map(|mailbox| mailbox.info))
        .collect::<Result<Vec<_>, StoreError>>()?;
    // Byte order, independent of the database collation.
    mailboxes.sort_by(|left, right| left.name.cmp(&right.name));
    Ok(mailboxes)
}

/// Inserts the ancestors of `name` that are not in `existing`.
async fn create_parents<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    name: &str,
    existing: &HashSet<String>,
) -> Result<(), StoreError> {
    for parent in names::ancestors(name) {
        if !existing.contains(parent) {
            insert_mailbox::<D>(tx, account, parent, None).await?;
        }
    }
    Ok(())
}

pub async fn create<D: Driver>(
    driver: &D,
    account: AccountId,
    name: &str,
    special_use: Option<&str>,
) -> Result<MailboxInfo, StoreError> {
    let name = names::normalize_for_create(name)?;
    let special_use = check_special_use(special_use)?;
    let mut tx = driver.begin_write().await?;
    let existing: HashSet<String> = all_names::<D>(&mut tx, account)
        .await?
        .into_iter()
        .map(|(_, name)| name)
        .collect();
    if existing.contains(&name) {
        return Err(StoreError::AlreadyExists("mailbox"));
    }
    create_parents::<D>(&mut tx, account, &name, &existing).await?;
    let info = insert_mailbox::<D>(&mut tx, account, &name, special_use).await?;
    D::commit(tx).await?;
    Ok(info)
}

pub async fn delete<D: Driver>(
    driver: &D,
    account: AccountId,
    name: &str,
) -> Result<(), StoreError> {
    let name = names::normalize(name)?;
    if names::is_inbox(&name) {
        return Err(StoreError::PermissionDenied("INBOX cannot be deleted"));
    }
    let mut tx = driver.begin_write().await?;
    let mailbox = lock_mailbox_by_name::<D>(&mut tx, account, &name).await?;
    let has_children = all_names::<D>(&mut tx, account)
        .await?
        .iter()
        .any(|(_, other)| names::is_descendant(other, &name));
    if has_children {
        return Err(StoreError::Conflict("mailbox has children"));
    }
    let (account_text, id) = (account.to_string(), mailbox.info.id.to_string());
    let args = [Arg::Text(&account_text), Arg::Text(&id)];
    let totals = fetch_one::<D>(
        &mut tx,
        "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM messages \
         WHERE account_id = $1 AND mailbox_id = $2",
        &args,
    )
    .await?;
    for statement in [
        "DELETE FROM expunged WHERE account_id = $1 AND mailbox_id = $2",
        "DELETE FROM messages WHERE account_id = $1 AND mailbox_id = $2",
        "DELETE FROM mailbox_metadata WHERE account_id = $1 AND mailbox_id = $2",
        "DELETE FROM metadata_removals WHERE account_id = $1 AND mailbox_id = $2",
        "DELETE FROM mailboxes WHERE account_id = $1 AND id = $2",
    ] {
        D::execute(&mut tx, statement, &args).await?;
    }
    charge::<D>(&mut tx, account, -totals.int(1)?, -totals.int(0)?).await?;
    D::commit(tx).await
}

pub async fn rename<D: Driver>(
    driver: &D,
    account: AccountId,
    from: &str,
    to: &str,
) -> Result<(), StoreError> {
    let from = names::normalize(from)?;
    let to = names::normalize_for_create(to)?;
    let mut tx = driver.begin_write().await?;
    let all = all_names::<D>(&mut tx, account).await?;
    let existing: HashSet<String> = all.iter().map(|(_, name)| name.clone()).collect();
    if !existing.contains(&from) {
        return Err(StoreError::NotFound("mailbox"));
    }
    if existing.contains(&to) {
        return Err(StoreError::AlreadyExists("mailbox"));
    }
    if names::is_inbox(&from) {
        // RFC 9051 §6.3.6: INBOX's messages move to the new name, INBOX stays
        // (empty), and its children are not renamed.
        create_parents::<D>(&mut tx, account, &to, &existing).await?;
        let destination = insert_mailbox::<D>(&mut tx, account, &to, None).await?;
        let inbox = lock_mailbox_by_name::<D>(&mut tx, account, INBOX).await?;
        let destination = MailboxRow {
            info: destination,
            recent_uid: 1,
        };
        transfer::<D>(
            &mut tx,
            account,
            &inbox,
            &destination,
            None,
            TransferMode::Move,
        )
        .await?;
        return D::commit(tx).await;
    }
    if names::is_descendant(&to, &from) {
        return Err(StoreError::InvalidArgument(
            "cannot rename a mailbox below itself".into(),
        ));
    }
    let moving: Vec<(MailboxId, String, String)> = all
        .into_iter()
        .filter(|(_, name)| *name == from || names::is_descendant(name, &from))
        .map(|(id, name)| {
            let target = names::renamed(&name, &from, &to);
            (id, name, target)
        })
        .collect();
    if moving
        .iter()
        .any(|(_, _, target)| existing.contains(target))
    {
        return Err(StoreError::AlreadyExists("mailbox"));
    }
    create_parents::<D>(&mut tx, account, &to, &existing).await?;
    let account_text = account.to_string();
    for (id, old, new) in &moving {
        let id = id.to_string();
        D::execute(
            &mut tx,
            "UPDATE mailboxes SET name = $3 WHERE account_id = $1 AND id = $2",
            &[Arg::Text(&account_text), Arg::Text(&id), Arg::Text(new)],
        )
        .await?;
        // Subscriptions follow the renamed mailboxes.
        let moved = D::execute(
            &mut tx,
            "DELETE FROM subscriptions WHERE account_id = $1 AND name = $2",
            &[Arg::Text(&account_text), Arg::Text(old)],
        )
        .await?;
        if moved > 0 {
            subscribe::<D>(&mut tx, &account_text, new).await?;
        }
    }
    D::commit(tx).await
}

async fn subscribe<D: Driver>(tx: &mut D::Tx, account: &str, name: &str) -> Result<(), StoreError> {
    D::execute(
        tx,
        "INSERT INTO subscriptions (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        &[Arg::Text(account), Arg::Text(name)],
    )
    .await
    .map(drop)
}

pub async fn set_subscription<D: Driver>(
    driver: &D,
    account: AccountId,
    name: &str,
    subscribed: bool,
) -> Result<(), StoreError> {
    let name = names::normalize(name)?;
    let mut tx = driver.begin_write().await?;
    require_account::<D>(&mut tx, account).await?;
    let account = account.to_string();
    if subscribed {
        subscribe::<D>(&mut tx, &account, &name).await?;
    } else {
        D::execute(
            &mut tx,
            "DELETE FROM subscriptions WHERE account_id = $1 AND name = $2",
            &[Arg::Text(&account), Arg::Text(&name)],
        )
        .await?;
    }
    D::commit(tx).await
}

pub async fn subscriptions<D: Driver>(
    driver: &D,
    account: AccountId,
) -> Result<Vec<String>, StoreError> {
    let mut tx = driver.begin_read().await?;
    require_account::<D>(&mut tx, account).await?;
    let account = account.to_string();
    let rows = D::fetch_all(
        &mut tx,
        "SELECT name FROM subscriptions WHERE account_id = $1",
        &[Arg::Text(&account)],
    )
    .await?;
    let mut names = rows
        .iter()
        .map(|row| row.text(0))
        .collect::<Result<Vec<_>, StoreError>>()?;
    // Byte order, independent of the database collation.
    names.sort();
    Ok(names)
}

pub async fn select<D: Driver>(
    driver: &D,
    account: AccountId,
    name: &str,
    read_only: bool,
) -> Result<SelectedMailbox, StoreError> {
    let name = names::normalize(name)?;
    let (mut tx, mailbox) = if read_only {
        let mut tx = driver.begin_read().await?;
        let mailbox = mailbox_by_name::<D>(&mut tx, account, &name).await?;
        (tx, mailbox)
    } else {
        let mut tx = driver.begin_write().await?;
        // Lock first so two SELECTs never claim the same \Recent UIDs.
        let mailbox = lock_mailbox_by_name::<D>(&mut tx, account, &name).await?;
        let (account, id) = (account.to_string(), mailbox.info.id.to_string());
        D::execute(
            &mut tx,
            CLAIM_RECENT,
            &[Arg::Text(&account), Arg::Text(&id)],
        )
        .await?;
        (tx, mailbox)
    };
    let uids = uid_runs::<D>(&mut tx, account, mailbox.info.id, 1).await?;
    let (account_text, id) = (account.to_string(), mailbox.info.id.to_string());
    let args = [Arg::Text(&account_text), Arg::Text(&id)];
    let first_unseen = fetch_one::<D>(
        &mut tx,
        "SELECT MIN(uid) FROM messages WHERE account_id = $1 AND mailbox_id = $2 \
         AND (system_flags & $3) = 0",
        &[args[0], args[1], Arg::Int(i64::from(SystemFlags::SEEN))],
    )
    .await?
    .opt_int(0)?
    .and_then(|uid| u32::try_from(uid).ok())
    .and_then(Uid::new);
    let keyword_lists = D::fetch_all(
        &mut tx,
        "SELECT DISTINCT keyword_ids FROM messages WHERE account_id = $1 AND mailbox_id = $2 \
         AND keyword_ids <> ''",
        &args,
    )
    .await?;
    let mut in_use = BTreeSet::new();
    for row in &keyword_lists {
        in_use.extend(decode_ids(&row.text(0)?)?);
    }
    let known = keyword_names::<D>(&mut tx, account).await?;
    D::commit(tx).await?;
    let recent_floor = mailbox.recent_uid;
    let recent = uids.intersection(&UidSet::from_ranges([(recent_floor, u32::MAX)]));
    Ok(SelectedMailbox {
        mailbox: mailbox.info,
        uids,
        recent,
        first_unseen,
        keywords: in_use
            .iter()
            .filter_map(|id| known.get(id).cloned())
            .collect(),
    })
}

/// The mailbox's UIDs from `floor` up, read as runs (ARCHITECTURE.md §3a).
async fn uid_runs<D: Driver>(
    tx: &mut D::Tx,
    account: AccountId,
    mailbox: MailboxId,
    floor: u32,
) -> Result<UidSet, StoreError> {
    let (account, mailbox) = (account.to_string(), mailbox.to_string());
    let runs = D::fetch_all(
        tx,
        "SELECT MIN(uid), MAX(uid) FROM (SELECT uid, uid - ROW_NUMBER() OVER (ORDER BY uid) AS run \
         FROM messages WHERE account_id = $1 AND mailbox_id = $2 AND uid >= $3) AS runs \
         GROUP BY run ORDER BY 1",
        &[
            Arg::Text(&account),
            Arg::Text(&mailbox),
            Arg::Int(i64::from(floor)),
        ],
    )
    .await?;
    runs.iter()
        .map(|row| Ok((row.u32(0)?, row.u32(1)?)))
        .collect::<Result<Vec<_>, StoreError>>()
        .map(UidSet::from_ranges)
}

pub async fn claim_recent<D: Driver>(
    driver: &D,
    account: AccountId,
    mailbox: MailboxId,
) -> Result<UidSet, StoreError> {
    let mut tx = driver.begin_ephemeral_write().await?;
    // The lock makes two sessions' claims disjoint.
    let row = lock_mailbox::<D>(&mut tx, account, mailbox).await?;
    if row.recent_uid >= row.info.uid_next {
        D::commit(tx).await?;
        return Ok(UidSet::new());
    }
    let claimed = uid_runs::<D>(&mut tx, account, mailbox, row.recent_uid).await?;
    let (account, mailbox) = (account.to_string(), mailbox.to_string());
    D::execute(
        &mut tx,
        CLAIM_RECENT,
        &[Arg::Text(&account), Arg::Text(&mailbox)],
    )
    .await?;
    D::commit(tx).await?;
    Ok(claimed)
}
