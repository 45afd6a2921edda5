//! Routed fan-out of change events on one gateway pod (issue 4 item 2):
//! [`AccountEvents`] holds at most one bus subscription per account, taken
//! when the account's first local session authenticates and dropped when
//! its last one ends, and turns each notification (a change, or `Missed`)
//! into a wake-up of every local session of that account.
//!
//! [`IdleTimers`] decides what an idling session does when no event comes:
//! poll after `poll_interval` without one (`fallback_poll_interval` while
//! the bus is down or absent), send `* OK Still here` every
//! `idle_keepalive`, and end the IDLE after `idle_max` (issue 4 items 4-5).
//!
//! Invariants: an account has a live [`Feed`] exactly while a session holds
//! an [`AccountWatch`] for it; the feed's forwarding task owns the bus
//! subscription and is aborted when the feed is dropped, which ends the
//! subscription.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Weak};

use mailkeep_bus::{BusError, ChangeBus};
use mailkeep_common::AccountId;
use tokio::sync::{Mutex, watch};
use tokio::task::AbortHandle;
use tokio::time::{Instant, Sleep};

use crate::config::UpdateTimers;

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
    wakeups: watch::Receiver<Instant>,
    _feed: Arc<Feed>,
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
        let (sender, wakeups) = watch::channel(Instant::now());
        let forwarder = tokio::spawn(async move {
            loop {
                // A change and a `Missed` both mean: ask for changes now.
                let _ = subscription.recv().await;
                sender.send_replace(Instant::now());
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

/// What an idling session must do next when no event woke it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IdleDue {
    /// Ask for changes since the last reported MODSEQ.
    Poll,
    /// Send `* OK Still here`.
    Keepalive,
    /// The IDLE lasted `idle_max`: say `* BYE` and close.
    End,
}

/// One connection's IDLE clocks. The poll clock runs from the last update
/// check (event-driven or not); the keepalive and end clocks from the
/// start of the current IDLE.
///
/// The clocks share one timer, and the bus state is watched by one
/// future, both kept across calls: a session woken by an event does not
/// register and cancel timers and waiters on every turn of its loop. The
/// timer may ring before a clock that moved later since it was set (the
/// session then looks again and re-arms it), never after the earliest one.
pub(crate) struct IdleTimers {
    timers: UpdateTimers,
    /// Whether the bus delivers events; `false` without a bus (always poll
    /// at the fallback rate).
    bus_up: bool,
    /// Completes at the next change of the bus state; `None` without a bus.
    bus_change: Option<BusChange>,
    last_check: Instant,
    idle_started: Option<Instant>,
    next_keepalive: Instant,
    alarm: Pin<Box<Sleep>>,
}

/// Waits for the next change of the bus state and hands the receiver
/// back; `None` once the bus is gone.
type BusChange = Pin<Box<dyn Future<Output = Option<watch::Receiver<bool>>> + Send>>;

fn next_bus_change(mut state: watch::Receiver<bool>) -> BusChange {
    Box::pin(async move { state.changed().await.ok().map(|()| state) })
}

impl IdleTimers {
    pub(crate) fn new(timers: UpdateTimers, events: Option<&AccountEvents>) -> Self {
        let now = Instant::now();
        let bus_state = events.map(AccountEvents::connection_state);
        Self {
            timers,
            bus_up: bus_state.as_ref().is_some_and(|state| *state.borrow()),
            bus_change: bus_state.map(next_bus_change),
            last_check: now,
            idle_started: None,
            next_keepalive: now,
            alarm: Box::pin(tokio::time::sleep_until(now)),
        }
    }

    /// Call after each command: starts the IDLE clocks when the session has
    /// just entered IDLE, stops them when it has left.
    pub(crate) fn observe(&mut self, idling: bool) {
        match (idling, self.idle_started) {
            (true, None) => {
                let now = Instant::now();
                self.idle_started = Some(now);
                self.next_keepalive = now + self.timers.idle_keepalive;
                self.last_check = now;
            }
            (false, Some(_)) => self.idle_started = None,
            _ => {}
        }
    }

    /// Call after every update check, so the next poll is a full interval
    /// away.
    pub(crate) fn checked(&mut self) {
        self.last_check = Instant::now();
    }

    /// Call after sending a keepalive.
    pub(crate) fn kept_alive(&mut self) {
        self.next_keepalive += self.timers.idle_keepalive;
    }

    /// Completes when the session's next timer is due; switches between
    /// the normal and the fallback poll rate as the bus goes down and comes
    /// back. Outside IDLE (a NOTIFY session, RFC 5465) only the poll runs.
    pub(crate) async fn next_due(&mut self) -> IdleDue {
        loop {
            let deadline = self.next_deadline();
            if deadline < self.alarm.deadline() || self.alarm.is_elapsed() {
                self.alarm.as_mut().reset(deadline);
            }
            tokio::select! {
                biased;
                // What was due when it rang: the earliest clock, unless the
                // clocks have moved since it was set.
                () = self.alarm.as_mut() => if let Some(due) = self.due(self.alarm.deadline()) {
                    return due;
                },
                changed = bus_state_changed(self.bus_change.as_mut()) => match changed {
                    Some(mut state) => {
                        self.bus_up = *state.borrow_and_update();
                        self.bus_change = Some(next_bus_change(state));
                    }
                    // The bus is gone: poll at the fallback rate.
                    None => {
                        self.bus_up = false;
                        self.bus_change = None;
                    }
                },
            }
        }
    }

    /// What is due at `at`, the end before the keepalive before the poll.
    fn due(&self, at: Instant) -> Option<IdleDue> {
        if let Some(started) = self.idle_started {
            if at >= started + self.timers.idle_max {
                return Some(IdleDue::End);
            }
            if at >= self.next_keepalive {
                return Some(IdleDue::Keepalive);
            }
        }
        (at >= self.poll_at()).then_some(IdleDue::Poll)
    }

    fn poll_at(&self) -> Instant {
        let interval = if self.bus_up {
            self.timers.poll_interval
        } else {
            self.timers.fallback_poll_interval
        };
        self.last_check + interval
    }

    /// The earliest instant a clock is due.
    fn next_deadline(&self) -> Instant {
        let poll_at = self.poll_at();
        match self.idle_started {
            Some(started) => poll_at
                .min(started + self.timers.idle_max)
                .min(self.next_keepalive),
            None => poll_at,
        }
    }
}

async fn bus_state_changed(change: Option<&mut BusChange>) -> Option<watch::Receiver<bool>> {
    match change {
        Some(change) => change.as_mut().await,
        None => std::future::pending().await,
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

    /// A NOTIFY session between commands is polled, never kept alive or
    /// ended; once it idles, the IDLE clocks run.
    #[tokio::test]
    async fn outside_idle_only_the_poll_is_due() {
        let timers = UpdateTimers {
            poll_interval: Duration::from_millis(50),
            fallback_poll_interval: Duration::from_millis(50),
            idle_keepalive: Duration::from_millis(1),
            idle_max: Duration::from_millis(2),
        };
        let mut idle_timers = IdleTimers::new(timers, None);
        assert_eq!(idle_timers.next_due().await, IdleDue::Poll);
        idle_timers.observe(true);
        assert_eq!(idle_timers.next_due().await, IdleDue::Keepalive);
    }

    /// A check moves the poll clock; the shared timer, armed for the old
    /// poll instant, rings early but the poll comes a full interval after
    /// the check.
    #[tokio::test]
    async fn a_check_postpones_the_poll() {
        let interval = Duration::from_millis(50);
        let timers = UpdateTimers {
            poll_interval: interval,
            fallback_poll_interval: interval,
            idle_keepalive: Duration::from_secs(60),
            idle_max: Duration::from_secs(600),
        };
        let mut idle_timers = IdleTimers::new(timers, None);
        idle_timers.observe(true);
        let armed = tokio::time::timeout(Duration::from_millis(30), idle_timers.next_due()).await;
        assert!(armed.is_err(), "nothing is due before the interval");
        idle_timers.checked();
        let checked_at = Instant::now();
        assert_eq!(idle_timers.next_due().await, IdleDue::Poll);
        assert!(Instant::now() >= checked_at + interval);
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
