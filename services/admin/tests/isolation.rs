//! Roles, for every operation in the OpenAPI document (so a new endpoint is
//! covered the moment it is documented): a tenant-admin token gets 403 on
//! every route of another tenant and on every route outside tenants except
//! the audit log; a read-only token gets 403 on every change and reads
//! everything; and the other tenant's data is untouched afterwards.
#![allow(clippy::unwrap_used)]

mod support;

use axum::http::{Method, StatusCode};
use mailkeep_admin::AdminApi;
use serde_json::{Value, json};
use support::Api;
use utoipa::OpenApi;

const OWN: &str = "own.test";
const OTHER: &str = "other.test";

/// Every documented operation as (method, path template).
fn operations() -> Vec<(Method, String)> {
    let document = serde_json::to_value(AdminApi::openapi()).unwrap();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
            operations.push((method, path.clone()));
        }
    }
    assert!(operations.len() >= 27, "{operations:?}");
    operations
}

fn concrete(template: &str, domain: &str) -> String {
    template
        .replace("{domain}", domain)
        .replace("{local_part}", "bob")
        .replace("{alias}", "info")
        .replace("{id}", "abc")
}

/// A body that passes shape checks for the operation, so only the role
/// decides the answer.
fn body(method: &Method, template: &str) -> Option<Value> {
    if matches!(*method, Method::GET | Method::DELETE) {
        return None;
    }
    Some(match template {
        "/v1/tenants" => json!({"domain": "new.test"}),
        "/v1/tokens" => json!({"name": "x", "role": "read-only"}),
        t if t.ends_with("/accounts") => json!({"local_part": "carol", "password": "long enough"}),
        t if t.ends_with("/app-passwords") => json!({"name": "phone"}),
        t if t.ends_with("/aliases/{alias}") => json!({"target": "bob"}),
        _ => json!({}),
    })
}

/// Calls the operation on `domain` with `token`; the URI and the answer.
async fn attempt(
    api: &Api,
    token: &str,
    method: &Method,
    template: &str,
    domain: &str,
) -> (String, support::Answer) {
    let uri = concrete(template, domain);
    let answer = api
        .request(
            method.clone(),
            &uri,
            Some(token),
            body(method, template),
            &[],
        )
        .await;
    (uri, answer)
}

async fn setup() -> Api {
    let api = Api::start().await;
    for domain in [OWN, OTHER] {
        api.tenant(domain).await;
        api.account(domain, "bob").await;
    }
    api
}

#[tokio::test]
async fn a_tenant_admin_token_never_reaches_another_tenant() {
    let api = setup().await;
    let token = api.token("own-admin", "tenant-admin", Some(OWN)).await;
    for (method, template) in operations() {
        let tenant_scoped = template.contains("{domain}");
        let (uri, answer) = attempt(&api, &token, &method, &template, OTHER).await;
        let allowed_outside = template == "/v1/audit" && method == Method::GET;
        if tenant_scoped || !allowed_outside {
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{method} {uri}: {}",
                answer.body
            );
            assert_eq!(answer.code(), "PERMISSION_DENIED");
        } else {
            assert_eq!(answer.status, StatusCode::OK, "{method} {uri}");
        }
        // Upper case names the same other tenant.
        if tenant_scoped {
            let (shouting, answer) = attempt(&api, &token, &method, &template, "OTHER.TEST").await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {shouting}");
        }
    }
    let bob = api
        .call(
            Method::GET,
            &format!("/v1/tenants/{OTHER}/accounts/bob"),
            None,
        )
        .await;
    assert_eq!(
        bob.status,
        StatusCode::OK,
        "the other tenant's account survived"
    );
    let tenant = api
        .call(Method::GET, &format!("/v1/tenants/{OTHER}"), None)
        .await;
    assert_eq!(tenant.body["status"], "active");
}

#[tokio::test]
async fn a_tenant_admin_token_works_inside_its_tenant_and_sees_only_its_audit() {
    let api = setup().await;
    let token = api.token("own-admin", "tenant-admin", Some(OWN)).await;
    for (method, template) in operations() {
        if !template.contains("{domain}") {
            continue;
        }
        let (uri, answer) = attempt(&api, &token, &method, &template, OWN).await;
        let tenant_object_change = template == "/v1/tenants/{domain}" && method != Method::GET;
        if tenant_object_change {
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {uri}");
        } else {
            assert_ne!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{method} {uri}: {}",
                answer.body
            );
            assert!(
                answer.status.as_u16() < 500,
                "{method} {uri}: {}",
                answer.body
            );
        }
    }
    let audit = api
        .request(
            Method::GET,
            &format!("/v1/audit?tenant={OTHER}&limit=1000"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(audit.status, StatusCode::OK);
    let entries = audit.body["items"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert!(
        entries.iter().all(|entry| entry["tenant"] == OWN),
        "{}",
        audit.body
    );
}

#[tokio::test]
async fn a_read_only_token_reads_everything_and_changes_nothing() {
    let api = setup().await;
    let token = api.token("auditor", "read-only", None).await;
    for (method, template) in operations() {
        let (uri, answer) = attempt(&api, &token, &method, &template, OTHER).await;
        if method == Method::GET {
            assert_ne!(answer.status, StatusCode::FORBIDDEN, "{method} {uri}");
            assert!(
                answer.status.as_u16() < 500,
                "{method} {uri}: {}",
                answer.body
            );
        } else {
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {uri}");
        }
    }
}
