//! The worker's side of the `ImportJobs` gRPC service: the client (with
//! the internal token), and [`JobReporter`], which holds a running job's
//! counters, its changed folder checkpoints and its new errors, and sends
//! them with `ReportImportProgress` (which also renews the lease) and
//! finally `FinishImportJob`. What a report could not deliver is kept for
//! the next one. An answer saying the job was cancelled, or that this
//! worker no longer holds the lease, stops the job ([`Interrupt::Stop`]).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use mailkeep_proto::InternalAuth;
use mailkeep_proto::metadata::v1::import_jobs_client::ImportJobsClient;
use mailkeep_proto::metadata::v1::{
    FinishImportJobRequest, FolderProgress, ImportCounters, ImportJob, ReportImportProgressRequest,
};
use tonic::Code;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// Bytes of one error text sent to the job (the job keeps the last 50).
const MAX_ERROR_BYTES: usize = 500;
/// New errors kept between two reports; older ones are dropped.
const MAX_PENDING_ERRORS: usize = 50;

/// Attaches the internal token to every call.
#[derive(Debug, Clone)]
pub struct WithInternalToken(pub InternalAuth);

impl Interceptor for WithInternalToken {
    fn call(&mut self, request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        self.0.attach(request)
    }
}

pub type JobsClient = ImportJobsClient<InterceptedService<Channel, WithInternalToken>>;

/// Why a job's run stopped before its end.
#[derive(Debug)]
pub enum Interrupt {
    /// A dropped connection or an unreachable service: retried.
    Transient(String),
    /// The job cannot go on: it ends `failed` with this error.
    Fatal(String),
    /// Cancelled, lease lost, or process shutdown: the job is left as it
    /// is (a lost lease or a shutdown lets another claim resume it).
    Stop(&'static str),
}

/// A running job's progress, as reported to the metadata service.
pub struct JobReporter {
    client: JobsClient,
    job_id: String,
    worker_id: String,
    lease_seconds: u32,
    renew_every: Duration,
    last_sent: Instant,
    pub counters: ImportCounters,
    /// The latest progress of every folder, by source name: where a
    /// retried pass resumes.
    pub checkpoints: HashMap<String, FolderProgress>,
    changed: BTreeMap<String, FolderProgress>,
    new_errors: Vec<String>,
}

impl JobReporter {
    pub fn new(client: JobsClient, job: &ImportJob, worker_id: &str, lease_seconds: u32) -> Self {
        Self {
            client,
            job_id: job.id.clone(),
            worker_id: worker_id.to_owned(),
            lease_seconds,
            renew_every: Duration::from_secs(u64::from(lease_seconds)) / 3,
            last_sent: Instant::now(),
            counters: ImportCounters {
                messages_total: job.messages_total,
                messages_imported: job.messages_imported,
                messages_skipped: job.messages_skipped,
                messages_failed: job.messages_failed,
                bytes_imported: job.bytes_imported,
            },
            checkpoints: HashMap::new(),
            changed: BTreeMap::new(),
            new_errors: Vec::new(),
        }
    }

    /// Records a folder's progress and queues it for the next report.
    pub fn folder(&mut self, progress: FolderProgress) {
        self.checkpoints
            .insert(progress.source.clone(), progress.clone());
        self.changed.insert(progress.source.clone(), progress);
    }

    /// Queues an error for the next report (bounded in size and number).
    pub fn error(&mut self, text: String) {
        if self.new_errors.len() >= MAX_PENDING_ERRORS {
            self.new_errors.remove(0);
        }
        self.new_errors.push(truncated(text, MAX_ERROR_BYTES));
    }

    fn request(&self) -> ReportImportProgressRequest {
        ReportImportProgressRequest {
            job_id: self.job_id.clone(),
            worker_id: self.worker_id.clone(),
            lease_seconds: self.lease_seconds,
            counters: Some(self.counters),
            folders: self.changed.values().cloned().collect(),
            new_errors: self.new_errors.clone(),
        }
    }

    /// Sends the progress and renews the lease.
    pub async fn send(&mut self) -> Result<(), Interrupt> {
        let answer = self.client.report_import_progress(self.request()).await;
        let job = answer.map_err(interrupt_of)?.into_inner();
        self.sent();
        if job.state == "cancelled" {
            return Err(Interrupt::Stop("cancelled"));
        }
        Ok(())
    }

    /// Sends the progress when a third of the lease has passed since the
    /// last report.
    pub async fn send_if_due(&mut self) -> Result<(), Interrupt> {
        if self.last_sent.elapsed() >= self.renew_every {
            self.send().await?;
        }
        Ok(())
    }

    /// Ends the job: `completed` without `error`, else `failed`.
    pub async fn finish(&mut self, error: Option<String>) -> Result<(), Interrupt> {
        let request = FinishImportJobRequest {
            report: Some(self.request()),
            error: error
                .map(|text| truncated(text, MAX_ERROR_BYTES))
                .unwrap_or_default(),
        };
        self.client
            .finish_import_job(request)
            .await
            .map_err(interrupt_of)?;
        self.sent();
        Ok(())
    }

    fn sent(&mut self) {
        self.changed.clear();
        self.new_errors.clear();
        self.last_sent = Instant::now();
    }
}

/// A failed call: a lost lease or an ended job stops the worker; anything
/// else is worth a retry.
fn interrupt_of(status: tonic::Status) -> Interrupt {
    match status.code() {
        Code::FailedPrecondition => Interrupt::Stop("lease lost or job ended"),
        Code::NotFound => Interrupt::Stop("job deleted"),
        _ => Interrupt::Transient(format!("progress report failed: {}", status.message())),
    }
}

/// `text` cut to at most `limit` bytes on a character boundary.
fn truncated(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_cut_on_character_boundaries() {
        assert_eq!(truncated("abc".to_owned(), 5), "abc");
        assert_eq!(truncated("aé".to_owned(), 2), "a");
        assert_eq!(
            truncated("x".repeat(600), MAX_ERROR_BYTES).len(),
            MAX_ERROR_BYTES
        );
    }

    #[test]
    fn a_lost_lease_stops_and_an_outage_is_retried() {
        let lost = interrupt_of(tonic::Status::failed_precondition("lease"));
        assert!(matches!(lost, Interrupt::Stop(_)));
        let down = interrupt_of(tonic::Status::unavailable("down"));
        assert!(matches!(down, Interrupt::Transient(_)));
    }
}
