//! The API's conventions: request ids, per-token rate limits with
//! Retry-After, JSON 404s, the audit trail of every change (never a secret),
//! and the OpenAPI document with its offline UI.
#![allow(clippy::unwrap_used)]

mod support;

use std::num::NonZeroU32;

use axum::http::{Method, StatusCode, header};
use mailkeep_admin::RateLimit;
use serde_json::json;
use support::{Api, BOOTSTRAP, PASSWORD};

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let api = Api::start().await;
    let kept = api
        .request(
            Method::GET,
            "/v1/tenants",
            Some(BOOTSTRAP),
            None,
            &[("x-request-id", "abc-123")],
        )
        .await;
    assert_eq!(kept.headers["x-request-id"], "abc-123");
    let generated = api
        .request(Method::GET, "/v1/tenants", None, None, &[])
        .await;
    assert_eq!(generated.status, StatusCode::UNAUTHORIZED);
    assert_eq!(generated.headers["x-request-id"].len(), 36);
    let junk = "x".repeat(300);
    let replaced = api
        .request(
            Method::GET,
            "/v1/nowhere",
            Some(BOOTSTRAP),
            None,
            &[("x-request-id", &junk)],
        )
        .await;
    assert_eq!(replaced.status, StatusCode::NOT_FOUND);
    assert_eq!(replaced.code(), "NOT_FOUND");
    assert_ne!(replaced.headers["x-request-id"], junk.as_str());
}

#[tokio::test]
async fn each_token_has_its_own_rate_limit() {
    let limit = RateLimit {
        per_second: NonZeroU32::new(1).unwrap(),
        burst: NonZeroU32::new(3).unwrap(),
    };
    let api = Api::start_with(Some(limit)).await;
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(api.call(Method::GET, "/v1/tenants", None).await);
    }
    let limited = statuses.pop().unwrap();
    assert!(statuses.iter().all(|a| a.status == StatusCode::OK));
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.code(), "LIMIT");
    let retry: u64 = limited.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry));
}

#[tokio::test]
async fn every_change_is_audited_without_secrets() {
    let api = Api::start().await;
    api.tenant("audit.test").await;
    let token = api.token("ops", "admin", None).await;
    let created = api
        .request(
            Method::POST,
            "/v1/tenants/audit.test/accounts",
            Some(&token),
            Some(json!({"local_part": "alice", "password": PASSWORD})),
            &[("x-request-id", "req-42")],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let app_password = api
        .call(
            Method::POST,
            "/v1/tenants/audit.test/accounts/alice/app-passwords",
            Some(json!({"name": "phone"})),
        )
        .await;
    let secret = app_password.body["secret"].as_str().unwrap().to_owned();
    let refused = api
        .request(
            Method::POST,
            "/v1/tenants/audit.test/accounts",
            Some(&token),
            Some(json!({"local_part": "alice", "password": PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);

    let log = api
        .call(Method::GET, "/v1/audit?tenant=audit.test", None)
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let text = log.body.to_string();
    for hidden in [PASSWORD, secret.as_str(), token.as_str()] {
        assert!(
            !text.contains(hidden),
            "the audit log leaks a secret: {text}"
        );
    }
    let entries = log.body["items"].as_array().unwrap();
    let create = entries
        .iter()
        .find(|e| e["request_id"] == "req-42")
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(create["action"], "account.create");
    assert_eq!(create["actor_name"], "ops");
    assert_eq!(create["target"], "alice@audit.test");
    assert_eq!(create["result"], 201);
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "account.create" && e["result"] == 409)
    );
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == "app-password.create" && e["actor_name"] == "bootstrap")
    );

    let by_action = api
        .call(Method::GET, "/v1/audit?action=tenant.create", None)
        .await;
    let actions = by_action.body["items"].as_array().unwrap();
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0]["target"], "audit.test");
    let paged = api.call(Method::GET, "/v1/audit?limit=1", None).await;
    assert_eq!(paged.body["items"].as_array().unwrap().len(), 1);
    assert!(paged.body["next_cursor"].is_string());
    let reads_are_not_audited = api
        .call(Method::GET, "/v1/audit?action=GET%20/v1/tenants", None)
        .await;
    assert_eq!(reads_are_not_audited.body["items"], json!([]));
}

#[tokio::test]
async fn the_openapi_document_and_its_ui_are_served_without_a_token() {
    let api = Api::start().await;
    let document = api
        .request(Method::GET, "/v1/openapi.json", None, None, &[])
        .await;
    assert_eq!(document.status, StatusCode::OK);
    assert_eq!(document.body["openapi"], "3.1.0");
    let ui = api.request(Method::GET, "/v1/docs/", None, None, &[]).await;
    assert_eq!(ui.status, StatusCode::OK);
    assert!(
        ui.body.as_str().unwrap().contains("swagger-ui"),
        "{}",
        ui.body
    );
    let script = api
        .request(
            Method::GET,
            "/v1/docs/swagger-ui-bundle.js",
            None,
            None,
            &[],
        )
        .await;
    assert_eq!(script.status, StatusCode::OK);
}
