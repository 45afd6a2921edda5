//! One claim RPC per burst of sessions, its UIDs handed to exactly one of
//! them; a caller never relies on a claim sent before it could have seen
//! the message.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::future::BoxFuture;
use mailkeep_common::{AccountId, MailboxId, UidSet};
use mailkeep_gateway_core::backend::BackendResult;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::RecentClaims;
use crate::backend::answering_event;

const ACCOUNT: AccountId = AccountId::from_u128(1);
const MAILBOX: MailboxId = MailboxId::from_u128(2);

fn claimed_uids() -> UidSet {
    UidSet::from_ranges([(7, 9)])
}

/// A claim RPC that counts its calls and claims UIDs 7..9.
fn counted(
    calls: &Arc<AtomicUsize>,
) -> impl FnOnce() -> BoxFuture<'static, BackendResult<UidSet>> + Send + use<> {
    let calls = Arc::clone(calls);
    move || {
        Box::pin(async move {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(claimed_uids())
        })
    }
}

/// The sessions woken by one notification all claim the new message.
async fn a_burst_of_sessions_claims_once() {
    const SESSIONS: usize = 200;
    let claims = Arc::new(RecentClaims::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let notified_at = Instant::now();
    let sessions: Vec<_> = (0..SESSIONS)
        .map(|_| {
            let (claims, claim) = (Arc::clone(&claims), counted(&calls));
            let work = async move { claims.claim(ACCOUNT, MAILBOX, claim).await };
            tokio::spawn(answering_event(notified_at, work))
        })
        .collect();
    let mut handed = Vec::new();
    for session in sessions {
        let claimed = session.await.unwrap().unwrap();
        if !claimed.is_empty() {
            handed.push(claimed);
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one rpc for the burst");
    assert_eq!(
        handed,
        vec![claimed_uids()],
        "exactly one session gets them"
    );
}

#[tokio::test]
async fn a_burst_of_sessions_claims_once_on_one_thread() {
    a_burst_of_sessions_claims_once().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_sessions_claims_once_on_two_threads() {
    a_burst_of_sessions_claims_once().await;
}

/// An opener whose RPC is sent and held until the `Notify` fires.
async fn held_claim(
    claims: &Arc<RecentClaims>,
) -> (JoinHandle<BackendResult<UidSet>>, Arc<Notify>) {
    let (sent, was_sent) = oneshot::channel();
    let release = Arc::new(Notify::new());
    let held = Arc::clone(&release);
    let slow_claim = move || -> BoxFuture<'static, BackendResult<UidSet>> {
        Box::pin(async move {
            let _ = sent.send(());
            held.notified().await;
            Ok(claimed_uids())
        })
    };
    let claims_for_opener = Arc::clone(claims);
    let opener =
        tokio::spawn(async move { claims_for_opener.claim(ACCOUNT, MAILBOX, slow_claim).await });
    was_sent.await.unwrap();
    (opener, release)
}

/// How many RPCs a second caller causes while a sent claim is in flight,
/// when it answers a notification that arrived before the claim was sent
/// (or none), and what it was handed.
async fn second_caller(notified_before_send: bool) -> (usize, UidSet) {
    let claims = Arc::new(RecentClaims::default());
    let early = Instant::now();
    let (opener, release) = held_claim(&claims).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let claim = claims.claim(ACCOUNT, MAILBOX, counted(&calls));
    let second = if notified_before_send {
        answering_event(early, claim).await
    } else {
        claim.await
    };
    release.notify_one();
    assert_eq!(opener.await.unwrap().unwrap(), claimed_uids());
    (calls.load(Ordering::SeqCst), second.unwrap())
}

#[tokio::test]
async fn a_caller_notified_before_the_rpc_joins_it() {
    let (calls, handed) = second_caller(true).await;
    assert_eq!(calls, 0);
    assert!(handed.is_empty(), "the opener holds the claimed uids");
}

#[tokio::test]
async fn a_caller_without_a_notification_opens_its_own_claim() {
    let (calls, handed) = second_caller(false).await;
    assert_eq!(calls, 1, "a sent claim may predate what it saw");
    assert_eq!(handed, claimed_uids());
}

#[tokio::test]
async fn a_caller_notified_after_the_rpc_opens_its_own_claim() {
    let claims = Arc::new(RecentClaims::default());
    let (opener, release) = held_claim(&claims).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let late = claims.claim(ACCOUNT, MAILBOX, counted(&calls));
    let second = answering_event(Instant::now(), late).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(second, claimed_uids());
    release.notify_one();
    opener.await.unwrap().unwrap();
}

#[tokio::test]
async fn mailboxes_are_claimed_apart() {
    let claims = RecentClaims::default();
    let calls = Arc::new(AtomicUsize::new(0));
    let other = MailboxId::from_u128(3);
    let (first, second) = tokio::join!(
        claims.claim(ACCOUNT, MAILBOX, counted(&calls)),
        claims.claim(ACCOUNT, other, counted(&calls)),
    );
    assert_eq!(first.unwrap(), claimed_uids());
    assert_eq!(second.unwrap(), claimed_uids());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
