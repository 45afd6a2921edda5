//! METADATA change tracking (RFC 5465 §5.6-5.7): the account's counter moves
//! once per SETMETADATA, and the entries set, changed or removed after a
//! counter value come back once each, by their mailbox's current name (`""`
//! for server entries), sorted, never another account's, never those of a
//! deleted mailbox.

use mailkeep_common::AccountId;
use mailkeep_common::ErrorCode;
use mailkeep_common::mail::ChangedMetadataEntry;

use crate::mailbox_metadata::{remove, set};
use crate::support::{Store, account, code};

fn entry(mailbox: &str, name: &str) -> ChangedMetadataEntry {
    ChangedMetadataEntry {
        mailbox: mailbox.to_owned(),
        name: name.to_owned(),
    }
}

/// The entries changed after `since`, checking the counter is `now`.
async fn changed_since(
    store: &Store,
    account: AccountId,
    since: u64,
    now: u64,
) -> Vec<ChangedMetadataEntry> {
    let changes = store.metadata_changes(account, Some(since)).await.unwrap();
    assert_eq!(changes.modseq, now, "counter");
    changes.changed
}

async fn counter(store: &Store, account: AccountId) -> u64 {
    let changes = store.metadata_changes(account, None).await.unwrap();
    assert!(changes.changed.is_empty(), "no `since`, no entries");
    changes.modseq
}

async fn set_remove_and_change_show_once_after_since(store: Store) {
    let id = account(&store).await.id;
    assert_eq!(counter(&store, id).await, 0);
    let server = store
        .set_metadata(id, "", &[set("/shared/Admin", "mailto:a@b")])
        .await
        .unwrap();
    assert_eq!(server, 1);
    // Two entries, one call: the counter moves once.
    let inbox_changes = [set("/private/b", "1"), set("/private/c", "2")];
    assert_eq!(
        store
            .set_metadata(id, "inbox", &inbox_changes)
            .await
            .unwrap(),
        2
    );
    let archive_changes = [set("/private/z", "3")];
    assert_eq!(
        store
            .set_metadata(id, "Archive", &archive_changes)
            .await
            .unwrap(),
        3
    );
    // By mailbox name (byte order), then entry name; server entries first.
    assert_eq!(
        changed_since(&store, id, 0, 3).await,
        [
            entry("", "/shared/admin"),
            entry("Archive", "/private/z"),
            entry("INBOX", "/private/b"),
            entry("INBOX", "/private/c"),
        ]
    );
    assert_eq!(
        changed_since(&store, id, 1, 3).await,
        [
            entry("Archive", "/private/z"),
            entry("INBOX", "/private/b"),
            entry("INBOX", "/private/c"),
        ]
    );
    assert!(changed_since(&store, id, 3, 3).await.is_empty());
    assert!(changed_since(&store, id, 99, 3).await.is_empty());
    // A change and a removal in one call: each entry once.
    let mixed = [set("/private/b", "changed"), remove("/private/c")];
    assert_eq!(store.set_metadata(id, "INBOX", &mixed).await.unwrap(), 4);
    assert_eq!(
        changed_since(&store, id, 3, 4).await,
        [entry("INBOX", "/private/b"), entry("INBOX", "/private/c")]
    );
    // Set again after its removal: once, as an entry.
    let again = [set("/private/c", "back")];
    assert_eq!(store.set_metadata(id, "INBOX", &again).await.unwrap(), 5);
    assert_eq!(
        changed_since(&store, id, 4, 5).await,
        [entry("INBOX", "/private/c")]
    );
    let server_removal = [remove("/shared/admin")];
    assert_eq!(
        store.set_metadata(id, "", &server_removal).await.unwrap(),
        6
    );
    assert_eq!(
        changed_since(&store, id, 5, 6).await,
        [entry("", "/shared/admin")]
    );
    // Removing an entry that is not there moves the counter, reports nothing.
    let nothing = [remove("/private/never-set")];
    assert_eq!(store.set_metadata(id, "INBOX", &nothing).await.unwrap(), 7);
    assert!(changed_since(&store, id, 6, 7).await.is_empty());
    // A refused change set leaves the counter where it was.
    let bad = store.set_metadata(id, "", &[set("/other/x", "v")]).await;
    assert_eq!(code(bad), ErrorCode::InvalidArgument);
    let missing = store
        .set_metadata(id, "Nowhere", &[set("/private/x", "v")])
        .await;
    assert_eq!(code(missing), ErrorCode::NotFound);
    assert_eq!(counter(&store, id).await, 7);
}

async fn rename_shows_the_new_name_and_delete_hides_entries(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    store.create_mailbox(id, "Work", None).await.unwrap();
    let color = [set("/private/color", "red"), set("/private/size", "big")];
    assert_eq!(store.set_metadata(id, "Work", &color).await.unwrap(), 1);
    store.rename_mailbox(id, "Work", "Jobs").await.unwrap();
    let removal = [remove("/private/size")];
    assert_eq!(store.set_metadata(id, "Jobs", &removal).await.unwrap(), 2);
    assert_eq!(
        changed_since(&store, id, 0, 2).await,
        [
            entry("Jobs", "/private/color"),
            entry("Jobs", "/private/size")
        ]
    );
    store.delete_mailbox(id, "Jobs").await.unwrap();
    assert!(changed_since(&store, id, 0, 2).await.is_empty());
    // A new mailbox of the same name starts without the old one's changes.
    store.create_mailbox(id, "Jobs", None).await.unwrap();
    assert!(changed_since(&store, id, 0, 2).await.is_empty());
    // The account goes with its entries and removals (both reference the
    // account row, so leftovers would make the deletion fail).
    let entries = [set("/private/x", "y"), set("/private/gone", "soon")];
    store.set_metadata(id, "", &entries).await.unwrap();
    let removal = [remove("/private/gone")];
    store.set_metadata(id, "", &removal).await.unwrap();
    assert_eq!(
        changed_since(&store, id, 2, 4).await,
        [entry("", "/private/gone"), entry("", "/private/x")]
    );
    store
        .delete_account(&owner.domain, &owner.local_part)
        .await
        .unwrap();
    assert_eq!(
        code(store.metadata_changes(id, Some(0)).await),
        ErrorCode::NotFound
    );
}

async fn another_accounts_changes_never_appear(store: Store) {
    let mine = account(&store).await.id;
    let theirs = account(&store).await.id;
    store
        .set_metadata(theirs, "", &[set("/shared/x", "1"), set("/shared/y", "2")])
        .await
        .unwrap();
    store
        .set_metadata(theirs, "", &[remove("/shared/y")])
        .await
        .unwrap();
    store
        .set_metadata(theirs, "INBOX", &[set("/private/z", "2")])
        .await
        .unwrap();
    assert!(changed_since(&store, mine, 0, 0).await.is_empty());
    assert_eq!(changed_since(&store, theirs, 0, 3).await.len(), 3);
    assert_eq!(store.set_metadata(mine, "", &[]).await.unwrap(), 1);
    assert!(changed_since(&store, mine, 0, 1).await.is_empty());
}

crate::conformance!(
    set_remove_and_change_show_once_after_since,
    rename_shows_the_new_name_and_delete_hides_entries,
    another_accounts_changes_never_appear,
);
