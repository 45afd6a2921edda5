//! The Mailkeep admin REST API (axum): provision tenants and accounts by
//! calling the metadata service over gRPC. Every `/v1/tenants` route needs
//! `Authorization: Bearer <token>`; `GET /v1/openapi.json` is public. Answers
//! are JSON, errors are `{"error": {"code", "message"}}` (see [`error`]).
//! Invariant: no password or token is ever logged or echoed.
#![forbid(unsafe_code)]

mod auth;
mod error;
mod handlers;
mod model;
mod openapi;
mod validate;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use mailkeep_proto::InternalAuth;
use mailkeep_proto::metadata::v1::metadata_client::MetadataClient;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use utoipa::OpenApi;

pub use auth::BearerToken;
pub use error::{AdminError, ErrorBody, ErrorDetail};
pub use model::{AccountResponse, CreateAccountRequest, CreateTenantRequest, TenantResponse};
pub use openapi::AdminApi;

/// Largest request body the API reads.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a connection attempt to the metadata service may take.
const METADATA_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// How long one metadata call may take.
const METADATA_CALL_TIMEOUT: Duration = Duration::from_secs(15);

/// Client-side interceptor adding the internal shared secret to each call.
#[derive(Clone, Debug)]
pub struct AttachInternalToken(InternalAuth);

impl Interceptor for AttachInternalToken {
    fn call(&mut self, request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        self.0.attach(request)
    }
}

/// The metadata gRPC client the admin API uses.
pub type MetadataGrpcClient = MetadataClient<InterceptedService<Channel, AttachInternalToken>>;

/// Shared state of the admin router: the metadata client and the token digest.
#[derive(Clone, Debug)]
pub struct AdminState {
    metadata: MetadataGrpcClient,
    token: BearerToken,
}

impl AdminState {
    /// Builds the state over an existing channel.
    pub fn new(
        channel: Channel,
        internal: InternalAuth,
        bootstrap_token: &str,
    ) -> Result<Self, AdminError> {
        Ok(Self {
            metadata: MetadataClient::with_interceptor(channel, AttachInternalToken(internal)),
            token: BearerToken::new(bootstrap_token)?,
        })
    }

    /// Builds the state with a lazily connecting channel to `metadata_url`
    /// (`http://host:port`), so the API starts, and answers 503, while the
    /// metadata service is down.
    pub fn connect_lazy(
        metadata_url: &str,
        internal: InternalAuth,
        bootstrap_token: &str,
    ) -> Result<Self, AdminError> {
        let endpoint = Endpoint::from_shared(metadata_url.to_owned())
            .map_err(|source| AdminError::InvalidMetadataUrl {
                url: metadata_url.to_owned(),
                source,
            })?
            .connect_timeout(METADATA_CONNECT_TIMEOUT)
            .timeout(METADATA_CALL_TIMEOUT);
        Self::new(endpoint.connect_lazy(), internal, bootstrap_token)
    }
}

/// The admin API router.
pub fn router(state: AdminState) -> Router {
    let protected = Router::new()
        .route("/v1/tenants", post(handlers::create_tenant))
        .route("/v1/tenants/{domain}", get(handlers::get_tenant))
        .route(
            "/v1/tenants/{domain}/accounts",
            post(handlers::create_account),
        )
        .route(
            "/v1/tenants/{domain}/accounts/{local_part}",
            get(handlers::get_account).delete(handlers::delete_account),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_token,
        ));
    Router::new()
        .route("/v1/openapi.json", get(openapi_document))
        .merge(protected)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn openapi_document() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(AdminApi::openapi())
}

/// Serves the admin API on `listener` until `shutdown` completes, then
/// finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    state: AdminState,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
