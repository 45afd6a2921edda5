//! METADATA (RFC 5464) entries and changes on the wire. Every wire value
//! has a domain counterpart (names are validated by the store), so both
//! directions are infallible; a change with `remove` set carries no value.

use mailkeep_common::mail::{ChangedMetadataEntry, MetadataChange, MetadataChanges, MetadataEntry};

use crate::metadata::v1 as pb;

impl From<MetadataEntry> for pb::MetadataEntry {
    fn from(entry: MetadataEntry) -> Self {
        Self {
            name: entry.name,
            value: entry.value,
        }
    }
}

impl From<pb::MetadataEntry> for MetadataEntry {
    fn from(entry: pb::MetadataEntry) -> Self {
        Self {
            name: entry.name,
            value: entry.value,
        }
    }
}

impl From<MetadataChange> for pb::MetadataChange {
    fn from(change: MetadataChange) -> Self {
        Self {
            name: change.name,
            remove: change.value.is_none(),
            value: change.value.unwrap_or_default(),
        }
    }
}

impl From<pb::MetadataChange> for MetadataChange {
    fn from(change: pb::MetadataChange) -> Self {
        Self {
            name: change.name,
            value: (!change.remove).then_some(change.value),
        }
    }
}

impl From<MetadataChanges> for pb::MetadataChangesResponse {
    fn from(changes: MetadataChanges) -> Self {
        Self {
            modseq: changes.modseq,
            changed: changes
                .changed
                .into_iter()
                .map(|entry| pb::ChangedMetadataEntry {
                    mailbox: entry.mailbox,
                    name: entry.name,
                })
                .collect(),
        }
    }
}

impl From<pb::MetadataChangesResponse> for MetadataChanges {
    fn from(response: pb::MetadataChangesResponse) -> Self {
        Self {
            modseq: response.modseq,
            changed: response
                .changed
                .into_iter()
                .map(|entry| ChangedMetadataEntry {
                    mailbox: entry.mailbox,
                    name: entry.name,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_and_empty_values_survive_the_wire() {
        for change in [
            MetadataChange {
                name: "/private/comment".into(),
                value: None,
            },
            MetadataChange {
                name: "/shared/comment".into(),
                value: Some(Vec::new()),
            },
        ] {
            let wire = pb::MetadataChange::from(change.clone());
            assert_eq!(MetadataChange::from(wire), change);
        }
    }

    #[test]
    fn changed_entries_survive_the_wire() {
        let changes = MetadataChanges {
            modseq: 7,
            changed: vec![
                ChangedMetadataEntry {
                    mailbox: String::new(),
                    name: "/shared/admin".into(),
                },
                ChangedMetadataEntry {
                    mailbox: "INBOX".into(),
                    name: "/private/comment".into(),
                },
            ],
        };
        let wire = pb::MetadataChangesResponse::from(changes.clone());
        assert_eq!(MetadataChanges::from(wire), changes);
    }
}
