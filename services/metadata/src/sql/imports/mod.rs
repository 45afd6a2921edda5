//! The SQL of [`ImportStore`] (`migrations/*/0007_import_jobs.sql`): import
//! jobs with their folder rules, per-folder progress and recent errors, and
//! the checkpoints that outlive a job. [`jobs`] owns the admin side and the
//! claim, [`progress`] the holder's reports, [`rows`] the reading of jobs.
//! Deleting an account deletes its import rows ([`delete_account_imports`]).

mod jobs;
mod progress;
mod rows;

use async_trait::async_trait;

use super::driver::{Arg, Driver};
use super::store::SqlStore;
use crate::error::StoreError;
use crate::imports::{ImportJob, ImportReport, ImportStore, NewImportJob};

/// Import rows of an account, children first; part of deleting it.
const ACCOUNT_IMPORT_DELETES: [&str; 5] = [
    "DELETE FROM import_job_rules WHERE account_id = $1",
    "DELETE FROM import_job_folders WHERE account_id = $1",
    "DELETE FROM import_job_errors WHERE account_id = $1",
    "DELETE FROM import_jobs WHERE account_id = $1",
    "DELETE FROM import_checkpoints WHERE account_id = $1",
];

/// Deletes every import job and checkpoint of account `id`.
pub async fn delete_account_imports<D: Driver>(tx: &mut D::Tx, id: &str) -> Result<(), StoreError> {
    for statement in ACCOUNT_IMPORT_DELETES {
        D::execute(tx, statement, &[Arg::Text(id)]).await?;
    }
    Ok(())
}

#[async_trait]
impl<D: Driver> ImportStore for SqlStore<D> {
    async fn create_import_job(&self, job: NewImportJob) -> Result<ImportJob, StoreError> {
        jobs::create(self.driver(), job).await
    }

    async fn get_import_job(
        &self,
        domain: &str,
        local_part: &str,
        id: &str,
    ) -> Result<ImportJob, StoreError> {
        jobs::get(self.driver(), domain, local_part, id).await
    }

    async fn list_import_jobs(
        &self,
        domain: &str,
        local_part: &str,
    ) -> Result<Vec<ImportJob>, StoreError> {
        jobs::list(self.driver(), domain, local_part).await
    }

    async fn cancel_import_job(
        &self,
        domain: &str,
        local_part: &str,
        id: &str,
    ) -> Result<ImportJob, StoreError> {
        jobs::cancel(self.driver(), domain, local_part, id).await
    }

    async fn claim_import_job(
        &self,
        worker_id: &str,
        lease_seconds: u32,
    ) -> Result<Option<ImportJob>, StoreError> {
        jobs::claim(self.driver(), worker_id, lease_seconds).await
    }

    async fn report_import_progress(&self, report: ImportReport) -> Result<ImportJob, StoreError> {
        progress::report(self.driver(), &report).await
    }

    async fn finish_import_job(
        &self,
        report: ImportReport,
        error: &str,
    ) -> Result<ImportJob, StoreError> {
        progress::finish(self.driver(), &report, error).await
    }
}
