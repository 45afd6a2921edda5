//! OBJECTID THREADID (RFC 8474 §5.2): assigned at append from the stored
//! messages a new one replies to, never shared across accounts, kept by
//! COPY and MOVE.

use futures::TryStreamExt;
use mailkeep_common::mail::{MetaQuery, NewMessageMeta};
use mailkeep_common::{AccountId, MailboxId};
use mailkeep_metadata::fetch_stream;

use crate::support::{Store, account, all, mailbox, message};

fn mail(size: u64, message_id: &str, headers: &str) -> NewMessageMeta {
    let mut new = message(size);
    new.analysis.message_id = message_id.into();
    new.analysis.header_text = format!("subject: plans\n{headers}");
    new
}

/// THREADIDs of the mailbox, in UID order.
async fn thread_ids(store: &Store, account: AccountId, mailbox: MailboxId) -> Vec<String> {
    fetch_stream(
        std::sync::Arc::clone(store),
        account,
        mailbox,
        all(),
        MetaQuery::default(),
    )
    .await
    .unwrap()
    .map_ok(|meta| meta.thread_id)
    .try_collect()
    .await
    .unwrap()
}

async fn replies_join_their_parents_thread(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    let sent = mailbox(&store, id, "Sent").await;
    store
        .append(id, inbox, vec![mail(10, "<root@t>", "")])
        .await
        .unwrap();
    // A reply in another folder, then a reply to the reply that only names
    // its grandparent in References, and an unrelated message.
    store
        .append(
            id,
            sent,
            vec![
                mail(11, "<reply@t>", "in-reply-to: <root@t>\n"),
                mail(12, "<deep@t>", "references: <root@t> <missing@t>\n"),
                mail(13, "<other@t>", ""),
            ],
        )
        .await
        .unwrap();
    let root = thread_ids(&store, id, inbox).await;
    let threads = thread_ids(&store, id, sent).await;
    assert!(root[0].starts_with('T'), "{root:?}");
    assert_eq!(threads[..2], [root[0].clone(), root[0].clone()]);
    assert_ne!(threads[2], root[0]);

    // The same Message-ID in another account starts a thread there.
    let stranger = account(&store).await.id;
    let stranger_inbox = mailbox(&store, stranger, "INBOX").await;
    store
        .append(
            stranger,
            stranger_inbox,
            vec![mail(14, "<reply2@t>", "in-reply-to: <root@t>\n")],
        )
        .await
        .unwrap();
    assert_ne!(
        thread_ids(&store, stranger, stranger_inbox).await[0],
        root[0]
    );

    // COPY keeps the thread.
    let archive = mailbox(&store, id, "Archive").await;
    store
        .copy_messages(id, sent, &all(), archive)
        .await
        .unwrap();
    assert_eq!(thread_ids(&store, id, archive).await, threads);
}

crate::conformance!(replies_join_their_parents_thread);
