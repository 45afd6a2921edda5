//! A running Mailkeep for one test, in either acceptance mode of issue 2:
//! `mailkeep dev` in a fresh data directory, or the `metadata`, `blob`,
//! `admin` and `gateway` roles as four processes on a fresh PostgreSQL
//! database and a fresh bucket of the S3-compatible test server, wired
//! together by the addresses they announce. Every port is 0.
//! [`RolesOptions`] adds gateway processes and settings (issue 4 runs two
//! gateways on one bus). Invariant: once constructed, every role answers
//! 200 on its ops `/readyz`.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::Connection;
use tempfile::TempDir;

use crate::process::{RoleProcess, mailkeep_command};

const ANY_PORT: &str = "127.0.0.1:0";
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const READY_LIMIT: Duration = Duration::from_secs(20);

/// How [`Deployment::separate_roles_with`] differs from the default.
#[derive(Debug, Clone, Default)]
pub struct RolesOptions {
    /// Gateway processes to start; 0 counts as 1.
    pub gateways: usize,
    /// `MAILKEEP_*` variables given to every role (e.g. both bus URLs and
    /// the gateway timers).
    pub env: Vec<(String, String)>,
}

/// The roles of one deployment, and where to reach them.
pub struct Deployment {
    processes: Vec<RoleProcess>,
    imap: SocketAddr,
    /// Every gateway's plain IMAP and ops listeners, in start order.
    gateways: Vec<GatewayAddresses>,
    admin_url: String,
    admin_token: String,
    database: Option<TestDatabase>,
    _data_dir: TempDir,
}

