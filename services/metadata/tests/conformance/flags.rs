//! STORE with keywords and UNCHANGEDSINCE, and COPY/MOVE semantics.

use std::sync::Arc;

use futures::TryStreamExt;
use mailkeep_common::mail::{Flags, MetaQuery, StoreOperation, SystemFlags};
use mailkeep_common::{ErrorCode, ModSeq};
use mailkeep_metadata::fetch_stream;

use crate::support::{Store, account, all, code, flagged, mailbox, message, set, uids, usage};

fn flags(system: u32, keywords: &[&str]) -> Flags {
    Flags {
        system: SystemFlags(system),
        keywords: keywords
            .iter()
            .map(|keyword| (*keyword).to_owned())
            .collect(),
    }
}

async fn store_add_remove_replace_with_keywords(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    store
        .append(
            id,
            inbox,
            vec![flagged(1, SystemFlags::SEEN, &["$Forwarded"]), message(2)],
        )
        .await
        .unwrap();
    let added = store
        .store_flags(
            id,
            inbox,
            &set(&[(1, 2)]),
            StoreOperation::Add,
            &flags(SystemFlags::FLAGGED, &["$Work", "Later"]),
            None,
        )
        .await
        .unwrap();
    let by_uid: Vec<_> = added
        .updated
        .iter()
        .map(|u| (u.uid, u.flags.clone()))
        .collect();
    assert_eq!(
        by_uid,
        vec![
            (
                uids(&[1])[0],
                flags(
                    SystemFlags::SEEN | SystemFlags::FLAGGED,
                    &["$Forwarded", "$Work", "Later"]
                )
            ),
            (
                uids(&[2])[0],
                flags(SystemFlags::FLAGGED, &["$Work", "Later"])
            ),
        ]
    );
    let removed = store
        .store_flags(
            id,
            inbox,
            &set(&[(1, 1)]),
            StoreOperation::Remove,
            &flags(SystemFlags::SEEN, &["$Work", "NeverUsed"]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        removed.updated[0].flags,
        flags(SystemFlags::FLAGGED, &["$Forwarded", "Later"])
    );
    let replaced = store
        .store_flags(
            id,
            inbox,
            &set(&[(2, 2)]),
            StoreOperation::Replace,
            &flags(SystemFlags::ANSWERED, &["Later"]),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        replaced.updated[0].flags,
        flags(SystemFlags::ANSWERED, &["Later"])
    );
    let selected = store.select_mailbox(id, "INBOX", true).await.unwrap();
    let mut keywords = selected.keywords.clone();
    keywords.sort();
    assert_eq!(keywords, ["$Forwarded", "Later"]);
    // Bad flags are refused before anything changes.
    assert_eq!(
        code(
            store
                .store_flags(
                    id,
                    inbox,
                    &all(),
                    StoreOperation::Add,
                    &flags(64, &[]),
                    None
                )
                .await
        ),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(
            store
                .store_flags(
                    id,
                    inbox,
                    &all(),
                    StoreOperation::Add,
                    &flags(0, &["a b"]),
                    None
                )
                .await
        ),
        ErrorCode::InvalidArgument
    );
}

async fn unchanged_since_reports_modified(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let appended = store
        .append(id, inbox, vec![message(1), message(2)])
        .await
        .unwrap();
    let touched = store
        .store_flags(
            id,
            inbox,
            &set(&[(2, 2)]),
            StoreOperation::Add,
            &flags(1, &[]),
            None,
        )
        .await
        .unwrap();
    let conditional = store
        .store_flags(
            id,
            inbox,
            &set(&[(1, 2)]),
            StoreOperation::Add,
            &flags(SystemFlags::FLAGGED, &[]),
            Some(appended.modseq),
        )
        .await
        .unwrap();
    assert_eq!(conditional.modified, set(&[(2, 2)]));
    assert_eq!(conditional.updated.len(), 1);
    assert_eq!(conditional.updated[0].uid, uids(&[1])[0]);
    assert!(conditional.highest_modseq > touched.highest_modseq);
    let changes = store
        .changes(id, inbox, touched.highest_modseq)
        .await
        .unwrap();
    assert_eq!(changes.changed.len(), 1);
    assert_eq!(changes.changed[0].flags.system.0, SystemFlags::FLAGGED);
}

async fn copy_and_move(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let archive = mailbox(&store, id, "Archive").await;
    store
        .append(
            id,
            inbox,
            vec![
                flagged(10, SystemFlags::SEEN, &["$Work"]),
                message(20),
                message(30),
            ],
        )
        .await
        .unwrap();
    store.append(id, archive, vec![message(5)]).await.unwrap();
    let query = MetaQuery::default();
    let source: Vec<_> = fetch_stream(Arc::clone(&store), id, inbox, all(), query)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();

    let copied = store
        .copy_messages(id, inbox, &set(&[(1, 1), (3, 9)]), archive)
        .await
        .unwrap();
    assert_eq!(copied.source_uids, uids(&[1, 3]));
    assert_eq!(copied.destination_uids, uids(&[2, 3]));
    let archive_status = store.mailbox_status(id, "Archive").await.unwrap();
    assert_eq!(copied.uidvalidity, archive_status.mailbox.uidvalidity);
    let copies = store
        .fetch_page(id, archive, &set(&[(2, 3)]), query, None, 10)
        .await
        .unwrap();
    assert_eq!(copies[0].email_id, source[0].email_id);
    assert_eq!(copies[0].blob_id, source[0].blob_id);
    assert_eq!(copies[0].flags, source[0].flags);
    assert_eq!(copies[1].email_id, source[2].email_id);
    assert_eq!(usage(&store, &owner).await, (105, 6));
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().messages, 3);

    let moved = store
        .move_messages(id, inbox, &set(&[(2, 3)]), archive)
        .await
        .unwrap();
    assert_eq!(moved.source_uids, uids(&[2, 3]));
    assert_eq!(moved.destination_uids, uids(&[4, 5]));
    assert!(moved.source_modseq > ModSeq::new(1));
    let left = store.select_mailbox(id, "INBOX", true).await.unwrap();
    assert_eq!(left.uids, set(&[(1, 1)]));
    let changes = store.changes(id, inbox, ModSeq::new(0)).await.unwrap();
    assert_eq!(changes.expunged, set(&[(2, 3)]));
    assert_eq!(usage(&store, &owner).await, (105, 6));
    let arrived = store
        .fetch_page(id, archive, &set(&[(4, 5)]), query, None, 10)
        .await
        .unwrap();
    assert_eq!(arrived[0].email_id, source[1].email_id);

    // Nothing to copy is not an error; a missing destination is.
    let none = store
        .copy_messages(id, inbox, &set(&[(50, 60)]), archive)
        .await
        .unwrap();
    assert!(none.source_uids.is_empty());
    let missing = mailkeep_common::MailboxId::from_u128(99);
    assert_eq!(
        code(store.copy_messages(id, inbox, &all(), missing).await),
        ErrorCode::NotFound
    );
    // Moving within one mailbox renumbers.
    let within = store
        .move_messages(id, archive, &set(&[(1, 1)]), archive)
        .await
        .unwrap();
    assert_eq!(within.destination_uids, uids(&[6]));
    let archive_now = store.select_mailbox(id, "Archive", true).await.unwrap();
    assert_eq!(archive_now.uids, set(&[(2, 6)]));
}

crate::conformance!(
    store_add_remove_replace_with_keywords,
    unchanged_since_reports_modified,
    copy_and_move,
);
