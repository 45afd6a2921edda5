//! The `mailkeep import` command line: the account, one source (a Maildir
//! tree, or an mbox file and its target folder), the backend URLs and the
//! per-message size bound.

use std::path::PathBuf;

use clap::Args;

/// Imports a Maildir tree or an mbox file into an account.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The account to import into, `local@domain`.
    #[arg(long, value_name = "ADDRESS")]
    pub account: String,
    /// A Maildir tree: the root is INBOX, `.Sub.Folder` or `Sub/Folder` are folders.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "mbox",
        conflicts_with = "mbox"
    )]
    pub maildir: Option<PathBuf>,
    /// An mbox file (mboxo or mboxrd).
    #[arg(long, value_name = "FILE")]
    pub mbox: Option<PathBuf>,
    /// The folder an mbox goes into (created when missing; default INBOX).
    #[arg(long, value_name = "NAME", conflicts_with = "maildir")]
    pub folder: Option<String>,
    /// The metadata service; default `gateway.metadata_url` of the config.
    #[arg(long, value_name = "URL")]
    pub metadata_url: Option<String>,
    /// The blob service; default `gateway.blob_url` of the config.
    #[arg(long, value_name = "URL")]
    pub blob_url: Option<String>,
    /// Larger messages are reported as failed, not imported.
    #[arg(long, value_name = "BYTES", default_value_t = mailkeep_blob::DEFAULT_MAX_BLOB_BYTES)]
    pub max_message_bytes: u64,
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Maildir(PathBuf),
    Mbox { file: PathBuf, folder: String },
}

impl ImportArgs {
    /// `(local_part, domain)` of `--account`.
    pub fn address(&self) -> anyhow::Result<(&str, &str)> {
        match self.account.rsplit_once('@') {
            Some((local, domain)) if !local.is_empty() && !domain.is_empty() => Ok((local, domain)),
            _ => anyhow::bail!("--account must be local@domain, not {:?}", self.account),
        }
    }

    pub fn source(&self) -> Source {
        match (&self.maildir, &self.mbox) {
            (Some(dir), _) => Source::Maildir(dir.clone()),
            (None, file) => Source::Mbox {
                file: file.clone().unwrap_or_default(),
                folder: self.folder.clone().unwrap_or_else(|| "INBOX".to_owned()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Role};

    fn parse(args: &[&str]) -> Result<ImportArgs, clap::Error> {
        let cli = Cli::try_parse_from(["mailkeep", "import"].iter().chain(args))?;
        match cli.role {
            Role::Import(args) => Ok(args),
            other => panic!("parsed {other:?}"),
        }
    }

    #[test]
    fn exactly_one_source_and_a_folder_only_for_mbox() {
        let args = parse(&["--account", "a@b.test", "--mbox", "x.mbox"]).unwrap();
        assert_eq!(
            args.source(),
            Source::Mbox {
                file: PathBuf::from("x.mbox"),
                folder: "INBOX".to_owned()
            }
        );
        assert_eq!(args.address().unwrap(), ("a", "b.test"));
        let args = parse(&["--account", "a@b.test", "--maildir", "m"]).unwrap();
        assert_eq!(args.source(), Source::Maildir(PathBuf::from("m")));
        assert!(parse(&["--account", "a@b.test"]).is_err());
        assert!(parse(&["--account", "a@b.test", "--maildir", "m", "--mbox", "x"]).is_err());
        assert!(parse(&["--account", "a@b.test", "--maildir", "m", "--folder", "F"]).is_err());
    }

    #[test]
    fn the_account_must_be_an_address() {
        for bad in ["alice", "@b.test", "a@"] {
            let args = parse(&["--account", bad, "--maildir", "m"]).unwrap();
            assert!(args.address().is_err(), "{bad}");
        }
    }
}
