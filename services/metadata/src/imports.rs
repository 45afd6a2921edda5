//! The `ImportStore` trait: the import jobs of `imports.proto` (a background
//! pull of another IMAP server's mail into an account), their progress, and
//! the per-(account, source, folder) checkpoints that make a rerun
//! incremental, with the model types and the input rules every
//! implementation applies. The source password reaches the store only
//! sealed ([`SealedSecret`]); the store wipes it when the job ends.

use async_trait::async_trait;
use mailkeep_common::AccountId;

use crate::error::StoreError;
use crate::sealed::SealedSecret;

/// The states a job ends in (it starts `queued`, then is `running`).
pub const COMPLETED: &str = "completed";
pub const FAILED: &str = "failed";
pub const CANCELLED: &str = "cancelled";

/// The errors a job keeps (the most recent).
pub const MAX_JOB_ERRORS: usize = 50;
/// Longest stored error message, in bytes (longer ones are cut).
pub const MAX_ERROR_BYTES: usize = 500;
pub const MAX_HOST_BYTES: usize = 255;
pub const MAX_USERNAME_BYTES: usize = 320;
pub const MAX_SOURCE_PASSWORD_BYTES: usize = 1024;
pub const MAX_FOLDER_BYTES: usize = 1024;
pub const MAX_FOLDER_RULES: usize = 500;
/// Folders one progress report may carry.
pub const MAX_REPORTED_FOLDERS: usize = 1000;
pub const MAX_WORKER_ID_BYTES: usize = 128;
/// Rate of a job that names none, and the highest accepted.
pub const DEFAULT_MESSAGES_PER_SECOND: u32 = 100;
pub const MAX_MESSAGES_PER_SECOND: u32 = 10_000;
/// Lease of a claim or report that names none, and the longest accepted.
pub const DEFAULT_LEASE_SECONDS: u32 = 60;
pub const MAX_LEASE_SECONDS: u32 = 3600;
/// How many jobs a list returns (the newest).
pub const MAX_LISTED_JOBS: usize = 100;
/// Accepted values of [`ImportSource::tls`].
pub const TLS_MODES: [&str; 3] = ["tls", "starttls", "plain"];

/// Where a job pulls from (the password travels separately, sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSource {
    pub host: String,
    pub port: u16,
    /// One of [`TLS_MODES`].
    pub tls: String,
    pub username: String,
    pub accept_invalid_certs: bool,
}

impl ImportSource {
    /// What identifies a source across jobs: `host:port/username`, lower-cased.
    pub fn key(&self) -> String {
        format!("{}:{}/{}", self.host, self.port, self.username).to_lowercase()
    }
}

/// A source folder mapped to a target folder; an empty target skips it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderRule {
    pub source: String,
    pub target: String,
}

/// A job to create. The caller picks the id ([`new_job_id`]) because the
/// sealed password is bound to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImportJob {
    pub id: String,
    pub domain: String,
    pub local_part: String,
    pub source: ImportSource,
    pub password: SealedSecret,
    pub rules: Vec<FolderRule>,
    /// Unix seconds; 0 = unbounded.
    pub since: i64,
    pub before: i64,
    /// 0 = [`DEFAULT_MESSAGES_PER_SECOND`].
    pub max_messages_per_second: u32,
}

/// Progress and checkpoint of one source folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderProgress {
    pub source: String,
    pub target: String,
    pub uidvalidity: u32,
    pub last_uid: u32,
    pub messages_total: u64,
    pub messages_done: u64,
    pub done: bool,
}

/// Absolute counters of a whole job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounters {
    pub messages_total: u64,
    pub messages_imported: u64,
    pub messages_skipped: u64,
    pub messages_failed: u64,
    pub bytes_imported: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: String,
    pub account_id: AccountId,
    pub domain: String,
    pub local_part: String,
    pub state: String,
    pub source: ImportSource,
    /// Set while the job is queued or running; wiped when it ends.
    pub password: Option<SealedSecret>,
    pub rules: Vec<FolderRule>,
    pub since: i64,
    pub before: i64,
    pub max_messages_per_second: u32,
    /// The job's own folder progress; from a claim, merged with the
    /// checkpoints earlier jobs of the same source left.
    pub folders: Vec<FolderProgress>,
    pub counters: ImportCounters,
    /// Oldest first.
    pub errors: Vec<String>,
    pub error: String,
    pub created_at: i64,
    pub started_at: i64,
    pub updated_at: i64,
    pub finished_at: i64,
    pub attempts: u32,
}

/// A worker's progress report on a job it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub job_id: String,
    pub worker_id: String,
    /// 0 = [`DEFAULT_LEASE_SECONDS`].
    pub lease_seconds: u32,
    pub counters: ImportCounters,
    /// Changed folders only, matched by source name.
    pub folders: Vec<FolderProgress>,
    pub new_errors: Vec<String>,
}

/// A fresh job id: 128 random bits as 32 lower-case hex digits, like the
/// other opaque ids of the admin API.
pub fn new_job_id() -> String {
    format!("{:032x}", uuid::Uuid::new_v4().as_u128())
}

