//! The admin API end to end through `Router::oneshot`, against a real
//! in-process metadata gRPC server on port 0 backed by a fresh SQLite file.
#![allow(clippy::unwrap_used)] // helpers of a test crate; `allow-unwrap-in-tests` covers only #[test] fns

mod support;

use axum::http::{Method, StatusCode};
use mailkeep_admin::{AdminState, MAX_BODY_BYTES, router};
use mailkeep_proto::InternalAuth;
use serde_json::{Value, json};
use support::{Api, BOOTSTRAP as TOKEN};

async fn call(api: &Api, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let answer = api.call(method, uri, body).await;
    (answer.status, answer.body)
}

async fn call_raw(
    api: &Api,
    method: Method,
    uri: &str,
    token: Option<&str>,
    body: Option<String>,
) -> (StatusCode, Value) {
    let answer = api.raw(method, uri, token, body, &[]).await;
    (answer.status, answer.body)
}

#[tokio::test]
async fn tenants_and_accounts_are_provisioned_read_and_deleted() {
    let app = Api::start().await;

    let (status, tenant) = call(
        &app,
        Method::POST,
        "/v1/tenants",
        Some(json!({"domain": "Example.TEST"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{tenant}");
    assert_eq!(tenant["domain"], "example.test");
    assert_eq!(tenant["id"].as_str().unwrap().len(), 32);

    let (status, again) = call(
        &app,
        Method::POST,
        "/v1/tenants",
        Some(json!({"domain": "example.test"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(again["error"]["code"], "ALREADY_EXISTS");

    let (status, read) = call(&app, Method::GET, "/v1/tenants/example.test", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["id"], tenant["id"]);

    let password = "correct horse battery";
    let (status, account) = call(
        &app,
        Method::POST,
        "/v1/tenants/example.test/accounts",
        Some(json!({"local_part": "alice", "password": password, "quota_bytes": 1000000})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(account["login"], "alice@example.test");
    assert_eq!(account["tenant_id"], tenant["id"]);
    assert_eq!(account["quota_bytes"], 1000000);
    assert_eq!(account["quota_messages"], Value::Null);
    assert!(!account.to_string().contains(password));

    let (status, duplicate) = call(
        &app,
        Method::POST,
        "/v1/tenants/example.test/accounts",
        Some(json!({"local_part": "Alice", "password": password})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{duplicate}");

    let (status, read) = call(
        &app,
        Method::GET,
        "/v1/tenants/example.test/accounts/alice",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read["id"], account["id"]);
    assert_eq!(read["used_messages"], 0);

    let (status, body) = call(
        &app,
        Method::DELETE,
        "/v1/tenants/example.test/accounts/alice",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, Value::Null);

    let (status, gone) = call(
        &app,
        Method::GET,
        "/v1/tenants/example.test/accounts/alice",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(gone["error"]["code"], "NOT_FOUND");
    let (status, _) = call(
        &app,
        Method::DELETE,
        "/v1/tenants/example.test/accounts/alice",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn missing_objects_are_404() {
    let app = Api::start().await;
    let (status, body) = call(&app, Method::GET, "/v1/tenants/nowhere.test", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "NOT_FOUND");
    let (status, _) = call(
        &app,
        Method::POST,
        "/v1/tenants/nowhere.test/accounts",
        Some(json!({"local_part": "bob", "password": "long enough"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_gets_a_json_error_that_never_echoes_the_password() {
    let app = Api::start().await;
    let (status, _) = call(
        &app,
        Method::POST,
        "/v1/tenants",
        Some(json!({"domain": "example.test"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    let cases = [
        (
            "/v1/tenants",
            json!({"domain": "not a domain"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/v1/tenants",
            json!({"domain": "example.test", "extra": 1}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/v1/tenants", json!({}), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/v1/tenants/example.test/accounts",
            json!({"local_part": "bad name", "password": "secretpass1"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/v1/tenants/example.test/accounts",
            json!({"local_part": "carol", "password": "short1"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/v1/tenants/example.test/accounts",
            json!({"local_part": "carol", "password": 12345678901u64}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (uri, body, expected) in cases {
        let (status, answer) = call(&app, Method::POST, uri, Some(body.clone())).await;
        assert_eq!(status, expected, "{body} -> {answer}");
        assert_eq!(answer["error"]["code"], "INVALID_ARGUMENT", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(
            !message.contains("short1") && !message.contains("12345678901"),
            "{message}"
        );
    }

    let (status, answer) = call_raw(
        &app,
        Method::POST,
        "/v1/tenants",
        Some(TOKEN),
        Some("{\"domain\":".into()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "INVALID_ARGUMENT");

    let huge = format!("{{\"domain\": \"{}\"}}", "a".repeat(MAX_BODY_BYTES));
    let (status, answer) =
        call_raw(&app, Method::POST, "/v1/tenants", Some(TOKEN), Some(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"]["code"], "LIMIT");

    let (status, answer) = call(&app, Method::GET, "/v1/tenants/bad_domain", None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["code"], "INVALID_ARGUMENT");
}

#[tokio::test]
async fn requests_without_the_token_are_401_and_openapi_is_public() {
    let app = Api::start().await;
    for token in [None, Some("wrong-token")] {
        let (status, answer) =
            call_raw(&app, Method::GET, "/v1/tenants/example.test", token, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer["error"]["code"], "AUTHENTICATION_FAILED");
    }
    let (status, document) = call_raw(&app, Method::GET, "/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(document["openapi"].as_str().unwrap().starts_with("3."));
    assert!(document["paths"]["/v1/tenants/{domain}/accounts"]["post"].is_object());
}

#[tokio::test]
async fn a_down_metadata_service_is_503() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut app = Api::start().await;
    app.app = router(support::state(&url));
    let (status, answer) = call(
        &app,
        Method::POST,
        "/v1/tenants",
        Some(json!({"domain": "example.test"})),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer["error"]["code"], "UNAVAILABLE");
}

#[tokio::test]
async fn a_wrong_internal_secret_is_not_reported_as_the_callers_fault() {
    let mut app = Api::start().await;
    let internal = InternalAuth::new("wrong-internal").unwrap();
    app.app = router(AdminState::connect_lazy(&app.metadata.url, internal, TOKEN).unwrap());
    let (status, answer) = call(&app, Method::GET, "/v1/tenants/example.test", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(answer["error"]["message"], "metadata service failed");
}
