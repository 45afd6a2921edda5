//! The in-process fan-out table both buses share: one broadcast channel per
//! account with local subscribers, and [`Subscription`], whose drop
//! unsubscribes. Invariants: an account has an entry exactly while it has at
//! least one live subscription; when its last one goes, the entry is removed
//! and the owner (the Redis bus) is told, so it can drop its server-side
//! subscription.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use mailkeep_common::AccountId;
use tokio::sync::{broadcast, mpsc};

use crate::ChangeEvent;

/// Events buffered per account before a slow subscriber is told it missed
/// some.
const CHANNEL_CAPACITY: usize = 256;

/// What a subscriber receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notification {
    /// A change was committed for the subscribed account.
    Change(ChangeEvent),
    /// Events may have been lost (the subscriber lagged or the bus
    /// reconnected): ask for changes since the last MODSEQ seen.
    Missed,
}

struct Entry {
    sender: broadcast::Sender<Notification>,
    subscribers: usize,
}

pub(crate) struct Registry {
    accounts: Mutex<HashMap<AccountId, Entry>>,
    last_gone: Option<mpsc::UnboundedSender<AccountId>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("accounts", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// `last_gone` hears each account whose last local subscriber left.
    pub(crate) fn new(last_gone: Option<mpsc::UnboundedSender<AccountId>>) -> Arc<Self> {
        Arc::new(Self {
            accounts: Mutex::new(HashMap::new()),
            last_gone,
        })
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<AccountId, Entry>> {
        // The table stays consistent even if a holder panicked: every update
        // is a single insert, remove or counter step.
        self.accounts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds a local subscriber; `true` when it is the account's first.
    pub(crate) fn subscribe(self: &Arc<Self>, account: AccountId) -> (Subscription, bool) {
        let mut accounts = self.lock();
        let first = !accounts.contains_key(&account);
        let entry = accounts.entry(account).or_insert_with(|| Entry {
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            subscribers: 0,
        });
        entry.subscribers += 1;
        let subscription = Subscription {
            account,
            receiver: entry.sender.subscribe(),
            registry: Arc::clone(self),
        };
        (subscription, first)
    }

    pub(crate) fn has_subscribers(&self, account: AccountId) -> bool {
        self.lock().contains_key(&account)
    }

    /// Hands an event to the local subscribers of its account, if any.
    pub(crate) fn deliver(&self, event: ChangeEvent) {
        metrics::counter!("mailkeep_bus_events_received_total").increment(1);
        if let Some(entry) = self.lock().get(&event.account_id) {
            // Fails only when no receiver is left, which release() prevents.
            let _ = entry.sender.send(Notification::Change(event));
        }
    }

    /// Tells every subscriber that events may have been lost.
    pub(crate) fn announce_missed(&self) {
        for entry in self.lock().values() {
            let _ = entry.sender.send(Notification::Missed);
        }
    }

    fn release(&self, account: AccountId) {
        let mut accounts = self.lock();
        let Some(entry) = accounts.get_mut(&account) else {
            return;
        };
        entry.subscribers -= 1;
        if entry.subscribers > 0 {
            return;
        }
        accounts.remove(&account);
        drop(accounts);
        if let Some(last_gone) = &self.last_gone {
            // The receiver is gone only when the bus itself shut down.
            let _ = last_gone.send(account);
        }
    }
}

/// A live subscription to one account's changes; dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    account: AccountId,
    receiver: broadcast::Receiver<Notification>,
    registry: Arc<Registry>,
}

impl Subscription {
    pub fn account(&self) -> AccountId {
        self.account
    }

    /// Waits for the next notification.
    pub async fn recv(&mut self) -> Notification {
        match self.receiver.recv().await {
            Ok(notification) => notification,
            Err(broadcast::error::RecvError::Lagged(_)) => Notification::Missed,
            // The registry keeps the sender while this subscription lives, so
            // the channel cannot close under it: wait forever, as a quiet
            // account would.
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.registry.release(self.account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ChangeKind;
    use mailkeep_common::{MailboxId, ModSeq};

    fn event(account: u128) -> ChangeEvent {
        ChangeEvent {
            account_id: AccountId::from_u128(account),
            mailbox_id: MailboxId::from_u128(1),
            modseq: ModSeq::new(1),
            kind: ChangeKind::Appended,
        }
    }

    #[tokio::test]
    async fn the_last_drop_removes_the_entry_and_reports_it() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let registry = Registry::new(Some(tx));
        let account = AccountId::from_u128(7);
        let (one, first) = registry.subscribe(account);
        let (two, second_first) = registry.subscribe(account);
        assert!(first);
        assert!(!second_first);
        drop(one);
        assert!(registry.has_subscribers(account));
        assert!(rx.try_recv().is_err());
        drop(two);
        assert!(!registry.has_subscribers(account));
        assert_eq!(rx.try_recv().unwrap(), account);
    }

    #[tokio::test]
    async fn a_lagging_subscriber_is_told_it_missed_events() {
        let registry = Registry::new(None);
        let (mut subscription, _) = registry.subscribe(AccountId::from_u128(3));
        for _ in 0..CHANNEL_CAPACITY + 5 {
            registry.deliver(event(3));
        }
        assert_eq!(subscription.recv().await, Notification::Missed);
        assert_eq!(subscription.recv().await, Notification::Change(event(3)));
    }

    #[tokio::test]
    async fn announced_losses_reach_every_account() {
        let registry = Registry::new(None);
        let (mut a, _) = registry.subscribe(AccountId::from_u128(1));
        let (mut b, _) = registry.subscribe(AccountId::from_u128(2));
        registry.announce_missed();
        assert_eq!(a.recv().await, Notification::Missed);
        assert_eq!(b.recv().await, Notification::Missed);
    }
}
