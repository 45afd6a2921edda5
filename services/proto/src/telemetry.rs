//! Telemetry shared by every gRPC client and server of the internal
//! contracts: the W3C `traceparent` travels in gRPC metadata
//! ([`inject_current_context`] on the client, [`extract_context`] on the
//! server), [`GrpcServerTelemetryLayer`] wraps a tonic server so each call is
//! a `grpc.server` span (a child of the caller's span) with request counts
//! and latencies, and [`client_call`] times one outgoing call inside a
//! `grpc.client` span, and [`storage_call`] does the same for one SQL or
//! S3 call. Labels are bounded: a path the server does not
//! serve (answered `Unimplemented`) is counted as method `unknown`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use mailkeep_common::ErrorCode;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tonic::Code;
use tonic::codegen::http;
use tonic::metadata::{MetadataKey, MetadataMap, MetadataValue};
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::ERROR_CODE_KEY;

/// Writes the current span's trace context (`traceparent`, `tracestate`)
/// into outgoing gRPC metadata. Without an active trace nothing is written.
pub fn inject_current_context(metadata: &mut MetadataMap) {
    let context = tracing::Span::current().context();
    TraceContextPropagator::new().inject_context(&context, &mut MetadataInjector(metadata));
}

/// The caller's trace context from incoming request headers (an empty
/// context when the caller sent none or an invalid one).
pub fn extract_context(headers: &http::HeaderMap) -> opentelemetry::Context {
    TraceContextPropagator::new().extract(&HeaderExtractor(headers))
}

struct MetadataInjector<'a>(&'a mut MetadataMap);

impl Injector for MetadataInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        let Ok(key) = MetadataKey::from_bytes(key.as_bytes()) else {
            return;
        };
        if let Ok(value) = MetadataValue::try_from(value) {
            self.0.insert(key, value);
        }
    }
}

struct HeaderExtractor<'a>(&'a http::HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

/// Runs one outgoing call of `service`/`method` inside a `grpc.client` span
/// and records `mailkeep_grpc_client_duration_seconds{service,method}`
/// (until the answer, or a stream's first message, arrives).
pub async fn client_call<T>(
    service: &'static str,
    method: &'static str,
    call: impl Future<Output = T>,
) -> T {
    let span = tracing::info_span!(
        "grpc.client",
        otel.name = format!("{service}/{method}"),
        otel.kind = "client",
        rpc.service = service,
        rpc.method = method,
    );
    let started = Instant::now();
    let answer = call.instrument(span).await;
    metrics::histogram!(
        "mailkeep_grpc_client_duration_seconds",
        "service" => service,
        "method" => method
    )
    .record(started.elapsed().as_secs_f64());
    answer
}

/// Runs one call to a storage backend (`system`: `sqlite`, `postgres`,
/// `s3`, `file`) inside a span named `<system> <operation>`, and records its
/// latency in the histogram `metric{operation}` when one is given.
pub async fn storage_call<T>(
    metric: Option<&'static str>,
    system: &'static str,
    operation: &'static str,
    call: impl Future<Output = T>,
) -> T {
    let span = tracing::info_span!(
        "storage",
        otel.name = format!("{system} {operation}"),
        otel.kind = "client",
        db.system = system,
        db.operation = operation,
    );
    let started = Instant::now();
    let answer = call.instrument(span).await;
    if let Some(metric) = metric {
        metrics::histogram!(metric, "operation" => operation)
            .record(started.elapsed().as_secs_f64());
    }
    answer
}

/// A tower layer for `tonic::transport::Server::layer` that traces and
/// meters every call of the server's `service` (`metadata`, `blob`).
#[derive(Debug, Clone, Copy)]
pub struct GrpcServerTelemetryLayer {
    service: &'static str,
}

impl GrpcServerTelemetryLayer {
    pub const fn new(service: &'static str) -> Self {
        Self { service }
    }
}

impl<S> tower::Layer<S> for GrpcServerTelemetryLayer {
    type Service = GrpcServerTelemetry<S>;

    fn layer(&self, inner: S) -> Self::Service {
        GrpcServerTelemetry {
            inner,
            service: self.service,
        }
    }
}

/// The service [`GrpcServerTelemetryLayer`] builds.
#[derive(Debug, Clone)]
pub struct GrpcServerTelemetry<S> {
    inner: S,
    service: &'static str,
}

type BoxedFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S, RequestBody, ResponseBody> tower::Service<http::Request<RequestBody>>
    for GrpcServerTelemetry<S>
