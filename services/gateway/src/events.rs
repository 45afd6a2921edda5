//! Routed fan-out of change events on one gateway pod (issue 4 item 2):
//! [`AccountEvents`] holds at most one bus subscription per account, taken
//! when the account's first local session authenticates and dropped when
//! its last one ends, and turns each notification (a change, or `Missed`)
//! into a wake-up of every local session of that account.
//!
//! Before it wakes the sessions for a change of a mailbox that some of
//! them have selected, the feed sends the pod's changes query for it
//! ([`Prefetch`]): each woken session then finds the answer waiting in the
//! [`CoalescingBackend`](crate::CoalescingBackend) and runs once, instead
//! of once to join the query and once more to read its answer.
//!
//! Invariants: an account has a live [`Feed`] exactly while a session holds
//! an [`AccountWatch`] for it; the feed's forwarding task owns the bus
//! subscription and is aborted when the feed is dropped, which ends the
//! subscription. A session is counted in the feed's selections exactly
//! while its watch names the mailbox it has selected.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, Weak};
use std::time::Duration;

use mailkeep_bus::{BusError, ChangeBus, ChangeEvent, ChangeKind, Notification};
use mailkeep_common::{AccountId, MailboxId, ModSeq};
use mailkeep_gateway_core::backend::{MailBackend, Principal};
use tokio::sync::{Mutex, watch};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::backend::answering_event;

/// The per-pod registry of account subscriptions.
#[derive(Debug)]
pub struct AccountEvents {
    bus: Arc<dyn ChangeBus>,
    feeds: Mutex<HashMap<AccountId, Weak<Feed>>>,
}

/// One account's subscription, shared by its local sessions.
#[derive(Debug)]
struct Feed {
    /// When the latest notification arrived; sessions wait for it to change.
    wakeups: watch::Receiver<Instant>,
    selections: Arc<Selections>,
    forwarder: AbortHandle,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.forwarder.abort();
    }
}

/// How many local sessions of the account have each mailbox selected.
#[derive(Debug, Default)]
struct Selections(std::sync::Mutex<HashMap<MailboxId, usize>>);

impl Selections {
    fn change(&self, from: Option<MailboxId>, to: Option<MailboxId>) {
        let mut counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(from) = from
            && let Some(count) = counts.get_mut(&from)
        {
            *count -= 1;
            if *count == 0 {
                counts.remove(&from);
            }
        }
        if let Some(to) = to {
            *counts.entry(to).or_default() += 1;
        }
    }

    fn contains(&self, mailbox: MailboxId) -> bool {
        let counts = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        counts.contains_key(&mailbox)
    }
}

/// A session's membership in its account's feed; dropping the last one
/// unsubscribes the pod from the account.
#[derive(Debug)]
pub struct AccountWatch {
    wakeups: watch::Receiver<Instant>,
    selected: Option<MailboxId>,
    feed: Arc<Feed>,
}

impl AccountWatch {
    /// Completes at the next notification of the account (at once if one
    /// arrived since the last call) with the instant it arrived on the pod:
    /// any changes query sent after it sees the change it announces.
    pub async fn notified(&mut self) -> Instant {
        if self.wakeups.changed().await.is_err() {
            // The forwarder is gone only when the feed is; cannot happen
            // while this watch holds it, so wait like a quiet account.
            std::future::pending::<()>().await;
        }
        *self.wakeups.borrow_and_update()
    }

    /// Tells the feed which mailbox the session has selected now, so that
    /// the feed prefetches its changes.
    pub fn set_selected(&mut self, mailbox: Option<MailboxId>) {
        if mailbox != self.selected {
            self.feed.selections.change(self.selected, mailbox);
            self.selected = mailbox;
        }
    }
}

impl Drop for AccountWatch {
    fn drop(&mut self) {
        self.set_selected(None);
    }
}

