//! `BlobGrpc`: the `mailkeep.blob.v1.Blob` service over a [`BlobStore`], and
//! [`serve`], which runs it on a bound listener until shutdown. Invariants:
//! every call passes the internal-auth interceptor; ids are validated here,
//! before the store sees them; failures cross the wire with their
//! [`ErrorCode`](mailkeep_common::ErrorCode) in metadata; `Get` answers in
//! chunks of at most [`GET_CHUNK_BYTES`].

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures::{Stream, StreamExt, TryStreamExt};
use mailkeep_common::{BlobId, ErrorCode, TenantId};
use mailkeep_proto::InternalAuth;
use mailkeep_proto::blob::v1::blob_server::{Blob, BlobServer};
use mailkeep_proto::blob::v1::{
    DeleteRequest, DeleteResponse, GetChunk, GetRequest, PutChunk, PutResponse, StatRequest,
    StatResponse,
};
use mailkeep_proto::telemetry::GrpcServerTelemetryLayer;
use tokio::net::TcpListener;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

use crate::{BlobError, BlobStore, ByteRange, ByteStream};

/// The largest data chunk one `GetChunk` carries.
pub const GET_CHUNK_BYTES: usize = 64 * 1024;

/// Bound on one gRPC message either way: generous for 64 KiB chunks, and for
/// clients that send larger put chunks.
pub const MAX_GRPC_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// The gRPC face of a [`BlobStore`].
#[derive(Debug, Clone)]
pub struct BlobGrpc {
    store: Arc<dyn BlobStore>,
}

impl BlobGrpc {
    pub fn new(store: Arc<dyn BlobStore>) -> Self {
        Self { store }
    }
}

/// Serves the blob service on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    store: Arc<dyn BlobStore>,
    auth: InternalAuth,
) -> Result<(), tonic::transport::Error> {
    let server = BlobServer::new(BlobGrpc::new(store))
        .max_decoding_message_size(MAX_GRPC_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_GRPC_MESSAGE_BYTES);
    let service = InterceptedService::new(server, move |request| auth.check(request));
    tonic::transport::Server::builder()
        .layer(GrpcServerTelemetryLayer::new("blob"))
        .add_service(service)
        // Without TCP_NODELAY, a response split over small writes waits
        // for the peer's delayed ACK (40 ms on Linux): `serve_with_incoming`
        // ignores the builder's `tcp_nodelay`, so the incoming sets it.
        .serve_with_incoming_shutdown(
            TcpIncoming::from(listener).with_nodelay(Some(true)),
            shutdown,
        )
        .await
}

fn to_status(error: BlobError) -> Status {
    let code = error.code();
    if matches!(code, ErrorCode::Internal | ErrorCode::Unavailable) {
        tracing::warn!(error = %error, "blob operation failed");
    }
    mailkeep_proto::status(code, error.to_string())
}

fn parse_tenant(text: &str) -> Result<TenantId, Status> {
    text.parse()
        .map_err(|_| mailkeep_proto::status(ErrorCode::InvalidArgument, "invalid tenant_id"))
}

fn parse_blob(text: &str) -> Result<BlobId, Status> {
    text.parse()
        .map_err(|_| mailkeep_proto::status(ErrorCode::InvalidArgument, "invalid blob_id"))
}

/// Regroups a body stream into chunks of `size` bytes (the last may be
/// shorter), whatever chunking the store produced.
fn rechunk(inner: ByteStream, size: usize) -> impl Stream<Item = Result<Bytes, BlobError>> {
    futures::stream::try_unfold(
        (inner, BytesMut::new(), false),
        move |(mut inner, mut buffer, mut ended)| async move {
            while !ended && buffer.len() < size {
                match inner.try_next().await? {
                    Some(chunk) => buffer.extend_from_slice(&chunk),
                    None => ended = true,
                }
            }
            if buffer.is_empty() {
                return Ok(None);
            }
            let chunk = buffer.split_to(buffer.len().min(size)).freeze();
            Ok(Some((chunk, (inner, buffer, ended))))
        },
    )
}

type GetStream = Pin<Box<dyn Stream<Item = Result<GetChunk, Status>> + Send + 'static>>;

