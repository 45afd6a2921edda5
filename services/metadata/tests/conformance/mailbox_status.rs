//! STATUS counters (RFC 9051 §6.3.11 with SIZE, RFC 8438, and DELETED) and
//! the batched form LIST-STATUS uses (RFC 5819): one call, request order,
//! missing names skipped, another account's names invisible.

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::SystemFlags;

use crate::support::{Store, account, code, flagged, mailbox, message};

async fn status_counts_size_and_deleted(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    store
        .append(
            id,
            inbox,
            vec![
                message(100),
                flagged(200, SystemFlags::SEEN | SystemFlags::DELETED, &[]),
                flagged(300, SystemFlags::DELETED, &[]),
            ],
        )
        .await
        .unwrap();
    let status = store.mailbox_status(id, "INBOX").await.unwrap();
    assert_eq!(
        (status.messages, status.unseen, status.deleted, status.size),
        (3, 2, 2, 600)
    );
    assert_eq!(status.deleted_size, 500);
}

async fn batched_statuses_skip_missing_names(store: Store) {
    let owner = account(&store).await;
    let other = account(&store).await;
    let id = owner.id;
    let sent = mailbox(&store, id, "Sent").await;
    store.append(id, sent, vec![message(42)]).await.unwrap();
    store
        .create_mailbox(other.id, "Private", None)
        .await
        .unwrap();
    let names = ["Sent", "Nowhere", "INBOX", "Private", "a//b"].map(str::to_owned);
    let statuses = store.mailbox_statuses(id, &names).await.unwrap();
    let answered: Vec<(&str, u32, u64)> = statuses
        .iter()
        .map(|status| (status.mailbox.name.as_str(), status.messages, status.size))
        .collect();
    assert_eq!(answered, vec![("Sent", 1, 42), ("INBOX", 0, 0)]);
    assert!(store.mailbox_statuses(id, &[]).await.unwrap().is_empty());
    let too_many = vec!["INBOX".to_owned(); 10_001];
    assert_eq!(
        code(store.mailbox_statuses(id, &too_many).await),
        ErrorCode::Limit
    );
}

crate::conformance!(
    status_counts_size_and_deleted,
    batched_statuses_skip_missing_names,
);
