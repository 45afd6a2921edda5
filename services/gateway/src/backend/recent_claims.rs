//! [`RecentClaims`]: claims `\Recent` once per mailbox per pod (issue 4
//! item 1) instead of once per session. RFC 3501 §2.3.2 gives a new message
//! `\Recent` in exactly one session; before this, every session of the pod
//! that saw an APPEND sent its own `ClaimRecent` (a metadata write under the
//! mailbox lock), so 1,000 idlers cost 1,000 serialized writes per message.
//!
//! Concurrent claims of one (account, mailbox) share one RPC. The caller
//! that opens a claim receives the claimed UIDs; every caller that joins it
//! gets an empty set at once, without waiting: the messages it asked about
//! are claimed by the opener's RPC, so they are `\Recent` in one session
//! of this pod and in none other.
//!
//! Invariant (why a joiner's messages are covered): a caller claims only
//! messages it has already seen committed, so it may join a claim whose RPC
//! is not sent yet, or, when it answers a bus notification
//! ([`super::answering_event`]), one sent after that notification reached
//! the pod (events are published after commit). Any other caller opens a
//! new claim. The RPC runs in its own task, so an opener that goes away
//! cannot leave a joined claim unsent (its UIDs are then `\Recent` nowhere,
//! as when a session ends after claiming). A failed RPC claims nothing: the
//! messages stay unclaimed in the metadata service for the next claim.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::future::BoxFuture;
use mailkeep_common::{AccountId, ErrorCode, MailboxId, UidSet};
use mailkeep_gateway_core::backend::{BackendError, BackendResult};
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::coalesce::notified_at;

/// How long a sent claim stays joinable for notified callers: the sessions
/// woken by one event on a busy pod run one after another.
const JOIN_WINDOW: Duration = Duration::from_secs(2);

type ClaimKey = (AccountId, MailboxId);

/// The latest claim of one (account, mailbox).
#[derive(Debug)]
struct Claim {
    /// Identifies this claim among the table's successive ones.
    serial: u64,
    /// When its RPC went out; `None` while it waits for the scheduler to
    /// run the sessions woken with its opener.
    sent_at: Option<Instant>,
}

impl Claim {
    fn admits(&self, notified_at: Option<Instant>) -> bool {
        match (self.sent_at, notified_at) {
            (None, _) => true,
            (Some(sent_at), Some(notified_at)) => sent_at >= notified_at,
            (Some(_), None) => false,
        }
    }
}

#[derive(Debug, Default)]
struct Table {
    claims: HashMap<ClaimKey, Claim>,
    next_serial: u64,
}

/// The pod's single-flight table of `\Recent` claims.
#[derive(Debug, Default)]
pub(crate) struct RecentClaims {
    table: Arc<Mutex<Table>>,
}

impl RecentClaims {
    /// The UIDs of `mailbox` that become `\Recent` for this caller: those
    /// `claim` returns when this caller opens the claim, none when it joins
    /// one already covering what it saw.
    pub(crate) async fn claim<Q>(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        claim: Q,
    ) -> BackendResult<UidSet>
    where
        Q: FnOnce() -> BoxFuture<'static, BackendResult<UidSet>> + Send + 'static,
    {
        let key = (account, mailbox);
        let notified_at = notified_at();
        let serial = {
            let mut table = lock(&self.table);
            if table
                .claims
                .get(&key)
                .is_some_and(|open| open.admits(notified_at))
            {
                metrics::counter!("mailkeep_gateway_recent_claims_joined_total").increment(1);
                return Ok(UidSet::new());
            }
            let serial = table.next_serial;
            table.next_serial += 1;
            let opened = Claim {
                serial,
                sent_at: None,
            };
            table.claims.insert(key, opened);
            serial
        };
        let (answer, claimed) = oneshot::channel();
        tokio::spawn(send_claim(
            Arc::clone(&self.table),
            key,
            serial,
            claim,
            answer,
        ));
        claimed
            .await
            .map_err(|_| BackendError::new(ErrorCode::Unavailable, "recent claim abandoned"))?
    }
}

fn lock(table: &Mutex<Table>) -> MutexGuard<'_, Table> {
    // Every update is a single insert, remove or field step.
    table.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Lets the sessions woken with the opener join, sends the RPC, answers
/// the opener, keeps the claim joinable for late notified callers, then
/// retires it.
async fn send_claim<Q>(
    table: Arc<Mutex<Table>>,
    key: ClaimKey,
    serial: u64,
    claim: Q,
    answer: oneshot::Sender<BackendResult<UidSet>>,
) where
    Q: FnOnce() -> BoxFuture<'static, BackendResult<UidSet>>,
{
    tokio::task::yield_now().await;
    let is_this = |open: &Claim| open.serial == serial;
    if let Some(open) = lock(&table)
        .claims
        .get_mut(&key)
        .filter(|open| is_this(open))
    {
        open.sent_at = Some(Instant::now());
    }
    metrics::counter!("mailkeep_gateway_recent_claims_total").increment(1);
    let _ = answer.send(claim().await);
    tokio::time::sleep(JOIN_WINDOW).await;
    let mut table = lock(&table);
    if table.claims.get(&key).is_some_and(is_this) {
        table.claims.remove(&key);
    }
}

#[cfg(test)]
mod tests;