where
    S: tower::Service<http::Request<RequestBody>, Response = http::Response<ResponseBody>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    RequestBody: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = BoxedFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, context: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: http::Request<RequestBody>) -> Self::Future {
        // The ready service handles this call; a fresh clone waits for the next.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let service = self.service;
        let method = method_of(request.uri().path());
        let span = tracing::info_span!(
            "grpc.server",
            otel.name = format!("{service}/{method}"),
            otel.kind = "server",
            rpc.service = service,
            rpc.method = %method,
            rpc.grpc.status_code = tracing::field::Empty,
        );
        // An invalid or absent traceparent leaves the span a root.
        let _ = span.set_parent(extract_context(request.headers()));
        let started = Instant::now();
        Box::pin(
            async move {
                let answer = inner.call(request).await;
                if let Ok(response) = &answer {
                    record_server_call(service, method, response.headers(), started);
                }
                answer
            }
            .instrument(span),
        )
    }
}

/// Records one answered call: its code is in the headers when it failed
/// before any message (trailers-only answer); otherwise it went out in the
/// trailers, and a streamed answer that fails later still counts as `Ok`.
fn record_server_call(
    service: &'static str,
    method: String,
    headers: &http::HeaderMap,
    started: Instant,
) {
    let code = headers
        .get("grpc-status")
        .map_or(Code::Ok, |status| Code::from_bytes(status.as_bytes()));
    // Paths outside the contract must not create label values.
    let method = if code == Code::Unimplemented {
        "unknown".to_owned()
    } else {
        method
    };
    tracing::Span::current().record("rpc.grpc.status_code", code as i32);
    metrics::counter!(
        "mailkeep_grpc_server_requests_total",
        "service" => service,
        "method" => method.clone(),
        "code" => code_name(code)
    )
    .increment(1);
    metrics::histogram!(
        "mailkeep_grpc_server_duration_seconds",
        "service" => service,
        "method" => method
    )
    .record(started.elapsed().as_secs_f64());
    let over_quota = headers
        .get(ERROR_CODE_KEY)
        .is_some_and(|value| value.as_bytes() == ErrorCode::OverQuota.as_str().as_bytes());
    if over_quota {
        // The store reports one combined account quota (bytes and messages).
        metrics::counter!("mailkeep_quota_rejections_total", "resource" => "account").increment(1);
    }
}

/// `/mailkeep.metadata.v1.Metadata/AppendMessages` -> `AppendMessages`,
/// cut to [`MAX_METHOD_NAME`] bytes.
fn method_of(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut end = name.len().min(MAX_METHOD_NAME);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    name[..end].to_owned()
}

/// Longest method name kept in a span or label.
const MAX_METHOD_NAME: usize = 64;

/// `Ok`, `NotFound`, ... (the gRPC code's name).
fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };

    fn remote_context() -> opentelemetry::Context {
        let span = SpanContext::new(
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap(),
            TraceFlags::SAMPLED,
            true,
            TraceState::default(),
        );
        opentelemetry::Context::new().with_remote_span_context(span)
    }

    #[test]
    fn traceparent_round_trips_through_grpc_metadata() {
        let mut metadata = MetadataMap::new();
        TraceContextPropagator::new()
            .inject_context(&remote_context(), &mut MetadataInjector(&mut metadata));
        assert_eq!(
            metadata.get("traceparent").unwrap().to_str().unwrap(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        );
        let extracted = extract_context(&metadata.into_headers());
        let span = extracted.span();
        let span = span.span_context();
        assert!(span.is_valid());
        assert!(span.is_remote());
        assert_eq!(
            span.trace_id(),
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
        );
        assert_eq!(
            span.span_id(),
            SpanId::from_hex("00f067aa0ba902b7").unwrap()
        );
    }

    #[test]
    fn missing_or_malformed_traceparent_gives_no_parent() {
        let empty = extract_context(&http::HeaderMap::new());
        assert!(!empty.span().span_context().is_valid());
        let mut headers = http::HeaderMap::new();
        headers.insert("traceparent", "00-zz-00f067aa0ba902b7-01".parse().unwrap());
        assert!(!extract_context(&headers).span().span_context().is_valid());
    }

    #[test]
    fn no_active_trace_injects_nothing() {
        let mut metadata = MetadataMap::new();
        inject_current_context(&mut metadata);
        assert!(metadata.get("traceparent").is_none());
    }

    #[test]
    fn method_names_come_from_the_path_and_are_bounded() {
        assert_eq!(
            method_of("/mailkeep.metadata.v1.Metadata/AppendMessages"),
            "AppendMessages"
        );
        assert_eq!(method_of(&format!("/x/{}", "é".repeat(100))).len(), 64);
        assert_eq!(code_name(Code::ResourceExhausted), "RESOURCE_EXHAUSTED");
    }
}
