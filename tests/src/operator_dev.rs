//! [`OperatorDev`]: a [`DevNode`] whose internal gRPC secret the test chose
//! (`MAILKEEP_INTERNAL__TOKEN`), so operator tools such as `mailkeep import`
//! can call its loopback metadata and blob ports, and
//! [`OperatorDev::run_tool`], which runs such a tool against it.

use anyhow::Context;
use tempfile::TempDir;

use crate::deployment::unique_suffix;
use crate::dev_node::DevNode;
use crate::process::mailkeep_command;

const TOKEN_VARIABLE: &str = "MAILKEEP_INTERNAL__TOKEN";

/// A running `mailkeep dev` with a known internal token.
pub struct OperatorDev {
    node: DevNode,
    internal_token: String,
    _data_dir: TempDir,
}

/// What a finished tool run printed.
#[derive(Debug)]
pub struct ToolOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl OperatorDev {
    /// Starts dev on a fresh data directory and waits until it is ready.
    pub async fn start() -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let internal_token = format!("internal-{}", unique_suffix());
        let node = DevNode::start(data_dir.path(), &[(TOKEN_VARIABLE, internal_token.clone())])?;
        node.wait_ready().await?;
        Ok(Self {
            node,
            internal_token,
            _data_dir: data_dir,
        })
    }

    /// The dev node, for its IMAP and admin addresses.
    pub fn node(&self) -> &DevNode {
        &self.node
    }

    /// Runs `mailkeep <args> --metadata-url .. --blob-url ..` with the
    /// internal token, and waits for it to end.
    pub async fn run_tool(&self, args: &[&str]) -> anyhow::Result<ToolOutput> {
        let metadata = format!("http://{}", self.node.address("metadata")?);
        let blob = format!("http://{}", self.node.address("blob")?);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--metadata-url", &metadata, "--blob-url", &blob]);
        let mut command = mailkeep_command(&all)?;
        command.env(TOKEN_VARIABLE, &self.internal_token);
        let output = tokio::task::spawn_blocking(move || command.output())
            .await?
            .context("cannot run mailkeep")?;
        Ok(ToolOutput {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}
