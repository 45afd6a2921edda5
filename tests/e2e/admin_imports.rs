//! Issue 7, the admin side of IMAP import jobs against `mailkeep dev`: the
//! REST contract (202 with `Location`, 400/422 validation, 404, 401, tenant
//! scoping, cancel and its 409, audit entries) and `mailkeep admin import`,
//! with the source password in no answer, audit entry or CLI output. The
//! source "server" accepts connections and never greets, so a job stays
//! queued or running until the test cancels it; only the `--follow` test
//! lets the dev's import worker pull from the dev's own IMAP listener.

use anyhow::Context;
use mailkeep_tests::deployment::Deployment;
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::provision::AdminClient;
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::admin_cli::admin;

const SECRET: &str = "source-secret-0815";
/// Messages the source account of the `--follow` test holds.
const MESSAGES: usize = 12;

/// A TCP listener that accepts connections and holds them silently; its
/// port. The task ends with the test's runtime.
async fn silent_source() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    Ok(port)
}

fn job_request(port: u16) -> Value {
    json!({
        "source": {"host": "127.0.0.1", "port": port, "tls": "plain",
                   "username": "alice@old.test", "password": SECRET},
        "folders": [{"source": "Sent Items", "target": "Sent"}, {"source": "Spam", "target": null}],
        "since": "2020-01-01T00:00:00Z",
        "max_messages_per_second": 10
    })
}

/// One answer: status, `Location` and the JSON body (`Null` when empty).
struct Answer {
    status: StatusCode,
    location: Option<String>,
    body: Value,
}

/// A `mailkeep dev` deployment, an admin client of it and a fresh tenant.
async fn dev_with_tenant() -> anyhow::Result<(Deployment, AdminClient, String)> {
    let deployment = Deployment::dev().await?;
    let provision = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = provision.create_fresh_tenant().await?;
    Ok((deployment, provision, domain))
}

/// Writes `password` to a file in `dir` for `--password-file`; its path.
fn write_password_file(dir: &tempfile::TempDir, password: &str) -> anyhow::Result<String> {
    let path = dir.path().join("source-password");
    std::fs::write(&path, password)?;
    Ok(path.to_string_lossy().into_owned())
}

/// `import create ADDRESS` from the plain IMAP source on 127.0.0.1:`port`
/// as `username`, its password in `password_file`.
fn create_command<'a>(
    address: &'a str,
    port: &'a str,
    username: &'a str,
    password_file: &'a str,
) -> Vec<&'a str> {
    vec![
        "import",
        "create",
        address,
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--tls",
        "plain",
        "--username",
        username,
        "--password-file",
        password_file,
    ]
}

/// POSTs `body` to `path` of the admin API with `token`.
async fn post(
    deployment: &Deployment,
    token: Option<&str>,
    path: &str,
    body: Value,
) -> anyhow::Result<Answer> {
    call(deployment, token, Method::POST, path, Some(body)).await
}

