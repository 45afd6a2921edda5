//! Mailbox hierarchy: create with parents, name rules, delete, rename with
//! children, INBOX rename, subscriptions, UIDVALIDITY, and `\Recent`.

use mailkeep_common::{ErrorCode, MailboxId, ModSeq};

use crate::support::{Store, account, code, mailbox, message, set, uids, usage};

async fn names(store: &Store, account: mailkeep_common::AccountId) -> Vec<String> {
    let mut names: Vec<String> = store
        .list_mailboxes(account)
        .await
        .unwrap()
        .into_iter()
        .map(|mailbox| mailbox.name)
        .collect();
    names.sort();
    names
}

async fn create_delete_and_name_rules(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    let created = store
        .create_mailbox(id, "a/b/c/", Some("\\flagged"))
        .await
        .unwrap();
    assert_eq!(created.name, "a/b/c");
    assert_eq!(created.special_use.as_deref(), Some("\\Flagged"));
    assert_eq!(
        (created.uid_next, created.highest_modseq),
        (1, ModSeq::new(1))
    );
    let all = names(&store, id).await;
    for expected in ["a", "a/b", "a/b/c"] {
        assert!(
            all.iter().any(|name| name == expected),
            "{expected} in {all:?}"
        );
    }
    assert_eq!(
        code(store.create_mailbox(id, "a/b", None).await),
        ErrorCode::AlreadyExists
    );
    assert_eq!(
        code(store.create_mailbox(id, "inbox", None).await),
        ErrorCode::AlreadyExists
    );
    for bad in ["a//b", "/a", "", "x\ny"] {
        assert_eq!(
            code(store.create_mailbox(id, bad, None).await),
            ErrorCode::InvalidArgument
        );
    }
    assert_eq!(
        code(store.create_mailbox(id, "z", Some("\\Nonsense")).await),
        ErrorCode::InvalidArgument
    );
    let child = store.create_mailbox(id, "InBoX/child", None).await.unwrap();
    assert_eq!(child.name, "INBOX/child");

    assert_eq!(
        code(store.delete_mailbox(id, "a").await),
        ErrorCode::Conflict
    );
    assert_eq!(
        code(store.delete_mailbox(id, "inbox").await),
        ErrorCode::PermissionDenied
    );
    assert_eq!(
        code(store.delete_mailbox(id, "missing").await),
        ErrorCode::NotFound
    );

    // Deleting releases usage; recreating gives a greater UIDVALIDITY.
    let leaf = mailbox(&store, id, "a/b/c").await;
    store
        .append(id, leaf, vec![message(40), message(60)])
        .await
        .unwrap();
    let before = usage(&store, &owner).await;
    assert_eq!(before, (100, 2));
    store.delete_mailbox(id, "a/b/c").await.unwrap();
    assert_eq!(usage(&store, &owner).await, (0, 0));
    assert_eq!(
        code(store.select_mailbox(id, "a/b/c", true).await),
        ErrorCode::NotFound
    );
    let recreated = store.create_mailbox(id, "a/b/c", None).await.unwrap();
    assert!(recreated.uidvalidity > created.uidvalidity);
    assert_ne!(recreated.id, created.id);
    store.delete_mailbox(id, "a/b/c").await.unwrap();
    store.delete_mailbox(id, "a/b").await.unwrap();
    store.delete_mailbox(id, "a").await.unwrap();
}

async fn rename_with_children(store: Store) {
    let id = account(&store).await.id;
    store.create_mailbox(id, "a/b/c", None).await.unwrap();
    store.create_mailbox(id, "ab", None).await.unwrap();
    store.set_subscription(id, "a/b", true).await.unwrap();
    let b = mailbox(&store, id, "a/b").await;
    store
        .append(id, b, vec![message(5), message(6)])
        .await
        .unwrap();
    let before = store.select_mailbox(id, "a/b", true).await.unwrap();

    store.rename_mailbox(id, "a", "x/y").await.unwrap();
    let all = names(&store, id).await;
    for gone in ["a", "a/b", "a/b/c"] {
        assert!(
            !all.iter().any(|name| name == gone),
            "{gone} still in {all:?}"
        );
    }
    for present in ["x", "x/y", "x/y/b", "x/y/b/c", "ab"] {
        assert!(
            all.iter().any(|name| name == present),
            "{present} missing from {all:?}"
        );
    }
    let after = store.select_mailbox(id, "x/y/b", true).await.unwrap();
    assert_eq!(after.mailbox.id, before.mailbox.id);
    assert_eq!(after.mailbox.uidvalidity, before.mailbox.uidvalidity);
    assert_eq!(after.uids, before.uids);
    let subscribed = store.list_subscriptions(id).await.unwrap();
    assert!(subscribed.contains(&"x/y/b".to_owned()));
    assert!(!subscribed.contains(&"a/b".to_owned()));

    assert_eq!(
        code(store.rename_mailbox(id, "a", "q").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.rename_mailbox(id, "x/y", "ab").await),
        ErrorCode::AlreadyExists
    );
    assert_eq!(
        code(store.rename_mailbox(id, "x/y", "x/y/z").await),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(store.rename_mailbox(id, "ab", "INBOX").await),
        ErrorCode::AlreadyExists
    );
    assert_eq!(
        code(store.rename_mailbox(id, "ab", "a//b").await),
        ErrorCode::InvalidArgument
    );
}

