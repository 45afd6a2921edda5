//! Tenants, accounts, authentication, and account isolation.

use mailkeep_common::mail::{Flags, MetaQuery, SearchQuery, StoreOperation};
use mailkeep_common::{ErrorCode, ModSeq};
use mailkeep_metadata::model::NewAccount;

use crate::support::{Store, account, all, code, mailbox, message, set};

async fn tenant_and_account_lifecycle(store: Store) {
    let tenant = store.create_tenant("Life.Example").await.unwrap();
    assert_eq!(tenant.domain, "life.example");
    assert_eq!(
        code(store.create_tenant("LIFE.example").await),
        ErrorCode::AlreadyExists
    );
    assert_eq!(store.get_tenant("life.EXAMPLE").await.unwrap(), tenant);
    assert_eq!(
        code(store.get_tenant("missing.example").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.create_tenant("bad domain").await),
        ErrorCode::InvalidArgument
    );

    let new = NewAccount {
        domain: "LIFE.example".into(),
        local_part: "bob".into(),
        password: "hunter2".into(),
        quota_bytes: Some(1000),
        quota_messages: Some(10),
        ..NewAccount::new("", "", "")
    };
    let account = store.create_account(new.clone()).await.unwrap();
    assert_eq!(
        (account.domain.as_str(), account.local_part.as_str()),
        ("life.example", "bob")
    );
    assert_eq!((account.quota_bytes, account.quota_messages), (1000, 10));
    assert_eq!((account.used_bytes, account.used_messages), (0, 0));
    assert_eq!(account.tenant_id, tenant.id);
    assert_eq!(
        code(store.create_account(new.clone()).await),
        ErrorCode::AlreadyExists
    );
    let orphan = NewAccount {
        domain: "nowhere.example".into(),
        ..new.clone()
    };
    assert_eq!(
        code(store.create_account(orphan).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        store.get_account("life.example", "bob").await.unwrap(),
        account
    );

    let mut mailboxes: Vec<(String, Option<String>)> = store
        .list_mailboxes(account.id)
        .await
        .unwrap()
        .into_iter()
        .map(|mailbox| (mailbox.name, mailbox.special_use))
        .collect();
    mailboxes.sort();
    let expected: Vec<(String, Option<String>)> = [
        ("Archive", Some("\\Archive")),
        ("Drafts", Some("\\Drafts")),
        ("INBOX", None),
        ("Junk", Some("\\Junk")),
        ("Sent", Some("\\Sent")),
        ("Trash", Some("\\Trash")),
    ]
    .into_iter()
    .map(|(name, special)| (name.to_owned(), special.map(str::to_owned)))
    .collect();
    assert_eq!(mailboxes, expected);
    let subscribed = store.list_subscriptions(account.id).await.unwrap();
    assert_eq!(
        subscribed,
        ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"]
    );

    let verified = store
        .authenticate("bob@Life.Example", "hunter2")
        .await
        .unwrap();
    assert_eq!(verified.id, account.id);
    assert_eq!(
        code(store.authenticate("bob@life.example", "wrong").await),
        ErrorCode::AuthenticationFailed
    );
    assert_eq!(
        code(store.authenticate("nobody@life.example", "hunter2").await),
        ErrorCode::AuthenticationFailed
    );
    assert_eq!(
        code(store.authenticate("no-at-sign", "hunter2").await),
        ErrorCode::AuthenticationFailed
    );

    let inbox = mailbox(&store, account.id, "INBOX").await;
    store
        .append(account.id, inbox, vec![message(100)])
        .await
        .unwrap();
    store.delete_account("life.example", "bob").await.unwrap();
    assert_eq!(
        code(store.get_account("life.example", "bob").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.list_mailboxes(account.id).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.authenticate("bob@life.example", "hunter2").await),
        ErrorCode::AuthenticationFailed
    );
    assert_eq!(
        code(store.delete_account("life.example", "bob").await),
        ErrorCode::NotFound
    );
    // The name is free again, with fresh, empty data.
    let again = store.create_account(new).await.unwrap();
    assert_ne!(again.id, account.id);
    assert_eq!(again.used_messages, 0);
}

/// Ids of another account behave exactly like ids that do not exist.
async fn account_isolation(store: Store) {
    let alice = account(&store).await;
    let mallory = account(&store).await;
    let alice_inbox = mailbox(&store, alice.id, "INBOX").await;
    let mallory_inbox = mailbox(&store, mallory.id, "INBOX").await;
    store
        .append(alice.id, alice_inbox, vec![message(10)])
        .await
        .unwrap();
    store
        .create_mailbox(alice.id, "Private", None)
        .await
        .unwrap();

    let m = mallory.id;
    assert_eq!(
        code(store.append(m, alice_inbox, vec![message(1)]).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            store
                .fetch_page(m, alice_inbox, &all(), MetaQuery::default(), None, 10)
                .await
        ),
        ErrorCode::NotFound
    );
    let flags = Flags::default();
    assert_eq!(
        code(
            store
                .store_flags(m, alice_inbox, &all(), StoreOperation::Add, &flags, None)
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            store
                .copy_messages(m, alice_inbox, &set(&[(1, 1)]), mallory_inbox)
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(
            store
                .move_messages(m, mallory_inbox, &set(&[(1, 1)]), alice_inbox)
                .await
        ),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.expunge(m, alice_inbox, None).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.changes(m, alice_inbox, ModSeq::new(0)).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.search(m, alice_inbox, &SearchQuery::All).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.select_mailbox(m, "Private", true).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.mailbox_status(m, "Private").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.delete_mailbox(m, "Private").await),
        ErrorCode::NotFound
    );
    assert!(
        store
            .list_mailboxes(m)
            .await
            .unwrap()
            .iter()
            .all(|mailbox| mailbox.name != "Private")
    );

    // Alice's data is untouched.
    let status = store.mailbox_status(alice.id, "INBOX").await.unwrap();
    assert_eq!(status.messages, 1);
    assert_eq!(store.mailbox_status(m, "INBOX").await.unwrap().messages, 0);
}

crate::conformance!(tenant_and_account_lifecycle, account_isolation);
