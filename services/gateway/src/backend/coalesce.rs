//! [`CoalescingBackend`]: a `MailBackend` decorator that makes the sessions
//! of one account on this pod share one changes query per event (issue 4
//! item 3), instead of sending one each.
//!
//! Concurrent `changes` calls for the same (account, mailbox) share a
//! batch. A batch gathers members until the scheduler has run the sessions
//! woken with the one that opened it (it yields until no new member joins,
//! at most [`MAX_GATHER_ROUNDS`] times), then sends one RPC for the changes
//! since the smallest MODSEQ any member asked for. A caller that answers a
//! bus notification ([`answering_event`]) may also join a batch whose RPC
//! was sent after that notification reached the pod, when it asks for no
//! older changes, in flight or answered moments ago; so a batch opened by
//! such a caller is sent at once, and the sessions woken with it join
//! while its RPC is in flight instead of delaying it. Each member gets the
//! answer filtered to its own `since`.
//!
//! Invariant: a caller never shares an RPC sent before the change it asks
//! about could have committed. Without a notification instant, that means
//! only an unsent batch; with one, an RPC sent after it (the event is
//! published after the commit). The RPC runs in its own task, so a member
//! that goes away cannot strand the others.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use mailkeep_common::{AccountId, BlobId, ErrorCode, MailboxId, ModSeq, UidSet};
use mailkeep_gateway_core::backend::{
    AppendOutcome, BackendError, BackendResult, Changes, CopyOutcome, ExpungeOutcome, Flags,
    MailBackend, MailboxInfo, MailboxStatus, MessageMeta, MetaQuery, MetadataChange,
    MetadataChanges, MetadataEntry, NewMessage, Principal, QuotaUsage, SearchOutcome, SearchQuery,
    SelectedMailbox, StoreOperation, StoreOutcome,
};
use mailkeep_gateway_core::backend::{SortCriterion, SortOutcome, ThreadAlgorithm, ThreadOutcome};
use tokio::sync::watch;
use tokio::time::Instant;

use super::recent_claims::RecentClaims;

/// Bound on the scheduler rounds a batch waits for members, so a steady
/// stream of callers cannot hold its RPC back.
const MAX_GATHER_ROUNDS: usize = 8;
/// How long an answered batch stays in the table for late members (a busy
/// pod runs hundreds of woken sessions one after another); bounds the
/// table to the batches of this window.
const ANSWER_REUSE_WINDOW: Duration = Duration::from_secs(2);

tokio::task_local! {
    /// When the bus notification the current task is answering reached the pod.
    static NOTIFIED_AT: Instant;
}

/// Runs `work` (a session's update poll) as the answer to a notification
/// that reached the pod at `notified_at`, so its changes query may share an
/// RPC already sent after that instant.
pub(crate) async fn answering_event<F: Future>(notified_at: Instant, work: F) -> F::Output {
    NOTIFIED_AT.scope(notified_at, work).await
}

/// When the notification the current task answers reached the pod, if it
/// answers one.
pub(super) fn notified_at() -> Option<Instant> {
    NOTIFIED_AT.try_with(|at| *at).ok()
}

type BatchKey = (AccountId, MailboxId);
type SharedAnswer = Option<BackendResult<Changes>>;

/// The latest batch of one (account, mailbox): gathering, in flight, or
/// answered within the last [`ANSWER_REUSE_WINDOW`].
#[derive(Debug)]
struct Batch {
    /// The smallest `since` of the members; fixed once sent.
    since: ModSeq,
    members: usize,
    /// When its RPC went out; `None` while it gathers members.
    sent_at: Option<Instant>,
    answer: Arc<watch::Sender<SharedAnswer>>,
}

impl Batch {
    /// Whether a caller asking since `since`, answering a notification of
    /// `notified_at` (if any), may take this batch's answer.
    fn admits(&self, since: ModSeq, notified_at: Option<Instant>) -> bool {
        match (self.sent_at, notified_at) {
            (None, _) => true,
            (Some(sent_at), Some(notified_at)) => sent_at >= notified_at && since >= self.since,
            (Some(_), None) => false,
        }
    }
}

type Table = Mutex<HashMap<BatchKey, Batch>>;

/// The single-flight table: at most one current batch per (account, mailbox).
#[derive(Debug, Default)]
pub(crate) struct ChangesCoalescer {
    batches: Arc<Table>,
}

