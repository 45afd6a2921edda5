//! The coalescer shares one RPC among concurrent callers, never hands a
//! caller an RPC sent before it asked, and filters each answer to the
//! caller's own `since`; the decorator answers like the backend it wraps.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use mailkeep_common::mail::FlagUpdate;
use mailkeep_common::{AccountId, ErrorCode, MailboxId, ModSeq, Uid, UidSet};
use mailkeep_gateway_core::backend::{BackendError, BackendResult, Changes, Flags, MailBackend};
use mailkeep_gateway_core::testing::MemoryBackend;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::{ChangesCoalescer, CoalescingBackend, answering_event};

const HIGHEST: u64 = 60;

/// One flag update per MODSEQ 1..=HIGHEST (UID = MODSEQ), UID 99 expunged.
fn all_changes(since: ModSeq) -> Changes {
    Changes {
        highest_modseq: ModSeq::new(HIGHEST),
        uid_next: 100,
        changed: (since.get() + 1..=HIGHEST)
            .map(|modseq| FlagUpdate {
                uid: Uid::new(u32::try_from(modseq).unwrap()).unwrap(),
                modseq: ModSeq::new(modseq),
                flags: Flags::default(),
            })
            .collect(),
        expunged: UidSet::from_ranges([(99, 99)]),
    }
}

/// A query that counts its calls and answers like the metadata service.
fn counted(
    calls: &Arc<AtomicUsize>,
) -> impl FnOnce(ModSeq) -> BoxFuture<'static, BackendResult<Changes>> + use<> {
    let calls = Arc::clone(calls);
    move |since| {
        Box::pin(async move {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(all_changes(since))
        })
    }
}

