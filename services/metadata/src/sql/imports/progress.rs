//! A worker's reports on the job it holds: the lease renewed, counters,
//! folder progress with the durable checkpoints of its source, the last
//! errors, and the end of the job (its password wiped). Only the holder
//! writes; a job cancelled under it is answered unchanged.

use super::rows::load_job;
use crate::error::StoreError;
use crate::imports::{
    self, CANCELLED, COMPLETED, FAILED, FolderProgress, ImportJob, ImportReport, MAX_JOB_ERRORS,
};
use crate::sql::driver::{Arg, Driver, fetch_one, fetch_optional};
use crate::sql::rows::{now, to_i64};

pub async fn report<D: Driver>(driver: &D, report: &ImportReport) -> Result<ImportJob, StoreError> {
    finish_or_report::<D>(driver, report, None).await
}

pub async fn finish<D: Driver>(
    driver: &D,
    report: &ImportReport,
    error: &str,
) -> Result<ImportJob, StoreError> {
    finish_or_report::<D>(driver, report, Some(error)).await
}

/// Stores a report of the job's holder, then ends the job when `end` is
/// given (empty = completed, else failed with that error).
async fn finish_or_report<D: Driver>(
    driver: &D,
    report: &ImportReport,
    end: Option<&str>,
) -> Result<ImportJob, StoreError> {
    imports::check_report(report)?;
    let lease = i64::from(imports::lease_seconds(report.lease_seconds)?);
    let now = now();
    let mut tx = driver.begin_write().await?;
    let counters = &report.counters;
    let held = fetch_optional::<D>(
        &mut tx,
        "UPDATE import_jobs SET lease_until = $3 + $4, updated_at = $3, messages_total = $5, \
         messages_imported = $6, messages_skipped = $7, messages_failed = $8, \
         bytes_imported = $9 \
         WHERE id = $1 AND worker_id = $2 AND state = 'running' \
         RETURNING account_id, source_key",
        &[
            Arg::Text(&report.job_id),
            Arg::Text(&report.worker_id),
            Arg::Int(now),
            Arg::Int(lease),
            Arg::Int(to_i64(counters.messages_total, "messages_total")?),
            Arg::Int(to_i64(counters.messages_imported, "messages_imported")?),
            Arg::Int(to_i64(counters.messages_skipped, "messages_skipped")?),
            Arg::Int(to_i64(counters.messages_failed, "messages_failed")?),
            Arg::Int(to_i64(counters.bytes_imported, "bytes_imported")?),
        ],
    )
    .await?;
    let Some(held) = held else {
        return not_held::<D>(&mut tx, report).await;
    };
    let (account, source_key) = (held.text(0)?, held.text(1)?);
    for folder in &report.folders {
        save_folder::<D>(&mut tx, &account, &report.job_id, &source_key, folder, now).await?;
    }
    append_errors::<D>(&mut tx, &account, &report.job_id, &report.new_errors).await?;
    if let Some(error) = end {
        let state = if error.is_empty() { COMPLETED } else { FAILED };
        D::execute(
            &mut tx,
            "UPDATE import_jobs SET state = $2, error = $3, finished_at = $4, password = NULL, \
             lease_until = 0 WHERE id = $1",
            &[
                Arg::Text(&report.job_id),
                Arg::Text(state),
                Arg::Text(imports::truncate_error(error)),
                Arg::Int(now),
            ],
        )
        .await?;
        tracing::info!(job = %report.job_id, state, "import job ended");
    }
    let job = load_job::<D>(&mut tx, &report.job_id).await?;
    D::commit(tx).await?;
    Ok(job)
}

/// The answer to a report the job did not take: the job unchanged when it
/// was cancelled under this worker (so it stops), else why not.
async fn not_held<D: Driver>(
    tx: &mut D::Tx,
    report: &ImportReport,
) -> Result<ImportJob, StoreError> {
    let holder = fetch_optional::<D>(
        tx,
        "SELECT worker_id FROM import_jobs WHERE id = $1",
        &[Arg::Text(&report.job_id)],
    )
    .await?
    .ok_or(StoreError::NotFound("import job"))?
    .text(0)?;
    let job = load_job::<D>(tx, &report.job_id).await?;
    match (holder == report.worker_id, job.state.as_str()) {
        (true, CANCELLED) => Ok(job),
        (false, _) => Err(StoreError::Conflict(
            "another worker holds this import job's lease",
        )),
        _ => Err(StoreError::Conflict("the import job has already ended")),
    }
}

/// Upserts a folder's progress and, once its UIDVALIDITY is known, the
/// durable checkpoint of its source folder.
async fn save_folder<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    job: &str,
    source_key: &str,
    folder: &FolderProgress,
    now: i64,
) -> Result<(), StoreError> {
    D::execute(
        tx,
        "INSERT INTO import_job_folders (account_id, job_id, source, target, uidvalidity, \
         last_uid, messages_total, messages_done, done) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (account_id, job_id, source) DO UPDATE SET target = excluded.target, \
         uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, \
         messages_total = excluded.messages_total, messages_done = excluded.messages_done, \
         done = excluded.done",
        &[
            Arg::Text(account),
            Arg::Text(job),
            Arg::Text(&folder.source),
            Arg::Text(&folder.target),
            Arg::Int(i64::from(folder.uidvalidity)),
            Arg::Int(i64::from(folder.last_uid)),
            Arg::Int(to_i64(folder.messages_total, "messages_total")?),
            Arg::Int(to_i64(folder.messages_done, "messages_done")?),
            Arg::Int(i64::from(folder.done)),
        ],
    )
    .await?;
    if folder.uidvalidity == 0 {
        return Ok(());
    }
    D::execute(
        tx,
        "INSERT INTO import_checkpoints (account_id, source_key, folder, uidvalidity, last_uid, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (account_id, source_key, folder) DO UPDATE SET \
         uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid, \
         updated_at = excluded.updated_at",
        &[
            Arg::Text(account),
            Arg::Text(source_key),
            Arg::Text(&folder.source),
            Arg::Int(i64::from(folder.uidvalidity)),
            Arg::Int(i64::from(folder.last_uid)),
            Arg::Int(now),
        ],
    )
    .await?;
    Ok(())
}

/// Appends errors and drops all but the last [`MAX_JOB_ERRORS`].
async fn append_errors<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    job: &str,
    new_errors: &[String],
) -> Result<(), StoreError> {
    let kept = imports::kept_errors(new_errors);
    if kept.is_empty() {
        return Ok(());
    }
    let args = [Arg::Text(account), Arg::Text(job)];
    let last = fetch_one::<D>(
        tx,
        "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) FROM import_job_errors \
         WHERE account_id = $1 AND job_id = $2",
        &args,
    )
    .await?
    .int(0)?;
    let mut seq = last;
    for message in kept {
        seq += 1;
        D::execute(
            tx,
            "INSERT INTO import_job_errors (account_id, job_id, seq, message) \
             VALUES ($1, $2, $3, $4)",
            &[
                Arg::Text(account),
                Arg::Text(job),
                Arg::Int(seq),
                Arg::Text(message),
            ],
        )
        .await?;
    }
    D::execute(
        tx,
        "DELETE FROM import_job_errors WHERE account_id = $1 AND job_id = $2 AND seq <= $3",
        &[
            Arg::Text(account),
            Arg::Text(job),
            Arg::Int(seq - MAX_JOB_ERRORS as i64),
        ],
    )
    .await?;
    Ok(())
}