impl ChangesCoalescer {
    /// The changes of `mailbox` since `since`, from a batch shared with the
    /// concurrent callers of the same account and mailbox; `make_query` is
    /// called only when this caller opens a batch, and its query sends the
    /// batch's RPC (a joining caller builds nothing).
    pub(crate) async fn changes<M, Q>(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        since: ModSeq,
        make_query: M,
    ) -> BackendResult<Changes>
    where
        M: FnOnce() -> Q,
        Q: FnOnce(ModSeq) -> BoxFuture<'static, BackendResult<Changes>> + Send + 'static,
    {
        let key = (account, mailbox);
        let notified_at = notified_at();
        let mut answer = {
            let mut batches = lock(&self.batches);
            match batches.get_mut(&key) {
                Some(batch) if batch.admits(since, notified_at) => {
                    if batch.sent_at.is_none() {
                        batch.since = batch.since.min(since);
                    }
                    batch.members += 1;
                    batch.answer.subscribe()
                }
                _ => {
                    let answer = Arc::new(watch::Sender::new(None));
                    let receiver = answer.subscribe();
                    let batch = Batch {
                        since,
                        members: 1,
                        sent_at: None,
                        answer: Arc::clone(&answer),
                    };
                    batches.insert(key, batch);
                    let batches = Arc::clone(&self.batches);
                    // A batch answering a notification goes out at once:
                    // the sessions woken with its opener join it while its
                    // RPC is in flight.
                    let gather = notified_at.is_none();
                    tokio::spawn(send_batch(batches, key, answer, gather, make_query()));
                    receiver
                }
            }
        };
        let shared = answer
            .wait_for(Option::is_some)
            .await
            .map_err(|_| BackendError::new(ErrorCode::Unavailable, "changes query abandoned"))?;
        match shared.as_ref() {
            Some(Ok(changes)) => Ok(view_since(changes, since)),
            Some(Err(error)) => Err(error.clone()),
            None => Err(BackendError::new(
                ErrorCode::Internal,
                "changes answer missing",
            )),
        }
    }
}

fn lock(batches: &Table) -> MutexGuard<'_, HashMap<BatchKey, Batch>> {
    // Every update is a single insert, remove or field step: the table
    // stays consistent.
    batches.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether `batch` is the one that answers through `answer`.
fn is_batch(batch: &Batch, answer: &Arc<watch::Sender<SharedAnswer>>) -> bool {
    Arc::ptr_eq(&batch.answer, answer)
}

/// Gathers the members woken together (when `gather`), closes the batch to
/// members that could need a newer answer, sends its RPC, hands the answer
/// to every member (and, for a while, to later members the batch admits),
/// then retires the batch.
async fn send_batch<Q>(
    batches: Arc<Table>,
    key: BatchKey,
    answer: Arc<watch::Sender<SharedAnswer>>,
    gather: bool,
    query: Q,
) where
    Q: FnOnce(ModSeq) -> BoxFuture<'static, BackendResult<Changes>>,
{
    let members = |batches: &Table| {
        lock(batches)
            .get(&key)
            .filter(|batch| is_batch(batch, &answer))
            .map_or(0, |batch| batch.members)
    };
    let rounds = if gather { MAX_GATHER_ROUNDS } else { 0 };
    for _ in 0..rounds {
        let before = members(&batches);
        tokio::task::yield_now().await;
        if members(&batches) == before {
            break;
        }
    }
    let since = {
        let mut table = lock(&batches);
        match table.get_mut(&key).filter(|batch| is_batch(batch, &answer)) {
            Some(batch) => {
                batch.sent_at = Some(Instant::now());
                batch.since
            }
            // Only this task retires its batch, so it is still there.
            None => return,
        }
    };
    metrics::counter!("mailkeep_gateway_changes_queries_total").increment(1);
    let result = query(since).await;
    answer.send_replace(Some(result));
    // Sessions woken by the same notification may still be on their way.
    tokio::time::sleep(ANSWER_REUSE_WINDOW).await;
    let mut table = lock(&batches);
    if table
        .get(&key)
        .is_some_and(|batch| is_batch(batch, &answer))
    {
        table.remove(&key);
    }
}

/// `changes` as a query since `since` would have answered it: flag changes
/// and new messages after `since` only. Expunged UIDs are kept whole: a UID
/// expunged at or before `since` is in no view that has reached `since`
/// (the session applied the expunge, or never saw the message), and UIDs
/// are never reused, so the extra ones change nothing.
fn view_since(changes: &Changes, since: ModSeq) -> Changes {
    Changes {
        highest_modseq: changes.highest_modseq,
        uid_next: changes.uid_next,
        changed: changes
            .changed
            .iter()
            .filter(|update| update.modseq > since)
            .cloned()
            .collect(),
        expunged: changes.expunged.clone(),
    }
}

/// Passes every call to `inner`, sharing concurrent `changes` queries and
/// `\Recent` claims ([`RecentClaims`]).
pub struct CoalescingBackend {
    inner: Arc<dyn MailBackend>,
    coalescer: ChangesCoalescer,
    recent_claims: RecentClaims,
}

impl CoalescingBackend {
    pub fn new(inner: Arc<dyn MailBackend>) -> Self {
        Self {
            inner,
            coalescer: ChangesCoalescer::default(),
            recent_claims: RecentClaims::default(),
        }
    }
}

