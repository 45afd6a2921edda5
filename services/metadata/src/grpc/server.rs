//! Serving the metadata service: the tonic server with its size limits,
//! the internal-auth interceptor, the optional admin service with its purge
//! worker, the optional import jobs service, telemetry, and TCP_NODELAY on
//! accepted connections.

use std::future::Future;
use std::sync::Arc;

use mailkeep_proto::InternalAuth;
use mailkeep_proto::metadata::v1::import_jobs_server::ImportJobsServer;
use mailkeep_proto::metadata::v1::metadata_admin_server::MetadataAdminServer;
use mailkeep_proto::metadata::v1::metadata_server::MetadataServer;
use mailkeep_proto::telemetry::GrpcServerTelemetryLayer;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;

use super::admin::MetadataAdminGrpc;
use super::imports::ImportJobsGrpc;
use super::{MetadataGrpc, purge_worker};
use crate::store::MetadataStore;

/// Largest request or answer the service accepts: an APPEND batch carries the
/// analysis (decoded text included) of every message in it.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Serves the metadata service on `listener` until `shutdown` resolves,
/// without change events.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    store: Arc<dyn MetadataStore>,
    auth: InternalAuth,
) -> Result<(), tonic::transport::Error> {
    serve_service(listener, shutdown, MetadataGrpc::new(store), auth).await
}

/// Serves `service` (e.g. one built [`with_bus`](MetadataGrpc::with_bus))
/// on `listener` until `shutdown` resolves.
pub async fn serve_service(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    service: MetadataGrpc,
    auth: InternalAuth,
) -> Result<(), tonic::transport::Error> {
    let admin_store = Arc::clone(&service.store).admin();
    let import_store = Arc::clone(&service.store).imports();
    let secrets_key = service.secrets_key.clone();
    let server = MetadataServer::new(service)
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let admin_auth = auth.clone();
    let imports_auth = auth.clone();
    let service = InterceptedService::new(server, move |request| auth.check(request));
    let purge_wake = Arc::new(Notify::new());
    let admin_service = admin_store.as_ref().map(|store| {
        let admin = MetadataAdminGrpc::new(Arc::clone(store), Arc::clone(&purge_wake));
        InterceptedService::new(MetadataAdminServer::new(admin), move |request| {
            admin_auth.check(request)
        })
    });
    let imports_service = import_store.map(|store| {
        let imports = ImportJobsGrpc::new(store, secrets_key);
        InterceptedService::new(ImportJobsServer::new(imports), move |request| {
            imports_auth.check(request)
        })
    });
    let purge = admin_store.map(|store| tokio::spawn(purge_worker::run(store, purge_wake)));
    let served = tonic::transport::Server::builder()
        .layer(GrpcServerTelemetryLayer::new("metadata"))
        .add_service(service)
        .add_optional_service(admin_service)
        .add_optional_service(imports_service)
        // Without TCP_NODELAY, a response split over small writes waits
        // for the peer's delayed ACK (40 ms on Linux): `serve_with_incoming`
        // ignores the builder's `tcp_nodelay`, so the incoming sets it.
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await;
    if let Some(purge) = purge {
        purge.abort();
    }
    served
}
