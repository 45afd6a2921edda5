//! The memory backend's METADATA (RFC 5464) entries, with the same name
//! rules and limits as the SQL stores: a change set is checked whole and
//! applied whole, or not at all.

use std::collections::BTreeMap;

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::{
    ChangedMetadataEntry, MAX_METADATA_ENTRIES, MAX_METADATA_VALUE_BYTES, MetadataChange,
    MetadataChanges, MetadataEntry, metadata_entry_name,
};

use super::data::Inner;
use crate::backend::{BackendError, BackendResult, Principal};

/// The key of `mailbox`'s entries: `""` for the server, else its id.
fn mailbox_key(inner: &mut Inner, who: &Principal, mailbox: &str) -> BackendResult<String> {
    if mailbox.is_empty() {
        return Ok(String::new());
    }
    Ok(inner.mailbox_by_name(who, mailbox)?.info.id.to_string())
}

pub(super) fn entries(
    inner: &mut Inner,
    who: &Principal,
    mailbox: &str,
) -> BackendResult<Vec<MetadataEntry>> {
    let key = mailbox_key(inner, who, mailbox)?;
    Ok(inner
        .account(who)?
        .metadata
        .iter()
        .filter(|((owner, _), _)| *owner == key)
        .map(|((_, name), value)| MetadataEntry {
            name: name.clone(),
            value: value.clone(),
        })
        .collect())
}

pub(super) fn set(
    inner: &mut Inner,
    who: &Principal,
    mailbox: &str,
    changes: &[MetadataChange],
) -> BackendResult<u64> {
    let key = mailbox_key(inner, who, mailbox)?;
    let account = inner.account(who)?;
    let mut updated: BTreeMap<(String, String), Vec<u8>> = account.metadata.clone();
    let mut changed = Vec::new();
    for change in changes {
        let name = metadata_entry_name(&change.name).ok_or_else(|| {
            BackendError::new(ErrorCode::InvalidArgument, "invalid metadata entry name")
        })?;
        match &change.value {
            Some(value) if value.len() > MAX_METADATA_VALUE_BYTES => {
                return Err(BackendError::new(
                    ErrorCode::Limit,
                    "metadata value too large",
                ));
            }
            Some(value) => {
                updated.insert((key.clone(), name.clone()), value.clone());
                changed.push(name);
            }
            // Removing an entry that is not there changes nothing.
            None => {
                if updated.remove(&(key.clone(), name.clone())).is_some() {
                    changed.push(name);
                }
            }
        }
    }
    if updated.keys().filter(|(owner, _)| *owner == key).count() > MAX_METADATA_ENTRIES {
        return Err(BackendError::new(
            ErrorCode::Limit,
            "too many metadata entries",
        ));
    }
    account.metadata = updated;
    account.metadata_modseq += 1;
    for name in changed {
        account
            .metadata_changed
            .insert((key.clone(), name), account.metadata_modseq);
    }
    Ok(account.metadata_modseq)
}

/// The counter and, with `since`, the entries changed after it, named by
/// their mailbox's current name.
pub(super) fn changes(
    inner: &mut Inner,
    who: &Principal,
    since: Option<u64>,
) -> BackendResult<MetadataChanges> {
    let account = inner.account(who)?;
    let mailbox_name = |key: &str| {
        if key.is_empty() {
            return Some(String::new());
        }
        let mailbox = account
            .mailboxes
            .iter()
            .find(|m| m.info.id.to_string() == key)?;
        Some(mailbox.info.name.clone())
    };
    let mut changed: Vec<ChangedMetadataEntry> = match since {
        None => Vec::new(),
        Some(since) => account
            .metadata_changed
            .iter()
            .filter(|(_, modseq)| **modseq > since)
            .filter_map(|((key, name), _)| {
                Some(ChangedMetadataEntry {
                    mailbox: mailbox_name(key)?,
                    name: name.clone(),
                })
            })
            .collect(),
    };
    changed.sort_by(|a, b| (&a.mailbox, &a.name).cmp(&(&b.mailbox, &b.name)));
    Ok(MetadataChanges {
        modseq: account.metadata_modseq,
        changed,
    })
}
