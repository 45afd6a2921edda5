//! `mailkeep dev` as a user runs it: start the binary on a fresh data
//! directory with every port 0, read the printed addresses, check the ops
//! endpoints, provision a tenant and an account over the admin API, log in
//! over IMAP, stop it with SIGTERM, and start it again on the same data.
#![allow(clippy::unwrap_used)] // helpers of a test crate; `allow-unwrap-in-tests` covers only #[test] fns

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{Mailkeep, command, imap_login};

const LISTENERS: [&str; 6] = ["metadata", "blob", "imap", "imaps", "admin", "ops"];

fn start_dev(data_dir: &Path) -> Mailkeep {
    let data_dir = data_dir.to_str().unwrap();
    let mut dev = command(&["dev", "--data-dir", data_dir]);
    dev.args([
        "--imap-listen",
        "127.0.0.1:0",
        "--imaps-listen",
        "127.0.0.1:0",
        "--lmtp-listen",
        "127.0.0.1:0",
    ])
    .args([
        "--admin-listen",
        "127.0.0.1:0",
        "--ops-listen",
        "127.0.0.1:0",
    ]);
    Mailkeep::start(dev, &LISTENERS, true)
}

#[tokio::test(flavor = "multi_thread")]
async fn dev_serves_every_role_and_keeps_data_across_restarts() {
    let data = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let dev = start_dev(data.path());
    let token = dev.admin_token.clone().unwrap();
    assert!(data.path().join("tls").read_dir().unwrap().count() >= 2);
    let token_file = std::fs::read_to_string(data.path().join("admin-token")).unwrap();
    assert_eq!(token_file.trim_end(), token);

    let health = http.get(dev.url("ops", "/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let ready = http.get(dev.url("ops", "/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let checks: Value = ready.json().await.unwrap();
    assert_eq!(checks["status"], "ready", "{checks}");
    let metrics = http.get(dev.url("ops", "/metrics")).send().await.unwrap();
    assert!(
        metrics
            .text()
            .await
            .unwrap()
            .contains("mailkeep_role_starts_total")
    );

    let unauthorized = http
        .post(dev.url("admin", "/v1/tenants"))
        .json(&json!({"domain": "example.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    let tenant = http
        .post(dev.url("admin", "/v1/tenants"))
        .bearer_auth(&token)
        .json(&json!({"domain": "example.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(tenant.status(), 201);
    let account = http
        .post(dev.url("admin", "/v1/tenants/example.test/accounts"))
        .bearer_auth(&token)
        .json(&json!({"local_part": "alice", "password": "wonderland-42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(account.status(), 201);
    imap_login(
        &dev.addresses["imap"],
        "alice@example.test",
        "wonderland-42",
    );
    dev.terminate();

    let dev = start_dev(data.path());
    assert_eq!(
        dev.admin_token.as_deref(),
        Some(token.as_str()),
        "the token is reused"
    );
    let tenant = http
        .get(dev.url("admin", "/v1/tenants/example.test"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(tenant.status(), 200, "the tenant survives a restart");
    imap_login(
        &dev.addresses["imap"],
        "alice@example.test",
        "wonderland-42",
    );
    dev.terminate();
}