#[async_trait]
pub trait ImportStore: Send + Sync + 'static {
    /// `NotFound` for an unknown account; `AlreadyExists` while another job
    /// of the account with the same source is queued or running.
    async fn create_import_job(&self, job: NewImportJob) -> Result<ImportJob, StoreError>;
    /// A job of the account; another account's job is `NotFound`.
    async fn get_import_job(
        &self,
        domain: &str,
        local_part: &str,
        id: &str,
    ) -> Result<ImportJob, StoreError>;
    /// The newest [`MAX_LISTED_JOBS`] jobs of the account, newest first.
    async fn list_import_jobs(
        &self,
        domain: &str,
        local_part: &str,
    ) -> Result<Vec<ImportJob>, StoreError>;
    /// Ends a queued or running job `cancelled`, wiping its password;
    /// `Conflict` when it has already ended.
    async fn cancel_import_job(
        &self,
        domain: &str,
        local_part: &str,
        id: &str,
    ) -> Result<ImportJob, StoreError>;
    /// Takes the oldest queued job, or a running one whose lease expired,
    /// for `worker_id`; `None` when there is nothing to do. Two workers never
    /// take the same job.
    async fn claim_import_job(
        &self,
        worker_id: &str,
        lease_seconds: u32,
    ) -> Result<Option<ImportJob>, StoreError>;
    /// Renews the lease and stores the report; `Conflict` unless
    /// `worker_id` holds the job. A job cancelled under its holder is
    /// answered unchanged, so the worker sees the state and stops.
    async fn report_import_progress(&self, report: ImportReport) -> Result<ImportJob, StoreError>;
    /// Stores the report, then ends the job `completed` (`error` empty) or
    /// `failed`, wiping its password. Same holder rule as a report.
    async fn finish_import_job(
        &self,
        report: ImportReport,
        error: &str,
    ) -> Result<ImportJob, StoreError>;
}

fn invalid(message: impl Into<String>) -> StoreError {
    StoreError::InvalidArgument(message.into())
}

/// A required text field of at most `max` bytes without control characters.
pub fn check_text(value: &str, field: &str, max: usize) -> Result<(), StoreError> {
    if value.is_empty() {
        return Err(invalid(format!("{field} is required")));
    }
    if value.len() > max {
        return Err(invalid(format!("{field} is longer than {max} bytes")));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid(format!("{field} contains control characters")));
    }
    Ok(())
}

/// Every rule on a new job (the sealed password is checked before sealing).
pub fn check_new_job(job: &NewImportJob) -> Result<(), StoreError> {
    check_text(&job.id, "id", 64)?;
    let source = &job.source;
    check_text(&source.host, "source host", MAX_HOST_BYTES)?;
    if source.host.contains(char::is_whitespace) || source.host.contains('/') {
        return Err(invalid("source host must be a host name or an address"));
    }
    check_text(&source.username, "source username", MAX_USERNAME_BYTES)?;
    if source.port == 0 {
        return Err(invalid("source port must be 1 to 65535"));
    }
    if !TLS_MODES.contains(&source.tls.as_str()) {
        return Err(invalid(
            "source tls must be \"tls\", \"starttls\" or \"plain\"",
        ));
    }
    if job.rules.len() > MAX_FOLDER_RULES {
        return Err(invalid(format!(
            "at most {MAX_FOLDER_RULES} folder rules are allowed"
        )));
    }
    let mut sources = std::collections::HashSet::new();
    for rule in &job.rules {
        check_text(&rule.source, "folder rule source", MAX_FOLDER_BYTES)?;
        if !rule.target.is_empty() {
            check_text(&rule.target, "folder rule target", MAX_FOLDER_BYTES)?;
        }
        if !sources.insert(rule.source.as_str()) {
            return Err(invalid(format!(
                "folder {:?} has more than one rule",
                rule.source
            )));
        }
    }
    if job.since < 0 || job.before < 0 {
        return Err(invalid("since and before must not be negative"));
    }
    if job.since > 0 && job.before > 0 && job.since >= job.before {
        return Err(invalid("since must be earlier than before"));
    }
    if job.max_messages_per_second > MAX_MESSAGES_PER_SECOND {
        return Err(invalid(format!(
            "max_messages_per_second must be at most {MAX_MESSAGES_PER_SECOND}"
        )));
    }
    Ok(())
}

/// The lease a claim or report asks for, with its default and bound.
pub fn lease_seconds(requested: u32) -> Result<u32, StoreError> {
    match requested {
        0 => Ok(DEFAULT_LEASE_SECONDS),
        1..=MAX_LEASE_SECONDS => Ok(requested),
        _ => Err(invalid(format!(
            "lease_seconds must be at most {MAX_LEASE_SECONDS}"
        ))),
    }
}

/// Every rule on a report.
pub fn check_report(report: &ImportReport) -> Result<(), StoreError> {
    check_text(&report.job_id, "job_id", 64)?;
    check_text(&report.worker_id, "worker_id", MAX_WORKER_ID_BYTES)?;
    lease_seconds(report.lease_seconds)?;
    if report.folders.len() > MAX_REPORTED_FOLDERS {
        return Err(invalid(format!(
            "a report carries at most {MAX_REPORTED_FOLDERS} folders"
        )));
    }
    for folder in &report.folders {
        check_text(&folder.source, "folder source", MAX_FOLDER_BYTES)?;
        if folder.target.len() > MAX_FOLDER_BYTES {
            return Err(invalid(format!(
                "folder target is longer than {MAX_FOLDER_BYTES} bytes"
            )));
        }
    }
    Ok(())
}

/// `message` cut to [`MAX_ERROR_BYTES`] on a character boundary.
pub fn truncate_error(message: &str) -> &str {
    if message.len() <= MAX_ERROR_BYTES {
        return message;
    }
    let mut end = MAX_ERROR_BYTES;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

/// The errors of a report worth keeping: at most the last
/// [`MAX_JOB_ERRORS`], each cut to [`MAX_ERROR_BYTES`].
pub fn kept_errors(new_errors: &[String]) -> Vec<&str> {
    let skip = new_errors.len().saturating_sub(MAX_JOB_ERRORS);
    new_errors[skip..]
        .iter()
        .map(|error| truncate_error(error))
        .collect()
}

#[cfg(test)]
mod tests;
