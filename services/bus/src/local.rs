//! `LocalBus`: the in-process [`ChangeBus`] for `dev` and single-process use.
//! Events reach only subscribers in the same process.

use std::sync::Arc;

use async_trait::async_trait;
use mailkeep_common::AccountId;
use tokio::sync::watch;

use crate::registry::Registry;
use crate::{BusError, ChangeBus, ChangeEvent, Subscription};

/// An in-process bus: publishing hands the event straight to local
/// subscribers of its account.
#[derive(Debug, Clone)]
pub struct LocalBus {
    registry: Arc<Registry>,
    /// Always `true`: an in-process bus cannot disconnect.
    connected: Arc<watch::Sender<bool>>,
}

impl LocalBus {
    pub fn new() -> Self {
        Self {
            registry: Registry::new(None),
            connected: Arc::new(watch::Sender::new(true)),
        }
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl ChangeBus for LocalBus {
    async fn publish(&self, event: ChangeEvent) -> Result<(), BusError> {
        self.registry.deliver(event);
        Ok(())
    }

    async fn subscribe(&self, account: AccountId) -> Result<Subscription, BusError> {
        Ok(self.registry.subscribe(account).0)
    }

    fn connection_state(&self) -> watch::Receiver<bool> {
        self.connected.subscribe()
    }
}