impl AccountEvents {
    pub fn new(bus: Arc<dyn ChangeBus>) -> Arc<Self> {
        Arc::new(Self {
            bus,
            feeds: Mutex::new(HashMap::new()),
        })
    }

    /// Joins the feed of `who`'s account, subscribing the pod when it is the
    /// first local session of the account; the feed prefetches through
    /// `backend`.
    pub async fn watch(
        &self,
        who: &Principal,
        backend: &Arc<dyn MailBackend>,
    ) -> Result<AccountWatch, BusError> {
        let account = who.account_id;
        let mut feeds = self.feeds.lock().await;
        if let Some(feed) = feeds.get(&account).and_then(Weak::upgrade) {
            let mut wakeups = feed.wakeups.clone();
            wakeups.mark_unchanged();
            return Ok(AccountWatch {
                wakeups,
                selected: None,
                feed,
            });
        }
        feeds.retain(|_, feed| feed.strong_count() > 0);
        let mut subscription = self.bus.subscribe(account).await?;
        let (sender, wakeups) = watch::channel(Instant::now());
        let selections = Arc::new(Selections::default());
        let mut prefetch = Prefetch {
            backend: Arc::clone(backend),
            who: who.clone(),
            selections: Arc::clone(&selections),
            reached: HashMap::new(),
        };
        let forwarder = tokio::spawn(async move {
            loop {
                // A change and a `Missed` both mean: ask for changes now.
                let notification = subscription.recv().await;
                let arrived = Instant::now();
                if let Notification::Change(event) = notification {
                    prefetch.changes_of(&event, arrived).await;
                }
                sender.send_replace(arrived);
            }
        })
        .abort_handle();
        tracing::debug!(account = %account, "subscribed to account events");
        let feed = Arc::new(Feed {
            wakeups: wakeups.clone(),
            selections,
            forwarder,
        });
        feeds.insert(account, Arc::downgrade(&feed));
        Ok(AccountWatch {
            wakeups,
            selected: None,
            feed,
        })
    }

    /// `true` while the bus delivers events (see
    /// [`ChangeBus::connection_state`]).
    pub fn connection_state(&self) -> watch::Receiver<bool> {
        self.bus.connection_state()
    }

    /// Whether the pod holds a subscription for `account`.
    pub async fn is_subscribed(&self, account: AccountId) -> bool {
        let feeds = self.feeds.lock().await;
        feeds
            .get(&account)
            .is_some_and(|feed| feed.strong_count() > 0)
    }

    /// How many accounts the pod is subscribed to.
    pub async fn subscriptions(&self) -> usize {
        let feeds = self.feeds.lock().await;
        feeds
            .values()
            .filter(|feed| feed.strong_count() > 0)
            .count()
    }
}

/// How long the feed waits for its changes query before it wakes the
/// sessions anyway: a slow metadata service must not hold back the wake-ups
/// of the account's other mailboxes (the sessions then ask themselves).
const PREFETCH_WAIT: Duration = Duration::from_millis(200);

/// The feed's changes query ahead of the wake-up. It asks for the changes
/// since the MODSEQ the previous event of the mailbox announced: a session
/// that has answered that event asks for no older changes, so it may take
/// this answer (the coalescer admits it: sent after the notification, not
/// older than its own MODSEQ). A session further behind sends its own
/// query, as without the prefetch.
struct Prefetch {
    backend: Arc<dyn MailBackend>,
    who: Principal,
    selections: Arc<Selections>,
    /// The MODSEQ the latest event of each selected mailbox announced.
    reached: HashMap<MailboxId, ModSeq>,
}

