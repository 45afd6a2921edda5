//! LMTP delivery (issue 7): recipient resolution (accounts, aliases,
//! `+detail`, suspended and full accounts) and `deliver` (one row per
//! recipient sharing one blob, each with its own prefix, into the detail
//! folder or INBOX, quota checked per recipient). The prefix travels with
//! COPY and MOVE, and usage counts it.

use mailkeep_common::ErrorCode;
use mailkeep_common::mail::{MetaQuery, NewMessageMeta, RecipientDelivery};
use mailkeep_metadata::admin::AccountUpdate;
use mailkeep_metadata::model::{Account, NewAccount};

use crate::admin_tenants::admin;
use crate::support::{
    Store, account, account_with_quota, code, delete_and_expunge, mailbox, message, set, usage,
};

const PREFIX: &[u8] = b"Return-Path: <bob@example.org>\r\nDelivered-To: alice@x\r\n";

/// One recipient's copy: a 100-byte body behind `PREFIX`.
fn copy(account: &Account, detail: Option<&str>) -> RecipientDelivery {
    let body: NewMessageMeta = message(100);
    RecipientDelivery {
        account_id: account.id,
        detail: detail.map(str::to_owned),
        message: NewMessageMeta {
            size: body.size + PREFIX.len() as u64,
            prefix: PREFIX.to_vec(),
            ..body
        },
    }
}

fn address(account: &Account, local_part: &str) -> String {
    format!("{local_part}@{}", account.domain)
}

async fn second_account(store: &Store, owner: &Account, local_part: &str) -> Account {
    store
        .create_account(NewAccount::new(&owner.domain, local_part, "secret"))
        .await
        .unwrap()
}

async fn recipients_resolve_by_account_alias_and_detail(store: Store) {
    let owner = account(&store).await;
    admin(&store)
        .create_alias(&owner.domain, "sales", "alice")
        .await
        .unwrap();
    let direct = store
        .resolve_recipient(&address(&owner, "alice"))
        .await
        .unwrap();
    assert_eq!(
        (direct.account_id, direct.tenant_id, direct.detail),
        (owner.id, owner.tenant_id, None)
    );
    let via_alias = store
        .resolve_recipient(&address(&owner, "sales+Lists"))
        .await
        .unwrap();
    assert_eq!(via_alias.account_id, owner.id);
    assert_eq!(via_alias.detail.as_deref(), Some("Lists"));
    // An empty detail is no detail.
    let bare = store
        .resolve_recipient(&address(&owner, "alice+"))
        .await
        .unwrap();
    assert_eq!(bare.detail, None);
    // A local part holding the delimiter is an address of its own.
    let plus = second_account(&store, &owner, "bob+team").await;
    let exact = store
        .resolve_recipient(&address(&owner, "bob+team"))
        .await
        .unwrap();
    assert_eq!((exact.account_id, exact.detail), (plus.id, None));
    assert_eq!(
        code(store.resolve_recipient(&address(&owner, "carol")).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.resolve_recipient(&address(&owner, "carol+x")).await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(store.resolve_recipient("no-at-sign").await),
        ErrorCode::InvalidArgument
    );
}

async fn suspended_and_full_accounts_refuse_mail(store: Store) {
    let owner = account_with_quota(&store, 0, 1).await;
    let inbox = mailbox(&store, owner.id, "INBOX").await;
    let rcpt = address(&owner, "alice");
    store.resolve_recipient(&rcpt).await.unwrap();
    store
        .append(owner.id, inbox, vec![message(10)])
        .await
        .unwrap();
    assert_eq!(
        code(store.resolve_recipient(&rcpt).await),
        ErrorCode::OverQuota
    );
    let suspend = AccountUpdate {
        status: Some("suspended".into()),
        ..AccountUpdate::default()
    };
    admin(&store)
        .update_account(&owner.domain, "alice", suspend)
        .await
        .unwrap();
    assert_eq!(
        code(store.resolve_recipient(&rcpt).await),
        ErrorCode::PermissionDenied
    );
}

async fn a_delivery_lands_per_recipient_with_its_prefix(store: Store) {
    let owner = account(&store).await;
    let other = second_account(&store, &owner, "bob").await;
    let results = store
        .deliver(vec![copy(&owner, None), copy(&other, None)])
        .await;
    let inbox = mailbox(&store, owner.id, "INBOX").await;
    let landed = results[0].as_ref().unwrap();
    assert_eq!(landed.mailbox_id, inbox);
    assert_eq!(landed.uid.get(), 1);
    assert!(results[1].is_ok(), "{:?}", results[1]);
    let metas = store
        .fetch_page(
            owner.id,
            inbox,
            &set(&[(1, 10)]),
            MetaQuery::default(),
            None,
            10,
        )
        .await
        .unwrap();
    assert_eq!(metas.len(), 1);
    assert_eq!(metas[0].prefix, PREFIX);
    assert_eq!(metas[0].size, 100 + PREFIX.len() as u64);
    assert_eq!(metas[0].modseq, landed.modseq);
    // Usage counts the prefix and the body.
    assert_eq!(usage(&store, &owner).await, (100 + PREFIX.len() as u64, 1));
    // An APPENDed message has no prefix.
    store
        .append(owner.id, inbox, vec![message(7)])
        .await
        .unwrap();
    let appended = store
        .fetch_page(
            owner.id,
            inbox,
            &set(&[(2, 2)]),
            MetaQuery::default(),
            None,
            10,
        )
        .await
        .unwrap();
    assert!(appended[0].prefix.is_empty());
}

async fn detail_picks_the_folder_exactly_then_ignoring_case(store: Store) {
    let owner = account(&store).await;
    for name in ["Lists", "lists", "Work"] {
        store.create_mailbox(owner.id, name, None).await.unwrap();
    }
    let results = store
        .deliver(vec![
            copy(&owner, Some("lists")),
            copy(&owner, Some("WORK")),
            copy(&owner, Some("Nowhere")),
        ])
        .await;
    let landed: Vec<_> = results.into_iter().map(|r| r.unwrap().mailbox_id).collect();
    assert_eq!(
        landed,
        vec![
            mailbox(&store, owner.id, "lists").await,
            mailbox(&store, owner.id, "Work").await,
            mailbox(&store, owner.id, "INBOX").await,
        ]
    );
}

async fn one_recipient_over_quota_does_not_block_the_others(store: Store) {
    let full = account_with_quota(&store, 200, 0).await;
    let roomy = second_account(&store, &full, "bob").await;
    let results = store
        .deliver(vec![
            copy(&full, None),
            copy(&full, None),
            copy(&roomy, None),
        ])
        .await;
    assert!(results[0].is_ok(), "{:?}", results[0]);
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        ErrorCode::OverQuota
    );
    assert!(results[2].is_ok(), "{:?}", results[2]);
    assert_eq!(usage(&store, &full).await, (100 + PREFIX.len() as u64, 1));
}

