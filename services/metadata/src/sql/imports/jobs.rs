//! Import jobs on the admin side (create, read, list, cancel, scoped to the
//! named account) and the worker's claim: a conditional `UPDATE` (still
//! queued, or its lease still expired) whose changed-row count says whether
//! this worker won, so two workers never hold one job on either database.

use std::collections::BTreeMap;

use super::rows::{Jobs, attach_children, job_from_row, job_select, load_job};
use crate::error::StoreError;
use crate::imports::{
    self, DEFAULT_MESSAGES_PER_SECOND, FolderProgress, ImportJob, MAX_LISTED_JOBS, NewImportJob,
};
use crate::sql::accounts::{already_exists, require_account};
use crate::sql::driver::{Arg, Driver};
use crate::sql::rows::{now, to_i64};

/// How many claimable jobs one claim tries before reporting nothing to do
/// (each lost race means another worker took that job).
const CLAIM_CANDIDATES: i64 = 8;

/// The id of account `local_part@domain`; `NotFound` when missing.
async fn account_id<D: Driver>(
    tx: &mut D::Tx,
    domain: &str,
    local_part: &str,
) -> Result<String, StoreError> {
    require_account::<D>(tx, domain, local_part).await?.text(0)
}

/// Job `id` when it belongs to `account`.
async fn account_job<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    id: &str,
) -> Result<ImportJob, StoreError> {
    let job = load_job::<D>(tx, id).await?;
    if job.account_id.to_string() != account {
        return Err(StoreError::NotFound("import job"));
    }
    Ok(job)
}

pub async fn create<D: Driver>(driver: &D, job: NewImportJob) -> Result<ImportJob, StoreError> {
    imports::check_new_job(&job)?;
    let rate = match job.max_messages_per_second {
        0 => DEFAULT_MESSAGES_PER_SECOND,
        rate => rate,
    };
    let (source, now) = (&job.source, now());
    let mut tx = driver.begin_write().await?;
    let account = account_id::<D>(&mut tx, &job.domain, &job.local_part).await?;
    D::execute(
        &mut tx,
        "INSERT INTO import_jobs (id, account_id, source_key, state, host, port, tls, username, \
         password, accept_invalid_certs, date_since, date_before, max_messages_per_second, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)",
        &[
            Arg::Text(&job.id),
            Arg::Text(&account),
            Arg::Text(&source.key()),
            Arg::Text(&source.host),
            Arg::Int(i64::from(source.port)),
            Arg::Text(&source.tls),
            Arg::Text(&source.username),
            Arg::Bytes(job.password.as_bytes()),
            Arg::Int(i64::from(source.accept_invalid_certs)),
            Arg::Int(job.since),
            Arg::Int(job.before),
            Arg::Int(i64::from(rate)),
            Arg::Int(now),
        ],
    )
    .await
    .map_err(already_exists(
        "queued or running import job of this source",
    ))?;
    for (position, rule) in job.rules.iter().enumerate() {
        D::execute(
            &mut tx,
            "INSERT INTO import_job_rules (account_id, job_id, position, source, target) \
             VALUES ($1, $2, $3, $4, $5)",
            &[
                Arg::Text(&account),
                Arg::Text(&job.id),
                Arg::Int(to_i64(position as u64, "position")?),
                Arg::Text(&rule.source),
                Arg::Text(&rule.target),
            ],
        )
        .await?;
    }
    let created = load_job::<D>(&mut tx, &job.id).await?;
    D::commit(tx).await?;
    tracing::info!(job = %created.id, account = %account, "import job created");
    Ok(created)
}

pub async fn get<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
    id: &str,
) -> Result<ImportJob, StoreError> {
    let mut tx = driver.begin_read().await?;
    let account = account_id::<D>(&mut tx, domain, local_part).await?;
    account_job::<D>(&mut tx, &account, id).await
}

