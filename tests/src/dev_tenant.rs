//! [`DevTenant`]: a ready `mailkeep dev` on a fresh data directory with a
//! fresh tenant, for the end-to-end tests that play one Python scenario of
//! `tests/e2e/` against it ([`DevTenant::run_scenario`]).

use std::time::Duration;

use anyhow::ensure;
use tempfile::TempDir;

use crate::dev_node::DevNode;
use crate::provision::{Account, AdminClient};
use crate::python::{self, ScriptOutput};

/// A running `mailkeep dev` and a tenant created on it.
pub struct DevTenant {
    pub node: DevNode,
    pub admin: AdminClient,
    pub domain: String,
    _data_dir: TempDir,
}

impl DevTenant {
    /// Starts dev with the extra `MAILKEEP_*` settings in `env`, waits until
    /// it is ready, and creates a fresh tenant.
    pub async fn start(env: &[(&str, String)]) -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let node = DevNode::start(data_dir.path(), env)?;
        node.wait_ready().await?;
        let admin = AdminClient::new(&node.admin_url()?, node.admin_token()?);
        let domain = admin.create_fresh_tenant().await?;
        Ok(Self {
            node,
            admin,
            domain,
            _data_dir: data_dir,
        })
    }

    /// Creates `local_part` in the tenant.
    pub async fn account(&self, local_part: &str) -> anyhow::Result<Account> {
        self.admin.create_account(&self.domain, local_part).await
    }

    /// Runs the Python `script` with `args`; it must succeed and print
    /// `{label}: ok`. A failure carries both outputs and the node's logs.
    pub fn run_scenario(
        &self,
        script: &str,
        label: &str,
        args: &[&str],
        limit: Duration,
    ) -> anyhow::Result<ScriptOutput> {
        let mut all = vec![script];
        all.extend_from_slice(args);
        let output = python::run(&all, &[], limit)?;
        ensure!(
            output.success && output.stdout.contains(&format!("{label}: ok")),
            "the {label} scenario failed\n{}\n{}",
            output.describe(),
            self.node.diagnostics()
        );
        Ok(output)
    }
}
