//! `GrpcBackend` as the LMTP `DeliveryBackend`, against in-process metadata
//! (SQLite) and blob (filesystem) services: an address resolves with its
//! `+detail`, one delivery to two recipients stores one blob, and each copy
//! reads back over the `MailBackend` port as its own prefix plus that blob,
//! with RFC822.SIZE, ranged reads and part offsets counting the prefix.

use futures::TryStreamExt;
use mailkeep_common::{ErrorCode, UidSet};
use mailkeep_gateway_core::backend::{MailBackend, MetaQuery};
use mailkeep_gateway_core::command::{Section, SectionText};
use mailkeep_gateway_core::delivery::{Delivery, DeliveryBackend};
use mailkeep_gateway_core::mime::PartTable;

use crate::grpc_backend::{LOGIN, PASSWORD, backend_of, provision, start_services_with};

const RAW: &[u8] = b"Subject: hello\r\n\r\nbody text\r\n";

#[tokio::test]
async fn a_delivery_stores_one_blob_and_reads_back_behind_each_prefix() {
    let services = start_services_with(None).await;
    provision(&services).await;
    let backend = backend_of(&services).await;
    let alice = backend.authenticate(LOGIN, PASSWORD).await.unwrap();
    backend.create_mailbox(&alice, "Lists", None).await.unwrap();

    let plain = backend.resolve_recipient(LOGIN).await.unwrap();
    assert_eq!(
        (plain.account_id, plain.detail.clone()),
        (alice.account_id, None)
    );
    let sub = backend
        .resolve_recipient("alice+lists@example.test")
        .await
        .unwrap();
    assert_eq!(sub.detail.as_deref(), Some("lists"));
    let unknown = backend.resolve_recipient("nobody@example.test").await;
    assert_eq!(unknown.unwrap_err().code, ErrorCode::NotFound);

    let delivery = Delivery {
        raw: RAW.to_vec(),
        return_path: "bob@example.org".to_owned(),
        received_at: 1_700_000_000,
    };
    let results = DeliveryBackend::deliver(backend.as_ref(), &delivery, &[plain, sub]).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    let mut metas = Vec::new();
    for mailbox in ["INBOX", "Lists"] {
        let id = backend
            .mailbox_status(&alice, mailbox)
            .await
            .unwrap()
            .mailbox
            .id;
        let query = MetaQuery {
            with_part_table: true,
            ..MetaQuery::default()
        };
        let stream = backend
            .fetch_meta(&alice, id, &UidSet::from_ranges([(1, 1)]), query)
            .await
            .unwrap();
        let found: Vec<_> = stream.try_collect().await.unwrap();
        assert_eq!(found.len(), 1, "{mailbox}");
        metas.extend(found);
    }
    // One body, stored once, behind two different prefixes.
    assert_eq!(metas[0].blob_id, metas[1].blob_id);
    let stored = backend
        .read_blob(&alice, metas[0].blob_id, 0, None)
        .await
        .unwrap();
    assert_eq!(stored, RAW);
    let prefix = b"Return-Path: <bob@example.org>\r\nDelivered-To: alice+lists@example.test\r\n";
    assert_eq!(metas[1].prefix, prefix);
    assert_eq!(metas[1].size, (prefix.len() + RAW.len()) as u64);
    // The part table counts the prefix: TEXT starts after it.
    let table = PartTable::decode(&metas[1].part_table).unwrap();
    let text = Section {
        part: Vec::new(),
        text: Some(SectionText::Text),
    };
    let location = table.locate(&text).unwrap();
    assert_eq!(location.offset, (prefix.len() + 18) as u64);
    assert_eq!(location.length, 11);
}
