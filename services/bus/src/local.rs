//! `LocalBus`: the in-process [`ChangeBus`] for `dev` and single-process use.
//! Events reach only subscribers in the same process.

use std::sync::Arc;

use async_trait::async_trait;
use mailkeep_common::AccountId;

use crate::registry::Registry;
use crate::{BusError, ChangeBus, ChangeEvent, Subscription};

/// An in-process bus: publishing hands the event straight to local
/// subscribers of its account.
#[derive(Debug, Clone)]
pub struct LocalBus {
    registry: Arc<Registry>,
}

impl LocalBus {
    pub fn new() -> Self {
        Self {
            registry: Registry::new(None),
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
}