async fn concurrent_sessions_share_one_rpc() {
    const SESSIONS: u64 = 50;
    let coalescer = Arc::new(ChangesCoalescer::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let (account, mailbox) = (AccountId::from_u128(1), MailboxId::from_u128(2));
    let sessions: Vec<_> = (0..SESSIONS)
        .map(|session| {
            let coalescer = Arc::clone(&coalescer);
            let query = counted(&calls);
            // Every session has seen a different MODSEQ.
            let since = ModSeq::new(session);
            tokio::spawn(async move {
                (
                    since,
                    coalescer
                        .changes(account, mailbox, since, move || query)
                        .await,
                )
            })
        })
        .collect();
    for session in sessions {
        let (since, answer) = session.await.unwrap();
        assert_eq!(answer.unwrap(), all_changes(since), "view since {since}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one rpc for all sessions");
}

#[tokio::test]
async fn concurrent_sessions_share_one_rpc_on_one_thread() {
    concurrent_sessions_share_one_rpc().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_share_one_rpc_on_two_threads() {
    concurrent_sessions_share_one_rpc().await;
}

const ACCOUNT: AccountId = AccountId::from_u128(1);
const MAILBOX: MailboxId = MailboxId::from_u128(2);

/// A first caller whose RPC has been sent and is held open until the
/// returned `Notify` is notified; its query answers since 0.
async fn held_rpc(
    coalescer: &Arc<ChangesCoalescer>,
) -> (JoinHandle<BackendResult<Changes>>, Arc<Notify>) {
    let (sent, was_sent) = oneshot::channel();
    let release = Arc::new(Notify::new());
    let held = Arc::clone(&release);
    let slow_query = move |since: ModSeq| -> BoxFuture<'static, BackendResult<Changes>> {
        Box::pin(async move {
            let _ = sent.send(());
            held.notified().await;
            Ok(all_changes(since))
        })
    };
    let coalescer = Arc::clone(coalescer);
    let first = tokio::spawn(async move {
        coalescer
            .changes(ACCOUNT, MAILBOX, ModSeq::new(0), move || slow_query)
            .await
    });
    was_sent.await.unwrap();
    (first, release)
}

#[tokio::test]
async fn a_caller_never_joins_an_rpc_already_sent() {
    let coalescer = Arc::new(ChangesCoalescer::default());
    let (first, release) = held_rpc(&coalescer).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let second = coalescer
        .changes(ACCOUNT, MAILBOX, ModSeq::new(0), || counted(&calls))
        .await
        .unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "a fresh rpc for the late caller"
    );
    assert_eq!(second, all_changes(ModSeq::new(0)));
    release.notify_one();
    assert_eq!(first.await.unwrap().unwrap(), all_changes(ModSeq::new(0)));
}

/// A caller answering a notification (that arrived before or after the
/// held RPC was sent) asks while that RPC is in flight: how many new RPCs
/// it caused.
async fn rpcs_for_a_notified_caller(notified_before_send: bool) -> usize {
    let coalescer = Arc::new(ChangesCoalescer::default());
    let early = Instant::now();
    let (first, release) = held_rpc(&coalescer).await;
    let notified_at = if notified_before_send {
        early
    } else {
        Instant::now()
    };
    let calls = Arc::new(AtomicUsize::new(0));
    let query = counted(&calls);
    let second = {
        let coalescer = Arc::clone(&coalescer);
        tokio::spawn(answering_event(notified_at, async move {
            coalescer
                .changes(ACCOUNT, MAILBOX, ModSeq::new(5), move || query)
                .await
        }))
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    release.notify_one();
    assert_eq!(second.await.unwrap().unwrap(), all_changes(ModSeq::new(5)));
    assert_eq!(first.await.unwrap().unwrap(), all_changes(ModSeq::new(0)));
    calls.load(Ordering::SeqCst)
}

#[tokio::test]
async fn a_notified_caller_shares_an_rpc_sent_after_its_notification() {
    assert_eq!(rpcs_for_a_notified_caller(true).await, 0);
}

#[tokio::test]
async fn a_notified_caller_never_shares_an_rpc_sent_before_its_notification() {
    assert_eq!(rpcs_for_a_notified_caller(false).await, 1);
}

#[tokio::test]
async fn mailboxes_and_accounts_are_queried_apart() {
    let coalescer = Arc::new(ChangesCoalescer::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let keys = [(1, 1), (1, 2), (2, 1)];
    let tasks: Vec<_> = keys
        .iter()
        .map(|&(account, mailbox)| {
            let coalescer = Arc::clone(&coalescer);
            let query = counted(&calls);
            tokio::spawn(async move {
                coalescer
                    .changes(
                        AccountId::from_u128(account),
                        MailboxId::from_u128(mailbox),
                        ModSeq::new(0),
                        move || query,
                    )
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), keys.len());
}

#[tokio::test]
async fn a_failed_rpc_fails_every_member() {
    let coalescer = Arc::new(ChangesCoalescer::default());
    let (account, mailbox) = (AccountId::from_u128(1), MailboxId::from_u128(2));
    let failing = |_since: ModSeq| -> BoxFuture<'static, BackendResult<Changes>> {
        Box::pin(async { Err(BackendError::new(ErrorCode::Unavailable, "down")) })
    };
    let members: Vec<_> = (0..3)
        .map(|_| {
            let coalescer = Arc::clone(&coalescer);
            tokio::spawn(async move {
                coalescer
                    .changes(account, mailbox, ModSeq::new(0), || failing)
                    .await
            })
        })
        .collect();
    for member in members {
        let error = member.await.unwrap().unwrap_err();
        assert_eq!(error.code, ErrorCode::Unavailable);
    }
}

#[tokio::test]
async fn the_decorator_answers_like_the_backend_it_wraps() {
    let memory = Arc::new(MemoryBackend::new());
    let who = memory.add_account("carol@example.test", "pw");
    memory
        .deliver(
            &who,
            "INBOX",
            b"Subject: hi\r\n\r\nbody\r\n",
            Flags::default(),
            0,
        )
        .unwrap();
    let decorated = CoalescingBackend::new(memory.clone());
    let inbox = decorated
        .select_mailbox(&who, "INBOX", true)
        .await
        .unwrap()
        .mailbox
        .id;
    let since = ModSeq::new(0);
    assert_eq!(
        decorated.changes(&who, inbox, since).await.unwrap(),
        memory.changes(&who, inbox, since).await.unwrap()
    );
}

/// Sessions woken by one notification share one RPC although the batch
/// is sent as soon as the first of them opens it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_answering_one_notification_share_one_rpc() {
    const SESSIONS: usize = 50;
    let coalescer = Arc::new(ChangesCoalescer::default());
    let calls = Arc::new(AtomicUsize::new(0));
    let notified_at = Instant::now();
    let since = ModSeq::new(7);
    let sessions: Vec<_> = (0..SESSIONS)
        .map(|_| {
            let coalescer = Arc::clone(&coalescer);
            let query = counted(&calls);
            tokio::spawn(answering_event(notified_at, async move {
                coalescer
                    .changes(ACCOUNT, MAILBOX, since, move || query)
                    .await
            }))
        })
        .collect();
    for session in sessions {
        assert_eq!(session.await.unwrap().unwrap(), all_changes(since));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one rpc for all sessions");
}
