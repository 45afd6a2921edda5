//! [`MeteredBus`]: the change bus as the roles use it, counting
//! `mailkeep_bus_events_published_total` (events the bus accepted) and
//! keeping `mailkeep_bus_connected` (0/1) in step with the bus's connection
//! state. Received events are counted where the bus delivers them.

use std::sync::Arc;

use async_trait::async_trait;
use mailkeep_bus::{BusError, ChangeBus, ChangeEvent, Subscription};
use mailkeep_common::AccountId;
use tokio::sync::watch;

#[derive(Debug)]
pub struct MeteredBus {
    inner: Arc<dyn ChangeBus>,
}

impl MeteredBus {
    /// Wraps `inner` and follows its connection state until it is dropped.
    pub fn wrap(inner: Arc<dyn ChangeBus>) -> Arc<dyn ChangeBus> {
        let mut state = inner.connection_state();
        tokio::spawn(async move {
            loop {
                let connected = *state.borrow_and_update();
                metrics::gauge!("mailkeep_bus_connected").set(if connected { 1.0 } else { 0.0 });
                if state.changed().await.is_err() {
                    break;
                }
            }
        });
        Arc::new(Self { inner })
    }
}

#[async_trait]
impl ChangeBus for MeteredBus {
    async fn publish(&self, event: ChangeEvent) -> Result<(), BusError> {
        self.inner.publish(event).await?;
        metrics::counter!("mailkeep_bus_events_published_total").increment(1);
        Ok(())
    }

    async fn subscribe(&self, account: AccountId) -> Result<Subscription, BusError> {
        self.inner.subscribe(account).await
    }

    fn connection_state(&self) -> watch::Receiver<bool> {
        self.inner.connection_state()
    }
}
