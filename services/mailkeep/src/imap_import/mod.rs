//! IMAP migration workers (issue 7): the gateway role and `mailkeep dev`
//! run `[imports] workers` of them. Each one claims a job from the metadata
//! service's `ImportJobs` (with a lease of `lease_seconds`), pulls the
//! source account over IMAP into the job's account through the same target
//! side as `mailkeep import` ([`crate::import::upload`]), reports progress
//! and checkpoints as it goes, and finishes the job; then claims the next,
//! or waits `poll_interval_seconds`. A worker that dies leaves its job to
//! the lease: the next claim resumes it from the checkpoints. On shutdown a
//! worker stops after its current batch.

mod checkpoint;
mod client;
mod folders;
mod job;
mod pull;
mod report;
mod tls;

use std::sync::Arc;

use anyhow::Context;
use mailkeep_proto::metadata::v1::ClaimImportJobRequest;
use mailkeep_proto::metadata::v1::import_jobs_client::ImportJobsClient;
use tonic::transport::Endpoint;

use self::report::{JobsClient, WithInternalToken};
use super::roles::{Tasks, internal_auth};
use crate::config::ValidImportSettings;
use crate::shutdown::Shutdown;

/// What every worker of a process shares.
pub struct WorkerContext {
    pub metadata_url: String,
    pub blob_url: String,
    pub internal_token: String,
    pub settings: ValidImportSettings,
    /// `gateway.max_message_size`: larger source messages fail.
    pub max_message_size: u64,
    pub shutdown: Shutdown,
}

/// Starts `context.settings.workers` workers.
pub fn start(context: WorkerContext, tasks: &mut Tasks) -> anyhow::Result<()> {
    if context.settings.workers == 0 {
        tracing::info!("imports.workers is 0: this process runs no import jobs");
        return Ok(());
    }
    let auth = internal_auth(&context.internal_token)?;
    let channel = Endpoint::from_shared(context.metadata_url.clone())
        .with_context(|| format!("invalid metadata url {}", context.metadata_url))?
        .connect_lazy();
    let client: JobsClient = ImportJobsClient::with_interceptor(channel, WithInternalToken(auth));
    let context = Arc::new(context);
    let host = host_name();
    for index in 0..context.settings.workers {
        let worker_id = format!(
            "{host}-{}-{:08x}-{index}",
            std::process::id(),
            rand::random::<u32>()
        );
        tasks.spawn(
            "import worker",
            work(Arc::clone(&context), client.clone(), worker_id),
        );
    }
    Ok(())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_owned())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "host".to_owned())
}

/// Claims and runs jobs until shutdown.
async fn work(
    context: Arc<WorkerContext>,
    mut client: JobsClient,
    worker_id: String,
) -> anyhow::Result<()> {
    let request = ClaimImportJobRequest {
        worker_id: worker_id.clone(),
        lease_seconds: context.settings.lease_seconds,
    };
    // A failing claim is logged when its kind changes, not every poll (a
    // metadata service without `secrets_key` refuses every claim).
    let mut last_failure = None;
    while !context.shutdown.is_triggered() {
        match client.claim_import_job(request.clone()).await {
            Ok(answer) => {
                last_failure = None;
                if let Some(job) = answer.into_inner().job {
                    tracing::info!(
                        job = %job.id,
                        account = %format!("{}@{}", job.local_part, job.domain),
                        attempt = job.attempts,
                        "import job claimed"
                    );
                    job::run(&context, client.clone(), &worker_id, job).await;
                    continue;
                }
            }
            Err(status) if last_failure == Some(status.code()) => {
                tracing::debug!(error = %status.message(), "cannot claim an import job");
            }
            Err(status) => {
                tracing::warn!(error = %status.message(), "cannot claim an import job");
                last_failure = Some(status.code());
            }
        }
        tokio::select! {
            () = tokio::time::sleep(context.settings.poll_interval) => {}
            () = context.shutdown.wait() => {}
        }
    }
    Ok(())
}
