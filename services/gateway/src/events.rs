//! Routed fan-out of change events on one gateway pod (issue 4 item 2):
//! [`AccountEvents`] holds at most one bus subscription per account, taken
//! when the account's first local session authenticates and dropped when
//! its last one ends, and turns each notification (a change, or `Missed`)
//! into a wake-up of every local session of that account.
//!
//! Invariants: an account has a live [`Feed`] exactly while a session holds
//! an [`AccountWatch`] for it; the feed's forwarding task owns the bus
//! subscription and is aborted when the feed is dropped, which ends the
//! subscription.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use mailkeep_bus::{BusError, ChangeBus};
use mailkeep_common::AccountId;
use tokio::sync::{Mutex, watch};
use tokio::task::AbortHandle;

/// The per-pod registry of account subscriptions.
#[derive(Debug)]
pub struct AccountEvents {
    bus: Arc<dyn ChangeBus>,
    feeds: Mutex<HashMap<AccountId, Weak<Feed>>>,
}

/// One account's subscription, shared by its local sessions.
#[derive(Debug)]
struct Feed {
    /// Counts notifications; sessions wait for it to change.
    wakeups: watch::Receiver<u64>,
    forwarder: AbortHandle,
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.forwarder.abort();
    }
}

/// A session's membership in its account's feed; dropping the last one
/// unsubscribes the pod from the account.
#[derive(Debug)]
pub struct AccountWatch {
    wakeups: watch::Receiver<u64>,
    _feed: Arc<Feed>,
}

impl AccountWatch {
    /// Completes at the next notification of the account (at once if one
    /// arrived since the last call).
    pub async fn notified(&mut self) {
        if self.wakeups.changed().await.is_err() {
            // The forwarder is gone only when the feed is; cannot happen
            // while this watch holds it, so wait like a quiet account.
            std::future::pending::<()>().await;
        }
    }
}

impl AccountEvents {
    pub fn new(bus: Arc<dyn ChangeBus>) -> Arc<Self> {
        Arc::new(Self {
            bus,
            feeds: Mutex::new(HashMap::new()),
        })
    }

    /// Joins `account`'s feed, subscribing the pod when it is the first
    /// local session of the account.
    pub async fn watch(&self, account: AccountId) -> Result<AccountWatch, BusError> {
        let mut feeds = self.feeds.lock().await;
        if let Some(feed) = feeds.get(&account).and_then(Weak::upgrade) {
            let mut wakeups = feed.wakeups.clone();
            wakeups.mark_unchanged();
            return Ok(AccountWatch {
                wakeups,
                _feed: feed,
            });
        }
        feeds.retain(|_, feed| feed.strong_count() > 0);
        let mut subscription = self.bus.subscribe(account).await?;
        let (sender, wakeups) = watch::channel(0u64);
        let forwarder = tokio::spawn(async move {
            loop {
                // A change and a `Missed` both mean: ask for changes now.
                let _ = subscription.recv().await;
                sender.send_modify(|count| *count = count.wrapping_add(1));
            }
        })
        .abort_handle();
        tracing::debug!(account = %account, "subscribed to account events");
        let feed = Arc::new(Feed {
            wakeups: wakeups.clone(),
            forwarder,
        });
        feeds.insert(account, Arc::downgrade(&feed));
        Ok(AccountWatch {
            wakeups,
            _feed: feed,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use mailkeep_bus::{ChangeEvent, ChangeKind, LocalBus};
    use mailkeep_common::{MailboxId, ModSeq};

    fn event(account: AccountId) -> ChangeEvent {
        ChangeEvent {
            account_id: account,
            mailbox_id: MailboxId::from_u128(1),
            modseq: ModSeq::new(2),
            kind: ChangeKind::Appended,
        }
    }

    #[tokio::test]
    async fn every_local_session_of_the_account_is_woken() {
        let bus = Arc::new(LocalBus::new());
        let events = AccountEvents::new(bus.clone());
        let (alice, bob) = (AccountId::from_u128(1), AccountId::from_u128(2));
        let mut first = events.watch(alice).await.unwrap();
        let mut second = events.watch(alice).await.unwrap();
        let mut other = events.watch(bob).await.unwrap();
        assert_eq!(events.subscriptions().await, 2);
        bus.publish(event(alice)).await.unwrap();
        let wait = Duration::from_secs(2);
        tokio::time::timeout(wait, first.notified()).await.unwrap();
        tokio::time::timeout(wait, second.notified()).await.unwrap();
        let quiet = tokio::time::timeout(Duration::from_millis(100), other.notified()).await;
        assert!(quiet.is_err(), "bob was woken by alice's event");
    }

    #[tokio::test]
    async fn the_last_session_ends_the_subscription() {
        let events = AccountEvents::new(Arc::new(LocalBus::new()));
        let account = AccountId::from_u128(3);
        let first = events.watch(account).await.unwrap();
        let second = events.watch(account).await.unwrap();
        drop(first);
        assert!(events.is_subscribed(account).await);
        drop(second);
        assert!(!events.is_subscribed(account).await);
        assert_eq!(events.subscriptions().await, 0);
    }
}
