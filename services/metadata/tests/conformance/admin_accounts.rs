//! Admin accounts and aliases: pagination with filters, versioned updates of
//! password, status, quota, display name and app-passwords-only, deletion
//! with every owned row, mailbox summaries, and aliases that never shadow
//! an account and resolve to their account.

use mailkeep_common::ErrorCode;
use mailkeep_metadata::admin::{AccountUpdate, ListFilter};
use mailkeep_metadata::model::NewAccount;

use crate::admin_tenants::admin;
use crate::support::{Store, code, mailbox, message};

async fn accounts_page_update_and_delete(store: Store) {
    let admin = admin(&store);
    store.create_tenant("acc.example").await.unwrap();
    for local_part in ["ann", "anton", "bert"] {
        store
            .create_account(NewAccount::new("acc.example", local_part, "old password"))
            .await
            .unwrap();
    }
    let filter = ListFilter {
        limit: 1,
        prefix: "an".into(),
        ..ListFilter::default()
    };
    let page = admin.list_accounts("acc.example", &filter).await.unwrap();
    assert_eq!(page.items[0].local_part, "ann");
    let next = ListFilter {
        cursor: page.next_cursor,
        ..filter
    };
    let page = admin.list_accounts("acc.example", &next).await.unwrap();
    assert_eq!(page.items[0].local_part, "anton");
    assert!(page.next_cursor.is_empty());
    assert_eq!(
        code(
            admin
                .list_accounts("nope.example", &ListFilter::default())
                .await
        ),
        ErrorCode::NotFound
    );

    let update = AccountUpdate {
        expected_version: Some(1),
        password: Some("new password".into()),
        quota_bytes: Some(500),
        display_name: Some("Ann Example".into()),
        ..AccountUpdate::default()
    };
    let updated = admin
        .update_account("acc.example", "ann", update)
        .await
        .unwrap();
    assert_eq!(
        (
            updated.version,
            updated.quota_bytes,
            updated.display_name.as_str()
        ),
        (2, 500, "Ann Example")
    );
    store
        .authenticate("ann@acc.example", "new password")
        .await
        .unwrap();
    assert_eq!(
        code(store.authenticate("ann@acc.example", "old password").await),
        ErrorCode::AuthenticationFailed
    );
    let stale = AccountUpdate {
        expected_version: Some(1),
        status: Some("suspended".into()),
        ..AccountUpdate::default()
    };
    assert_eq!(
        code(admin.update_account("acc.example", "ann", stale).await),
        ErrorCode::PreconditionFailed
    );
    let suspend = AccountUpdate {
        status: Some("suspended".into()),
        ..AccountUpdate::default()
    };
    admin
        .update_account("acc.example", "ann", suspend)
        .await
        .unwrap();
    assert_eq!(
        code(store.authenticate("ann@acc.example", "new password").await),
        ErrorCode::AuthenticationFailed
    );
    let suspended_only = ListFilter {
        status: "suspended".into(),
        ..ListFilter::default()
    };
    let page = admin
        .list_accounts("acc.example", &suspended_only)
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let control = AccountUpdate {
        display_name: Some("bad\u{7}".into()),
        ..AccountUpdate::default()
    };
    assert_eq!(
        code(admin.update_account("acc.example", "ann", control).await),
        ErrorCode::InvalidArgument
    );

    // Deletion removes messages, app passwords and aliases, and frees usage.
    let bert = store.get_account("acc.example", "bert").await.unwrap();
    let inbox = mailbox(&store, bert.id, "INBOX").await;
    store
        .append(bert.id, inbox, vec![message(40), message(2)])
        .await
        .unwrap();
    admin
        .create_alias("acc.example", "b", "bert")
        .await
        .unwrap();
    admin
        .create_app_password("acc.example", "bert", "phone", &[])
        .await
        .unwrap();
    let summaries = admin
        .mailbox_summaries("acc.example", "bert")
        .await
        .unwrap();
    let inbox_summary = summaries.iter().find(|m| m.name == "INBOX").unwrap();
    assert_eq!((inbox_summary.messages, inbox_summary.bytes), (2, 42));
    assert!(inbox_summary.subscribed);
    assert_eq!(summaries.len(), 6);
    assert_eq!(
        admin.tenant_usage("acc.example").await.unwrap().used_bytes,
        42
    );
    let deleted = admin
        .purge_account("acc.example", "bert", None)
        .await
        .unwrap();
    assert_eq!((deleted.messages, deleted.bytes), (2, 42));
    assert_eq!(
        admin.tenant_usage("acc.example").await.unwrap().used_bytes,
        0
    );
    assert_eq!(
        code(admin.resolve_address("b@acc.example").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(admin.purge_account("acc.example", "bert", None).await),
        ErrorCode::NotFound
    );
}

async fn aliases_resolve_and_never_shadow_accounts(store: Store) {
    let admin = admin(&store);
    store.create_tenant("alias.example").await.unwrap();
    store.create_tenant("other.example").await.unwrap();
    let dora = store
        .create_account(NewAccount::new("alias.example", "dora", "pw"))
        .await
        .unwrap();
    store
        .create_account(NewAccount::new("other.example", "sales", "pw"))
        .await
        .unwrap();
    let alias = admin
        .create_alias("Alias.Example", "sales", "dora")
        .await
        .unwrap();
    assert_eq!(
        (alias.domain.as_str(), alias.target_local_part.as_str()),
        ("alias.example", "dora")
    );
    for (local_part, target, expected) in [
        ("sales", "dora", ErrorCode::AlreadyExists),
        ("dora", "dora", ErrorCode::AlreadyExists),
        ("x", "nobody", ErrorCode::NotFound),
        ("a b", "dora", ErrorCode::InvalidArgument),
    ] {
        assert_eq!(
            code(
                admin
                    .create_alias("alias.example", local_part, target)
                    .await
            ),
            expected,
            "{local_part}"
        );
    }
    assert_eq!(
        code(
            store
                .create_account(NewAccount::new("alias.example", "sales", "pw"))
                .await
        ),
        ErrorCode::AlreadyExists
    );
    let (account, via) = admin.resolve_address("sales@alias.example").await.unwrap();
    assert_eq!((account.id, via.as_deref()), (dora.id, Some("sales")));
    let (account, via) = admin.resolve_address("dora@ALIAS.example").await.unwrap();
    assert_eq!((account.id, via), (dora.id, None));
    let (account, _) = admin.resolve_address("sales@other.example").await.unwrap();
    assert_ne!(account.id, dora.id);
    assert_eq!(
        code(admin.resolve_address("no-at-sign").await),
        ErrorCode::InvalidArgument
    );

    admin
        .create_alias("alias.example", "info", "dora")
        .await
        .unwrap();
    let page = admin
        .list_aliases("alias.example", &ListFilter::default(), "dora")
        .await
        .unwrap();
    let names: Vec<_> = page.items.iter().map(|a| a.local_part.as_str()).collect();
    assert_eq!(names, ["info", "sales"]);
    admin.delete_alias("alias.example", "sales").await.unwrap();
    assert_eq!(
        code(admin.delete_alias("alias.example", "sales").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(admin.resolve_address("sales@alias.example").await),
        ErrorCode::NotFound
    );
}

crate::conformance!(
    accounts_page_update_and_delete,
    aliases_resolve_and_never_shadow_accounts,
);
