//! Issue 5 acceptance: `mailkeep admin` drives one full scenario against
//! `mailkeep dev` — create a tenant, an account and an app password, log in
//! over IMAP with it, revoke it, and read the audit log — and its exit codes
//! tell not-found, conflict and auth failures apart.

use std::io::Write;
use std::process::{Output, Stdio};

use anyhow::Context;
use mailkeep_tests::deployment::{Deployment, unique_suffix};
use mailkeep_tests::process::mailkeep_command;
use serde_json::Value;

use super::admin_login::login_accepted;

/// Runs `mailkeep admin ARGS` against `deployment`, feeding `stdin`.
pub fn admin(
    deployment: &Deployment,
    token: &str,
    args: &[&str],
    stdin: &str,
) -> anyhow::Result<Output> {
    let mut all = vec!["admin"];
    all.extend_from_slice(args);
    let mut command = mailkeep_command(&all)?;
    command
        .env("MAILKEEP_ADMIN_URL", deployment.admin_url())
        .env("MAILKEEP_ADMIN_TOKEN", token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn()?;
    child
        .stdin
        .take()
        .context("no stdin")?
        .write_all(stdin.as_bytes())?;
    Ok(child.wait_with_output()?)
}

/// Runs a `--json` command that must succeed; its JSON answer.
fn admin_json(deployment: &Deployment, args: &[&str], stdin: &str) -> anyhow::Result<Value> {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let output = admin(deployment, deployment.admin_token(), &all, stdin)?;
    anyhow::ensure!(
        output.status.success(),
        "mailkeep admin {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

#[tokio::test]
async fn the_cli_provisions_an_app_password_that_logs_in_until_revoked() -> anyhow::Result<()> {
    let deployment = Deployment::dev().await?;
    let domain = format!("cli{}.e2e.test", unique_suffix());
    let address = format!("alice@{domain}");

    let tenant = admin_json(&deployment, &["tenant", "create", &domain], "")?;
    assert_eq!(tenant["domain"], domain.as_str());
    let password = "cli password 123";
    let account = admin_json(
        &deployment,
        &[
            "account",
            "create",
            &address,
            "--password-stdin",
            "--quota-bytes",
            "1000000",
        ],
        &format!("{password}\n"),
    )?;
    assert_eq!(account["login"], address.as_str());
    assert!(account.get("generated_password").is_none());
    let app_password = admin_json(
        &deployment,
        &[
            "app-password",
            "create",
            &address,
            "--name",
            "laptop",
            "--scope",
            "imap",
        ],
        "",
    )?;
    let secret = app_password["secret"]
        .as_str()
        .context("no secret")?
        .to_owned();
    let id = app_password["id"].as_str().context("no id")?.to_owned();

    assert!(login_accepted(deployment.imap(), &address, &secret).await?);
    let table = admin(
        &deployment,
        deployment.admin_token(),
        &["app-password", "list", &address],
        "",
    )?;
    let table = String::from_utf8(table.stdout)?;
    assert!(
        table.starts_with("ID") && table.contains("laptop"),
        "{table}"
    );
    assert!(!table.contains(&secret));

    let revoked = admin(
        &deployment,
        deployment.admin_token(),
        &["app-password", "delete", &address, &id],
        "",
    )?;
    assert!(revoked.status.success());
    assert!(!login_accepted(deployment.imap(), &address, &secret).await?);

    let audit = admin_json(&deployment, &["audit", "--tenant", &domain], "")?;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .context("no items")?
        .iter()
        .filter_map(|entry| entry["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "app-password.delete",
            "app-password.create",
            "account.create",
            "tenant.create"
        ]
    );
    let text = audit.to_string();
    assert!(
        !text.contains(&secret) && !text.contains(password),
        "{text}"
    );

    let table = admin(
        &deployment,
        deployment.admin_token(),
        &["audit", "--tenant", &domain],
        "",
    )?;
    let table = String::from_utf8(table.stdout)?;
    assert!(
        table
            .lines()
            .next()
            .is_some_and(|header| header.starts_with("AT")),
        "{table}"
    );
    assert_eq!(table.lines().count(), 5, "{table}");
    deployment.finish().await
}

#[tokio::test]
async fn cli_exit_codes_tell_failures_apart() -> anyhow::Result<()> {
    let deployment = Deployment::dev().await?;
    let domain = format!("codes{}.e2e.test", unique_suffix());
    let token = deployment.admin_token().to_owned();
    let code = |args: &[&str], token: &str| -> anyhow::Result<Option<i32>> {
        Ok(admin(&deployment, token, args, "")?.status.code())
    };
    assert_eq!(code(&["tenant", "create", &domain], &token)?, Some(0));
    assert_eq!(code(&["tenant", "create", &domain], &token)?, Some(4));
    assert_eq!(
        code(&["tenant", "get", "missing.e2e.test"], &token)?,
        Some(3)
    );
    assert_eq!(code(&["tenant", "list"], "wrong-token")?, Some(5));
    assert_eq!(code(&["tenant", "frobnicate"], &token)?, Some(2));
    assert_eq!(code(&["account", "get", "no-at-sign"], &token)?, Some(2));
    deployment.finish().await
}
