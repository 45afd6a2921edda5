//! One claimed job from start to end. A pass logs in to the source, lists
//! and plans its folders ([`super::folders`]), examines each to count what
//! is left after its checkpoint, then pulls them one by one
//! ([`super::pull`]). A pass interrupted by a dropped connection or an
//! unreachable service is retried from the checkpoints reached, with
//! backoff, up to [`MAX_RETRIES`] times in a row without progress; then,
//! or at once on a refused login or a fatal error, the job ends `failed`.
//! A cancelled job, a lost lease or the process's shutdown stop the run
//! without ending the job. The source password lives in the job's
//! [`SourceServer`] and is dropped with it when the run ends.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::{Quota, RateLimiter};
use mailkeep_proto::metadata::v1::{FolderProgress, ImportJob};

use super::WorkerContext;
use super::checkpoint::{DateFilter, FolderStart, resume_point, uids_from};
use super::client::{SourceError, SourceServer, SourceSession, TlsMode};
use super::folders::{self, PlannedFolder};
use super::pull::{self, FolderWork, Limiter};
use super::report::{Interrupt, JobReporter, JobsClient};
use crate::config::Secret;
use crate::import::upload::Target;

/// Failed passes in a row (without progress) before the job fails.
const MAX_RETRIES: u32 = 5;
/// The first wait before a retry; it doubles each time.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The rate when the job names none (imports.proto).
const DEFAULT_RATE: u32 = 100;

/// Runs `job` until it ends or stops.
pub async fn run(context: &WorkerContext, client: JobsClient, worker_id: &str, mut job: ImportJob) {
    let mut reporter = JobReporter::new(client, &job, worker_id, context.settings.lease_seconds);
    reporter.checkpoints = job_checkpoints(&job);
    let source = match source_server(&mut job) {
        Ok(source) => source,
        Err(error) => return end(&mut reporter, &job, Some(error)).await,
    };
    let rate = NonZeroU32::new(job.max_messages_per_second)
        .or(NonZeroU32::new(DEFAULT_RATE))
        .unwrap_or(NonZeroU32::MIN);
    let limiter: Limiter = RateLimiter::direct(Quota::per_second(rate));
    let mut failures_in_row = 0;
    let mut backoff = FIRST_BACKOFF;
    loop {
        let before = reporter.counters;
        let pass = run_pass(context, &source, &job, &limiter, &mut reporter);
        let interrupt = match pass.await {
            Ok(()) => return end(&mut reporter, &job, None).await,
            Err(Interrupt::Stop(reason)) => {
                tracing::info!(job = %job.id, reason, "import job stopped");
                return;
            }
            Err(Interrupt::Fatal(error)) => return end(&mut reporter, &job, Some(error)).await,
            Err(Interrupt::Transient(_)) if context.shutdown.is_triggered() => {
                tracing::info!(job = %job.id, "import job stopped by the shutdown");
                return;
            }
            Err(Interrupt::Transient(error)) => error,
        };
        if reporter.counters != before {
            failures_in_row = 0;
            backoff = FIRST_BACKOFF;
        }
        failures_in_row += 1;
        if failures_in_row > MAX_RETRIES {
            let error = format!("gave up after {MAX_RETRIES} retries: {interrupt}");
            return end(&mut reporter, &job, Some(error)).await;
        }
        tracing::warn!(job = %job.id, error = %interrupt, retry_in = ?backoff, "import pass interrupted");
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = context.shutdown.wait() => return,
        }
        backoff *= 2;
    }
}

/// Finishes the job; a report that cannot be delivered leaves it to the
/// lease (another claim resumes it).
async fn end(reporter: &mut JobReporter, job: &ImportJob, error: Option<String>) {
    match &error {
        None => tracing::info!(job = %job.id, "import job completed"),
        Some(error) => tracing::warn!(job = %job.id, error = %error, "import job failed"),
    }
    if let Err(interrupt) = reporter.finish(error).await {
        tracing::warn!(job = %job.id, outcome = ?interrupt, "cannot finish the import job");
    }
}

/// The source of `job`, taking its password out of the job.
fn source_server(job: &mut ImportJob) -> Result<SourceServer, String> {
    let source = job.source.as_mut().ok_or("the job names no source")?;
    let tls =
        TlsMode::parse(&source.tls).ok_or_else(|| format!("unknown tls mode {:?}", source.tls))?;
    let port = u16::try_from(source.port)
        .ok()
        .filter(|port| *port != 0)
        .ok_or_else(|| format!("invalid source port {}", source.port))?;
    Ok(SourceServer {
        host: source.host.clone(),
        port,
        tls,
        accept_invalid_certs: source.accept_invalid_certs,
        username: source.username.clone(),
        password: Secret::new(std::mem::take(&mut source.password)),
    })
}

/// The checkpoints the claim returned, by source folder. A first claim's
/// entries come from earlier jobs: their positions count, their counts
/// do not.
fn job_checkpoints(job: &ImportJob) -> HashMap<String, FolderProgress> {
    let first_claim = job.attempts <= 1;
    job.folders
        .iter()
        .map(|kept| {
            let mut kept = kept.clone();
            if first_claim {
                kept.messages_total = 0;
                kept.messages_done = 0;
                kept.done = false;
            }
            (kept.source.clone(), kept)
        })
        .collect()
}

pub fn source_interrupt(error: SourceError) -> Interrupt {
    match error {
        SourceError::LoginRefused(_) => Interrupt::Fatal(error.to_string()),
        error if error.is_transient() => Interrupt::Transient(error.to_string()),
        error => Interrupt::Fatal(error.to_string()),
    }
}

