//! The process-wide shutdown signal: SIGTERM or ctrl-c (or a failed role)
//! triggers it once, and every server holds a future that completes then.
//! From that moment the process is draining: `/readyz` answers 503 and
//! `mailkeep_draining` is 1.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;

/// A cloneable one-way latch.
#[derive(Clone, Debug)]
pub struct Shutdown {
    sender: Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    pub fn new() -> Self {
        Self {
            sender: Arc::new(watch::channel(false).0),
        }
    }

    /// Starts the shutdown; later calls do nothing.
    pub fn trigger(&self) {
        metrics::gauge!("mailkeep_draining").set(1.0);
        self.sender.send_replace(true);
    }

    /// Whether the shutdown has started.
    pub fn is_triggered(&self) -> bool {
        *self.sender.borrow()
    }

    /// Completes once the shutdown has started.
    pub fn wait(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.sender.subscribe();
        async move {
            // The sender lives as long as any `Shutdown`; a closed channel
            // means nobody can trigger any more, which also ends the wait.
            let _ = receiver.wait_for(|stopping| *stopping).await;
        }
    }

    /// Triggers the shutdown on SIGTERM or ctrl-c.
    pub fn trigger_on_signals(&self) -> std::io::Result<()> {
        #[cfg(unix)]
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        let shutdown = self.clone();
        tokio::spawn(async move {
            #[cfg(unix)]
            let terminated = terminate.recv();
            #[cfg(not(unix))]
            let terminated = std::future::pending::<Option<()>>();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => tracing::info!(signal = "interrupt", "shutting down"),
                _ = terminated => tracing::info!(signal = "terminate", "shutting down"),
            }
            shutdown.trigger();
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn every_waiter_wakes_once_triggered() {
        let shutdown = Shutdown::new();
        let early = tokio::spawn(shutdown.clone().wait());
        let pending = tokio::time::timeout(Duration::from_millis(20), shutdown.wait()).await;
        assert!(pending.is_err(), "must not complete before the trigger");
        assert!(!shutdown.is_triggered());
        shutdown.trigger();
        assert!(shutdown.clone().is_triggered());
        tokio::time::timeout(Duration::from_secs(1), early)
            .await
            .unwrap()
            .unwrap();
        // A waiter created after the trigger completes at once.
        tokio::time::timeout(Duration::from_secs(1), shutdown.wait())
            .await
            .unwrap();
    }
}