impl Deployment {
    /// `mailkeep dev` on a fresh data directory.
    pub async fn dev() -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let data = data_dir.path().to_string_lossy().into_owned();
        let command = mailkeep_command(&[
            "dev",
            "--data-dir",
            &data,
            "--imap-listen",
            ANY_PORT,
            "--imaps-listen",
            ANY_PORT,
            "--lmtp-listen",
            ANY_PORT,
            "--admin-listen",
            ANY_PORT,
            "--ops-listen",
            ANY_PORT,
        ])?;
        let listeners = ["metadata", "blob", "imap", "imaps", "admin", "ops"];
        let dev = RoleProcess::start("dev", command, &listeners, true)?;
        let admin_token = dev
            .admin_token()
            .context("dev printed no admin token")?
            .to_owned();
        let gateway = GatewayAddresses::of(&dev)?;
        let deployment = Self {
            imap: dev.address("imap")?,
            gateways: vec![gateway],
            admin_url: format!("http://{}", dev.address("admin")?),
            admin_token,
            processes: vec![dev],
            database: None,
            _data_dir: data_dir,
        };
        deployment.wait_ready().await?;
        Ok(deployment)
    }

    /// Four role processes on PostgreSQL and S3, sharing an internal token.
    pub async fn separate_roles() -> anyhow::Result<Self> {
        Self::separate_roles_with(&RolesOptions::default()).await
    }

    /// Metadata, blob, admin and `options.gateways` gateway processes on
    /// PostgreSQL and S3, every one with `options.env`.
    pub async fn separate_roles_with(options: &RolesOptions) -> anyhow::Result<Self> {
        let s3_endpoint = std::env::var("MAILKEEP_TEST_S3_ENDPOINT").map_err(|_| {
            anyhow::anyhow!(
                "MAILKEEP_TEST_S3_ENDPOINT is not set: run scripts/test, which starts the \
                 S3-compatible test server and sets it"
            )
        })?;
        let data_dir = tempfile::tempdir()?;
        let database = TestDatabase::create().await?;
        let suffix = unique_suffix();
        let internal_token = format!("internal-{suffix}");
        let admin_token = format!("admin-{suffix}");
        let role = |name: &str, settings: &[(&str, String)]| -> anyhow::Result<_> {
            let mut command = mailkeep_command(&[name])?;
            command
                .env("MAILKEEP_INTERNAL__TOKEN", &internal_token)
                .env("MAILKEEP_OPS__LISTEN", ANY_PORT);
            for (key, value) in settings {
                command.env(key, value);
            }
            command.envs(options.env.iter().map(|(key, value)| (key, value)));
            Ok(command)
        };

        let metadata = RoleProcess::start(
            "metadata",
            role(
                "metadata",
                &[
                    ("MAILKEEP_METADATA__LISTEN", ANY_PORT.to_owned()),
                    ("MAILKEEP_METADATA__DATABASE_URL", database.url.clone()),
                ],
            )?,
            &["metadata", "ops"],
            false,
        )?;
        let blob = RoleProcess::start(
            "blob",
            role(
                "blob",
                &[
                    ("MAILKEEP_BLOB__LISTEN", ANY_PORT.to_owned()),
                    ("MAILKEEP_BLOB__URL", format!("s3://mailkeep-e2e-{suffix}")),
                    ("MAILKEEP_BLOB__S3_ENDPOINT", s3_endpoint),
                    ("MAILKEEP_BLOB__S3_REGION", "us-east-1".to_owned()),
                    ("MAILKEEP_BLOB__S3_ACCESS_KEY_ID", "test".to_owned()),
                    ("MAILKEEP_BLOB__S3_SECRET_ACCESS_KEY", "test".to_owned()),
                    ("MAILKEEP_BLOB__S3_CREATE_BUCKET", "true".to_owned()),
                ],
            )?,
            &["blob", "ops"],
            false,
        )?;
        let metadata_url = format!("http://{}", metadata.address("metadata")?);
        let blob_url = format!("http://{}", blob.address("blob")?);
        let admin = RoleProcess::start(
            "admin",
            role(
                "admin",
                &[
                    ("MAILKEEP_ADMIN__LISTEN", ANY_PORT.to_owned()),
                    ("MAILKEEP_ADMIN__METADATA_URL", metadata_url.clone()),
                    ("MAILKEEP_ADMIN__BOOTSTRAP_TOKEN", admin_token.clone()),
                ],
            )?,
            &["admin", "ops"],
            false,
        )?;
        let admin_url = format!("http://{}", admin.address("admin")?);
        let mut processes = vec![metadata, blob, admin];
        let mut gateways = Vec::new();
        // A gateway given an LMTP address also announces that listener.
        let serves_lmtp = options
            .env
            .iter()
            .any(|(key, _)| key == "MAILKEEP_LMTP__LISTEN");
        let gateway_listeners: &[&str] = if serves_lmtp {
            &["imap", "ops", "lmtp"]
        } else {
            &["imap", "ops"]
        };
        for index in 0..options.gateways.max(1) {
            let gateway = RoleProcess::start(
                &format!("gateway{index}"),
                role(
                    "gateway",
                    &[
                        ("MAILKEEP_GATEWAY__IMAP_LISTEN", ANY_PORT.to_owned()),
                        ("MAILKEEP_GATEWAY__METADATA_URL", metadata_url.clone()),
                        ("MAILKEEP_GATEWAY__BLOB_URL", blob_url.clone()),
                    ],
                )?,
                gateway_listeners,
                false,
            )?;
            gateways.push(GatewayAddresses::of(&gateway)?);
            processes.push(gateway);
        }
        let deployment = Self {
            imap: gateways[0].imap,
            gateways,
            admin_url,
            admin_token,
            processes,
            database: Some(database),
            _data_dir: data_dir,
        };
        deployment.wait_ready().await?;
        Ok(deployment)
    }

    /// The plain IMAP (STARTTLS) listener; loopback clients may log in on it.
    pub fn imap(&self) -> SocketAddr {
        self.imap
    }

    /// Every gateway's listeners, in start order.
    pub fn gateways(&self) -> &[GatewayAddresses] {
        &self.gateways
    }

    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// Every role's stderr tail, for failure messages.
    pub fn diagnostics(&self) -> String {
        self.processes
            .iter()
            .map(RoleProcess::diagnostics)
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Stops every role and drops the test database.
    pub async fn finish(mut self) -> anyhow::Result<()> {
        self.processes.clear();
        match self.database.take() {
            Some(database) => database.drop_database().await,
            None => Ok(()),
        }
    }

    async fn wait_ready(&self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        for process in &self.processes {
            let url = format!("http://{}/readyz", process.address("ops")?);
            let started = Instant::now();
            loop {
                let status = http.get(&url).send().await.map(|answer| answer.status());
                if matches!(status, Ok(status) if status.is_success()) {
                    break;
                }
                if started.elapsed() > READY_LIMIT {
                    bail!("{url} not ready: {status:?}\n{}", self.diagnostics());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }
}

/// Where one gateway serves plain IMAP and its ops endpoints.
#[derive(Debug, Clone, Copy)]
pub struct GatewayAddresses {
    pub imap: SocketAddr,
    pub ops: SocketAddr,
    /// The LMTP listener, when the gateway serves one.
    pub lmtp: Option<SocketAddr>,
}

impl GatewayAddresses {
    fn of(process: &RoleProcess) -> anyhow::Result<Self> {
        Ok(Self {
            imap: process.address("imap")?,
            ops: process.address("ops")?,
            lmtp: process.address("lmtp").ok(),
        })
    }
}

/// 12 random lowercase hex digits, for names that must not collide.
pub fn unique_suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_owned()
}

/// A database created for one test on the server of
/// `MAILKEEP_TEST_POSTGRES_URL`.
struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    async fn create() -> anyhow::Result<Self> {
        let admin_url = std::env::var("MAILKEEP_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let name = format!("mailkeep_e2e_{}", unique_suffix());
        let mut connection = sqlx::PgConnection::connect(&admin_url)
            .await
            .with_context(|| format!("cannot connect to {admin_url}: run scripts/test"))?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut connection)
            .await
            .with_context(|| format!("cannot create database {name}"))?;
        let mut url = reqwest::Url::parse(&admin_url)?;
        url.set_path(&name);
        Ok(Self {
            admin_url,
            name,
            url: url.to_string(),
        })
    }

    async fn drop_database(self) -> anyhow::Result<()> {
        let mut connection = sqlx::PgConnection::connect(&self.admin_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )))
        .execute(&mut connection)
        .await
        .with_context(|| format!("cannot drop database {}", self.name))?;
        Ok(())
    }
}
