//! Tests of the memory backend's own semantics: search, MODSEQ and
//! changes, copy/move, blobs, rename of INBOX, account isolation.

use futures::TryStreamExt;

use crate::backend::SearchFlag;

use super::*;

const RAW: &[u8] = b"From: Bob <bob@example.test>\r\nSubject: Quarterly report\r\n\
Date: Mon, 03 Jun 2024 23:30:00 -0700\r\n\r\nThe numbers are in.\r\n";

fn seen() -> Flags {
    Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: vec!["$Work".to_owned()],
    }
}

fn setup() -> (MemoryBackend, Principal, MailboxId) {
    let backend = MemoryBackend::new();
    let who = backend.add_account("a@example.test", "pw");
    let june_first = 1_717_200_000; // 2024-06-01 00:00 UTC
    backend
        .deliver(&who, "INBOX", RAW, seen(), june_first)
        .unwrap();
    backend
        .deliver(
            &who,
            "INBOX",
            b"Subject: hi\r\n\r\nshort\r\n",
            Flags::default(),
            june_first + 86_400,
        )
        .unwrap();
    let inbox = backend
        .lock()
        .mailbox_by_name(&who, "INBOX")
        .unwrap()
        .info
        .id;
    (backend, who, inbox)
}

async fn search(
    backend: &MemoryBackend,
    who: &Principal,
    inbox: MailboxId,
    query: SearchQuery,
) -> Vec<u32> {
    let outcome = backend.search(who, inbox, &query).await.unwrap();
    outcome.uids.iter().map(|uid| uid.get()).collect()
}

#[tokio::test]
async fn search_follows_the_documented_semantics() {
    let (backend, who, inbox) = setup();
    let day = |d: i64| 1_717_200_000 + (d - 1) * 86_400; // midnight of 2024-06-d
    let header = |field: &str, value: &str| SearchQuery::Header {
        field: field.to_owned(),
        value: value.to_owned(),
    };
    let cases = [
        (SearchQuery::All, vec![1, 2]),
        (header("subject", "QUARTERLY"), vec![1]),
        (header("from", ""), vec![1]),
        (SearchQuery::Body("numbers".into()), vec![1]),
        (SearchQuery::Text("bob@".into()), vec![1]),
        (
            SearchQuery::FlagSet(SearchFlag::System(SystemFlags::SEEN)),
            vec![1],
        ),
        (
            SearchQuery::FlagUnset(SearchFlag::Keyword("$work".into())),
            vec![2],
        ),
        (SearchQuery::InternalOn(day(2)), vec![2]),
        (SearchQuery::InternalBefore(day(2)), vec![1]),
        // Sent "Mon, 03 Jun 2024 23:30 -0700" is June 3rd as written.
        (SearchQuery::SentOn(day(3)), vec![1]),
        (SearchQuery::SentSince(day(4)), vec![]),
        (SearchQuery::Larger(40), vec![1]),
        (SearchQuery::Smaller(40), vec![2]),
        (
            SearchQuery::Or(vec![
                SearchQuery::Not(Box::new(SearchQuery::All)),
                SearchQuery::Uid(UidSet::from_ranges([(2, 9)])),
            ]),
            vec![2],
        ),
        (SearchQuery::ModSeqAtLeast(ModSeq::new(3)), vec![2]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            search(&backend, &who, inbox, query.clone()).await,
            expected,
            "{query:?}"
        );
    }
}

#[tokio::test]
async fn every_change_takes_a_new_modseq_and_shows_in_changes() {
    let (backend, who, inbox) = setup();
    let all = UidSet::from_ranges([(1, 2)]);
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    let store = backend
        .store_flags(
            &who,
            inbox,
            &all,
            StoreOperation::Add,
            &deleted,
            Some(ModSeq::new(2)),
        )
        .await
        .unwrap();
    assert_eq!(store.modified, UidSet::from_ranges([(2, 2)]));
    assert_eq!(store.updated.len(), 1);
    assert_eq!(store.highest_modseq, ModSeq::new(4));
    let changes = backend.changes(&who, inbox, ModSeq::new(3)).await.unwrap();
    assert_eq!(
        changes
            .changed
            .iter()
            .map(|c| c.uid.get())
            .collect::<Vec<_>>(),
        [1]
    );
    let expunged = backend.expunge(&who, inbox, None).await.unwrap();
    assert_eq!(expunged.expunged, UidSet::from_ranges([(1, 1)]));
    assert_eq!(expunged.highest_modseq, ModSeq::new(5));
    let changes = backend.changes(&who, inbox, ModSeq::new(4)).await.unwrap();
    assert!(changes.changed.is_empty());
    assert_eq!(changes.expunged, UidSet::from_ranges([(1, 1)]));
    assert_eq!(changes.uid_next, 3);
}

#[tokio::test]
async fn copy_move_and_blobs() {
    let (backend, who, inbox) = setup();
    let trash = backend
        .lock()
        .mailbox_by_name(&who, "Trash")
        .unwrap()
        .info
        .id;
    let both = UidSet::from_ranges([(1, 2)]);
    let copied = backend
        .copy_messages(&who, inbox, &both, trash)
        .await
        .unwrap();
    assert_eq!(copied.destination_uids, [Uid::MIN, Uid::new(2).unwrap()]);
    let moved = backend
        .move_messages(&who, inbox, &both, trash)
        .await
        .unwrap();
    assert_eq!(
        moved.destination_uids,
        [Uid::new(3).unwrap(), Uid::new(4).unwrap()]
    );
    assert!(backend.uids(&who, "INBOX").unwrap().is_empty());
    let metas: Vec<MessageMeta> = backend
        .fetch_meta(
            &who,
            trash,
            &UidSet::from_ranges([(3, 3)]),
            MetaQuery::default(),
        )
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(metas.len(), 1);
    assert_eq!(metas[0].size, RAW.len() as u64);
    assert!(metas[0].envelope.is_empty());
    let bytes = backend
        .read_blob(&who, metas[0].blob_id, 6, Some(3))
        .await
        .unwrap();
    assert_eq!(bytes, b"Bob");
    backend.set_unavailable(true);
    let error = backend.list_mailboxes(&who).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Unavailable);
}

#[tokio::test]
async fn renaming_inbox_moves_its_messages() {
    let (backend, who, _) = setup();
    backend
        .rename_mailbox(&who, "INBOX", "Old/Inbox")
        .await
        .unwrap();
    assert!(backend.uids(&who, "INBOX").unwrap().is_empty());
    assert_eq!(backend.uids(&who, "Old/Inbox").unwrap().len(), 2);
    assert!(backend.uids(&who, "Old").is_ok());
    let error = backend.delete_mailbox(&who, "Old").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::Conflict);
    let other = backend.add_account("b@example.test", "pw");
    let error = backend.uids(&other, "Old/Inbox").unwrap_err();
    assert_eq!(error.code, ErrorCode::NotFound);
}