impl Prefetch {
    /// Sends and awaits the changes query `event` calls for, when a local
    /// session has its mailbox selected and the previous MODSEQ is known.
    /// A failed query is left to the sessions, which each ask again.
    async fn changes_of(&mut self, event: &ChangeEvent, arrived: Instant) {
        // Only message events carry the mailbox's MODSEQ.
        if !matches!(
            event.kind,
            ChangeKind::Appended | ChangeKind::FlagsChanged | ChangeKind::Expunged
        ) {
            return;
        }
        let mailbox = event.mailbox_id;
        if !self.selections.contains(mailbox) {
            // Only selected mailboxes are tracked, which bounds the map.
            self.reached.remove(&mailbox);
            return;
        }
        let previous = self.reached.get(&mailbox).copied();
        if previous.is_some_and(|reached| reached >= event.modseq) {
            return; // overtaken by a newer event
        }
        self.reached.insert(mailbox, event.modseq);
        // The first event since the mailbox was selected only teaches the mark.
        let Some(since) = previous else {
            return;
        };
        let query = answering_event(arrived, self.backend.changes(&self.who, mailbox, since));
        match tokio::time::timeout(PREFETCH_WAIT, query).await {
            Ok(Ok(_)) => {}
            Ok(Err(error)) => {
                tracing::debug!(mailbox = %mailbox, error = %error.message, "changes prefetch failed");
            }
            Err(_) => tracing::debug!(mailbox = %mailbox, "changes prefetch too slow"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use mailkeep_bus::LocalBus;
    use mailkeep_common::ErrorCode;
    use mailkeep_gateway_core::backend::{BackendResult, Changes, Flags};
    use mailkeep_gateway_core::testing::MemoryBackend;

    use crate::CoalescingBackend;

    const WAIT: Duration = Duration::from_secs(2);

    fn change(who: &Principal, mailbox: MailboxId, modseq: ModSeq) -> ChangeEvent {
        ChangeEvent {
            account_id: who.account_id,
            mailbox_id: mailbox,
            modseq,
            kind: ChangeKind::Appended,
        }
    }

    /// A pod's events registry over a coalescing memory backend.
    struct Pod {
        bus: Arc<LocalBus>,
        events: Arc<AccountEvents>,
        memory: Arc<MemoryBackend>,
        backend: Arc<dyn MailBackend>,
    }

    impl Pod {
        fn new() -> Self {
            let bus = Arc::new(LocalBus::new());
            let memory = Arc::new(MemoryBackend::new());
            Self {
                events: AccountEvents::new(bus.clone()),
                bus,
                backend: Arc::new(CoalescingBackend::new(memory.clone())),
                memory,
            }
        }

        async fn watch(&self, who: &Principal) -> AccountWatch {
            self.events.watch(who, &self.backend).await.unwrap()
        }

        async fn inbox(&self, who: &Principal) -> (MailboxId, ModSeq) {
            let selected = self.backend.select_mailbox(who, "INBOX", true).await;
            let mailbox = selected.unwrap().mailbox;
            (mailbox.id, mailbox.highest_modseq)
        }

        /// A new account's session on the pod with its INBOX selected.
        async fn session_in_inbox(&self, address: &str) -> (Principal, AccountWatch, MailboxId) {
            let who = self.memory.add_account(address, "pw");
            let mut watch = self.watch(&who).await;
            let (inbox, _) = self.inbox(&who).await;
            watch.set_selected(Some(inbox));
            (who, watch, inbox)
        }

        /// Delivers to INBOX, publishes the change twice over (the first
        /// event teaches the feed the MODSEQ sessions have reached), and
        /// then, once `watch` is woken and the backend has gone away, asks
        /// for the changes as a woken session would.
        async fn changes_after_wakeup(
            &self,
            who: &Principal,
            watch: &mut AccountWatch,
        ) -> BackendResult<Changes> {
            let (inbox, reached) = self.inbox(who).await;
            self.bus.publish(change(who, inbox, reached)).await.unwrap();
            tokio::time::timeout(WAIT, watch.notified()).await.unwrap();
            let message = b"Subject: hi\r\n\r\nbody\r\n";
            let flags = Flags::default();
            self.memory
                .deliver(who, "INBOX", message, flags, 0)
                .unwrap();
            let (_, highest) = self.inbox(who).await;
            self.bus.publish(change(who, inbox, highest)).await.unwrap();
            let arrived = tokio::time::timeout(WAIT, watch.notified()).await.unwrap();
            self.memory.set_unavailable(true);
            answering_event(arrived, self.backend.changes(who, inbox, reached)).await
        }
    }

    #[tokio::test]
    async fn every_local_session_of_the_account_is_woken() {
        let pod = Pod::new();
        let alice = pod.memory.add_account("alice@example.test", "pw");
        let bob = pod.memory.add_account("bob@example.test", "pw");
        let mut first = pod.watch(&alice).await;
        let mut second = pod.watch(&alice).await;
        let mut other = pod.watch(&bob).await;
        assert_eq!(pod.events.subscriptions().await, 2);
        let event = change(&alice, MailboxId::from_u128(1), ModSeq::new(2));
        pod.bus.publish(event).await.unwrap();
        tokio::time::timeout(WAIT, first.notified()).await.unwrap();
        tokio::time::timeout(WAIT, second.notified()).await.unwrap();
        let quiet = tokio::time::timeout(Duration::from_millis(100), other.notified()).await;
        assert!(quiet.is_err(), "bob was woken by alice's event");
    }

    /// Woken for a change of a mailbox a local session has selected, a
    /// session finds the changes fetched already: it is answered although
    /// the backend went away after the wakeup.
    #[tokio::test]
    async fn changes_of_a_selected_mailbox_are_fetched_before_the_wakeup() {
        let pod = Pod::new();
        let (dora, mut watch, _) = pod.session_in_inbox("dora@example.test").await;
        let changes = pod.changes_after_wakeup(&dora, &mut watch).await.unwrap();
        assert_eq!(changes.uid_next, 2, "{changes:?}");
        assert_eq!(changes.changed.len(), 1, "{changes:?}");
    }

    /// A METADATA event carries the account's METADATA counter, not the
    /// mailbox's MODSEQ: it neither prefetches nor moves the feed's mark.
    #[tokio::test]
    async fn a_metadata_event_leaves_the_prefetch_of_the_mailbox_alone() {
        let pod = Pod::new();
        let (gina, mut watch, inbox) = pod.session_in_inbox("gina@example.test").await;
        let counter = ChangeEvent {
            kind: ChangeKind::MetadataChanged,
            ..change(&gina, inbox, ModSeq::new(1_000))
        };
        pod.bus.publish(counter).await.unwrap();
        tokio::time::timeout(WAIT, watch.notified()).await.unwrap();
        let changes = pod.changes_after_wakeup(&gina, &mut watch).await.unwrap();
        assert_eq!(changes.changed.len(), 1, "{changes:?}");
    }

    /// No local session has the mailbox selected (any more): nothing is
    /// fetched ahead, and a woken caller asks the backend itself.
    #[tokio::test]
    async fn changes_of_an_unselected_mailbox_are_not_fetched_ahead() {
        let pod = Pod::new();
        let (erin, mut watch, _) = pod.session_in_inbox("erin@example.test").await;
        watch.set_selected(None);
        let error = pod
            .changes_after_wakeup(&erin, &mut watch)
            .await
            .unwrap_err();
        assert_eq!(error.code, ErrorCode::Unavailable);
    }

    #[tokio::test]
    async fn the_last_session_ends_the_subscription() {
        let pod = Pod::new();
        let frank = pod.memory.add_account("frank@example.test", "pw");
        let first = pod.watch(&frank).await;
        let second = pod.watch(&frank).await;
        drop(first);
        assert!(pod.events.is_subscribed(frank.account_id).await);
        drop(second);
        assert!(!pod.events.is_subscribed(frank.account_id).await);
        assert_eq!(pod.events.subscriptions().await, 0);
    }
}
