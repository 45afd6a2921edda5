//! Message invariants: concurrent appends, UIDs never reused, a MODSEQ per
//! change, changes since a MODSEQ, quota under concurrency, and paged fetch.

use std::collections::HashSet;
use std::sync::Arc;

use futures::TryStreamExt;
use mailkeep_common::mail::{Flags, MetaQuery, StoreOperation, SystemFlags};
use mailkeep_common::{ErrorCode, ModSeq, Uid};
use mailkeep_metadata::fetch_stream;

use crate::support::{
    Store, account, account_with_quota, all, code, delete_and_expunge, flagged, mailbox, message,
    set, uids, usage,
};

async fn concurrent_appends_take_distinct_rising_uids(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let mut taken = Vec::new();
                for round in 0..6 {
                    let outcome = store
                        .append(id, inbox, vec![message(100 + task * 10 + round)])
                        .await
                        .expect("append");
                    taken.push((outcome.modseq, outcome.uids[0]));
                }
                taken
            })
        })
        .collect();
    let mut all_taken = Vec::new();
    for task in tasks {
        let taken = task.await.expect("task");
        // Within one task, later appends get greater UIDs.
        assert!(taken.windows(2).all(|pair| pair[0].1 < pair[1].1));
        all_taken.extend(taken);
    }
    assert_eq!(all_taken.len(), 48);
    let modseqs: HashSet<ModSeq> = all_taken.iter().map(|&(modseq, _)| modseq).collect();
    let distinct_uids: HashSet<Uid> = all_taken.iter().map(|&(_, uid)| uid).collect();
    assert_eq!(modseqs.len(), 48, "no MODSEQ repeated");
    assert_eq!(distinct_uids.len(), 48, "no UID repeated");
    // Commit order is MODSEQ order: UIDs rise with it.
    all_taken.sort();
    assert!(all_taken.windows(2).all(|pair| pair[0].1 < pair[1].1));
    let selected = store.select_mailbox(id, "INBOX", true).await.unwrap();
    assert_eq!(selected.uids, set(&[(1, 48)]));
    assert_eq!(selected.mailbox.uid_next, 49);
}

async fn uids_are_never_reused(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    store
        .append(id, inbox, vec![message(1), message(2), message(3)])
        .await
        .unwrap();
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    store
        .store_flags(
            id,
            inbox,
            &set(&[(3, 3)]),
            StoreOperation::Add,
            &deleted,
            None,
        )
        .await
        .unwrap();
    let expunged = store.expunge(id, inbox, None).await.unwrap();
    assert_eq!(expunged.expunged, set(&[(3, 3)]));
    let again = store.append(id, inbox, vec![message(4)]).await.unwrap();
    assert_eq!(again.uids, uids(&[4]));
    let selected = store.select_mailbox(id, "INBOX", true).await.unwrap();
    assert_eq!(selected.uids, set(&[(1, 2), (4, 4)]));
    // A UID-restricted expunge leaves \Deleted messages outside the set.
    store
        .store_flags(
            id,
            inbox,
            &set(&[(1, 2)]),
            StoreOperation::Add,
            &deleted,
            None,
        )
        .await
        .unwrap();
    let partial = store
        .expunge(id, inbox, Some(&set(&[(2, 9)])))
        .await
        .unwrap();
    assert_eq!(partial.expunged, set(&[(2, 2)]));
    let mut far_zone = message(5);
    far_zone.internal_date_offset = 100 * 60;
    assert_eq!(
        code(store.append(id, inbox, vec![far_zone]).await),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(store.append(id, inbox, Vec::new()).await),
        ErrorCode::InvalidArgument
    );
    let nothing = store
        .expunge(id, inbox, Some(&set(&[(4, 4)])))
        .await
        .unwrap();
    assert!(nothing.expunged.is_empty());
    assert_eq!(nothing.highest_modseq, partial.highest_modseq);
}

