//! METADATA (RFC 5464) storage: server and mailbox entries per account,
//! names lower-cased and validated, all-or-nothing change sets, the value
//! and count limits, entries that follow RENAME and go with DELETE, and
//! isolation between accounts.

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::{
    MAX_METADATA_ENTRIES, MAX_METADATA_VALUE_BYTES, MetadataChange, MetadataEntry,
};

use crate::support::{Store, account, code};

pub fn set(name: &str, value: &str) -> MetadataChange {
    MetadataChange {
        name: name.to_owned(),
        value: Some(value.as_bytes().to_vec()),
    }
}

pub fn remove(name: &str) -> MetadataChange {
    MetadataChange {
        name: name.to_owned(),
        value: None,
    }
}

fn names(entries: &[MetadataEntry]) -> Vec<&str> {
    entries.iter().map(|entry| entry.name.as_str()).collect()
}

async fn server_and_mailbox_entries(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    store
        .set_metadata(id, "", &[set("/Shared/Comment", "Shared comment")])
        .await
        .unwrap();
    store
        .set_metadata(
            id,
            "inbox",
            &[
                set("/private/comment", "mine"),
                set("/shared/comment", "ours"),
            ],
        )
        .await
        .unwrap();
    let server = store.metadata(id, "").await.unwrap();
    assert_eq!(
        server,
        vec![MetadataEntry {
            name: "/shared/comment".into(),
            value: b"Shared comment".to_vec()
        }]
    );
    let inbox = store.metadata(id, "INBOX").await.unwrap();
    assert_eq!(names(&inbox), ["/private/comment", "/shared/comment"]);
    // Replace one, remove the other, in one change set.
    store
        .set_metadata(
            id,
            "INBOX",
            &[
                set("/private/comment", "changed"),
                remove("/shared/comment"),
            ],
        )
        .await
        .unwrap();
    let inbox = store.metadata(id, "INBOX").await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].value, b"changed");
    assert_eq!(
        code(store.metadata(id, "Nowhere").await),
        ErrorCode::NotFound
    );
    // Another account sees none of it.
    let other = account(&store).await;
    assert!(store.metadata(other.id, "").await.unwrap().is_empty());
    assert!(store.metadata(other.id, "INBOX").await.unwrap().is_empty());
}

async fn bad_changes_leave_nothing_behind(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    for bad in ["/other/x", "/shared", "/shared/a*", "/private//x"] {
        assert_eq!(
            code(
                store
                    .set_metadata(id, "", &[set("/shared/ok", "v"), set(bad, "v")])
                    .await
            ),
            ErrorCode::InvalidArgument,
            "{bad}"
        );
    }
    let too_large = MetadataChange {
        name: "/shared/big".into(),
        value: Some(vec![b'x'; MAX_METADATA_VALUE_BYTES + 1]),
    };
    assert_eq!(
        code(store.set_metadata(id, "", &[too_large]).await),
        ErrorCode::Limit
    );
    let too_many: Vec<MetadataChange> = (0..=MAX_METADATA_ENTRIES)
        .map(|index| set(&format!("/private/e{index}"), "v"))
        .collect();
    assert_eq!(
        code(store.set_metadata(id, "INBOX", &too_many).await),
        ErrorCode::Limit
    );
    assert!(store.metadata(id, "").await.unwrap().is_empty());
    assert!(store.metadata(id, "INBOX").await.unwrap().is_empty());
    store
        .set_metadata(id, "INBOX", &too_many[..MAX_METADATA_ENTRIES])
        .await
        .unwrap();
    assert_eq!(
        store.metadata(id, "INBOX").await.unwrap().len(),
        MAX_METADATA_ENTRIES
    );
}

async fn entries_follow_rename_and_go_with_delete(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    store.create_mailbox(id, "Work", None).await.unwrap();
    store
        .set_metadata(id, "Work", &[set("/private/color", "red")])
        .await
        .unwrap();
    store.rename_mailbox(id, "Work", "Jobs").await.unwrap();
    assert_eq!(
        names(&store.metadata(id, "Jobs").await.unwrap()),
        ["/private/color"]
    );
    store.delete_mailbox(id, "Jobs").await.unwrap();
    store.create_mailbox(id, "Jobs", None).await.unwrap();
    assert!(store.metadata(id, "Jobs").await.unwrap().is_empty());
    // Deleting the account removes its server entries too.
    store
        .set_metadata(id, "", &[set("/private/x", "y")])
        .await
        .unwrap();
    store
        .delete_account(&owner.domain, &owner.local_part)
        .await
        .unwrap();
}

crate::conformance!(
    server_and_mailbox_entries,
    bad_changes_leave_nothing_behind,
    entries_follow_rename_and_go_with_delete,
);