async fn call(
    deployment: &Deployment,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> anyhow::Result<Answer> {
    let url = format!("{}{path}", deployment.admin_url());
    let mut request = reqwest::Client::new().request(method, &url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.with_context(|| url.clone())?;
    let status = answer.status();
    let location = answer
        .headers()
        .get(header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let text = answer.text().await?;
    assert!(
        !text.contains(SECRET),
        "{path} answered the password: {text}"
    );
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).with_context(|| format!("{url}: {text}"))?
    };
    Ok(Answer {
        status,
        location,
        body,
    })
}

#[tokio::test]
async fn the_import_api_keeps_its_contract() -> anyhow::Result<()> {
    let (deployment, provision, domain) = dev_with_tenant().await?;
    let token = Some(deployment.admin_token());
    provision.create_account(&domain, "alice").await?;
    let other = provision.create_fresh_tenant().await?;
    provision.create_account(&other, "alice").await?;
    let port = silent_source().await?;
    let imports = format!("/v1/tenants/{domain}/accounts/alice/imports");

    let created = post(&deployment, token, &imports, job_request(port)).await?;
    assert_eq!(created.status, StatusCode::ACCEPTED, "{}", created.body);
    let id = created.body["id"].as_str().context("no id")?.to_owned();
    let location = format!("{imports}/{id}");
    assert_eq!(created.location.as_deref(), Some(location.as_str()));
    assert_eq!(created.body["source"]["tls"], "plain");
    assert!(created.body["source"].get("password").is_none());
    assert_eq!(created.body["folders"][1]["target"], Value::Null);
    let shown = call(&deployment, token, Method::GET, &location, None).await?;
    assert_eq!(shown.status, StatusCode::OK, "{}", shown.body);
    assert!(
        ["queued", "running"].contains(&shown.body["state"].as_str().unwrap_or("")),
        "{}",
        shown.body
    );
    let listed = call(&deployment, token, Method::GET, &imports, None).await?;
    assert_eq!(
        listed.body["items"][0]["id"],
        id.as_str(),
        "{}",
        listed.body
    );

    let mut invalid = Vec::new();
    for (pointer, value) in [
        ("/source/port", json!(0)),
        ("/source/tls", json!("ssl")),
        ("/since", json!("2030-01-01T00:00:00Z")),
        ("/source/username", json!("u".repeat(300))),
    ] {
        let mut body = job_request(port);
        body["before"] = json!("2025-01-01T00:00:00Z");
        *body.pointer_mut(pointer).context("no field")? = value;
        invalid.push((body, StatusCode::BAD_REQUEST));
    }
    let mut unknown = job_request(port);
    unknown["source"]["pasword"] = json!(SECRET);
    invalid.push((unknown, StatusCode::UNPROCESSABLE_ENTITY));
    for (body, status) in invalid {
        let answer = post(&deployment, token, &imports, body.clone()).await?;
        assert_eq!(answer.status, status, "{body}: {}", answer.body);
        assert_eq!(answer.body["error"]["code"], "INVALID_ARGUMENT");
    }
    let nobody = format!("/v1/tenants/{domain}/accounts/nobody/imports");
    let missing = post(&deployment, token, &nobody, job_request(port)).await?;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    let anonymous = call(&deployment, None, Method::GET, &location, None).await?;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let scoped = call(
        &deployment,
        token,
        Method::POST,
        "/v1/tokens",
        Some(json!({"name": "other-admin", "role": "tenant-admin", "tenant": other})),
    )
    .await?;
    let scoped = scoped.body["secret"]
        .as_str()
        .context("no secret")?
        .to_owned();
    let foreign = call(&deployment, Some(&scoped), Method::GET, &location, None).await?;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN, "{}", foreign.body);
    let disguised = format!("/v1/tenants/{other}/accounts/alice/imports/{id}");
    let hidden = call(&deployment, Some(&scoped), Method::GET, &disguised, None).await?;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND, "{}", hidden.body);
    let own_list = call(
        &deployment,
        Some(&scoped),
        Method::GET,
        &format!("/v1/tenants/{other}/accounts/alice/imports"),
        None,
    )
    .await?;
    assert_eq!(own_list.body["items"], json!([]), "{}", own_list.body);

    let cancelled = call(&deployment, token, Method::DELETE, &location, None).await?;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.body["state"], "cancelled");
    let again = call(&deployment, token, Method::DELETE, &location, None).await?;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    let audit = call(
        &deployment,
        token,
        Method::GET,
        &format!("/v1/audit?tenant={domain}"),
        None,
    )
    .await?;
    let actions: Vec<&str> = audit.body["items"]
        .as_array()
        .context("no items")?
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .filter(|action| action.starts_with("import."))
        .collect();
    assert_eq!(
        actions[..2],
        ["import.cancel", "import.cancel"],
        "{actions:?}"
    );
    assert_eq!(actions.last(), Some(&"import.create"), "{actions:?}");
    deployment.finish().await
}