#[async_trait]
impl MailBackend for CoalescingBackend {
    async fn changes(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> BackendResult<Changes> {
        let make_query = || {
            let inner = Arc::clone(&self.inner);
            let owner = who.clone();
            move |since: ModSeq| -> BoxFuture<'static, BackendResult<Changes>> {
                Box::pin(async move { inner.changes(&owner, mailbox, since).await })
            }
        };
        self.coalescer
            .changes(who.account_id, mailbox, since, make_query)
            .await
    }

    async fn authenticate(&self, login: &str, password: &str) -> BackendResult<Principal> {
        self.inner.authenticate(login, password).await
    }

    async fn claim_recent(&self, who: &Principal, mailbox: MailboxId) -> BackendResult<UidSet> {
        let inner = Arc::clone(&self.inner);
        let owner = who.clone();
        let claim = move || -> BoxFuture<'static, BackendResult<UidSet>> {
            Box::pin(async move { inner.claim_recent(&owner, mailbox).await })
        };
        self.recent_claims
            .claim(who.account_id, mailbox, claim)
            .await
    }

    async fn list_mailboxes(&self, who: &Principal) -> BackendResult<Vec<MailboxInfo>> {
        self.inner.list_mailboxes(who).await
    }

    async fn create_mailbox(
        &self,
        who: &Principal,
        name: &str,
        special_use: Option<&str>,
    ) -> BackendResult<MailboxInfo> {
        self.inner.create_mailbox(who, name, special_use).await
    }

    async fn delete_mailbox(&self, who: &Principal, name: &str) -> BackendResult<()> {
        self.inner.delete_mailbox(who, name).await
    }

    async fn mailbox_statuses(
        &self,
        who: &Principal,
        names: &[String],
    ) -> BackendResult<Vec<MailboxStatus>> {
        self.inner.mailbox_statuses(who, names).await
    }

    async fn quota(&self, who: &Principal) -> BackendResult<QuotaUsage> {
        self.inner.quota(who).await
    }

    async fn metadata(&self, who: &Principal, mailbox: &str) -> BackendResult<Vec<MetadataEntry>> {
        self.inner.metadata(who, mailbox).await
    }

    async fn set_metadata(
        &self,
        who: &Principal,
        mailbox: &str,
        changes: &[MetadataChange],
    ) -> BackendResult<u64> {
        self.inner.set_metadata(who, mailbox, changes).await
    }

    async fn metadata_changes(
        &self,
        who: &Principal,
        since: Option<u64>,
    ) -> BackendResult<MetadataChanges> {
        self.inner.metadata_changes(who, since).await
    }

    async fn rename_mailbox(&self, who: &Principal, from: &str, to: &str) -> BackendResult<()> {
        self.inner.rename_mailbox(who, from, to).await
    }

    async fn set_subscription(
        &self,
        who: &Principal,
        name: &str,
        subscribed: bool,
    ) -> BackendResult<()> {
        self.inner.set_subscription(who, name, subscribed).await
    }

    async fn list_subscriptions(&self, who: &Principal) -> BackendResult<Vec<String>> {
        self.inner.list_subscriptions(who).await
    }

    async fn mailbox_status(&self, who: &Principal, name: &str) -> BackendResult<MailboxStatus> {
        self.inner.mailbox_status(who, name).await
    }

    async fn select_mailbox(
        &self,
        who: &Principal,
        name: &str,
        read_only: bool,
    ) -> BackendResult<SelectedMailbox> {
        self.inner.select_mailbox(who, name, read_only).await
    }

    async fn append(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> BackendResult<AppendOutcome> {
        self.inner.append(who, mailbox, messages).await
    }

    async fn fetch_meta(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        query: MetaQuery,
    ) -> BackendResult<BoxStream<'static, BackendResult<MessageMeta>>> {
        self.inner.fetch_meta(who, mailbox, uids, query).await
    }

    async fn read_blob(
        &self,
        who: &Principal,
        blob: BlobId,
        offset: u64,
        length: Option<u64>,
    ) -> BackendResult<Vec<u8>> {
        self.inner.read_blob(who, blob, offset, length).await
    }

    async fn store_flags(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        operation: StoreOperation,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> BackendResult<StoreOutcome> {
        self.inner
            .store_flags(who, mailbox, uids, operation, flags, unchanged_since)
            .await
    }

    async fn copy_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome> {
        self.inner.copy_messages(who, from, uids, to).await
    }

    async fn move_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome> {
        self.inner.move_messages(who, from, uids, to).await
    }

    async fn expunge(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
    ) -> BackendResult<ExpungeOutcome> {
        self.inner.expunge(who, mailbox, uids).await
    }

    async fn search(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
    ) -> BackendResult<SearchOutcome> {
        self.inner.search(who, mailbox, query).await
    }

    async fn sort(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        criteria: &[SortCriterion],
    ) -> BackendResult<SortOutcome> {
        self.inner.sort(who, mailbox, query, criteria).await
    }

    async fn thread(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        algorithm: ThreadAlgorithm,
    ) -> BackendResult<ThreadOutcome> {
        self.inner.thread(who, mailbox, query, algorithm).await
    }
}

#[cfg(test)]
mod tests;
