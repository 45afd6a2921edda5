//! The memory backend's METADATA (RFC 5464) entries, with the same name
//! rules and limits as the SQL stores: a change set is checked whole and
//! applied whole, or not at all.

use std::collections::BTreeMap;

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::{
    MAX_METADATA_ENTRIES, MAX_METADATA_VALUE_BYTES, MetadataChange, MetadataEntry,
    metadata_entry_name,
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
) -> BackendResult<()> {
    let key = mailbox_key(inner, who, mailbox)?;
    let account = inner.account(who)?;
    let mut updated: BTreeMap<(String, String), Vec<u8>> = account.metadata.clone();
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
                updated.insert((key.clone(), name), value.clone());
            }
            None => {
                updated.remove(&(key.clone(), name));
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
    Ok(())
}
