//! Reading import jobs: the job row with its account's address, and its
//! child rows (folder rules, folder progress, recent errors) for one job or
//! for the newest jobs of an account in one query per table.

use std::collections::HashMap;

use crate::error::StoreError;
use crate::imports::{
    FolderProgress, FolderRule, ImportCounters, ImportJob, ImportSource, MAX_LISTED_JOBS,
};
use crate::sealed::SealedSecret;
use crate::sql::driver::{Arg, Driver, Row, fetch_optional};

/// `SELECT` of every column [`job_from_row`] reads, then `$where`.
macro_rules! job_select {
    ($where:literal) => {
        concat!(
            "SELECT j.id, j.account_id, t.domain, a.local_part, j.state, j.host, j.port, j.tls, \
             j.username, j.password, j.accept_invalid_certs, j.date_since, j.date_before, \
             j.max_messages_per_second, j.messages_total, j.messages_imported, \
             j.messages_skipped, j.messages_failed, j.bytes_imported, j.error, j.created_at, \
             j.started_at, j.updated_at, j.finished_at, j.attempts \
             FROM import_jobs j JOIN accounts a ON a.id = j.account_id \
             JOIN tenants t ON t.id = a.tenant_id WHERE ",
            $where
        )
    };
}
pub(super) use job_select;

/// The newest jobs of account `$1`, at most `$2`.
macro_rules! listed_jobs {
    () => {
        "SELECT id FROM import_jobs WHERE account_id = $1 \
         ORDER BY created_at DESC, id DESC LIMIT $2"
    };
}

/// A child-table query for one job (`$2` = job id) and for the listed jobs.
macro_rules! child_queries {
    ($select:literal, $order:literal) => {
        [
            concat!($select, " AND job_id = $2 ORDER BY ", $order),
            concat!(
                $select,
                " AND job_id IN (",
                listed_jobs!(),
                ") ORDER BY ",
                $order
            ),
        ]
    };
}

const RULES: [&str; 2] = child_queries!(
    "SELECT job_id, source, target FROM import_job_rules WHERE account_id = $1",
    "job_id, position"
);
const FOLDERS: [&str; 2] = child_queries!(
    "SELECT job_id, source, target, uidvalidity, last_uid, messages_total, messages_done, done \
     FROM import_job_folders WHERE account_id = $1",
    "job_id, source"
);
const ERRORS: [&str; 2] = child_queries!(
    "SELECT job_id, message FROM import_job_errors WHERE account_id = $1",
    "job_id, seq"
);

/// Which jobs' child rows to read.
#[derive(Clone, Copy)]
pub enum Jobs<'a> {
    One(&'a str),
    Listed,
}

impl Jobs<'_> {
    fn pick(self, queries: &[&'static str; 2]) -> &'static str {
        match self {
            Jobs::One(_) => queries[0],
            Jobs::Listed => queries[1],
        }
    }
}

pub fn job_from_row(row: &Row) -> Result<ImportJob, StoreError> {
    let password = row.bytes(9)?;
    let port = row.u32(6)?;
    Ok(ImportJob {
        id: row.text(0)?,
        account_id: row.parse(1)?,
        domain: row.text(2)?,
        local_part: row.text(3)?,
        state: row.text(4)?,
        source: ImportSource {
            host: row.text(5)?,
            port: u16::try_from(port)
                .map_err(|_| StoreError::Corrupt(format!("import port {port}")))?,
            tls: row.text(7)?,
            username: row.text(8)?,
            accept_invalid_certs: row.int(10)? != 0,
        },
        // NULL (and never a real sealed value) decodes as empty.
        password: (!password.is_empty()).then(|| SealedSecret::from_stored(password)),
        rules: Vec::new(),
        since: row.int(11)?,
        before: row.int(12)?,
        max_messages_per_second: row.u32(13)?,
        folders: Vec::new(),
        counters: ImportCounters {
            messages_total: row.u64(14)?,
            messages_imported: row.u64(15)?,
            messages_skipped: row.u64(16)?,
            messages_failed: row.u64(17)?,
            bytes_imported: row.u64(18)?,
        },
        errors: Vec::new(),
        error: row.text(19)?,
        created_at: row.int(20)?,
        started_at: row.int(21)?,
        updated_at: row.int(22)?,
        finished_at: row.int(23)?,
        attempts: row.u32(24)?,
    })
}

fn folder_from_row(row: &Row) -> Result<FolderProgress, StoreError> {
    Ok(FolderProgress {
        source: row.text(1)?,
        target: row.text(2)?,
        uidvalidity: row.u32(3)?,
        last_uid: row.u32(4)?,
        messages_total: row.u64(5)?,
        messages_done: row.u64(6)?,
        done: row.int(7)? != 0,
    })
}

/// Fills the rules, folders and errors of `jobs` (all of `account`).
pub async fn attach_children<D: Driver>(
    tx: &mut D::Tx,
    account: &str,
    which: Jobs<'_>,
    jobs: &mut [ImportJob],
) -> Result<(), StoreError> {
    let limit = Arg::Int(MAX_LISTED_JOBS as i64);
    let args = match which {
        Jobs::One(id) => [Arg::Text(account), Arg::Text(id)],
        Jobs::Listed => [Arg::Text(account), limit],
    };
    let index: HashMap<String, usize> = jobs
        .iter()
        .enumerate()
        .map(|(position, job)| (job.id.clone(), position))
        .collect();
    let job_of =
        |row: &Row| -> Result<Option<usize>, StoreError> { Ok(index.get(&row.text(0)?).copied()) };
    for row in D::fetch_all(tx, which.pick(&RULES), &args).await? {
        if let Some(job) = job_of(&row)? {
            jobs[job].rules.push(FolderRule {
                source: row.text(1)?,
                target: row.text(2)?,
            });
        }
    }
    for row in D::fetch_all(tx, which.pick(&FOLDERS), &args).await? {
        if let Some(job) = job_of(&row)? {
            jobs[job].folders.push(folder_from_row(&row)?);
        }
    }
    for row in D::fetch_all(tx, which.pick(&ERRORS), &args).await? {
        if let Some(job) = job_of(&row)? {
            jobs[job].errors.push(row.text(1)?);
        }
    }
    Ok(())
}

/// Job `id` of any account with its child rows; `NotFound` when missing.
pub async fn load_job<D: Driver>(tx: &mut D::Tx, id: &str) -> Result<ImportJob, StoreError> {
    let row = fetch_optional::<D>(tx, job_select!("j.id = $1"), &[Arg::Text(id)])
        .await?
        .ok_or(StoreError::NotFound("import job"))?;
    let mut jobs = [job_from_row(&row)?];
    let account = jobs[0].account_id.to_string();
    attach_children::<D>(tx, &account, Jobs::One(id), &mut jobs).await?;
    let [job] = jobs;
    Ok(job)
}
