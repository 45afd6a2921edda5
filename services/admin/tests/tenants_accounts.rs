//! Tenants and accounts through the API: happy paths, pagination and
//! filters, ETag/If-Match (412), 400/404/409/422, generated passwords shown
//! once, and the two-step tenant purge with its progress.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use serde_json::json;
use support::Api;

#[tokio::test]
async fn tenants_are_listed_by_page_and_filtered() {
    let api = Api::start().await;
    for domain in ["a1.test", "a2.test", "a3.test", "b1.test"] {
        api.tenant(domain).await;
    }
    let first = api
        .call(Method::GET, "/v1/tenants?limit=2&prefix=A", None)
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let names: Vec<_> = first.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["domain"].clone())
        .collect();
    assert_eq!(names, [json!("a1.test"), json!("a2.test")]);
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = api
        .call(
            Method::GET,
            &format!("/v1/tenants?limit=2&prefix=a&cursor={cursor}"),
            None,
        )
        .await;
    let items = second.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["domain"], "a3.test");
    assert!(second.body["next_cursor"].is_null());

    let suspended = api
        .call(
            Method::PATCH,
            "/v1/tenants/b1.test",
            Some(json!({"status": "suspended"})),
        )
        .await;
    assert_eq!(suspended.status, StatusCode::OK, "{}", suspended.body);
    let list = api
        .call(Method::GET, "/v1/tenants?status=suspended", None)
        .await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);

    for bad in ["limit=0", "limit=1001", "limit=x", "status=gone"] {
        let answer = api
            .call(Method::GET, &format!("/v1/tenants?{bad}"), None)
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(answer.code(), "INVALID_ARGUMENT");
    }
}

