//! App passwords (login with the imap scope, app-passwords-only accounts,
//! immediate revocation), API tokens (roles, expiry, revocation, hashed
//! storage) and the audit log (filters, newest-first cursor pages).

use mailkeep_common::ErrorCode;
use mailkeep_metadata::admin::{AccountUpdate, AuditFilter, AuditRecord, NewApiToken, TokenFilter};
use mailkeep_metadata::model::NewAccount;

use crate::admin_tenants::admin;
use crate::support::{Store, code};

async fn app_passwords_log_in_until_revoked(store: Store) {
    let admin = admin(&store);
    store.create_tenant("apps.example").await.unwrap();
    store
        .create_account(NewAccount::new("apps.example", "eve", "account password"))
        .await
        .unwrap();
    let (phone, secret) = admin
        .create_app_password("apps.example", "eve", "Phone", &[])
        .await
        .unwrap();
    assert_eq!(
        (phone.scopes.as_slice(), phone.last_used_at),
        (&["imap".to_owned()][..], 0)
    );
    assert_eq!(secret.len(), 32);
    let (_, lmtp_only) = admin
        .create_app_password("apps.example", "eve", "Relay", &["lmtp-submit".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        code(
            admin
                .create_app_password("apps.example", "eve", "Phone", &[])
                .await
        ),
        ErrorCode::AlreadyExists
    );
    assert_eq!(
        code(
            admin
                .create_app_password("apps.example", "eve", "x", &["pop3".to_owned()])
                .await
        ),
        ErrorCode::InvalidArgument
    );

    store
        .authenticate("eve@apps.example", &secret)
        .await
        .unwrap();
    assert_eq!(
        code(store.authenticate("eve@apps.example", &lmtp_only).await),
        ErrorCode::AuthenticationFailed
    );
    let listed = admin
        .list_app_passwords("apps.example", "eve")
        .await
        .unwrap();
    let names: Vec<_> = listed.iter().map(|p| p.name.as_str()).collect();
    assert!(names.contains(&"Phone") && names.contains(&"Relay"));
    let used = listed.iter().find(|p| p.id == phone.id).unwrap();
    assert!(used.last_used_at > 0, "a login marks the app password used");

    // App passwords only: the account password stops working, the app one works.
    let only = AccountUpdate {
        app_passwords_only: Some(true),
        ..AccountUpdate::default()
    };
    admin
        .update_account("apps.example", "eve", only)
        .await
        .unwrap();
    assert_eq!(
        code(
            store
                .authenticate("eve@apps.example", "account password")
                .await
        ),
        ErrorCode::AuthenticationFailed
    );
    store
        .authenticate("eve@apps.example", &secret)
        .await
        .unwrap();

    admin
        .delete_app_password("apps.example", "eve", &phone.id)
        .await
        .unwrap();
    assert_eq!(
        code(store.authenticate("eve@apps.example", &secret).await),
        ErrorCode::AuthenticationFailed
    );
    assert_eq!(
        code(
            admin
                .delete_app_password("apps.example", "eve", &phone.id)
                .await
        ),
        ErrorCode::NotFound
    );
}

async fn api_tokens_verify_until_revoked_or_expired(store: Store) {
    let admin = admin(&store);
    store.create_tenant("tok.example").await.unwrap();
    let (ops, secret) = admin
        .create_api_token(NewApiToken {
            name: "ops".into(),
            role: "admin".into(),
            tenant_domain: String::new(),
            expires_at: 0,
        })
        .await
        .unwrap();
    assert!(secret.starts_with("mkt_") && secret.len() == 36);
    let verified = admin.verify_api_token(&secret).await.unwrap();
    assert_eq!(
        (verified.id.as_str(), verified.role.as_str()),
        (ops.id.as_str(), "admin")
    );
    let (scoped, _) = admin
        .create_api_token(NewApiToken {
            name: "tenant ops".into(),
            role: "tenant-admin".into(),
            tenant_domain: "TOK.example".into(),
            expires_at: 4_000_000_000,
        })
        .await
        .unwrap();
    assert_eq!(scoped.tenant_domain, "tok.example");
    for (name, role, tenant, expires_at, expected) in [
        ("ops", "admin", "", 0, ErrorCode::AlreadyExists),
        ("x", "root", "", 0, ErrorCode::InvalidArgument),
        ("x", "tenant-admin", "", 0, ErrorCode::InvalidArgument),
        (
            "x",
            "read-only",
            "tok.example",
            0,
            ErrorCode::InvalidArgument,
        ),
        ("x", "tenant-admin", "nope.example", 0, ErrorCode::NotFound),
        ("x", "admin", "", 1, ErrorCode::InvalidArgument),
        ("", "admin", "", 0, ErrorCode::InvalidArgument),
    ] {
        let new = NewApiToken {
            name: name.into(),
            role: role.into(),
            tenant_domain: tenant.into(),
            expires_at,
        };
        assert_eq!(
            code(admin.create_api_token(new).await),
            expected,
            "{name} {role}"
        );
    }
    for wrong in ["", "mkt_00000000000000000000000000000000", "not a token"] {
        assert_eq!(
            code(admin.verify_api_token(wrong).await),
            ErrorCode::AuthenticationFailed
        );
    }
    let revoked = admin.revoke_api_token(&ops.id).await.unwrap();
    assert!(revoked.revoked_at > 0);
    assert_eq!(
        code(admin.verify_api_token(&secret).await),
        ErrorCode::AuthenticationFailed
    );
    assert_eq!(
        code(admin.revoke_api_token("missing").await),
        ErrorCode::NotFound
    );

    let live = admin
        .list_api_tokens(&TokenFilter::default())
        .await
        .unwrap();
    assert_eq!(live.items.len(), 1);
    let everything = TokenFilter {
        include_revoked: true,
        limit: 1,
        ..TokenFilter::default()
    };
    let first = admin.list_api_tokens(&everything).await.unwrap();
    assert_eq!(first.items[0].name, "ops");
    let second = TokenFilter {
        cursor: first.next_cursor,
        ..everything
    };
    assert_eq!(
        admin.list_api_tokens(&second).await.unwrap().items[0].name,
        "tenant ops"
    );
}

async fn audit_log_filters_newest_first(store: Store) {
    let admin = admin(&store);
    for (index, tenant) in ["a.example", "b.example", "a.example"].iter().enumerate() {
        admin
            .record_audit(AuditRecord {
                actor_id: format!("token{index}"),
                actor_name: "ops".into(),
                action: "account.update".into(),
                tenant_domain: (*tenant).into(),
                target: format!("user{index}@{tenant}"),
                source_ip: "192.0.2.1".into(),
                request_id: format!("req-{index}"),
                result_code: 200,
            })
            .await
            .unwrap();
    }
    let filter = AuditFilter {
        tenant_domain: "a.example".into(),
        limit: 1,
        ..AuditFilter::default()
    };
    let newest = admin.list_audit(&filter).await.unwrap();
    assert_eq!(newest.items[0].record.request_id, "req-2");
    let older = AuditFilter {
        cursor: newest.next_cursor,
        ..filter
    };
    let page = admin.list_audit(&older).await.unwrap();
    assert_eq!(page.items[0].record.request_id, "req-0");
    assert!(page.next_cursor.is_empty());
    let by_actor = AuditFilter {
        actor: "token1".into(),
        ..AuditFilter::default()
    };
    assert_eq!(admin.list_audit(&by_actor).await.unwrap().items.len(), 1);
    let future = AuditFilter {
        since: 4_000_000_000,
        ..AuditFilter::default()
    };
    assert!(admin.list_audit(&future).await.unwrap().items.is_empty());
    let bad = AuditRecord {
        action: "x".into(),
        result_code: 42,
        ..AuditRecord::default()
    };
    assert_eq!(
        code(admin.record_audit(bad).await),
        ErrorCode::InvalidArgument
    );
}

crate::conformance!(
    app_passwords_log_in_until_revoked,
    api_tokens_verify_until_revoked_or_expired,
    audit_log_filters_newest_first,
);
