//! The background tenant purge: runs [`AdminStore::purge_step`] until no
//! purge is left, then sleeps until a purge starts (woken by the admin
//! service) or a poll interval passes, so purges started on another pod or
//! left unfinished by a restart are picked up too. Every pod may run one;
//! the store serialises them on the purge row.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::admin::AdminStore;

/// Messages one purge step deletes (one short transaction).
pub const PURGE_BATCH: usize = 500;
/// How often an idle worker looks for purges it was not told about.
const IDLE_POLL: Duration = Duration::from_secs(5);

/// Runs forever; the caller aborts it at shutdown (every step is one
/// transaction, so stopping between awaits loses nothing).
pub async fn run(store: Arc<dyn AdminStore>, wake: Arc<Notify>) {
    loop {
        match store.purge_step(PURGE_BATCH).await {
            Ok(true) => tokio::task::yield_now().await,
            Ok(false) => {
                let _ = tokio::time::timeout(IDLE_POLL, wake.notified()).await;
            }
            Err(error) => {
                tracing::warn!(code = %error.code(), error = %error, "tenant purge step failed");
                tokio::time::sleep(IDLE_POLL).await;
            }
        }
    }
}