/// One pass over every folder.
async fn run_pass(
    context: &WorkerContext,
    source: &SourceServer,
    job: &ImportJob,
    limiter: &Limiter,
    reporter: &mut JobReporter,
) -> Result<(), Interrupt> {
    let mut target = Target::connect(
        &context.metadata_url,
        &context.blob_url,
        &context.internal_token,
        &job.local_part,
        &job.domain,
    )
    .await
    .map_err(|error| Interrupt::Transient(format!("{error:#}")))?;
    let mut session = SourceSession::open(source, context.settings.io_timeout)
        .await
        .map_err(source_interrupt)?;
    let outcome = pull_all(context, &mut session, &mut target, job, limiter, reporter).await;
    // A broken connection is just dropped; otherwise say goodbye.
    if !matches!(outcome, Err(Interrupt::Transient(_))) {
        session.logout().await;
    }
    outcome
}

/// Plans, examines and pulls every folder over `session`.
async fn pull_all(
    context: &WorkerContext,
    session: &mut SourceSession,
    target: &mut Target,
    job: &ImportJob,
    limiter: &Limiter,
    reporter: &mut JobReporter,
) -> Result<(), Interrupt> {
    let listed = session.list_folders().await.map_err(source_interrupt)?;
    let planned = folders::plan(&listed, &job.rules);
    let filter = DateFilter::new(job.since, job.before);
    let mut work = Vec::new();
    for folder in planned {
        let Some(target_name) = folder.target.clone() else {
            continue;
        };
        let checkpoint = reporter.checkpoints.get(&folder.source).cloned();
        match examine(session, folder, target_name, &filter, checkpoint.as_ref()).await {
            Ok(item) => work.push(item),
            // The folder went away or cannot be read: the others go on.
            Err(SourceError::Refused(error)) => reporter.error(error),
            Err(error) => return Err(source_interrupt(error)),
        }
        reporter.send_if_due().await?;
    }
    reporter.counters.messages_total = work.iter().map(FolderWork::total).sum();
    for item in &work {
        reporter.folder(item.progress(item.start.last_uid, item.start.messages_done, false));
    }
    reporter.send().await?;
    for item in work {
        pull::pull_folder(context, session, target, &item, &filter, limiter, reporter).await?;
    }
    Ok(())
}

/// Examines `folder` and lists the UIDs left after its checkpoint.
async fn examine(
    session: &mut SourceSession,
    folder: PlannedFolder,
    target: String,
    filter: &DateFilter,
    checkpoint: Option<&FolderProgress>,
) -> Result<FolderWork, SourceError> {
    let uidvalidity = session.examine(&folder.wire_name).await?;
    let start: FolderStart = resume_point(checkpoint, uidvalidity);
    let all = session
        .search(&filter.search_criteria(start.first_uid, false))
        .await?;
    let examined = uids_from(all, start.first_uid);
    let wanted = if filter.is_unbounded() {
        examined.clone()
    } else {
        let found = session
            .search(&filter.search_criteria(start.first_uid, true))
            .await?;
        uids_from(found, start.first_uid)
    };
    Ok(FolderWork {
        folder,
        target,
        uidvalidity,
        start,
        examined,
        wanted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_proto::metadata::v1::ImportSource;

    fn job_with(source: ImportSource) -> ImportJob {
        ImportJob {
            source: Some(source),
            ..ImportJob::default()
        }
    }

    #[test]
    fn the_password_moves_out_of_the_job() {
        let mut job = job_with(ImportSource {
            host: "imap.example.org".to_owned(),
            port: 993,
            tls: "tls".to_owned(),
            username: "alice".to_owned(),
            password: "hunter2".to_owned(),
            accept_invalid_certs: false,
        });
        let server = source_server(&mut job).unwrap();
        assert_eq!(server.password.expose(), "hunter2");
        assert_eq!(server.port, 993);
        assert!(job.source.unwrap().password.is_empty());
    }

    #[test]
    fn a_bad_port_or_tls_mode_is_an_error() {
        let source = ImportSource {
            port: 70_000,
            tls: "tls".to_owned(),
            ..ImportSource::default()
        };
        assert!(source_server(&mut job_with(source.clone())).is_err());
        let source = ImportSource {
            port: 993,
            tls: "ssl".to_owned(),
            ..source
        };
        assert!(source_server(&mut job_with(source)).is_err());
    }

    #[test]
    fn a_first_claim_keeps_positions_but_not_counts() {
        let kept = FolderProgress {
            source: "INBOX".to_owned(),
            uidvalidity: 5,
            last_uid: 40,
            messages_total: 40,
            messages_done: 40,
            done: true,
            ..FolderProgress::default()
        };
        let mut job = ImportJob {
            attempts: 1,
            folders: vec![kept],
            ..ImportJob::default()
        };
        let fresh = &job_checkpoints(&job)["INBOX"];
        assert_eq!(
            (fresh.last_uid, fresh.messages_done, fresh.done),
            (40, 0, false)
        );
        job.attempts = 2;
        let resumed = &job_checkpoints(&job)["INBOX"];
        assert_eq!((resumed.last_uid, resumed.messages_done), (40, 40));
    }

    #[test]
    fn only_a_refused_login_or_a_dropped_connection_are_told_apart() {
        let login = source_interrupt(SourceError::LoginRefused("no".to_owned()));
        assert!(matches!(login, Interrupt::Fatal(text) if text.starts_with("source login failed")));
        let dropped = source_interrupt(SourceError::Connection("reset".to_owned()));
        assert!(matches!(dropped, Interrupt::Transient(_)));
        let refused = source_interrupt(SourceError::Refused("EXAMINE: no".to_owned()));
        assert!(matches!(refused, Interrupt::Fatal(_)));
    }
}
