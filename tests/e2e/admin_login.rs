//! Issue 5 acceptance over IMAP: a deleted account cannot log in on any
//! gateway within 1 s, and a revoked app password stops working at once
//! (LOGIN with it works, DELETE, LOGIN fails). Logins read the metadata
//! store every time, so there is no cache to wait out.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use mailkeep_tests::deployment::{Deployment, RolesOptions};
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::provision::AdminClient;
use serde_json::{Value, json};

/// How long a removed credential may keep working.
const REVOCATION_LIMIT: Duration = Duration::from_secs(1);

/// Tries LOGIN on a fresh connection: true on OK, false on NO.
pub async fn login_accepted(
    address: SocketAddr,
    login: &str,
    password: &str,
) -> anyhow::Result<bool> {
    let mut client = ImapLines::connect(address).await?;
    client
        .send(&format!("x1 LOGIN {login} \"{password}\"\r\n"))
        .await?;
    let lines = client.until("x1 ").await?;
    match lines.last() {
        Some(last) if last.starts_with("x1 OK") => Ok(true),
        Some(last) if last.starts_with("x1 NO") => Ok(false),
        _ => bail!("unexpected LOGIN answer {lines:?}"),
    }
}

/// One admin API call with the bootstrap token; the JSON answer or `Null`.
async fn admin_call(
    deployment: &Deployment,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<(reqwest::StatusCode, Value)> {
    let url = format!("{}{path}", deployment.admin_url());
    let mut request = reqwest::Client::new()
        .request(method, &url)
        .bearer_auth(deployment.admin_token());
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.with_context(|| url.clone())?;
    let status = answer.status();
    let text = answer.text().await?;
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).with_context(|| format!("{url}: {text}"))?
    };
    Ok((status, json))
}

#[tokio::test]
async fn a_deleted_account_cannot_log_in_on_any_gateway_within_a_second() -> anyhow::Result<()> {
    let options = RolesOptions {
        gateways: 2,
        ..RolesOptions::default()
    };
    let deployment = Deployment::separate_roles_with(&options).await?;
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "leaver").await?;
    let gateways: Vec<SocketAddr> = deployment.gateways().iter().map(|g| g.imap).collect();
    assert_eq!(gateways.len(), 2);
    for gateway in &gateways {
        assert!(login_accepted(*gateway, &account.login, &account.password).await?);
    }

    let path = format!("/v1/tenants/{domain}/accounts/leaver");
    let (status, body) = admin_call(&deployment, reqwest::Method::DELETE, &path, None).await?;
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT, "{body}");
    let deleted_at = Instant::now();
    for gateway in &gateways {
        assert!(
            !login_accepted(*gateway, &account.login, &account.password).await?,
            "gateway {gateway} still accepts the deleted account"
        );
    }
    assert!(
        deleted_at.elapsed() < REVOCATION_LIMIT,
        "{:?}",
        deleted_at.elapsed()
    );
    deployment.finish().await
}

#[tokio::test]
async fn a_revoked_app_password_stops_working_at_once() -> anyhow::Result<()> {
    let deployment = Deployment::dev().await?;
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "mobile").await?;
    let base = format!("/v1/tenants/{domain}/accounts/mobile/app-passwords");
    let (status, created) = admin_call(
        &deployment,
        reqwest::Method::POST,
        &base,
        Some(json!({"name": "phone", "scopes": ["imap"]})),
    )
    .await?;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().context("no secret")?.to_owned();
    let id = created["id"].as_str().context("no id")?.to_owned();

    assert!(login_accepted(deployment.imap(), &account.login, &secret).await?);
    let (_, listed) = admin_call(&deployment, reqwest::Method::GET, &base, None).await?;
    assert!(listed["items"][0]["last_used_at"].is_i64(), "{listed}");

    let (status, _) = admin_call(
        &deployment,
        reqwest::Method::DELETE,
        &format!("{base}/{id}"),
        None,
    )
    .await?;
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
    let revoked_at = Instant::now();
    assert!(
        !login_accepted(deployment.imap(), &account.login, &secret).await?,
        "the revoked app password still logs in"
    );
    assert!(revoked_at.elapsed() < REVOCATION_LIMIT);
    assert!(login_accepted(deployment.imap(), &account.login, &account.password).await?);
    deployment.finish().await
}