pub async fn list<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
) -> Result<Vec<ImportJob>, StoreError> {
    let mut tx = driver.begin_read().await?;
    let account = account_id::<D>(&mut tx, domain, local_part).await?;
    let rows = D::fetch_all(
        &mut tx,
        job_select!("j.account_id = $1 ORDER BY j.created_at DESC, j.id DESC LIMIT $2"),
        &[Arg::Text(&account), Arg::Int(MAX_LISTED_JOBS as i64)],
    )
    .await?;
    let mut jobs = rows
        .iter()
        .map(job_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_children::<D>(&mut tx, &account, Jobs::Listed, &mut jobs).await?;
    Ok(jobs)
}

pub async fn cancel<D: Driver>(
    driver: &D,
    domain: &str,
    local_part: &str,
    id: &str,
) -> Result<ImportJob, StoreError> {
    let mut tx = driver.begin_write().await?;
    let account = account_id::<D>(&mut tx, domain, local_part).await?;
    let cancelled = D::execute(
        &mut tx,
        "UPDATE import_jobs SET state = 'cancelled', password = NULL, lease_until = 0, \
         finished_at = $3, updated_at = $3 \
         WHERE id = $1 AND account_id = $2 AND state IN ('queued', 'running')",
        &[Arg::Text(id), Arg::Text(&account), Arg::Int(now())],
    )
    .await?;
    let job = account_job::<D>(&mut tx, &account, id).await?;
    if cancelled == 0 {
        return Err(StoreError::Conflict("the import job has already ended"));
    }
    D::commit(tx).await?;
    tracing::info!(job = %job.id, account = %account, "import job cancelled");
    Ok(job)
}

pub async fn claim<D: Driver>(
    driver: &D,
    worker_id: &str,
    lease_seconds: u32,
) -> Result<Option<ImportJob>, StoreError> {
    imports::check_text(worker_id, "worker_id", imports::MAX_WORKER_ID_BYTES)?;
    let lease = i64::from(imports::lease_seconds(lease_seconds)?);
    let now = now();
    let mut tx = driver.begin_write().await?;
    let candidates = D::fetch_all(
        &mut tx,
        "SELECT id FROM import_jobs \
         WHERE state = 'queued' OR (state = 'running' AND lease_until < $1) \
         ORDER BY created_at, id LIMIT $2",
        &[Arg::Int(now), Arg::Int(CLAIM_CANDIDATES)],
    )
    .await?;
    for candidate in candidates {
        let id = candidate.text(0)?;
        // Re-checked under the row lock: a concurrent claim that won
        // leaves nothing to change here.
        let taken = D::execute(
            &mut tx,
            "UPDATE import_jobs SET state = 'running', worker_id = $2, lease_until = $3 + $4, \
             attempts = attempts + 1, updated_at = $3, \
             started_at = CASE WHEN started_at = 0 THEN $3 ELSE started_at END \
             WHERE id = $1 AND (state = 'queued' OR (state = 'running' AND lease_until < $3))",
            &[
                Arg::Text(&id),
                Arg::Text(worker_id),
                Arg::Int(now),
                Arg::Int(lease),
            ],
        )
        .await?;
        if taken == 1 {
            let mut job = load_job::<D>(&mut tx, &id).await?;
            merge_checkpoints::<D>(&mut tx, &mut job).await?;
            D::commit(tx).await?;
            tracing::info!(job = %id, worker = %worker_id, attempt = job.attempts, "import job claimed");
            return Ok(Some(job));
        }
    }
    D::commit(tx).await?;
    Ok(None)
}

/// Puts the checkpoints of the job's source into its folders: those it
/// already has take the checkpoint's position, the others are added.
async fn merge_checkpoints<D: Driver>(
    tx: &mut D::Tx,
    job: &mut ImportJob,
) -> Result<(), StoreError> {
    let account = job.account_id.to_string();
    let checkpoints = D::fetch_all(
        tx,
        "SELECT folder, uidvalidity, last_uid FROM import_checkpoints \
         WHERE account_id = $1 AND source_key = $2",
        &[Arg::Text(&account), Arg::Text(&job.source.key())],
    )
    .await?;
    let mut folders: BTreeMap<String, FolderProgress> = std::mem::take(&mut job.folders)
        .into_iter()
        .map(|folder| (folder.source.clone(), folder))
        .collect();
    for row in checkpoints {
        let source = row.text(0)?;
        let folder = folders.entry(source.clone()).or_insert(FolderProgress {
            source,
            ..FolderProgress::default()
        });
        folder.uidvalidity = row.u32(1)?;
        folder.last_uid = row.u32(2)?;
    }
    job.folders = folders.into_values().collect();
    Ok(())
}