async fn copy_and_move_carry_the_prefix(store: Store) {
    let owner = account(&store).await;
    let inbox = mailbox(&store, owner.id, "INBOX").await;
    let archive = mailbox(&store, owner.id, "Archive").await;
    let trash = mailbox(&store, owner.id, "Trash").await;
    let delivered = store.deliver(vec![copy(&owner, None)]).await;
    let uid = delivered[0].as_ref().unwrap().uid.get();
    let copied = store
        .copy_messages(owner.id, inbox, &set(&[(uid, uid)]), archive)
        .await
        .unwrap();
    let moved = store
        .move_messages(owner.id, inbox, &set(&[(uid, uid)]), trash)
        .await
        .unwrap();
    for (mailbox, uids) in [
        (archive, copied.destination_uids),
        (trash, moved.destination_uids),
    ] {
        let uid = uids[0].get();
        let metas = store
            .fetch_page(
                owner.id,
                mailbox,
                &set(&[(uid, uid)]),
                MetaQuery::default(),
                None,
                1,
            )
            .await
            .unwrap();
        assert_eq!(metas[0].prefix, PREFIX);
        assert_eq!(metas[0].size, 100 + PREFIX.len() as u64);
    }
    // Two copies exist: usage counts each with its prefix.
    assert_eq!(
        usage(&store, &owner).await,
        (2 * (100 + PREFIX.len() as u64), 2)
    );
    // Expunging one releases its prefix and body bytes.
    let all = set(&[(1, u32::MAX)]);
    delete_and_expunge(&store, owner.id, trash, &all).await;
    assert_eq!(usage(&store, &owner).await, (100 + PREFIX.len() as u64, 1));
}

async fn oversized_prefixes_and_sizes_without_them_are_refused(store: Store) {
    let owner = account(&store).await;
    let mut huge = copy(&owner, None);
    huge.message.prefix = vec![b'x'; 64 * 1024];
    huge.message.size = 70 * 1024;
    let mut short = copy(&owner, None);
    short.message.size = 3;
    let results = store.deliver(vec![huge, short]).await;
    assert_eq!(results[0].as_ref().unwrap_err().code(), ErrorCode::Limit);
    assert_eq!(
        results[1].as_ref().unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(usage(&store, &owner).await, (0, 0));
}

crate::conformance!(
    recipients_resolve_by_account_alias_and_detail,
    suspended_and_full_accounts_refuse_mail,
    a_delivery_lands_per_recipient_with_its_prefix,
    detail_picks_the_folder_exactly_then_ignoring_case,
    one_recipient_over_quota_does_not_block_the_others,
    copy_and_move_carry_the_prefix,
    oversized_prefixes_and_sizes_without_them_are_refused,
);
