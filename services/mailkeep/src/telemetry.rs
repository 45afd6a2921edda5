//! Logs, traces and metrics set-up. Logs go to stderr (stdout is reserved for
//! the `<name> listening on <addr>` lines) as text or JSON, filtered by
//! `MAILKEEP_LOG`, else `RUST_LOG`, else `info`. When
//! `telemetry.otlp_endpoint` is set, spans are exported over OTLP/gRPC with
//! the W3C trace-context propagation of `mailkeep_proto::telemetry`, under
//! the service name `mailkeep-<role>`; [`Telemetry::shutdown`] flushes them.
//! Metrics are recorded into a Prometheus recorder rendered by the ops
//! port's `/metrics`, every histogram with [`LATENCY_BUCKETS_SECONDS`].

use anyhow::Context;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use opentelemetry::trace::TracerProvider;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::cli::LogFormat;
use crate::config::TelemetrySettings;

/// `mailkeep --version`: the crate version, plus `git describe` when the
/// binary was built from a git checkout.
pub const VERSION: &str = if env!("MAILKEEP_GIT_DESCRIBE").is_empty() {
    env!("CARGO_PKG_VERSION")
} else {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (",
        env!("MAILKEEP_GIT_DESCRIBE"),
        ")"
    )
};

/// Histogram buckets of every latency metric, in seconds: IMAP commands,
/// gRPC calls, SQL queries and S3 requests.
pub const LATENCY_BUCKETS_SECONDS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The crates whose spans are exported.
const SPAN_TARGETS: [&str; 6] = [
    "mailkeep",
    "mailkeep_proto",
    "mailkeep_gateway",
    "mailkeep_metadata",
    "mailkeep_blob",
    "mailkeep_admin",
];

/// The installed trace pipeline, kept to flush it at exit.
pub struct Telemetry {
    tracer_provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still buffered and stops the exporter.
    pub async fn shutdown(self) {
        let Some(provider) = self.tracer_provider else {
            return;
        };
        // The flush blocks on the export; keep it off the async workers.
        let flushed = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        match flushed {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(error = %error, "cannot flush the span exporter"),
            Err(error) => tracing::warn!(error = %error, "the span flush task failed"),
        }
    }
}

/// Installs the global subscriber: the log format from `--log-format`, else
/// `telemetry.log_format`; the OTLP exporter when an endpoint is set.
/// Must run inside the Tokio runtime (the gRPC exporter needs it).
pub fn init(
    settings: &TelemetrySettings,
    flag: Option<LogFormat>,
    role: &str,
) -> anyhow::Result<Telemetry> {
    let format = flag.or(settings.log_format).unwrap_or_default();
    let filter = ["MAILKEEP_LOG", "RUST_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
        .map(EnvFilter::new)
        .unwrap_or_else(|| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![match format {
        LogFormat::Text => logs.with_filter(filter).boxed(),
        LogFormat::Json => logs.json().with_filter(filter).boxed(),
    }];
    let tracer_provider = match settings.otlp_endpoint.as_deref() {
        Some(endpoint) if !endpoint.is_empty() => {
            let provider = tracer_provider(endpoint, role)?;
            let tracer = provider.tracer("mailkeep");
            // Spans are exported whatever the log level, but only Mailkeep's
            // own: the exporter's gRPC client must not trace itself.
            let traced = SPAN_TARGETS.iter().fold(Targets::new(), |targets, target| {
                targets.with_target(*target, LevelFilter::INFO)
            });
            let spans = tracing_opentelemetry::layer().with_tracer(tracer);
            layers.push(spans.with_filter(traced).boxed());
            Some(provider)
        }
        _ => None,
    };
    tracing_subscriber::registry()
        .with(layers)
        .try_init()
        .context("cannot install the log subscriber")?;
    if tracer_provider.is_some() {
        tracing::info!(service = %service_name(role), "exporting spans over otlp");
    }
    Ok(Telemetry { tracer_provider })
}

fn service_name(role: &str) -> String {
    format!("mailkeep-{role}")
}

/// A batching OTLP/gRPC span pipeline to `endpoint`.
fn tracer_provider(endpoint: &str, role: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()
        .with_context(|| format!("cannot set up the otlp exporter for {endpoint}"))?;
    let resource = Resource::builder()
        .with_service_name(service_name(role))
        .build();
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build())
}

/// Installs the global metrics recorder, sets `mailkeep_build_info` and
/// `mailkeep_draining`, and returns the handle `/metrics` renders.
pub fn init_metrics() -> anyhow::Result<PrometheusHandle> {
    let handle = PrometheusBuilder::new()
        .set_buckets(&LATENCY_BUCKETS_SECONDS)?
        .install_recorder()?;
    metrics::gauge!("mailkeep_build_info", "version" => VERSION).set(1.0);
    metrics::gauge!("mailkeep_draining").set(0.0);
    Ok(handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_starts_with_the_crate_version() {
        assert!(VERSION.starts_with(env!("CARGO_PKG_VERSION")), "{VERSION}");
        let describe = env!("MAILKEEP_GIT_DESCRIBE");
        if describe.is_empty() {
            assert_eq!(VERSION, env!("CARGO_PKG_VERSION"));
        } else {
            assert!(VERSION.ends_with(&format!("({describe})")), "{VERSION}");
        }
    }

    #[test]
    fn latency_buckets_increase() {
        assert!(
            LATENCY_BUCKETS_SECONDS
                .windows(2)
                .all(|pair| pair[0] < pair[1])
        );
    }
}
