//! `RedisBus`: the [`ChangeBus`] across pods, on Redis pub/sub with one
//! channel per account (`mailkeep:acct:<account id>`). One RESP3
//! `ConnectionManager` per bus carries publishes, subscriptions and pushed
//! messages; it reconnects and resubscribes by itself. Invariants: the pod is
//! subscribed to an account's channel while it has a local subscriber of that
//! account (ARCHITECTURE.md §3 invariant 4: routed, not broadcast);
//! subscribe and unsubscribe commands run one at a time, and an unsubscribe
//! is skipped when a subscriber came back meanwhile. The connection state is
//! `false` from a lost connection until a probe succeeds on the new one
//! (which the manager opens only after resubscribing); then every
//! subscriber hears `Missed`, so events lost in the gap are caught up.

use std::sync::{Arc, Weak};
use std::time::Duration;

use async_trait::async_trait;
use mailkeep_common::AccountId;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::io::tcp::TcpSettings;
use redis::{IntoConnectionInfo, ProtocolVersion, PushInfo, PushKind, Value};
use tokio::sync::{Mutex, mpsc, watch};

use crate::registry::Registry;
use crate::{BusError, ChangeBus, ChangeEvent, Subscription};

/// How often a lost connection is probed for its return.
const RECONNECT_PROBE_INTERVAL: Duration = Duration::from_millis(250);
/// Cap on the manager's own back-off between reconnection attempts, so a
/// restarted Redis is found quickly.
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// The Redis channel carrying one account's events.
pub fn account_channel(account: AccountId) -> String {
    format!("mailkeep:acct:{account}")
}

/// A bus shared by every pod connected to the same Redis.
#[derive(Debug, Clone)]
pub struct RedisBus {
    connection: ConnectionManager,
    link: Arc<Link>,
    /// Serialises SUBSCRIBE/UNSUBSCRIBE with the local table changes they follow.
    subscriptions: Arc<Mutex<()>>,
}

impl RedisBus {
    /// Connects to the Redis at `url` (RESP3 is enforced).
    pub async fn connect(url: &str) -> Result<Self, BusError> {
        let invalid = |error: redis::RedisError| BusError::InvalidUrl {
            reason: error.to_string(),
        };
        let info = url.into_connection_info().map_err(invalid)?;
        let settings = info
            .redis_settings()
            .clone()
            .set_protocol(ProtocolVersion::RESP3);
        // Publishes are small writes: without TCP_NODELAY one can wait for
        // the server's delayed ACK of the previous one.
        let info = info
            .set_redis_settings(settings)
            .set_tcp_settings(TcpSettings::default().set_nodelay(true));
        let client = redis::Client::open(info).map_err(invalid)?;

        let (last_gone, gone_accounts) = mpsc::unbounded_channel();
        let registry = Registry::new(Some(last_gone));
        let link = Arc::new(Link {
            registry: Arc::clone(&registry),
            connected: watch::Sender::new(true),
        });
        let pushed_to = Arc::downgrade(&link);
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |push: PushInfo| {
                if let Some(link) = pushed_to.upgrade() {
                    on_push(&link, push);
                }
                Ok::<(), std::convert::Infallible>(())
            })
            .set_automatic_resubscription()
            .set_max_delay(RECONNECT_MAX_DELAY);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(BusError::redis("connect"))?;
        let subscriptions = Arc::new(Mutex::new(()));
        tokio::spawn(unsubscribe_gone_accounts(
            gone_accounts,
            connection.clone(),
            Arc::downgrade(&registry),
            Arc::clone(&subscriptions),
        ));
        tokio::spawn(watch_reconnections(
            link.connected.subscribe(),
            connection.clone(),
            Arc::downgrade(&link),
        ));
        Ok(Self {
            connection,
            link,
            subscriptions,
        })
    }
}

/// What the pushed frames reach: the local subscribers and the connection
/// state.
#[derive(Debug)]
struct Link {
    registry: Arc<Registry>,
    connected: watch::Sender<bool>,
}

/// Routes a pushed frame: messages to local subscribers; a lost connection
/// marks the bus down and tells everyone they may have missed events.
fn on_push(link: &Link, push: PushInfo) {
    let registry = &link.registry;
    match push.kind {
        PushKind::Message => {
            let Some(Value::BulkString(payload)) = push.data.get(1) else {
                tracing::warn!("redis message push without a payload");
                return;
            };
            match ChangeEvent::decode(payload) {
                Ok(event) => registry.deliver(event),
                Err(error) => tracing::warn!(error = %error, "undecodable change event dropped"),
            }
        }
        PushKind::Disconnection => {
            tracing::warn!("redis connection lost; sessions poll until it is back");
            link.connected.send_replace(false);
            registry.announce_missed();
        }
        _ => {}
    }
}

/// Each time the connection is lost, probes until the manager has a new
/// one (resubscribed before it is handed out), then marks the bus up and
/// has every subscriber catch up. Ends with the bus.
async fn watch_reconnections(
    mut connected: watch::Receiver<bool>,
    mut connection: ConnectionManager,
    link: Weak<Link>,
) {
    loop {
        if connected.wait_for(|up| !*up).await.is_err() {
            return;
        }
        loop {
            tokio::time::sleep(RECONNECT_PROBE_INTERVAL).await;
            if connected.has_changed().is_err() {
                return;
            }
            let probe = redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await;
            if probe.is_ok() {
                break;
            }
        }
        let Some(link) = link.upgrade() else {
            return;
        };
        tracing::info!("redis connection is back; sessions catch up");
        link.connected.send_replace(true);
        link.registry.announce_missed();
    }
}

/// Drops the server-side subscription of each account whose last local
/// subscriber left, unless one came back first. Ends with the bus.
async fn unsubscribe_gone_accounts(
    mut gone_accounts: mpsc::UnboundedReceiver<AccountId>,
    mut connection: ConnectionManager,
    registry: Weak<Registry>,
    subscriptions: Arc<Mutex<()>>,
) {
    while let Some(account) = gone_accounts.recv().await {
        let _serialised = subscriptions.lock().await;
        let Some(registry) = registry.upgrade() else {
            return;
        };
        if registry.has_subscribers(account) {
            continue;
        }
        drop(registry);
        if let Err(error) = connection.unsubscribe(account_channel(account)).await {
            tracing::warn!(account = %account, error = %error, "redis unsubscribe failed");
        }
    }
}

#[async_trait]
impl ChangeBus for RedisBus {
    async fn publish(&self, event: ChangeEvent) -> Result<(), BusError> {
        // Events are hints: while the bus is down, drop them at once rather
        // than hold the committed change's RPC through reconnection attempts.
        if !*self.link.connected.borrow() {
            return Err(BusError::Disconnected);
        }
        let mut connection = self.connection.clone();
        redis::cmd("PUBLISH")
            .arg(account_channel(event.account_id))
            .arg(&event.encode()[..])
            .query_async::<i64>(&mut connection)
            .await
            .map(|_| ())
            .map_err(BusError::redis("publish"))
    }

    async fn subscribe(&self, account: AccountId) -> Result<Subscription, BusError> {
        let _serialised = self.subscriptions.lock().await;
        let (subscription, first) = self.link.registry.subscribe(account);
        if first {
            let mut connection = self.connection.clone();
            // On failure the subscription drops here, undoing the table entry.
            connection
                .subscribe(account_channel(account))
                .await
                .map_err(BusError::redis("subscribe"))?;
        }
        Ok(subscription)
    }

    fn connection_state(&self) -> watch::Receiver<bool> {
        self.link.connected.subscribe()
    }
}