#[tokio::test]
async fn updates_honour_if_match_and_bump_the_etag() {
    let api = Api::start().await;
    let created = api
        .call(
            Method::POST,
            "/v1/tenants",
            Some(json!({"domain": "etag.test", "default_quota_bytes": 1000})),
        )
        .await;
    assert_eq!(created.body["default_quota_bytes"], 1000);
    let read = api.call(Method::GET, "/v1/tenants/etag.test", None).await;
    let etag = read.headers[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", read.body["version"]));

    let patch = json!({"quota_bytes": 5000, "default_quota_bytes": null});
    let updated = api
        .request(
            Method::PATCH,
            "/v1/tenants/etag.test",
            Some(support::BOOTSTRAP),
            Some(patch.clone()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["quota_bytes"], 5000);
    assert!(updated.body["default_quota_bytes"].is_null());
    assert_ne!(updated.headers[header::ETAG].to_str().unwrap(), etag);

    for stale in [etag.as_str(), "\"nonsense\"", "W/\"1\""] {
        let answer = api
            .request(
                Method::PATCH,
                "/v1/tenants/etag.test",
                Some(support::BOOTSTRAP),
                Some(patch.clone()),
                &[("if-match", stale)],
            )
            .await;
        assert_eq!(
            answer.status,
            StatusCode::PRECONDITION_FAILED,
            "{stale}: {}",
            answer.body
        );
        assert_eq!(answer.code(), "PRECONDITION_FAILED");
    }
    let wrong_shape = api
        .call(
            Method::PATCH,
            "/v1/tenants/etag.test",
            Some(json!({"status": "deleted"})),
        )
        .await;
    assert_eq!(wrong_shape.status, StatusCode::UNPROCESSABLE_ENTITY);
    let too_big = api
        .call(
            Method::PATCH,
            "/v1/tenants/etag.test",
            Some(json!({"quota_bytes": u64::MAX})),
        )
        .await;
    assert_eq!(too_big.status, StatusCode::BAD_REQUEST);
    let missing = api
        .call(
            Method::PATCH,
            "/v1/tenants/none.test",
            Some(json!({"status": "active"})),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn accounts_get_generated_passwords_once_and_are_listed_updated_and_deleted() {
    let api = Api::start().await;
    api.tenant("acc.test").await;
    let generated = api
        .call(
            Method::POST,
            "/v1/tenants/acc.test/accounts",
            Some(json!({"local_part": "gen", "generate_password": true, "display_name": "Gen"})),
        )
        .await;
    assert_eq!(generated.status, StatusCode::CREATED, "{}", generated.body);
    assert!(generated.body["generated_password"].as_str().unwrap().len() >= 12);
    let read = api
        .call(Method::GET, "/v1/tenants/acc.test/accounts/gen", None)
        .await;
    assert!(read.body.get("generated_password").is_none());
    assert_eq!(read.body["display_name"], "Gen");

    for (body, status) in [
        (json!({"local_part": "x"}), StatusCode::BAD_REQUEST),
        (
            json!({"local_part": "x", "password": "long enough", "generate_password": true}),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"local_part": "x", "password": "long enough", "colour": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"local_part": "gen", "password": "long enough"}),
            StatusCode::CONFLICT,
        ),
    ] {
        let answer = api
            .call(
                Method::POST,
                "/v1/tenants/acc.test/accounts",
                Some(body.clone()),
            )
            .await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
    }
    api.account("acc.test", "alice").await;
    api.account("acc.test", "alex").await;
    let list = api
        .call(
            Method::GET,
            "/v1/tenants/acc.test/accounts?prefix=al&limit=1",
            None,
        )
        .await;
    assert_eq!(list.body["items"][0]["local_part"], "alex");
    assert!(list.body["next_cursor"].is_string());

    let etag = read.headers[header::ETAG].to_str().unwrap().to_owned();
    let update = json!({"status": "suspended", "quota_messages": 10, "app_passwords_only": true});
    let updated = api
        .request(
            Method::PATCH,
            "/v1/tenants/acc.test/accounts/gen",
            Some(support::BOOTSTRAP),
            Some(update.clone()),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["status"], "suspended");
    assert_eq!(updated.body["quota_messages"], 10);
    assert_eq!(updated.body["app_passwords_only"], true);
    let stale = api
        .request(
            Method::PATCH,
            "/v1/tenants/acc.test/accounts/gen",
            Some(support::BOOTSTRAP),
            Some(update),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let suspended = api
        .call(
            Method::GET,
            "/v1/tenants/acc.test/accounts?status=suspended",
            None,
        )
        .await;
    assert_eq!(suspended.body["items"].as_array().unwrap().len(), 1);
    let regenerated = api
        .call(
            Method::PATCH,
            "/v1/tenants/acc.test/accounts/gen",
            Some(json!({"generate_password": true})),
        )
        .await;
    assert!(regenerated.body["generated_password"].is_string());

    let stale_delete = api
        .request(
            Method::DELETE,
            "/v1/tenants/acc.test/accounts/gen",
            Some(support::BOOTSTRAP),
            None,
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(stale_delete.status, StatusCode::PRECONDITION_FAILED);
    let deleted = api
        .call(Method::DELETE, "/v1/tenants/acc.test/accounts/gen", None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = api
        .call(
            Method::PATCH,
            "/v1/tenants/acc.test/accounts/gen",
            Some(json!({})),
        )
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_tenant_is_purged_in_two_steps_with_progress() {
    let api = Api::start().await;
    api.tenant("purge.test").await;
    api.account("purge.test", "alice").await;
    let started = api
        .call(Method::DELETE, "/v1/tenants/purge.test", None)
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    assert_eq!(started.body["domain"], "purge.test");
    let update = api
        .call(
            Method::PATCH,
            "/v1/tenants/purge.test",
            Some(json!({"status": "active"})),
        )
        .await;
    assert!(
        matches!(update.status, StatusCode::CONFLICT | StatusCode::NOT_FOUND),
        "{}",
        update.body
    );
    let mut progress = started.body;
    for _ in 0..100 {
        if progress["state"] == "done" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        progress = api
            .call(Method::GET, "/v1/tenants/purge.test/purge", None)
            .await
            .body;
    }
    assert_eq!(progress["state"], "done", "{progress}");
    assert_eq!(progress["accounts_removed"], 1);
    assert!(progress["finished_at"].is_i64());
    let account = api
        .call(Method::GET, "/v1/tenants/purge.test/accounts/alice", None)
        .await;
    assert_eq!(account.status, StatusCode::NOT_FOUND);
}