async fn inbox_rename_moves_messages(store: Store) {
    let owner = account(&store).await;
    let id = owner.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    store.create_mailbox(id, "INBOX/kid", None).await.unwrap();
    store
        .append(id, inbox, vec![message(1), message(2), message(3)])
        .await
        .unwrap();
    let before = store.mailbox_status(id, "INBOX").await.unwrap();

    store.rename_mailbox(id, "inbox", "Old/Mail").await.unwrap();
    let old = store.mailbox_status(id, "Old/Mail").await.unwrap();
    assert_eq!((old.messages, old.size), (3, 6));
    let emptied = store.mailbox_status(id, "INBOX").await.unwrap();
    assert_eq!(emptied.messages, 0);
    assert_eq!(emptied.mailbox.id, inbox);
    assert!(emptied.mailbox.highest_modseq > before.mailbox.highest_modseq);
    // INBOX's children stay where they are (RFC 9051 §6.3.6).
    assert!(names(&store, id).await.contains(&"INBOX/kid".to_owned()));
    // Tombstones for the moved messages; INBOX UIDs keep rising.
    let changes = store
        .changes(id, inbox, before.mailbox.highest_modseq)
        .await
        .unwrap();
    assert_eq!(changes.expunged, set(&[(1, 3)]));
    let next = store.append(id, inbox, vec![message(4)]).await.unwrap();
    assert_eq!(next.uids, uids(&[4]));
    // Moving is not a copy: usage counts each message once.
    assert_eq!(usage(&store, &owner).await, (10, 4));
}

async fn subscriptions_are_names(store: Store) {
    let id = account(&store).await.id;
    store
        .set_subscription(id, "ghost/town", true)
        .await
        .unwrap();
    store
        .set_subscription(id, "ghost/town", true)
        .await
        .unwrap();
    store.set_subscription(id, "Sent", false).await.unwrap();
    store
        .set_subscription(id, "never-subscribed", false)
        .await
        .unwrap();
    let subscribed = store.list_subscriptions(id).await.unwrap();
    assert_eq!(
        subscribed,
        ["Archive", "Drafts", "INBOX", "Junk", "Trash", "ghost/town"]
    );
    assert_eq!(
        code(store.set_subscription(id, "a//b", true).await),
        ErrorCode::InvalidArgument
    );
    // Deleting a mailbox does not unsubscribe it (RFC 9051 §6.3.9).
    store.create_mailbox(id, "temp", None).await.unwrap();
    store.set_subscription(id, "temp", true).await.unwrap();
    store.delete_mailbox(id, "temp").await.unwrap();
    assert!(
        store
            .list_subscriptions(id)
            .await
            .unwrap()
            .contains(&"temp".to_owned())
    );
}

async fn recent_watermark(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    store
        .append(id, inbox, vec![message(1), message(2)])
        .await
        .unwrap();
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().recent, 2);
    // EXAMINE and STATUS claim nothing.
    let examined = store.select_mailbox(id, "INBOX", true).await.unwrap();
    assert_eq!(examined.recent, set(&[(1, 2)]));
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().recent, 2);
    // The first SELECT claims both; the next one sees none.
    let first = store.select_mailbox(id, "INBOX", false).await.unwrap();
    assert_eq!(first.recent, set(&[(1, 2)]));
    assert_eq!(first.uids, set(&[(1, 2)]));
    assert_eq!(first.first_unseen, uids(&[1]).first().copied());
    let second = store.select_mailbox(id, "INBOX", false).await.unwrap();
    assert!(second.recent.is_empty());
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().recent, 0);
    store.append(id, inbox, vec![message(3)]).await.unwrap();
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().recent, 1);
    let third = store.select_mailbox(id, "INBOX", false).await.unwrap();
    assert_eq!(third.recent, set(&[(3, 3)]));
    assert_eq!(
        code(store.select_mailbox(id, "Nope", false).await),
        ErrorCode::NotFound
    );
}

/// A selected session claims the messages that arrive after its SELECT
/// (RFC 3501 §2.3.2); each is claimed once, and STATUS stops counting it.
async fn claim_recent_takes_each_new_message_once(store: Store) {
    let id = account(&store).await.id;
    let inbox = mailbox(&store, id, "INBOX").await;
    store.append(id, inbox, vec![message(1)]).await.unwrap();
    store.select_mailbox(id, "INBOX", false).await.unwrap();
    assert!(store.claim_recent(id, inbox).await.unwrap().is_empty());
    store
        .append(id, inbox, vec![message(2), message(3)])
        .await
        .unwrap();
    let drafts = mailbox(&store, id, "Drafts").await;
    store.append(id, drafts, vec![message(4)]).await.unwrap();
    store
        .copy_messages(id, drafts, &set(&[(1, 1)]), inbox)
        .await
        .unwrap();
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().recent, 3);
    assert_eq!(store.claim_recent(id, inbox).await.unwrap(), set(&[(2, 4)]));
    assert!(store.claim_recent(id, inbox).await.unwrap().is_empty());
    assert_eq!(store.mailbox_status(id, "INBOX").await.unwrap().recent, 0);
    let next = store.select_mailbox(id, "INBOX", false).await.unwrap();
    assert!(next.recent.is_empty());
    // Drafts was never selected: its message is still unclaimed.
    assert_eq!(
        store.claim_recent(id, drafts).await.unwrap(),
        set(&[(1, 1)])
    );
    assert_eq!(
        code(store.claim_recent(id, MailboxId::from_u128(7)).await),
        ErrorCode::NotFound
    );
}

crate::conformance!(
    create_delete_and_name_rules,
    rename_with_children,
    inbox_rename_moves_messages,
    subscriptions_are_names,
    recent_watermark,
    claim_recent_takes_each_new_message_once,
);