async fn every_change_takes_a_new_modseq(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let trash = mailbox(&store, id, "Trash").await;
    let start = store
        .mailbox_status(id, "INBOX")
        .await
        .unwrap()
        .mailbox
        .highest_modseq;
    let appended = store
        .append(id, inbox, vec![message(10), message(20)])
        .await
        .unwrap();
    assert!(appended.modseq > start);
    let seen = Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: Vec::new(),
    };
    let stored = store
        .store_flags(id, inbox, &set(&[(1, 1)]), StoreOperation::Add, &seen, None)
        .await
        .unwrap();
    assert!(stored.highest_modseq > appended.modseq);
    assert_eq!(stored.updated.len(), 1);
    assert_eq!(stored.updated[0].modseq, stored.highest_modseq);
    // Setting a flag that is already set changes nothing and takes no MODSEQ.
    let again = store
        .store_flags(id, inbox, &set(&[(1, 1)]), StoreOperation::Add, &seen, None)
        .await
        .unwrap();
    assert_eq!(again.highest_modseq, stored.highest_modseq);
    let trash_before = store
        .mailbox_status(id, "Trash")
        .await
        .unwrap()
        .mailbox
        .highest_modseq;
    let copied = store
        .copy_messages(id, inbox, &set(&[(1, 2)]), trash)
        .await
        .unwrap();
    let trash_after = store
        .mailbox_status(id, "Trash")
        .await
        .unwrap()
        .mailbox
        .highest_modseq;
    assert!(trash_after > trash_before);
    assert_eq!(copied.source_modseq, ModSeq::default());
    let moved = store
        .move_messages(id, trash, &set(&[(1, 1)]), inbox)
        .await
        .unwrap();
    assert!(moved.source_modseq > trash_after);
    let status = store.mailbox_status(id, "INBOX").await.unwrap();
    assert!(status.mailbox.highest_modseq > stored.highest_modseq);
    assert_eq!(status.messages, 3);
    assert_eq!(usage(&store, &owner).await, (60, 4));
}

async fn changes_since_include_expunged(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let appended = store
        .append(id, inbox, vec![message(1), message(2), message(3)])
        .await
        .unwrap();
    let flags = Flags {
        system: SystemFlags(SystemFlags::FLAGGED),
        keywords: vec!["$Important".into()],
    };
    store
        .store_flags(
            id,
            inbox,
            &set(&[(2, 2)]),
            StoreOperation::Add,
            &flags,
            None,
        )
        .await
        .unwrap();
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    store
        .store_flags(
            id,
            inbox,
            &set(&[(3, 3)]),
            StoreOperation::Replace,
            &deleted,
            None,
        )
        .await
        .unwrap();
    let expunged = store.expunge(id, inbox, None).await.unwrap();

    let changes = store.changes(id, inbox, appended.modseq).await.unwrap();
    assert_eq!(
        changes.changed.iter().map(|c| c.uid).collect::<Vec<_>>(),
        uids(&[2])
    );
    assert_eq!(changes.changed[0].flags, flags);
    assert_eq!(changes.expunged, set(&[(3, 3)]));
    assert_eq!(changes.highest_modseq, expunged.highest_modseq);
    assert_eq!(changes.uid_next, 4);
    let everything = store.changes(id, inbox, ModSeq::new(0)).await.unwrap();
    assert_eq!(
        everything.changed.iter().map(|c| c.uid).collect::<Vec<_>>(),
        uids(&[1, 2])
    );
    let nothing = store
        .changes(id, inbox, expunged.highest_modseq)
        .await
        .unwrap();
    assert!(nothing.changed.is_empty() && nothing.expunged.is_empty());
}

