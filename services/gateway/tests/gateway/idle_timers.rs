//! Issue 4 items 4 and 5 over real sockets: an idling session polls at
//! `fallback_poll_interval` while the bus is down and only every
//! `poll_interval` while it is up; IDLE sends `* OK Still here` every
//! `idle_keepalive` and ends with `* BYE` after `idle_max`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use mailkeep_bus::{BusError, ChangeBus, ChangeEvent, LocalBus, Subscription};
use mailkeep_common::AccountId;
use mailkeep_gateway::{AccountEvents, GatewayConfig};
use mailkeep_gateway_core::backend::{Flags, Principal};
use mailkeep_gateway_core::testing::{MemoryBackend, TEST_LOGIN, TEST_PASSWORD};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{Instant, timeout};

use crate::harness::{Client, Gateway, plain_client};

const FALLBACK: Duration = Duration::from_millis(300);
/// Longer than any test: an update seen in time came from the fallback poll.
const POLL: Duration = Duration::from_secs(60);

/// A local bus whose connection state the test sets.
#[derive(Debug)]
struct SwitchableBus {
    inner: LocalBus,
    connected: watch::Sender<bool>,
}

#[async_trait]
impl ChangeBus for SwitchableBus {
    async fn publish(&self, event: ChangeEvent) -> Result<(), BusError> {
        self.inner.publish(event).await
    }

    async fn subscribe(&self, account: AccountId) -> Result<Subscription, BusError> {
        self.inner.subscribe(account).await
    }

    fn connection_state(&self) -> watch::Receiver<bool> {
        self.connected.subscribe()
    }
}

async fn idling_client(
    adjust: impl FnOnce(&mut GatewayConfig),
) -> (Gateway, Client<TcpStream>, Arc<MemoryBackend>, Principal) {
    let backend = Arc::new(MemoryBackend::new());
    let principal = backend.add_account(TEST_LOGIN, TEST_PASSWORD);
    let gateway = Gateway::start(backend.clone(), adjust).await;
    let mut client = plain_client(gateway.imap).await;
    assert!(client.line().await.starts_with("* OK "));
    let login = format!("LOGIN {TEST_LOGIN} \"{TEST_PASSWORD}\"");
    assert!(client.command("a1", &login).await.contains("a1 OK"));
    assert!(client.command("a2", "SELECT INBOX").await.contains("a2 OK"));
    client.send("a3 IDLE\r\n").await;
    assert!(client.line().await.starts_with("+ "));
    (gateway, client, backend, principal)
}

fn deliver(backend: &MemoryBackend, principal: &Principal) {
    // Straight into the store: no event is published for it.
    backend
        .deliver(
            principal,
            "INBOX",
            b"Subject: x\r\n\r\nx\r\n",
            Flags::default(),
            0,
        )
        .unwrap();
}

#[tokio::test]
async fn sessions_poll_at_the_fallback_rate_only_while_the_bus_is_down() {
    let (connected, _) = watch::channel(true);
    let bus = Arc::new(SwitchableBus {
        inner: LocalBus::new(),
        connected: connected.clone(),
    });
    let events = AccountEvents::new(bus);
    let (gateway, mut client, backend, principal) = idling_client(|config| {
        config.update_timers.poll_interval = POLL;
        config.update_timers.fallback_poll_interval = FALLBACK;
        config.events = Some(events);
    })
    .await;

    deliver(&backend, &principal);
    let quiet = timeout(FALLBACK * 4, client.until("* 1 EXISTS")).await;
    assert!(
        quiet.is_err(),
        "polled at the fallback rate while the bus was up"
    );

    connected.send_replace(false);
    let started = Instant::now();
    timeout(FALLBACK * 4, client.until("* 1 EXISTS"))
        .await
        .expect("no fallback poll while the bus was down");
    assert!(started.elapsed() <= FALLBACK * 2, "{:?}", started.elapsed());
    deliver(&backend, &principal);
    timeout(FALLBACK * 4, client.until("* 2 EXISTS"))
        .await
        .expect("the fallback poll stopped");
    gateway.stop().await;
}

#[tokio::test]
async fn idle_sends_keepalives_then_ends_with_bye_at_its_maximum() {
    let keepalive = Duration::from_millis(200);
    let idle_max = Duration::from_millis(900);
    let (gateway, mut client, _backend, _principal) = idling_client(|config| {
        config.update_timers.idle_keepalive = keepalive;
        config.update_timers.idle_max = idle_max;
    })
    .await;
    let started = Instant::now();
    for _ in 0..3 {
        let line = timeout(keepalive * 3, client.line())
            .await
            .expect("no keepalive");
        assert_eq!(line, "* OK Still here\r\n");
    }
    let rest = timeout(idle_max * 2, client.until("* BYE"))
        .await
        .expect("no bye");
    assert!(started.elapsed() >= idle_max, "{:?}", started.elapsed());
    assert!(
        rest.ends_with("* BYE IDLE lasted too long; reconnect\r\n"),
        "{rest}"
    );
    client.assert_closed().await;
    gateway.stop().await;
}

#[tokio::test]
async fn a_new_idle_restarts_the_keepalive_and_maximum_clocks() {
    let idle_max = Duration::from_millis(600);
    let (gateway, mut client, _backend, _principal) = idling_client(|config| {
        config.update_timers.idle_keepalive = Duration::from_secs(60);
        config.update_timers.idle_max = idle_max;
    })
    .await;
    tokio::time::sleep(idle_max / 2).await;
    client.send("DONE\r\n").await;
    assert!(client.until("a3 ").await.starts_with("a3 OK"));
    client.send("a4 IDLE\r\n").await;
    assert!(client.line().await.starts_with("+ "));
    let started = Instant::now();
    timeout(idle_max * 3, client.until("* BYE"))
        .await
        .expect("no bye");
    assert!(
        started.elapsed() >= idle_max * 9 / 10,
        "{:?}",
        started.elapsed()
    );
    gateway.stop().await;
}
