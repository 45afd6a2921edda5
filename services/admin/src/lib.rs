//! The Mailkeep admin REST API (axum): tenants, accounts, aliases, app
//! passwords, quotas, mailboxes, IMAP import jobs, the audit log and API
//! tokens, served by
//! calling the metadata service over gRPC. Every `/v1` route but the OpenAPI
//! document and its UI (`/v1/docs`) needs `Authorization: Bearer <token>`;
//! see [`guard`] for the order of authentication, rate limit, role check and
//! audit. Answers are JSON, errors `{"error": {"code", "message"}}` (see
//! [`error`]), every response carries `x-request-id`.
//! Invariant: no password, secret or token is ever logged or audited.
#![forbid(unsafe_code)]

mod access;
mod audit;
mod auth;
mod error;
mod extract;
mod guard;
mod handlers;
mod model;
mod openapi;
mod rate_limit;
mod request_id;
mod validate;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use handlers::{accounts, aliases, app_passwords, audit_log, imports, tenants, tokens, usage};
use mailkeep_proto::InternalAuth;
use mailkeep_proto::metadata::v1::import_jobs_client::ImportJobsClient;
use mailkeep_proto::metadata::v1::metadata_admin_client::MetadataAdminClient;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

pub use auth::BearerToken;
pub use error::{AdminError, ErrorBody, ErrorDetail};
pub use model::*;
pub use openapi::AdminApi;
pub use rate_limit::RateLimit;

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

/// The metadata admin gRPC client the API uses.
pub type MetadataAdminGrpcClient =
    MetadataAdminClient<InterceptedService<Channel, AttachInternalToken>>;

/// The import-jobs gRPC client the API uses, on the same channel.
pub type ImportJobsGrpcClient = ImportJobsClient<InterceptedService<Channel, AttachInternalToken>>;

/// Shared state of the admin router.
#[derive(Clone, Debug)]
pub struct AdminState {
    admin: MetadataAdminGrpcClient,
    imports: ImportJobsGrpcClient,
    bootstrap: BearerToken,
    limiter: rate_limit::TokenRateLimiter,
}

impl AdminState {
    /// Builds the state over an existing channel, with the default rate limit.
    pub fn new(
        channel: Channel,
        internal: InternalAuth,
        bootstrap_token: &str,
    ) -> Result<Self, AdminError> {
        Ok(Self {
            imports: ImportJobsClient::with_interceptor(
                channel.clone(),
                AttachInternalToken(internal.clone()),
            ),
            admin: MetadataAdminClient::with_interceptor(channel, AttachInternalToken(internal)),
            bootstrap: BearerToken::new(bootstrap_token)?,
            limiter: rate_limit::TokenRateLimiter::new(RateLimit::default()),
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

    /// Replaces the per-token rate limit.
    pub fn with_rate_limit(mut self, limit: RateLimit) -> Self {
        self.limiter = rate_limit::TokenRateLimiter::new(limit);
        self
    }

    fn admin_client(&self) -> MetadataAdminGrpcClient {
        self.admin.clone()
    }

    fn imports_client(&self) -> ImportJobsGrpcClient {
        self.imports.clone()
    }
}

/// The admin API router.
pub fn router(state: AdminState) -> Router {
    let tenant = "/v1/tenants/{domain}";
    let account = "/v1/tenants/{domain}/accounts/{local_part}";
    let protected = Router::new()
        .route(
            "/v1/tenants",
            post(tenants::create_tenant).get(tenants::list_tenants),
        )
        .route(
            tenant,
            get(tenants::get_tenant)
                .patch(tenants::update_tenant)
                .delete(tenants::delete_tenant),
        )
        .route(&format!("{tenant}/purge"), get(tenants::get_tenant_purge))
        .route(&format!("{tenant}/usage"), get(usage::tenant_usage))
        .route(
            &format!("{tenant}/usage/recalculate"),
            post(usage::recalculate_tenant_usage),
        )
        .route(
            &format!("{tenant}/accounts"),
            post(accounts::create_account).get(accounts::list_accounts),
        )
        .route(
            account,
            get(accounts::get_account)
                .patch(accounts::update_account)
                .delete(accounts::delete_account),
        )
        .route(&format!("{account}/usage"), get(usage::account_usage))
        .route(
            &format!("{account}/usage/recalculate"),
            post(usage::recalculate_account_usage),
        )
        .route(&format!("{account}/mailboxes"), get(usage::list_mailboxes))
        .route(
            &format!("{account}/app-passwords"),
            post(app_passwords::create_app_password).get(app_passwords::list_app_passwords),
        )
        .route(
            &format!("{account}/app-passwords/{{id}}"),
            axum::routing::delete(app_passwords::delete_app_password),
        )
        .route(
            &format!("{account}/imports"),
            post(imports::create_import).get(imports::list_imports),
        )
        .route(
            &format!("{account}/imports/{{id}}"),
            get(imports::get_import).delete(imports::cancel_import),
        )
        .route(&format!("{tenant}/aliases"), get(aliases::list_aliases))
        .route(
            &format!("{tenant}/aliases/{{alias}}"),
            get(aliases::get_alias)
                .put(aliases::put_alias)
                .delete(aliases::delete_alias),
        )
        .route(
            "/v1/tokens",
            post(tokens::create_token).get(tokens::list_tokens),
        )
        .route(
            "/v1/tokens/{id}",
            axum::routing::delete(tokens::revoke_token),
        )
        .route(access::AUDIT_ROUTE, get(audit_log::list_audit))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::guard,
        ));
    Router::new()
        .merge(SwaggerUi::new("/v1/docs").url("/v1/openapi.json", AdminApi::openapi()))
        .merge(protected)
        .fallback(no_route)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}

async fn no_route() -> AdminError {
    AdminError::NoRoute
}

/// Serves the admin API on `listener` until `shutdown` completes, then
/// finishes in-flight requests. The peer address feeds the audit log.
pub async fn serve(
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    state: AdminState,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