#[tonic::async_trait]
impl Blob for BlobGrpc {
    async fn put(
        &self,
        request: Request<Streaming<PutChunk>>,
    ) -> Result<Response<PutResponse>, Status> {
        let mut chunks = request.into_inner();
        let first = chunks.message().await?.ok_or_else(|| {
            mailkeep_proto::status(ErrorCode::InvalidArgument, "put stream carried no chunk")
        })?;
        let tenant = parse_tenant(&first.tenant_id)?;
        let expected = match first.expected_blob_id.as_str() {
            "" => None,
            text => Some(parse_blob(text)?),
        };
        let head = futures::stream::once(futures::future::ready(Ok(Bytes::from(first.data))));
        let rest = chunks.map(|chunk| match chunk {
            Ok(chunk) => Ok(Bytes::from(chunk.data)),
            Err(status) => Err(BlobError::BodyStream {
                reason: status.message().to_owned(),
            }),
        });
        let body: ByteStream = Box::pin(head.chain(rest));
        let outcome = self
            .store
            .put(tenant, body, expected)
            .await
            .map_err(to_status)?;
        tracing::debug!(tenant = %tenant, blob = %outcome.blob_id, size = outcome.size, created = outcome.created, "blob stored");
        Ok(Response::new(PutResponse {
            blob_id: outcome.blob_id.to_string(),
            size: outcome.size,
            created: outcome.created,
        }))
    }

    type GetStream = GetStream;

    async fn get(&self, request: Request<GetRequest>) -> Result<Response<GetStream>, Status> {
        let request = request.into_inner();
        let tenant = parse_tenant(&request.tenant_id)?;
        let blob = parse_blob(&request.blob_id)?;
        let range = ByteRange {
            offset: request.offset,
            length: (request.length != 0).then_some(request.length),
        };
        let body = self
            .store
            .get(tenant, blob, range)
            .await
            .map_err(to_status)?;
        let chunks = rechunk(body, GET_CHUNK_BYTES).map(|chunk| match chunk {
            Ok(data) => Ok(GetChunk { data: data.into() }),
            Err(error) => Err(to_status(error)),
        });
        Ok(Response::new(Box::pin(chunks)))
    }

    async fn stat(&self, request: Request<StatRequest>) -> Result<Response<StatResponse>, Status> {
        let request = request.into_inner();
        let tenant = parse_tenant(&request.tenant_id)?;
        let blob = parse_blob(&request.blob_id)?;
        let size = self.store.stat(tenant, blob).await.map_err(to_status)?;
        Ok(Response::new(StatResponse {
            exists: size.is_some(),
            size: size.unwrap_or(0),
        }))
    }

    async fn delete(
        &self,
        request: Request<DeleteRequest>,
    ) -> Result<Response<DeleteResponse>, Status> {
        let request = request.into_inner();
        let tenant = parse_tenant(&request.tenant_id)?;
        let blob = parse_blob(&request.blob_id)?;
        self.store.delete(tenant, blob).await.map_err(to_status)?;
        Ok(Response::new(DeleteResponse {}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FsBlobStore, blob_id_of};
    use mailkeep_proto::blob::v1::blob_client::BlobClient;
    use tonic::transport::Channel;

    fn patterned(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i % 253) as u8).collect()
    }

    fn put_chunks(tenant: &str, body: &[u8], expected: &str) -> Vec<PutChunk> {
        body.chunks(GET_CHUNK_BYTES)
            .enumerate()
            .map(|(index, data)| PutChunk {
                tenant_id: if index == 0 {
                    tenant.to_owned()
                } else {
                    String::new()
                },
                data: data.to_vec(),
                expected_blob_id: if index == 0 {
                    expected.to_owned()
                } else {
                    String::new()
                },
            })
            .collect()
    }

    async fn collect_get(
        client: &mut BlobClient<InterceptedService<Channel, impl tonic::service::Interceptor>>,
        request: GetRequest,
    ) -> Result<Vec<Vec<u8>>, Status> {
        let mut stream = client.get(request).await?.into_inner();
        let mut chunks = Vec::new();
        while let Some(chunk) = stream.message().await? {
            chunks.push(chunk.data);
        }
        Ok(chunks)
    }

