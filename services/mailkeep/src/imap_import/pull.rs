//! Pulling one folder after its checkpoint, in chunks of [`FETCH_CHUNK`]
//! UIDs: first their sizes and internal dates (a message over the size
//! bound fails without being downloaded; one outside the exact date filter
//! is skipped), then the bodies with `BODY.PEEK[]`, one message in memory
//! at a time besides the append batch, paced by the job's rate limit. A
//! message whose exact bytes the target folder already holds (stored by an
//! earlier, interrupted run) is skipped. After each stored batch the
//! folder's checkpoint advances and progress is reported, which also
//! renews the lease; in between, a report goes out at least every third
//! of the lease. On shutdown the pull stops before the next message (what
//! is batched but not stored is fetched again by the next claim).

use std::pin::pin;

use futures::StreamExt;
use mailkeep_common::ErrorCode;
use mailkeep_gateway_core::backend::BackendError;
use mailkeep_proto::metadata::v1::FolderProgress;

use super::WorkerContext;
use super::checkpoint::{DateFilter, FolderStart, UidProgress, uid_set};
use super::client::{FetchedMessage, SourceSession};
use super::folders::PlannedFolder;
use super::job::source_interrupt;
use super::report::{Interrupt, JobReporter};
use crate::import::source::SourceMessage;
use crate::import::upload::{Batch, FolderTarget, Target};

/// UIDs per `UID FETCH`.
const FETCH_CHUNK: usize = 50;

/// The job's message rate limit.
pub type Limiter = governor::DefaultDirectRateLimiter;

/// One folder to pull, as the examine step found it.
#[derive(Debug, Clone)]
pub struct FolderWork {
    pub folder: PlannedFolder,
    pub target: String,
    pub uidvalidity: u32,
    pub start: FolderStart,
    /// Every UID after the checkpoint.
    pub examined: Vec<u32>,
    /// Those the date filter's search found (all of them without a filter).
    pub wanted: Vec<u32>,
}

impl FolderWork {
    /// Messages of this folder for the job: done before plus left now.
    pub fn total(&self) -> u64 {
        self.start.messages_done + self.wanted.len() as u64
    }

    pub fn progress(&self, last_uid: u32, messages_done: u64, done: bool) -> FolderProgress {
        FolderProgress {
            source: self.folder.source.clone(),
            target: self.target.clone(),
            uidvalidity: self.uidvalidity,
            last_uid,
            messages_total: self.total(),
            messages_done,
            done,
        }
    }
}

/// A folder's pull in progress.
struct FolderPull<'a> {
    context: &'a WorkerContext,
    target: &'a Target,
    folder: FolderTarget,
    work: &'a FolderWork,
    reporter: &'a mut JobReporter,
    uids: UidProgress,
    done: u64,
    batch: Batch,
    /// UID and size of each batched message, in batch order.
    batch_uids: Vec<(u32, u64)>,
}

/// Pulls `work`'s messages into the target.
pub async fn pull_folder(
    context: &WorkerContext,
    session: &mut SourceSession,
    target: &mut Target,
    work: &FolderWork,
    filter: &DateFilter,
    limiter: &Limiter,
    reporter: &mut JobReporter,
) -> Result<(), Interrupt> {
    let uidvalidity = session
        .examine(&work.folder.wire_name)
        .await
        .map_err(source_interrupt)?;
    if uidvalidity != work.uidvalidity {
        return Err(Interrupt::Transient(format!(
            "the UIDVALIDITY of {} changed during the job",
            work.folder.source
        )));
    }
    let folder = match target.open_folder(&work.target).await {
        Ok(folder) => folder,
        Err(error) if is_unavailable(&error) => {
            return Err(Interrupt::Transient(format!("{error:#}")));
        }
        Err(error) => {
            // This folder cannot be written; the others go on.
            reporter.counters.messages_failed += work.wanted.len() as u64;
            reporter.error(format!("{}: {error:#}", work.folder.source));
            reporter.folder(work.progress(work.start.last_uid, work.total(), true));
            return Ok(());
        }
    };
    // Progress names the folder the target resolved ("Sent Items" -> "Sent").
    let work = &FolderWork {
        target: folder.name.clone(),
        ..work.clone()
    };
    let mut pull = FolderPull {
        context,
        target,
        folder,
        work,
        reporter,
        uids: UidProgress::new(work.examined.iter().copied(), work.start.last_uid),
        done: work.start.messages_done,
        batch: Batch::default(),
        batch_uids: Vec::new(),
    };
    for chunk in work.wanted.chunks(FETCH_CHUNK) {
        pull.chunk(session, chunk, filter, limiter).await?;
    }
    let progress = work.progress(pull.uids.last_uid(), pull.done, true);
    pull.reporter.folder(progress);
    pull.reporter.send().await
}

