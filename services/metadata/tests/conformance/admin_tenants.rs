//! Admin tenants: quotas at creation, cursor pagination with status and
//! prefix filters, versioned updates (stale version: PreconditionFailed),
//! suspension blocking logins, and the two-step purge whose progress lives
//! in the database (each step reads it from there, so any store instance on
//! the same database, e.g. after a restart, continues it).

use std::sync::Arc;

use mailkeep_common::ErrorCode;
use mailkeep_metadata::AdminStore;
use mailkeep_metadata::admin::{ListFilter, TenantQuotas, TenantUpdate};
use mailkeep_metadata::model::NewAccount;

use crate::support::{Store, code, mailbox, message};

pub fn admin(store: &Store) -> Arc<dyn AdminStore> {
    Arc::clone(store)
        .admin()
        .expect("the SQL stores have an admin side")
}

async fn tenants_page_filter_and_update(store: Store) {
    let admin = admin(&store);
    let quotas = TenantQuotas {
        default_quota_bytes: 1000,
        default_quota_messages: 10,
        quota_bytes: 5000,
        quota_messages: 50,
    };
    let first = admin
        .create_tenant_with_quotas("a1.page.example", quotas)
        .await
        .unwrap();
    assert_eq!(
        (first.version, first.quota_bytes, first.accounts),
        (1, 5000, 0)
    );
    for domain in ["a2.page.example", "a3.page.example", "b1.page.example"] {
        store.create_tenant(domain).await.unwrap();
    }
    // Accounts without quotas take the tenant's defaults.
    let account = store
        .create_account(NewAccount::new("a1.page.example", "bob", "pw"))
        .await
        .unwrap();
    assert_eq!((account.quota_bytes, account.quota_messages), (1000, 10));

    let mut filter = ListFilter {
        limit: 2,
        prefix: "A".into(),
        ..ListFilter::default()
    };
    let page = admin.list_tenants(&filter).await.unwrap();
    let domains: Vec<_> = page.items.iter().map(|t| t.domain.as_str()).collect();
    assert_eq!(domains, ["a1.page.example", "a2.page.example"]);
    assert_eq!(page.items[0].accounts, 1);
    filter.cursor = page.next_cursor;
    let page = admin.list_tenants(&filter).await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].domain, "a3.page.example");
    assert!(page.next_cursor.is_empty());

    let suspended = admin
        .update_tenant(
            "a2.page.example",
            TenantUpdate {
                expected_version: Some(1),
                status: Some("suspended".into()),
                quota_messages: Some(7),
                ..TenantUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((suspended.version, suspended.quota_messages), (2, 7));
    assert!(suspended.updated_at > 0);
    let stale = TenantUpdate {
        expected_version: Some(1),
        status: Some("active".into()),
        ..TenantUpdate::default()
    };
    assert_eq!(
        code(admin.update_tenant("a2.page.example", stale).await),
        ErrorCode::PreconditionFailed
    );
    let bad_status = TenantUpdate {
        status: Some("deleting".into()),
        ..TenantUpdate::default()
    };
    assert_eq!(
        code(admin.update_tenant("a2.page.example", bad_status).await),
        ErrorCode::InvalidArgument
    );
    let only_suspended = ListFilter {
        status: "suspended".into(),
        ..ListFilter::default()
    };
    let page = admin.list_tenants(&only_suspended).await.unwrap();
    assert_eq!(page.items.len(), 1);
    for bad in [
        ListFilter {
            limit: 1001,
            ..ListFilter::default()
        },
        ListFilter {
            cursor: "not hex".into(),
            ..ListFilter::default()
        },
        ListFilter {
            status: "gone".into(),
            ..ListFilter::default()
        },
    ] {
        assert_eq!(
            code(admin.list_tenants(&bad).await),
            ErrorCode::InvalidArgument
        );
    }
}

async fn suspended_tenants_cannot_log_in(store: Store) {
    let admin = admin(&store);
    store.create_tenant("susp.example").await.unwrap();
    store
        .create_account(NewAccount::new("susp.example", "carol", "pw"))
        .await
        .unwrap();
    store
        .authenticate("carol@susp.example", "pw")
        .await
        .unwrap();
    let suspend = TenantUpdate {
        status: Some("suspended".into()),
        ..TenantUpdate::default()
    };
    admin.update_tenant("susp.example", suspend).await.unwrap();
    assert_eq!(
        code(store.authenticate("carol@susp.example", "pw").await),
        ErrorCode::AuthenticationFailed
    );
}

async fn tenant_purge_runs_in_recorded_batches(store: Store) {
    let admin = admin(&store);
    let tenant = store.create_tenant("gone.example").await.unwrap();
    for local_part in ["a", "b"] {
        let account = store
            .create_account(NewAccount::new("gone.example", local_part, "pw"))
            .await
            .unwrap();
        let inbox = mailbox(&store, account.id, "INBOX").await;
        let batch = (1..=3).map(|size| message(size * 10)).collect();
        store.append(account.id, inbox, batch).await.unwrap();
    }
    admin
        .create_alias("gone.example", "alias", "a")
        .await
        .unwrap();
    assert_eq!(
        code(admin.tenant_purge("gone.example").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(admin.delete_tenant("gone.example", Some(99)).await),
        ErrorCode::PreconditionFailed
    );
    let started = admin
        .delete_tenant("gone.example", Some(tenant.version))
        .await
        .unwrap();
    assert_eq!(started.state, "running");
    assert_eq!(
        (started.accounts_remaining, started.messages_remaining),
        (2, 6)
    );
    // Marked: no login, no new accounts, a repeated delete answers the purge.
    assert_eq!(
        code(store.authenticate("a@gone.example", "pw").await),
        ErrorCode::AuthenticationFailed
    );
    assert_eq!(
        code(
            store
                .create_account(NewAccount::new("gone.example", "c", "pw"))
                .await
        ),
        ErrorCode::Conflict
    );
    assert_eq!(
        admin
            .delete_tenant("gone.example", None)
            .await
            .unwrap()
            .tenant_id,
        started.tenant_id
    );

    // Two messages per step: the progress moves and is stored.
    assert!(admin.purge_step(2).await.unwrap());
    let progress = admin.tenant_purge("gone.example").await.unwrap();
    assert_eq!(
        (progress.messages_removed, progress.messages_remaining),
        (2, 4)
    );
    while admin.purge_step(2).await.unwrap() {}
    let done = admin.tenant_purge("gone.example").await.unwrap();
    assert_eq!(done.state, "done");
    assert_eq!((done.accounts_removed, done.messages_removed), (2, 6));
    assert_eq!((done.accounts_remaining, done.messages_remaining), (0, 0));
    assert!(done.finished_at >= done.started_at);
    assert_eq!(
        code(store.get_tenant("gone.example").await),
        ErrorCode::NotFound
    );
    assert_eq!(
        code(admin.resolve_address("alias@gone.example").await),
        ErrorCode::NotFound
    );
    // The domain is free again.
    store.create_tenant("gone.example").await.unwrap();
}

crate::conformance!(
    tenants_page_filter_and_update,
    suspended_tenants_cannot_log_in,
    tenant_purge_runs_in_recorded_batches,
);