#[tokio::test]
async fn the_cli_creates_lists_shows_and_cancels_an_import() -> anyhow::Result<()> {
    let (deployment, provision, domain) = dev_with_tenant().await?;
    let token = deployment.admin_token().to_owned();
    provision.create_account(&domain, "carol").await?;
    let address = format!("carol@{domain}");
    let port = silent_source().await?.to_string();
    let dir = tempfile::tempdir()?;
    let password_file = write_password_file(&dir, &format!("{SECRET}\n"))?;
    let mut create = create_command(&address, &port, "carol@old.test", &password_file);
    create.extend([
        "--map",
        "Sent Items=Sent",
        "--skip",
        "Spam",
        "--since",
        "2020-01-01",
    ]);
    // Exit code and standard output; nothing printed holds the password.
    let run = |args: &[&str]| -> anyhow::Result<(Option<i32>, String)> {
        let output = admin(&deployment, &token, args, "")?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "{args:?} printed the password: {stdout}{stderr}"
        );
        Ok((output.status.code(), stdout))
    };

    let mut json_create = vec!["--json"];
    json_create.extend_from_slice(&create);
    let (code, text) = run(&json_create)?;
    assert_eq!(code, Some(0), "{text}");
    let job: Value = serde_json::from_str(&text)?;
    let id = job["id"].as_str().context("no id")?.to_owned();
    assert_eq!(job["since"], "2020-01-01T00:00:00Z");
    assert_eq!(
        job["folders"],
        json!([{"source": "Sent Items", "target": "Sent"}, {"source": "Spam", "target": null}])
    );

    let (code, table) = run(&["import", "list", &address])?;
    assert_eq!(code, Some(0), "{table}");
    assert!(table.starts_with("ID") && table.contains(&id), "{table}");
    let (code, shown) = run(&["import", "show", &address, &id])?;
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("source       127.0.0.1:"), "{shown}");
    assert!(shown.contains("Spam -> (skip)"), "{shown}");

    let (code, cancelled) = run(&["import", "cancel", &address, &id])?;
    assert_eq!(code, Some(0), "{cancelled}");
    assert!(cancelled.contains("state        cancelled"), "{cancelled}");
    let (code, text) = run(&["import", "cancel", &address, &id])?;
    assert_eq!(code, Some(4), "{text}");
    let (code, followed) = run(&["--json", "import", "show", &address, &id, "--follow"])?;
    assert_eq!(code, Some(1), "a cancelled job exits 1: {followed}");
    let followed: Value = serde_json::from_str(&followed)?;
    assert_eq!(followed["state"], "cancelled");

    // Without `--password-file FILE` and the six arguments after it.
    let no_password = &create[..create.len() - 8];
    let (code, text) = run(no_password)?;
    assert_eq!(
        code,
        Some(2),
        "without a terminal the password must come from a file: {text}"
    );
    deployment.finish().await
}

#[tokio::test]
async fn follow_shows_progress_until_the_import_completes() -> anyhow::Result<()> {
    let (deployment, provision, domain) = dev_with_tenant().await?;
    let token = deployment.admin_token().to_owned();
    let source = provision.create_account(&domain, "old").await?;
    provision.create_account(&domain, "new").await?;
    let mut imap = ImapLines::logged_in(deployment.imap(), &source.login, &source.password).await?;
    for n in 0..MESSAGES {
        let raw = format!(
            "From: a@b.test\r\nSubject: m{n}\r\nMessage-ID: <m{n}@b.test>\r\n\r\nbody {n}\r\n"
        );
        imap.append(&format!("a{n}"), &raw).await?;
    }
    let dir = tempfile::tempdir()?;
    let password_file = write_password_file(&dir, &source.password)?;
    let port = deployment.imap().port().to_string();
    let target = format!("new@{domain}");
    let mut create = create_command(&target, &port, &source.login, &password_file);
    create.push("--follow");
    let output = admin(&deployment, &token, &create, "")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains(&source.password), "{stdout}");
    let first = stdout.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("queued ") || first.starts_with("running "),
        "{stdout}"
    );
    assert!(stdout.contains("state        completed\n"), "{stdout}");
    let done = format!("progress     {MESSAGES}/{MESSAGES} messages, imported {MESSAGES}, ");
    assert!(stdout.contains(&done), "{stdout}");
    deployment.finish().await
}
