//! `RedisBus`: the [`ChangeBus`] across pods, on Redis pub/sub with one
//! channel per account (`mailkeep:acct:<account id>`). One RESP3
//! `ConnectionManager` per bus carries publishes, subscriptions and pushed
//! messages; it reconnects and resubscribes by itself. Invariants: the pod is
//! subscribed to an account's channel while it has a local subscriber of that
//! account (ARCHITECTURE.md §3 invariant 4: routed, not broadcast);
//! subscribe and unsubscribe commands run one at a time, and an unsubscribe
//! is skipped when a subscriber came back meanwhile.

use std::sync::{Arc, Weak};

use async_trait::async_trait;
use mailkeep_common::AccountId;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{IntoConnectionInfo, ProtocolVersion, PushInfo, PushKind, Value};
use tokio::sync::{Mutex, mpsc};

use crate::registry::Registry;
use crate::{BusError, ChangeBus, ChangeEvent, Subscription};

/// The Redis channel carrying one account's events.
pub fn account_channel(account: AccountId) -> String {
    format!("mailkeep:acct:{account}")
}

/// A bus shared by every pod connected to the same Redis.
#[derive(Debug, Clone)]
pub struct RedisBus {
    connection: ConnectionManager,
    registry: Arc<Registry>,
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
        let client = redis::Client::open(info.set_redis_settings(settings)).map_err(invalid)?;

        let (last_gone, gone_accounts) = mpsc::unbounded_channel();
        let registry = Registry::new(Some(last_gone));
        let pushed_to = Arc::downgrade(&registry);
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |push: PushInfo| {
                if let Some(registry) = pushed_to.upgrade() {
                    on_push(&registry, push);
                }
                Ok::<(), std::convert::Infallible>(())
            })
            .set_automatic_resubscription();
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
        Ok(Self {
            connection,
            registry,
            subscriptions,
        })
    }
}

/// Routes a pushed frame: messages to local subscribers, a lost connection
/// to everyone as "you may have missed events".
fn on_push(registry: &Registry, push: PushInfo) {
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
        PushKind::Disconnection => registry.announce_missed(),
        _ => {}
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
        let (subscription, first) = self.registry.subscribe(account);
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
}
