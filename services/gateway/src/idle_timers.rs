//! [`IdleTimers`] decides what an idling session does when no event comes:
//! poll after `poll_interval` without one (`fallback_poll_interval` while
//! the bus is down or absent), send `* OK Still here` every
//! `idle_keepalive`, and end the IDLE after `idle_max` (issue 4 items 4-5).

use std::pin::Pin;

use tokio::sync::watch;
use tokio::time::{Instant, Sleep};

use crate::config::UpdateTimers;
use crate::events::AccountEvents;

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
}
