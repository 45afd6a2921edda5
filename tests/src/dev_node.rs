//! [`DevNode`]: one `mailkeep dev` process on a data directory the test
//! owns, so it can be stopped with SIGTERM and started again on the same
//! data (the drain and trace tests), with extra `MAILKEEP_*` settings.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::time::Duration;

use anyhow::{Context, bail};

use crate::process::{RoleProcess, mailkeep_command};

const ANY_PORT: &str = "127.0.0.1:0";
const LISTENERS: [&str; 7] = ["metadata", "blob", "imap", "imaps", "lmtp", "admin", "ops"];

/// A running `mailkeep dev`.
pub struct DevNode {
    process: RoleProcess,
}

impl DevNode {
    /// Starts `mailkeep dev` on `data_dir` with `env` and waits until its
    /// listeners are announced.
    pub fn start(data_dir: &Path, env: &[(&str, String)]) -> anyhow::Result<Self> {
        let data = data_dir.to_string_lossy().into_owned();
        let mut command = mailkeep_command(&[
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
        command.envs(env.iter().map(|(key, value)| (key, value)));
        let process = RoleProcess::start("dev", command, &LISTENERS, true)?;
        Ok(Self { process })
    }

    pub fn imap(&self) -> anyhow::Result<SocketAddr> {
        self.process.address("imap")
    }

    /// The address announced for `listener` (`metadata`, `blob`, ...).
    pub fn address(&self, listener: &str) -> anyhow::Result<SocketAddr> {
        self.process.address(listener)
    }

    pub fn admin_url(&self) -> anyhow::Result<String> {
        Ok(format!("http://{}", self.process.address("admin")?))
    }

    pub fn admin_token(&self) -> anyhow::Result<&str> {
        self.process
            .admin_token()
            .context("dev printed no admin token")
    }

    /// `http://<ops>/<path>`.
    pub fn ops_url(&self, path: &str) -> anyhow::Result<String> {
        Ok(format!("http://{}/{path}", self.process.address("ops")?))
    }

    /// Waits until `/readyz` answers 200.
    pub async fn wait_ready(&self) -> anyhow::Result<()> {
        let url = self.ops_url("readyz")?;
        for _ in 0..200 {
            let answer = reqwest::get(&url).await;
            if matches!(&answer, Ok(answer) if answer.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("{url} never became ready\n{}", self.process.diagnostics())
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) -> anyhow::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.process.id().to_string()])
            .status()
            .context("cannot run kill")?;
        if !status.success() {
            bail!("kill -TERM failed: {status}");
        }
        Ok(())
    }

    /// Waits up to `limit` for the process to exit.
    pub fn wait_exit(&mut self, limit: Duration) -> anyhow::Result<ExitStatus> {
        self.process.wait_exit(limit)
    }

    pub fn diagnostics(&self) -> String {
        self.process.diagnostics()
    }
}
