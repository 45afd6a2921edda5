//! The `migrate` command: applies pending migrations to the metadata
//! database named by `metadata.database_url`, then exits.

use anyhow::Context;

use crate::config::{Config, ConfigError};

pub async fn run(config: Config) -> anyhow::Result<()> {
    let database_url = config
        .metadata
        .database_url
        .as_deref()
        .ok_or(ConfigError::Required {
            key: "metadata.database_url",
        })?;
    mailkeep_metadata::migrate(database_url)
        .await
        .context("migrations failed")?;
    println!("migrations applied");
    Ok(())
}