fn is_unavailable(error: &anyhow::Error) -> bool {
    error
        .downcast_ref::<BackendError>()
        .is_some_and(|error| error.code == ErrorCode::Unavailable)
}

impl FolderPull<'_> {
    /// Pulls the UIDs of `chunk` (ascending).
    async fn chunk(
        &mut self,
        session: &mut SourceSession,
        chunk: &[u32],
        filter: &DateFilter,
        limiter: &Limiter,
    ) -> Result<(), Interrupt> {
        let summaries = session
            .summaries(&uid_set(chunk))
            .await
            .map_err(source_interrupt)?;
        let mut to_fetch = Vec::with_capacity(chunk.len());
        for summary in summaries {
            if chunk.binary_search(&summary.uid).is_err() {
                continue;
            }
            if !filter.admits(summary.internal_date) {
                self.reporter.counters.messages_skipped += 1;
                self.done += 1;
            } else if summary.size > self.context.max_message_size {
                self.failed(
                    summary.uid,
                    &format!("{} bytes, over the limit", summary.size),
                );
            } else {
                to_fetch.push(summary.uid);
            }
        }
        to_fetch.sort_unstable();
        to_fetch.dedup();
        let mut stop = None;
        let mut seen = Vec::with_capacity(to_fetch.len());
        if !to_fetch.is_empty() {
            let stream = session
                .messages(&uid_set(&to_fetch))
                .await
                .map_err(source_interrupt)?;
            let mut stream = pin!(stream);
            while let Some(item) = stream.next().await {
                let Some(message) = item.map_err(source_interrupt)? else {
                    continue;
                };
                if to_fetch.binary_search(&message.uid).is_err() || seen.contains(&message.uid) {
                    continue;
                }
                seen.push(message.uid);
                if self.context.shutdown.is_triggered() {
                    stop = Some("shutdown");
                    break;
                }
                limiter.until_ready().await;
                match self.take(message).await {
                    Err(Interrupt::Stop(reason)) => {
                        stop = Some(reason);
                        break;
                    }
                    other => other?,
                }
            }
            if stop.is_some() {
                // Read the rest of the answer so the session can log out.
                while stream.next().await.is_some() {}
            }
        }
        if let Some(reason) = stop {
            return Err(Interrupt::Stop(reason));
        }
        // Messages expunged from the source since the search: nothing to store.
        for uid in to_fetch.iter().filter(|uid| !seen.contains(uid)) {
            self.uids.stored(*uid);
            self.reporter.counters.messages_skipped += 1;
            self.done += 1;
        }
        self.flush().await
    }

    /// Takes one fetched message: skipped when present, else batched.
    async fn take(&mut self, message: FetchedMessage) -> Result<(), Interrupt> {
        let size = message.raw.len() as u64;
        if size > self.context.max_message_size {
            self.failed(message.uid, &format!("{size} bytes, over the limit"));
        } else if self.folder.take_existing(&message.raw) {
            self.uids.stored(message.uid);
            self.reporter.counters.messages_skipped += 1;
            self.done += 1;
        } else {
            self.batch_uids.push((message.uid, size));
            self.batch.push(SourceMessage {
                origin: format!("{} UID {}", self.work.folder.source, message.uid),
                raw: message.raw,
                internal_date: Some(message.internal_date),
                internal_date_offset: message.internal_date_offset,
                flags: message.flags,
            });
            if self.batch.is_full() {
                return self.flush().await;
            }
        }
        self.reporter.send_if_due().await
    }

    fn failed(&mut self, uid: u32, reason: &str) {
        self.reporter.counters.messages_failed += 1;
        self.reporter
            .error(format!("{} UID {uid}: {reason}", self.work.folder.source));
        self.done += 1;
    }

    /// Appends the batch, advances the checkpoint and reports.
    async fn flush(&mut self) -> Result<(), Interrupt> {
        let messages = self.batch.take();
        if messages.is_empty() {
            return Ok(());
        }
        let outcomes = self
            .target
            .append_isolating(&self.folder, messages)
            .await
            .map_err(|error| Interrupt::Transient(format!("{error:#}")))?;
        let batched = std::mem::take(&mut self.batch_uids);
        for ((uid, size), outcome) in batched.into_iter().zip(outcomes) {
            match outcome {
                Ok(()) => {
                    self.uids.stored(uid);
                    self.reporter.counters.messages_imported += 1;
                    self.reporter.counters.bytes_imported += size;
                    self.done += 1;
                }
                Err(reason) => self.failed(uid, &reason),
            }
        }
        let progress = self.work.progress(self.uids.last_uid(), self.done, false);
        self.reporter.folder(progress);
        self.reporter.send().await
    }
}
