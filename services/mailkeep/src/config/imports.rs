//! `[imports]`: the IMAP migration workers that gateway processes (and
//! `mailkeep dev`) run. Each worker claims one job at a time from the
//! metadata service with a lease it renews while it works; `workers = 0`
//! runs none on this process.

use std::time::Duration;

use serde::Deserialize;

/// Upper bound of `workers`: each holds one source connection.
const MAX_WORKERS: usize = 64;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportSettings {
    /// Jobs run at the same time by this process; 0 disables the workers.
    pub workers: usize,
    /// Seconds a claim lasts without a progress report; a job whose worker
    /// died is claimed again (and resumes from its checkpoints) after it.
    pub lease_seconds: u32,
    /// Seconds between claims while there is nothing to do.
    pub poll_interval_seconds: u64,
    /// Seconds allowed for connecting to a source server (TCP and TLS),
    /// and for any one answer from it.
    pub connect_timeout_seconds: u64,
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            workers: 1,
            lease_seconds: 30,
            poll_interval_seconds: 5,
            connect_timeout_seconds: 30,
        }
    }
}

impl ImportSettings {
    /// The settings checked: every duration at least 1 second, a bounded
    /// number of workers.
    pub fn validated(&self) -> anyhow::Result<ValidImportSettings> {
        anyhow::ensure!(
            self.workers <= MAX_WORKERS,
            "imports.workers must be at most {MAX_WORKERS}"
        );
        anyhow::ensure!(
            self.lease_seconds >= 3,
            "imports.lease_seconds must be at least 3"
        );
        anyhow::ensure!(
            self.poll_interval_seconds > 0,
            "imports.poll_interval_seconds must be at least 1"
        );
        anyhow::ensure!(
            self.connect_timeout_seconds > 0,
            "imports.connect_timeout_seconds must be at least 1"
        );
        Ok(ValidImportSettings {
            workers: self.workers,
            lease_seconds: self.lease_seconds,
            poll_interval: Duration::from_secs(self.poll_interval_seconds),
            io_timeout: Duration::from_secs(self.connect_timeout_seconds),
        })
    }
}

/// [`ImportSettings`] after [`ImportSettings::validated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidImportSettings {
    pub workers: usize,
    pub lease_seconds: u32,
    pub poll_interval: Duration,
    pub io_timeout: Duration,
}
