//! Aliases, app passwords, API tokens, usage and mailboxes through the API:
//! happy paths and their 400/401/404/409 answers. Secrets appear once.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::Api;

#[tokio::test]
async fn alias_put_is_idempotent_and_conflicts_are_409() {
    let api = Api::start().await;
    api.tenant("al.test").await;
    api.account("al.test", "alice").await;
    api.account("al.test", "bob").await;
    let uri = "/v1/tenants/al.test/aliases/info";
    let first = api
        .call(Method::PUT, uri, Some(json!({"target": "alice"})))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["address"], "info@al.test");
    let again = api
        .call(Method::PUT, uri, Some(json!({"target": "Alice"})))
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let other = api
        .call(Method::PUT, uri, Some(json!({"target": "bob"})))
        .await;
    assert_eq!(other.status, StatusCode::CONFLICT);
    let over_account = api
        .call(
            Method::PUT,
            "/v1/tenants/al.test/aliases/bob",
            Some(json!({"target": "alice"})),
        )
        .await;
    assert_eq!(over_account.status, StatusCode::CONFLICT);
    let no_target = api
        .call(
            Method::PUT,
            "/v1/tenants/al.test/aliases/x",
            Some(json!({"target": "nobody"})),
        )
        .await;
    assert_eq!(no_target.status, StatusCode::NOT_FOUND);
    let bad = api
        .call(
            Method::PUT,
            "/v1/tenants/al.test/aliases/a%20b",
            Some(json!({"target": "bob"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let read = api.call(Method::GET, uri, None).await;
    assert_eq!(read.body["target"], "alice");
    let list = api
        .call(
            Method::GET,
            "/v1/tenants/al.test/aliases?target=alice",
            None,
        )
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        api.call(Method::DELETE, uri, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.call(Method::GET, uri, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.call(Method::DELETE, uri, None).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn app_passwords_show_their_secret_once_and_are_revoked() {
    let api = Api::start().await;
    api.tenant("ap.test").await;
    api.account("ap.test", "alice").await;
    let base = "/v1/tenants/ap.test/accounts/alice/app-passwords";
    let created = api
        .call(
            Method::POST,
            base,
            Some(json!({"name": "phone", "scopes": ["imap", "imap"]})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap();
    assert!(secret.len() >= 16);
    assert_eq!(created.body["scopes"], json!(["imap"]));
    let list = api.call(Method::GET, base, None).await;
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0].get("secret").is_none());
    assert!(items[0]["last_used_at"].is_null());
    assert!(!list.body.to_string().contains(secret));

    for (body, status) in [
        (json!({"name": ""}), StatusCode::BAD_REQUEST),
        (
            json!({"name": "x", "scopes": ["pop3"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        assert_eq!(
            api.call(Method::POST, base, Some(body)).await.status,
            status
        );
    }
    let missing = api
        .call(
            Method::POST,
            "/v1/tenants/ap.test/accounts/nobody/app-passwords",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let id = created.body["id"].as_str().unwrap();
    let uri = format!("{base}/{id}");
    assert_eq!(
        api.call(Method::DELETE, &uri, None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api.call(Method::DELETE, &uri, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.call(Method::GET, base, None).await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn api_tokens_authenticate_until_revoked() {
    let api = Api::start().await;
    api.tenant("tok.test").await;
    let secret = api.token("ops", "admin", None).await;
    let created = api
        .request(
            Method::POST,
            "/v1/tenants",
            Some(&secret),
            Some(json!({"domain": "by-token.test"})),
            &[],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let duplicate = api
        .call(
            Method::POST,
            "/v1/tokens",
            Some(json!({"name": "ops", "role": "admin"})),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    for body in [
        json!({"name": "t", "role": "tenant-admin"}),
        json!({"name": "t", "role": "admin", "tenant": "tok.test"}),
        json!({"name": "t", "role": "read-only", "expires_at": 1}),
    ] {
        let answer = api
            .call(Method::POST, "/v1/tokens", Some(body.clone()))
            .await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            answer.body
        );
    }
    let unknown_tenant = api
        .call(
            Method::POST,
            "/v1/tokens",
            Some(json!({"name": "t", "role": "tenant-admin", "tenant": "none.test"})),
        )
        .await;
    assert_eq!(unknown_tenant.status, StatusCode::NOT_FOUND);
    let bad_role = api
        .call(
            Method::POST,
            "/v1/tokens",
            Some(json!({"name": "t", "role": "root"})),
        )
        .await;
    assert_eq!(bad_role.status, StatusCode::UNPROCESSABLE_ENTITY);

    let list = api.call(Method::GET, "/v1/tokens", None).await;
    let tokens = list.body["items"].as_array().unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(!list.body.to_string().contains(&secret));
    let id = tokens[0]["id"].as_str().unwrap();
    let revoked = api
        .call(Method::DELETE, &format!("/v1/tokens/{id}"), None)
        .await;
    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert!(revoked.body["revoked_at"].is_i64());
    let refused = api
        .request(
            Method::GET,
            "/v1/tenants/tok.test",
            Some(&secret),
            None,
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.code(), "AUTHENTICATION_FAILED");
    assert_eq!(
        api.call(Method::DELETE, "/v1/tokens/nope", None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.call(Method::GET, "/v1/tokens", None).await.body["items"],
        json!([])
    );
    let with_revoked = api
        .call(Method::GET, "/v1/tokens?include_revoked=true", None)
        .await;
    assert_eq!(with_revoked.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn usage_recalculation_and_mailboxes_are_reported() {
    let api = Api::start().await;
    api.tenant("use.test").await;
    api.account("use.test", "alice").await;
    api.account("use.test", "bob").await;
    let account = api
        .call(
            Method::GET,
            "/v1/tenants/use.test/accounts/alice/usage",
            None,
        )
        .await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert_eq!(account.body["used_messages"], 0);
    assert_eq!(account.body["accounts"], 1);
    let tenant = api
        .call(Method::GET, "/v1/tenants/use.test/usage", None)
        .await;
    assert_eq!(tenant.body["accounts"], 2);
    let recount = api
        .call(
            Method::POST,
            "/v1/tenants/use.test/accounts/alice/usage/recalculate",
            None,
        )
        .await;
    assert_eq!(recount.status, StatusCode::OK, "{}", recount.body);
    assert_eq!(recount.body["after"]["used_bytes"], 0);
    let tenant_recount = api
        .call(Method::POST, "/v1/tenants/use.test/usage/recalculate", None)
        .await;
    assert_eq!(tenant_recount.body["after"]["accounts"], 2);
    let mailboxes = api
        .call(
            Method::GET,
            "/v1/tenants/use.test/accounts/alice/mailboxes",
            None,
        )
        .await;
    let names: Vec<_> = mailboxes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.contains(&"INBOX".to_owned()), "{names:?}");
    let missing = api
        .call(
            Method::GET,
            "/v1/tenants/use.test/accounts/carol/mailboxes",
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let missing = api
        .call(Method::GET, "/v1/tenants/none.test/usage", None)
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}