    #[tokio::test]
    async fn blobs_round_trip_over_grpc() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FsBlobStore::open(dir.path(), 1024 * 1024).await.unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let auth = InternalAuth::new("s3cret").unwrap();
        let server = tokio::spawn(serve(
            listener,
            async move {
                let _ = stopped.await;
            },
            store,
            auth.clone(),
        ));
        let channel = Channel::from_shared(format!("http://{address}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut client =
            BlobClient::with_interceptor(channel.clone(), move |request| auth.attach(request));

        let tenant = TenantId::from_u128(42).to_string();
        let body = patterned(3 * GET_CHUNK_BYTES + 1234);
        let blob = blob_id_of(&body).to_string();
        let chunks = put_chunks(&tenant, &body, &blob);
        assert_eq!(chunks.len(), 4);
        let put = client
            .put(futures::stream::iter(chunks))
            .await
            .unwrap()
            .into_inner();
        assert_eq!(put.blob_id, blob);
        assert_eq!(put.size, body.len() as u64);
        assert!(put.created);

        let whole = GetRequest {
            tenant_id: tenant.clone(),
            blob_id: blob.clone(),
            offset: 0,
            length: 0,
        };
        let chunks = collect_get(&mut client, whole).await.unwrap();
        assert_eq!(chunks.len(), 4);
        assert!(chunks.iter().all(|chunk| chunk.len() <= GET_CHUNK_BYTES));
        assert!(chunks.concat() == body);

        let ranged = GetRequest {
            tenant_id: tenant.clone(),
            blob_id: blob.clone(),
            offset: 70_000,
            length: 100_000,
        };
        let part = collect_get(&mut client, ranged).await.unwrap().concat();
        assert!(part[..] == body[70_000..170_000]);

        let stat = client
            .stat(StatRequest {
                tenant_id: tenant.clone(),
                blob_id: blob.clone(),
            })
            .await
            .unwrap()
            .into_inner();
        assert!(stat.exists);
        assert_eq!(stat.size, body.len() as u64);

        let missing = GetRequest {
            tenant_id: tenant.clone(),
            blob_id: blob_id_of(b"absent").to_string(),
            offset: 0,
            length: 0,
        };
        let error = collect_get(&mut client, missing).await.unwrap_err();
        assert_eq!(mailkeep_proto::error_code(&error), ErrorCode::NotFound);

        let mismatched = put_chunks(&tenant, b"other body", &blob);
        let error = client
            .put(futures::stream::iter(mismatched))
            .await
            .unwrap_err();
        assert_eq!(
            mailkeep_proto::error_code(&error),
            ErrorCode::InvalidArgument
        );

        let too_big = put_chunks(&tenant, &patterned(1024 * 1024 + 1), "");
        let error = client
            .put(futures::stream::iter(too_big))
            .await
            .unwrap_err();
        assert_eq!(mailkeep_proto::error_code(&error), ErrorCode::Limit);

        client
            .delete(DeleteRequest {
                tenant_id: tenant.clone(),
                blob_id: blob.clone(),
            })
            .await
            .unwrap();
        let gone = StatRequest {
            tenant_id: tenant,
            blob_id: blob,
        };
        assert!(!client.stat(gone.clone()).await.unwrap().into_inner().exists);

        let mut anonymous = BlobClient::new(channel);
        let error = anonymous.stat(gone).await.unwrap_err();
        assert_eq!(
            mailkeep_proto::error_code(&error),
            ErrorCode::PermissionDenied
        );

        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn bad_ids_are_invalid_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FsBlobStore::open(dir.path(), 1024).await.unwrap());
        let service = BlobGrpc::new(store);
        let request = Request::new(StatRequest {
            tenant_id: "not-a-tenant".to_owned(),
            blob_id: blob_id_of(b"x").to_string(),
        });
        let error = service.stat(request).await.unwrap_err();
        assert_eq!(
            mailkeep_proto::error_code(&error),
            ErrorCode::InvalidArgument
        );
        let request = Request::new(DeleteRequest {
            tenant_id: TenantId::from_u128(1).to_string(),
            blob_id: "ABC".to_owned(),
        });
        let error = service.delete(request).await.unwrap_err();
        assert_eq!(
            mailkeep_proto::error_code(&error),
            ErrorCode::InvalidArgument
        );
    }

    #[tokio::test]
    async fn rechunk_regroups_to_the_chunk_size() {
        let parts: Vec<Result<Bytes, BlobError>> = ["ab", "cde", "f", "", "ghij"]
            .into_iter()
            .map(|part| Ok(Bytes::from(part)))
            .collect();
        let stream: ByteStream = Box::pin(futures::stream::iter(parts));
        let chunks: Vec<Bytes> = rechunk(stream, 4).try_collect().await.unwrap();
        assert_eq!(chunks, ["abcd", "efgh", "ij"]);
    }
}
