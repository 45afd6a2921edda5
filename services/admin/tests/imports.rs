//! IMAP import jobs through the API, against a metadata service without a
//! worker (jobs stay queued): create (202, `Location`, no password in any
//! answer or audit entry), list, get, cancel and its 409, the 400/404/409/
//! 422 answers, and role and tenant scoping.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use support::{Api, BOOTSTRAP};

const SECRET: &str = "source-secret-4711";
const DOMAIN: &str = "imp.test";
const IMPORTS: &str = "/v1/tenants/imp.test/accounts/alice/imports";

fn job_request() -> Value {
    json!({
        "source": {"host": "imap.old.test", "port": 143, "tls": "starttls", "username": "alice@old.test",
                   "password": SECRET},
        "folders": [{"source": "Sent Items", "target": "Sent"}, {"source": "Spam", "target": null}],
        "since": "2020-01-01T00:00:00Z",
        "before": "2024-06-01T12:00:00+02:00",
        "max_messages_per_second": 20
    })
}

async fn api_with_account() -> Api {
    let api = Api::start().await;
    api.tenant(DOMAIN).await;
    api.account(DOMAIN, "alice").await;
    api
}

#[tokio::test]
async fn a_job_is_created_listed_shown_and_cancelled_without_its_password() {
    let api = api_with_account().await;
    let created = api.call(Method::POST, IMPORTS, Some(job_request())).await;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let job = &created.body;
    let id = job["id"].as_str().unwrap().to_owned();
    let location = format!("{IMPORTS}/{id}");
    assert_eq!(created.headers[header::LOCATION], location.as_str());
    assert_eq!(job["state"], "queued");
    assert_eq!(job["login"], "alice@imp.test");
    assert_eq!(
        job["source"],
        json!({"host": "imap.old.test", "port": 143, "tls": "starttls",
               "username": "alice@old.test", "accept_invalid_certs": false})
    );
    assert_eq!(job["folders"][1], json!({"source": "Spam", "target": null}));
    assert_eq!(job["since"], "2020-01-01T00:00:00Z");
    assert_eq!(job["before"], "2024-06-01T10:00:00Z");
    assert_eq!(job["started_at"], Value::Null);
    assert_eq!(job["progress"]["eta_seconds"], Value::Null);

    let shown = api.call(Method::GET, &location, None).await;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert_eq!(shown.body["id"], id.as_str());
    let listed = api.call(Method::GET, IMPORTS, None).await;
    assert_eq!(listed.body["items"][0]["id"], id.as_str());

    let again = api.call(Method::POST, IMPORTS, Some(job_request())).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    let cancelled = api.call(Method::DELETE, &location, None).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["state"], "cancelled");
    assert!(cancelled.body["finished_at"].is_string());
    let twice = api.call(Method::DELETE, &location, None).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);

    let audit = api
        .call(Method::GET, &format!("/v1/audit?tenant={DOMAIN}"), None)
        .await;
    let entries: Vec<(&str, &str)> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap(),
                entry["target"].as_str().unwrap(),
            )
        })
        .filter(|(action, _)| action.starts_with("import."))
        .collect();
    let target = format!("alice@imp.test {id}");
    assert_eq!(
        entries,
        [
            ("import.cancel", target.as_str()),
            ("import.cancel", target.as_str()),
            ("import.create", "alice@imp.test"),
            ("import.create", target.as_str()),
        ]
    );
    for answer in [&created, &shown, &listed, &cancelled, &audit] {
        let text = answer.body.to_string();
        assert!(
            !text.contains(SECRET) && !text.contains("password"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn invalid_requests_are_refused_before_any_job_exists() {
    let api = api_with_account().await;
    let mut cases: Vec<(Value, StatusCode)> = Vec::new();
    let mut with = |pointer: &str, value: Value, status: StatusCode| {
        let mut body = job_request();
        *body.pointer_mut(pointer).unwrap() = value;
        cases.push((body, status));
    };
    let bad_requests = [
        ("/source/port", json!(0)),
        ("/source/port", json!(70000)),
        ("/source/tls", json!("ssl")),
        ("/since", json!("2025-01-01T00:00:00Z")),
        ("/since", json!("1 January 2020")),
        ("/source/host", json!("h".repeat(300))),
        ("/source/username", json!("u".repeat(300))),
        ("/source/password", json!("p".repeat(1100))),
        ("/folders/0/target", json!("t".repeat(600))),
        ("/max_messages_per_second", json!(0)),
    ];
    for (pointer, value) in bad_requests {
        with(pointer, value, StatusCode::BAD_REQUEST);
    }
    with(
        "/source/port",
        json!("993"),
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let mut unknown = job_request();
    unknown["priority"] = json!("high");
    cases.push((unknown, StatusCode::UNPROCESSABLE_ENTITY));
    let mut unknown_in_source = job_request();
    unknown_in_source["source"]["pasword"] = json!(SECRET);
    cases.push((unknown_in_source, StatusCode::UNPROCESSABLE_ENTITY));
    let mut no_target = job_request();
    no_target["folders"] = json!([{"source": "Spam"}]);
    cases.push((no_target, StatusCode::UNPROCESSABLE_ENTITY));

    for (body, status) in cases {
        let answer = api.call(Method::POST, IMPORTS, Some(body.clone())).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        assert_eq!(answer.code(), "INVALID_ARGUMENT", "{}", answer.body);
        assert!(!answer.body.to_string().contains(SECRET), "{}", answer.body);
    }
    let listed = api.call(Method::GET, IMPORTS, None).await;
    assert_eq!(listed.body["items"], json!([]));
}

#[tokio::test]
async fn unknown_accounts_and_jobs_are_404_and_jobs_stay_with_their_account() {
    let api = api_with_account().await;
    api.account(DOMAIN, "bob").await;
    let missing = api
        .call(
            Method::POST,
            "/v1/tenants/imp.test/accounts/nobody/imports",
            Some(job_request()),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    let created = api.call(Method::POST, IMPORTS, Some(job_request())).await;
    let id = created.body["id"].as_str().unwrap();
    let bobs = format!("/v1/tenants/imp.test/accounts/bob/imports/{id}");
    assert_eq!(
        api.call(Method::GET, &bobs, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.call(Method::DELETE, &bobs, None).await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = format!("{IMPORTS}/{}", "0".repeat(32));
    assert_eq!(
        api.call(Method::GET, &unknown, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api.call(Method::GET, &format!("{IMPORTS}/bad%2Fid"), None)
            .await
            .status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn tokens_are_required_and_scoped_to_their_tenant_and_role() {
    let api = api_with_account().await;
    api.tenant("other.test").await;
    let created = api.call(Method::POST, IMPORTS, Some(job_request())).await;
    let location = format!("{IMPORTS}/{}", created.body["id"].as_str().unwrap());
    let anonymous = api.request(Method::GET, &location, None, None, &[]).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let wrong = api
        .request(Method::GET, IMPORTS, Some("not-a-token"), None, &[])
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    let own = api.token("own", "tenant-admin", Some(DOMAIN)).await;
    let other = api.token("other", "tenant-admin", Some("other.test")).await;
    let reader = api.token("reader", "read-only", None).await;
    let get = |token: String, path: String| {
        let api = &api;
        async move {
            api.request(Method::GET, &path, Some(&token), None, &[])
                .await
                .status
        }
    };
    assert_eq!(get(own.clone(), location.clone()).await, StatusCode::OK);
    assert_eq!(get(reader.clone(), location.clone()).await, StatusCode::OK);
    assert_eq!(
        get(other.clone(), location.clone()).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(other.clone(), IMPORTS.to_owned()).await,
        StatusCode::FORBIDDEN
    );
    for token in [&other, &reader] {
        let create = api
            .request(Method::POST, IMPORTS, Some(token), Some(job_request()), &[])
            .await;
        assert_eq!(create.status, StatusCode::FORBIDDEN);
        let cancel = api
            .request(Method::DELETE, &location, Some(token), None, &[])
            .await;
        assert_eq!(cancel.status, StatusCode::FORBIDDEN);
    }
    let cancelled = api
        .request(Method::DELETE, &location, Some(&own), None, &[])
        .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let by_bootstrap = api
        .request(Method::GET, &location, Some(BOOTSTRAP), None, &[])
        .await;
    assert_eq!(by_bootstrap.body["state"], "cancelled");
}
