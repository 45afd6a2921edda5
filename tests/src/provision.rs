//! Provisioning over the admin REST API (issue 2, "Minimal admin REST
//! API"): a fresh tenant per test, accounts in it. Any answer but 201 is
//! an error that quotes the status and body.

use anyhow::{Context, bail};
use serde_json::json;

use crate::deployment::unique_suffix;

pub struct AdminClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

/// An account that exists, and how to log in to it over IMAP.
#[derive(Debug, Clone)]
pub struct Account {
    pub login: String,
    pub password: String,
}

impl AdminClient {
    pub fn new(base_url: &str, token: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
        }
    }

    /// Creates a tenant with a fresh `t<random>.e2e.test` domain; returns it.
    pub async fn create_fresh_tenant(&self) -> anyhow::Result<String> {
        let domain = format!("t{}.e2e.test", unique_suffix());
        self.post("/v1/tenants", json!({ "domain": domain }))
            .await?;
        Ok(domain)
    }

    /// Creates `local_part@domain` with a fresh password.
    pub async fn create_account(&self, domain: &str, local_part: &str) -> anyhow::Result<Account> {
        let password = format!("pw-{}", unique_suffix());
        self.post(
            &format!("/v1/tenants/{domain}/accounts"),
            json!({ "local_part": local_part, "password": password }),
        )
        .await?;
        Ok(Account {
            login: format!("{local_part}@{domain}"),
            password,
        })
    }

    async fn post(&self, path: &str, body: serde_json::Value) -> anyhow::Result<()> {
        let url = format!("{}{path}", self.base_url);
        let answer = self
            .http
            .post(&url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .with_context(|| format!("POST {url}"))?;
        let status = answer.status();
        if status != reqwest::StatusCode::CREATED {
            let text = answer.text().await.unwrap_or_default();
            bail!("POST {url} answered {status}: {text}");
        }
        Ok(())
    }
}