async fn quota_holds_under_concurrency(store: Store) {
    let owner = account_with_quota(&store, 0, 5).await;
    let id = owner.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let tasks: Vec<_> = (0..8)
        .map(|task| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.append(id, inbox, vec![message(10 + task)]).await })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => accepted += 1,
            Err(error) => assert_eq!(error.code(), ErrorCode::OverQuota),
        }
    }
    assert_eq!(accepted, 5);
    assert_eq!(usage(&store, &owner).await.1, 5);
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().messages, 5);
    // Copies count too; expunging frees room.
    let trash = mailbox(&store, id, "Trash").await;
    assert_eq!(
        code(store.copy_messages(id, inbox, &set(&[(1, 1)]), trash).await),
        ErrorCode::OverQuota
    );
    delete_and_expunge(&store, id, inbox, &all()).await;
    assert_eq!(usage(&store, &owner).await, (0, 0));

    let bytes = account_with_quota(&store, 100, 0).await;
    let bytes_inbox = mailbox(&store, bytes.id, "INBOX").await;
    store
        .append(bytes.id, bytes_inbox, vec![message(60)])
        .await
        .unwrap();
    assert_eq!(
        code(
            store
                .append(bytes.id, bytes_inbox, vec![message(30), message(20)])
                .await
        ),
        ErrorCode::OverQuota
    );
    // The refused batch left nothing behind.
    assert_eq!(usage(&store, &bytes).await, (60, 1));
    let selected = store.select_mailbox(bytes.id, "INBOX", true).await.unwrap();
    assert_eq!(selected.uids, set(&[(1, 1)]));
}

async fn fetch_pages_and_streams(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let batch: Vec<_> = (1..=300)
        .map(|size| flagged(size, SystemFlags::SEEN, &["$Work"]))
        .collect();
    let appended = store.append(id, inbox, batch).await.unwrap();
    assert_eq!(appended.uids.len(), 300);

    let query = MetaQuery {
        with_envelope: true,
        ..MetaQuery::default()
    };
    let metas: Vec<_> = fetch_stream(Arc::clone(&store), id, inbox, all(), query)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(metas.len(), 300);
    assert!(metas.windows(2).all(|pair| pair[0].uid < pair[1].uid));
    let first = &metas[0];
    assert_eq!(first.envelope, b"\x01(envelope)");
    assert!(first.bodystructure.is_empty() && first.part_table.is_empty());
    assert_eq!(first.flags.keywords, ["$Work"]);
    assert_eq!(first.flags.system.0, SystemFlags::SEEN);
    assert!(first.email_id.starts_with('M'));
    assert!(first.thread_id.starts_with('T'));

    let sparse = set(&[(2, 3), (299, 400)]);
    let page = store
        .fetch_page(id, inbox, &sparse, MetaQuery::default(), None, 3)
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|m| m.uid).collect::<Vec<_>>(),
        uids(&[2, 3, 299])
    );
    let rest = store
        .fetch_page(id, inbox, &sparse, MetaQuery::default(), Uid::new(299), 3)
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|m| m.uid).collect::<Vec<_>>(), uids(&[300]));

    let unseen = Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: Vec::new(),
    };
    store
        .store_flags(
            id,
            inbox,
            &set(&[(7, 7)]),
            StoreOperation::Remove,
            &unseen,
            None,
        )
        .await
        .unwrap();
    let changed = MetaQuery {
        with_bodystructure: true,
        with_part_table: true,
        changed_since: Some(appended.modseq),
        ..MetaQuery::default()
    };
    let since = store
        .fetch_page(id, inbox, &all(), changed, None, 10)
        .await
        .unwrap();
    assert_eq!(since.len(), 1);
    assert_eq!(since[0].uid, uids(&[7])[0]);
    assert_eq!(since[0].bodystructure, b"\x01(bodystructure)");
    assert_eq!(since[0].body, b"\x01(body)");
    assert_eq!(since[0].part_table, b"\x01parts");
    assert!(since[0].envelope.is_empty());
    let missing = mailkeep_common::MailboxId::from_u128(7);
    let error = fetch_stream(Arc::clone(&store), id, missing, all(), query)
        .await
        .err();
    assert_eq!(error.map(|error| error.code()), Some(ErrorCode::NotFound));
}

crate::conformance!(
    concurrent_appends_take_distinct_rising_uids,
    uids_are_never_reused,
    every_change_takes_a_new_modseq,
    changes_since_include_expunged,
    quota_holds_under_concurrency,
    fetch_pages_and_streams,
);
