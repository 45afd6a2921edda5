//! Logging and metrics set-up. Logs go to stderr (stdout is reserved for the
//! `<name> listening on <addr>` lines), filtered by `MAILKEEP_LOG`, else
//! `RUST_LOG`, else `info`. Metrics are recorded into a Prometheus recorder
//! rendered by the ops port's `/metrics`.

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Installs the global tracing subscriber.
pub fn init_logging(format: LogFormat) {
    let filter = ["MAILKEEP_LOG", "RUST_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .map(EnvFilter::new)
        .unwrap_or_else(|| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Installs the global metrics recorder and returns the handle `/metrics`
/// renders.
pub fn init_metrics() -> anyhow::Result<PrometheusHandle> {
    Ok(PrometheusBuilder::new().install_recorder()?)
}
