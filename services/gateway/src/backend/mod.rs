//! [`GrpcBackend`]: the gateway's `MailBackend` over the metadata and blob
//! gRPC contracts. Channels connect lazily, so a gateway starts while a
//! backend is down and its sessions answer `NO [UNAVAILABLE]` until it is
//! back. Every call carries the internal shared secret
//! ([`InternalAuth`]) and the account scope of the session's principal.

mod blob;
mod coalesce;
mod convert;
mod delivery;
mod metadata;
mod recent_claims;

use std::sync::Arc;
use std::time::Duration;

use mailkeep_common::ErrorCode;
use mailkeep_proto::InternalAuth;
use mailkeep_proto::blob::v1::blob_client::BlobClient;
use mailkeep_proto::metadata::v1::metadata_client::MetadataClient;
use mailkeep_proto::telemetry::inject_current_context;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use self::blob::BlobRpc;
pub use self::coalesce::CoalescingBackend;
pub(crate) use self::coalesce::answering_event;

/// How long establishing a backend connection may take before the call
/// fails with `UNAVAILABLE`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The bound on one unary call, or on a streaming call's first response.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(30);
/// Largest message the gateway accepts from a backend.
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Attaches the internal token and the trace context to every outgoing call.
#[derive(Debug, Clone)]
pub(crate) struct AttachInternalToken(InternalAuth);

impl Interceptor for AttachInternalToken {
    fn call(
        &mut self,
        mut request: tonic::Request<()>,
    ) -> Result<tonic::Request<()>, tonic::Status> {
        // W3C trace context of the calling span: the server's span joins it.
        inject_current_context(request.metadata_mut());
        self.0.attach(request)
    }
}

/// A channel whose calls carry the internal token.
pub(crate) type InternalChannel = InterceptedService<Channel, AttachInternalToken>;

/// Why [`connect_backend`] could not set up its clients.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("invalid backend url {url}: {source}")]
    InvalidUrl {
        url: String,
        #[source]
        source: tonic::transport::Error,
    },
    #[error("the internal token is not a valid header value")]
    InvalidToken,
}

impl ConnectError {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::InvalidArgument
    }
}

/// `MailBackend` over tonic clients of the metadata and blob services.
#[derive(Debug, Clone)]
pub struct GrpcBackend {
    metadata: MetadataClient<InternalChannel>,
    blob: BlobRpc,
}

impl GrpcBackend {
    /// Builds the backend over existing channels (tests pass in-process ones).
    pub fn new(metadata: Channel, blob: Channel, auth: InternalAuth) -> Self {
        let token = AttachInternalToken(auth);
        let metadata = MetadataClient::with_interceptor(metadata, token.clone())
            .max_decoding_message_size(MAX_RESPONSE_BYTES);
        let blob =
            BlobClient::with_interceptor(blob, token).max_decoding_message_size(MAX_RESPONSE_BYTES);
        Self {
            metadata,
            blob: BlobRpc::new(blob),
        }
    }
}

/// Creates lazily connecting clients of the metadata and blob services at
/// `metadata_url` and `blob_url` (`http://host:port`). Nothing is dialled
/// here: the first call connects, and a down backend fails that call with
/// `UNAVAILABLE`.
pub async fn connect_backend(
    metadata_url: &str,
    blob_url: &str,
    internal_token: &str,
) -> Result<Arc<GrpcBackend>, ConnectError> {
    let auth = InternalAuth::new(internal_token).map_err(|_| ConnectError::InvalidToken)?;
    let metadata = lazy_channel(metadata_url)?;
    let blob = lazy_channel(blob_url)?;
    tracing::info!(
        metadata = metadata_url,
        blob = blob_url,
        "backend clients ready"
    );
    Ok(Arc::new(GrpcBackend::new(metadata, blob, auth)))
}

fn lazy_channel(url: &str) -> Result<Channel, ConnectError> {
    let invalid = |source| ConnectError::InvalidUrl {
        url: url.to_owned(),
        source,
    };
    let endpoint = Endpoint::from_shared(url.to_owned())
        .map_err(invalid)?
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .tcp_nodelay(true)
        .tcp_keepalive(Some(KEEPALIVE_INTERVAL))
        .http2_keep_alive_interval(KEEPALIVE_INTERVAL)
        .keep_alive_while_idle(true);
    Ok(endpoint.connect_lazy())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_gateway_core::backend::MailBackend;

    #[tokio::test]
    async fn a_bad_url_or_token_is_rejected_up_front() {
        let error = connect_backend("not a url", "http://127.0.0.1:1", "")
            .await
            .unwrap_err();
        assert!(matches!(error, ConnectError::InvalidUrl { .. }), "{error}");
        let error = connect_backend("http://127.0.0.1:1", "http://127.0.0.1:1", "bad\ntoken")
            .await
            .unwrap_err();
        assert!(matches!(error, ConnectError::InvalidToken), "{error}");
        assert_eq!(error.code(), ErrorCode::InvalidArgument);
    }

    #[tokio::test]
    async fn a_down_backend_answers_unavailable() {
        // Bind and drop a listener so the port is (almost surely) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("http://127.0.0.1:{port}");
        let backend = connect_backend(&url, &url, "secret").await.unwrap();
        let error = backend.authenticate("a@b.test", "pw").await.unwrap_err();
        assert_eq!(error.code, ErrorCode::Unavailable, "{error}");
    }
}
