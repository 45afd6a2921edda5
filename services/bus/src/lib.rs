//! The change bus (ARCHITECTURE.md §3 invariant 4): after a metadata commit
//! the metadata service publishes a [`ChangeEvent`], and the gateways that
//! hold sessions of that account receive it and ask for changes since the
//! MODSEQ they last saw. Events are hints: a lost one delays an update, never
//! loses it. [`LocalBus`] serves one process, [`RedisBus`] many pods;
//! [`open_bus`] picks one by URL scheme.
#![forbid(unsafe_code)]

mod error;
mod event;
mod local;
mod redis_bus;
mod registry;

#[cfg(test)]
mod conformance;

use std::sync::Arc;

use async_trait::async_trait;
use mailkeep_common::AccountId;
use tokio::sync::watch;

pub use error::BusError;
pub use event::{ChangeEvent, ChangeKind, ENCODED_EVENT_LEN, EVENT_FORMAT_VERSION};
pub use local::LocalBus;
pub use redis_bus::{RedisBus, account_channel};
pub use registry::{Notification, Subscription};

/// Publishes and routes change events per account. Held as
/// `Arc<dyn ChangeBus>`.
#[async_trait]
pub trait ChangeBus: Send + Sync + std::fmt::Debug {
    /// Sends `event` to every subscriber of its account, in any process on
    /// the bus. Call only after the change committed.
    async fn publish(&self, event: ChangeEvent) -> Result<(), BusError>;

    /// Starts receiving the account's events; dropping the returned
    /// subscription ends it. Events published after this returns are
    /// delivered.
    async fn subscribe(&self, account: AccountId) -> Result<Subscription, BusError>;

    /// Whether events flow right now: `true` while the bus is connected.
    /// While it is `false`, subscribers must poll for changes themselves;
    /// when it turns `true` again every subscriber receives
    /// [`Notification::Missed`], after the bus has resubscribed.
    fn connection_state(&self) -> watch::Receiver<bool>;
}

/// Opens the bus a URL names: `local://` or `redis://host[:port][/db]`.
pub async fn open_bus(url: &str) -> Result<Arc<dyn ChangeBus>, BusError> {
    if url.starts_with("local://") {
        return Ok(Arc::new(LocalBus::new()));
    }
    if url.starts_with("redis://") || url.starts_with("rediss://") {
        return Ok(Arc::new(RedisBus::connect(url).await?));
    }
    Err(BusError::InvalidUrl {
        reason: format!("unsupported bus scheme in {url}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::ErrorCode;

    #[tokio::test]
    async fn unknown_schemes_are_refused() {
        for url in ["kafka://broker", "", "redis"] {
            let error = open_bus(url).await.unwrap_err();
            assert_eq!(error.code(), ErrorCode::InvalidArgument, "{url}");
        }
        assert!(open_bus("local://").await.is_ok());
    }

    #[test]
    fn channels_are_per_account() {
        let account = AccountId::from_u128(0xff);
        assert_eq!(account_channel(account), format!("mailkeep:acct:{account}"));
    }
}
