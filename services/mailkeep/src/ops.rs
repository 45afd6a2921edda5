//! The ops port every role serves: `/healthz` (the process is up),
//! `/readyz` (every backend this role needs answers, each [`Probe`] within
//! [`PROBE_TIMEOUT`]) and `/metrics` (Prometheus text). Readiness never
//! caches: each request probes again, so a recovered backend is seen at once.
//! Once the process is draining, `/readyz` answers 503 without probing, so
//! load balancers stop sending new connections while sessions finish.
//! Counters: `mailkeep_ops_requests_total{endpoint}`,
//! `mailkeep_readiness_failures_total{probe}` (and, from `main`,
//! `mailkeep_role_starts_total{role}`).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use mailkeep_blob::BlobStore;
use mailkeep_common::ErrorCode;
use mailkeep_metadata::MetadataStore;
use metrics_exporter_prometheus::PrometheusHandle;
use serde_json::{Map, Value, json};
use tonic::transport::Endpoint;

use crate::shutdown::Shutdown;

/// How long one readiness probe may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// One backend a role needs.
pub enum Probe {
    /// The metadata database: a lookup of a name that cannot exist must
    /// answer "not found" (any answer from the database proves it is up).
    MetadataStore(Arc<dyn MetadataStore>),
    /// The blob store's own readiness check (bucket or directory reachable).
    BlobStore(Arc<dyn BlobStore>),
    /// A gRPC peer that must accept a connection.
    GrpcPeer {
        name: &'static str,
        endpoint: Box<Endpoint>,
    },
}

impl Probe {
    /// A probe of the gRPC service at `url` (`http://host:port`).
    pub fn grpc_peer(name: &'static str, url: &str) -> anyhow::Result<Self> {
        let endpoint = Endpoint::from_shared(url.to_owned())?.connect_timeout(PROBE_TIMEOUT);
        Ok(Probe::GrpcPeer {
            name,
            endpoint: Box::new(endpoint),
        })
    }

    fn name(&self) -> &'static str {
        match self {
            Probe::MetadataStore(_) => "metadata_store",
            Probe::BlobStore(_) => "blob_store",
            Probe::GrpcPeer { name, .. } => name,
        }
    }

    async fn check(&self) -> Result<(), String> {
        match self {
            Probe::MetadataStore(store) => match store.get_tenant("readyz.invalid").await {
                Ok(_) => Ok(()),
                Err(error) if error.code() == ErrorCode::NotFound => Ok(()),
                Err(error) => Err(error.to_string()),
            },
            Probe::BlobStore(store) => store.check_ready().await.map_err(|error| error.to_string()),
            Probe::GrpcPeer { endpoint, .. } => endpoint
                .connect()
                .await
                .map(drop)
                .map_err(|error| error.to_string()),
        }
    }
}

/// What the ops router serves from.
#[derive(Clone)]
pub struct OpsState {
    probes: Arc<Vec<Probe>>,
    metrics: PrometheusHandle,
    /// Triggered when the process starts draining.
    draining: Shutdown,
}

impl OpsState {
    pub fn new(probes: Vec<Probe>, metrics: PrometheusHandle, draining: Shutdown) -> Self {
        Self {
            probes: Arc::new(probes),
            metrics,
            draining,
        }
    }
}

pub fn router(state: OpsState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(render_metrics))
        .with_state(state)
}

/// Serves the ops router until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    state: OpsState,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn healthz() -> Json<Value> {
    metrics::counter!("mailkeep_ops_requests_total", "endpoint" => "healthz").increment(1);
    Json(json!({"status": "ok"}))
}

async fn readyz(State(state): State<OpsState>) -> impl IntoResponse {
    metrics::counter!("mailkeep_ops_requests_total", "endpoint" => "readyz").increment(1);
    if state.draining.is_triggered() {
        let body = json!({"status": "draining", "checks": {}});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body));
    }
    let mut checks = Map::new();
    let mut ready = true;
    for probe in state.probes.iter() {
        let outcome = match tokio::time::timeout(PROBE_TIMEOUT, probe.check()).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("no answer within {PROBE_TIMEOUT:?}")),
        };
        let result = match outcome {
            Ok(()) => "ok".to_owned(),
            Err(error) => {
                ready = false;
                metrics::counter!("mailkeep_readiness_failures_total", "probe" => probe.name())
                    .increment(1);
                tracing::warn!(probe = probe.name(), error = %error, "readiness probe failed");
                error
            }
        };
        checks.insert(probe.name().to_owned(), Value::String(result));
    }
    let (status, word) = if ready {
        (StatusCode::OK, "ready")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    };
    (status, Json(json!({"status": word, "checks": checks})))
}

async fn render_metrics(State(state): State<OpsState>) -> String {
    metrics::counter!("mailkeep_ops_requests_total", "endpoint" => "metrics").increment(1);
    state.metrics.render()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use metrics_exporter_prometheus::PrometheusBuilder;
    use tower::ServiceExt;

    async fn get_json(state: OpsState, path: &str) -> (StatusCode, Value) {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = router(state).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    fn handle() -> PrometheusHandle {
        PrometheusBuilder::new().build_recorder().handle()
    }

    #[tokio::test]
    async fn healthz_is_always_ok_and_readyz_reports_each_probe() {
        let live = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let live_url = format!("http://{}", live.local_addr().unwrap());
        let state = OpsState::new(
            vec![Probe::grpc_peer("metadata", &live_url).unwrap()],
            handle(),
            Shutdown::new(),
        );
        assert_eq!(get_json(state.clone(), "/healthz").await.0, StatusCode::OK);
        let (status, body) = get_json(state, "/readyz").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["checks"]["metadata"], "ok");

        let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let dead_url = format!("http://{}", dead.local_addr().unwrap());
        drop(dead);
        let state = OpsState::new(
            vec![
                Probe::grpc_peer("metadata", &live_url).unwrap(),
                Probe::grpc_peer("blob", &dead_url).unwrap(),
            ],
            handle(),
            Shutdown::new(),
        );
        let (status, body) = get_json(state, "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "not ready");
        assert_eq!(body["checks"]["metadata"], "ok");
        assert_ne!(body["checks"]["blob"], "ok");
    }

    #[tokio::test]
    async fn store_probes_check_the_real_backends() {
        let dir = tempfile::tempdir().unwrap();
        let metadata_url = format!("sqlite://{}", dir.path().join("m.db").display());
        let store = mailkeep_metadata::open_store(&metadata_url).await.unwrap();
        let blob_url = format!("file://{}", dir.path().join("blobs").display());
        let blobs = mailkeep_blob::open_store(&blob_url, &mailkeep_blob::StoreOptions::default())
            .await
            .unwrap();
        let state = OpsState::new(
            vec![Probe::MetadataStore(store), Probe::BlobStore(blobs)],
            handle(),
            Shutdown::new(),
        );
        let (status, body) = get_json(state, "/readyz").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["checks"]["metadata_store"], "ok");
        assert_eq!(body["checks"]["blob_store"], "ok");
    }

    #[tokio::test]
    async fn readyz_answers_503_once_draining_while_healthz_stays_ok() {
        let draining = Shutdown::new();
        let state = OpsState::new(Vec::new(), handle(), draining.clone());
        assert_eq!(get_json(state.clone(), "/readyz").await.0, StatusCode::OK);
        draining.trigger();
        let (status, body) = get_json(state.clone(), "/readyz").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["status"], "draining");
        assert_eq!(get_json(state, "/healthz").await.0, StatusCode::OK);
    }
}
