//! Change events end to end: metadata (SQLite) publishes on a bus after each
//! commit, and an idling IMAP client hears about APPEND, STORE and EXPUNGE
//! made by another client within 2 s, while the gateway's timer poll is set
//! to 60 s, so only the event path can have delivered them. Also: a gateway
//! subscribes to an account only while it has a session of it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use mailkeep_bus::{ChangeBus, LocalBus, RedisBus};
use mailkeep_gateway::AccountEvents;
use mailkeep_gateway_core::backend::MailBackend;
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::grpc_backend::{LOGIN, PASSWORD, Services, backend_of, provision, start_services_with};
use crate::harness::{Client, Gateway, plain_client};

/// Longer than any test: an update seen in time came from an event.
const POLL_INTERVAL: Duration = Duration::from_secs(60);
/// How long an event-driven update may take.
const PROMPT: Duration = Duration::from_secs(2);

/// A gateway over `services` whose sessions hear events from `bus`.
async fn gateway_with_events(
    services: &Services,
    bus: Arc<dyn ChangeBus>,
) -> (Gateway, Arc<AccountEvents>) {
    let events = AccountEvents::new(bus);
    let registry = Arc::clone(&events);
    let gateway = Gateway::start(backend_of(services).await, move |config| {
        config.update_timers.poll_interval = POLL_INTERVAL;
        config.events = Some(registry);
    })
    .await;
    (gateway, events)
}

async fn logged_in(address: SocketAddr) -> Client<TcpStream> {
    let mut client = plain_client(address).await;
    assert!(client.line().await.starts_with("* OK "));
    let login = client
        .command("l1", &format!("LOGIN {LOGIN} \"{PASSWORD}\""))
        .await;
    assert!(login.contains("l1 OK"), "{login}");
    client
}

/// Lines up to the first starting with `prefix`, which must come promptly.
async fn promptly(client: &mut Client<TcpStream>, prefix: &str) -> String {
    timeout(PROMPT, client.until(prefix))
        .await
        .unwrap_or_else(|_| panic!("no {prefix:?} within {PROMPT:?}"))
}

/// Client A idles on `idler`; client B changes INBOX through `changer`; A
/// sees each change promptly.
async fn idler_hears_every_change(idler: SocketAddr, changer: SocketAddr) {
    let mut a = logged_in(idler).await;
    let selected = a.command("a1", "SELECT INBOX").await;
    assert!(selected.contains("* 0 EXISTS"), "{selected}");
    a.send("a2 IDLE\r\n").await;
    assert!(a.line().await.starts_with("+ "));

    let mut b = logged_in(changer).await;
    let raw = "Subject: hi\r\n\r\nhello\r\n";
    b.send(&format!("b1 APPEND INBOX {{{}}}\r\n", raw.len()))
        .await;
    assert!(b.line().await.starts_with("+ "));
    b.send(&format!("{raw}\r\n")).await;
    assert!(b.until("b1 ").await.starts_with("b1 OK"));
    promptly(&mut a, "* 1 EXISTS").await;

    assert!(b.command("b2", "SELECT INBOX").await.contains("b2 OK"));
    let stored = b.command("b3", "STORE 1 +FLAGS (\\Flagged)").await;
    assert!(stored.contains("b3 OK"), "{stored}");
    let fetch = promptly(&mut a, "* 1 FETCH").await;
    assert!(fetch.contains("\\Flagged"), "{fetch}");

    let deleted = b.command("b4", "STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    assert!(deleted.contains("b4 OK"), "{deleted}");
    assert!(b.command("b5", "EXPUNGE").await.contains("b5 OK"));
    promptly(&mut a, "* 1 EXPUNGE").await;

    a.send("DONE\r\n").await;
    assert!(a.until("a2 ").await.contains("a2 OK"));
}

#[tokio::test]
async fn an_idling_client_hears_changes_through_a_local_bus() {
    let bus: Arc<dyn ChangeBus> = Arc::new(LocalBus::new());
    let services = start_services_with(Some(Arc::clone(&bus))).await;
    provision(&services).await;
    let (gateway, _events) = gateway_with_events(&services, bus).await;
    idler_hears_every_change(gateway.imap, gateway.imap).await;
    gateway.stop().await;
}

#[tokio::test]
async fn a_gateway_subscribes_only_to_accounts_it_serves() {
    let bus: Arc<dyn ChangeBus> = Arc::new(LocalBus::new());
    let services = start_services_with(Some(Arc::clone(&bus))).await;
    provision(&services).await;
    let account = backend_of(&services)
        .await
        .authenticate(LOGIN, PASSWORD)
        .await
        .unwrap()
        .account_id;
    let (serving, serving_events) = gateway_with_events(&services, Arc::clone(&bus)).await;
    let (other, other_events) = gateway_with_events(&services, bus).await;
    assert_eq!(serving_events.subscriptions().await, 0);

    let mut first = logged_in(serving.imap).await;
    let mut second = logged_in(serving.imap).await;
    assert!(serving_events.is_subscribed(account).await);
    assert_eq!(serving_events.subscriptions().await, 1);
    assert_eq!(other_events.subscriptions().await, 0);
    assert!(!other_events.is_subscribed(account).await);

    assert!(first.command("o1", "LOGOUT").await.contains("o1 OK"));
    first.assert_closed().await;
    assert!(serving_events.is_subscribed(account).await);
    assert!(second.command("o2", "LOGOUT").await.contains("o2 OK"));
    second.assert_closed().await;
    timeout(PROMPT, async {
        while serving_events.is_subscribed(account).await {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the last session's end dropped the subscription");
    assert_eq!(serving_events.subscriptions().await, 0);
    serving.stop().await;
    other.stop().await;
}

fn redis_url() -> String {
    std::env::var("MAILKEEP_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

async fn redis_bus() -> Arc<dyn ChangeBus> {
    Arc::new(RedisBus::connect(&redis_url()).await.unwrap())
}

#[tokio::test]
async fn changes_on_one_gateway_reach_an_idler_on_another_through_redis() {
    let services = start_services_with(Some(redis_bus().await)).await;
    provision(&services).await;
    let (idler, _idler_events) = gateway_with_events(&services, redis_bus().await).await;
    let (changer, _changer_events) = gateway_with_events(&services, redis_bus().await).await;
    idler_hears_every_change(idler.imap, changer.imap).await;
    idler.stop().await;
    changer.stop().await;
}
