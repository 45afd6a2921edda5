//! Issue 6 acceptance, traces: `mailkeep dev` exports to an in-process OTLP
//! collector (a tonic `TraceService` on loopback), and the trace of one
//! `FETCH BODY[]` holds the gateway's command span and the server spans of
//! both the metadata and the blob service, all under one trace id.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use mailkeep_tests::dev_node::DevNode;
use mailkeep_tests::imap_lines::ImapLines;
use mailkeep_tests::provision::AdminClient;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use tokio_stream::wrappers::TcpListenerStream;

/// Every span received, with its resource's `service.name`.
#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<(String, Span)>>>,
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self
            .spans
            .lock()
            .map_err(|_| tonic::Status::internal("poisoned"))?;
        for resource_spans in request.into_inner().resource_spans {
            let service = resource_spans
                .resource
                .iter()
                .flat_map(|resource| &resource.attributes)
                .find(|attribute| attribute.key == "service.name")
                .and_then(|attribute| attribute.value.as_ref()?.value.clone())
                .map(|value| match value {
                    Value::StringValue(name) => name,
                    other => format!("{other:?}"),
                })
                .unwrap_or_default();
            for scope in resource_spans.scope_spans {
                spans.extend(scope.spans.into_iter().map(|span| (service.clone(), span)));
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|attribute| attribute.key == key)
        .and_then(
            |attribute| match attribute.value.as_ref()?.value.as_ref()? {
                Value::StringValue(text) => Some(text.clone()),
                _ => None,
            },
        )
}

// Multi-threaded: the collector must answer while the test thread waits
// for the process to exit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_fetch_is_one_trace_across_gateway_metadata_and_blob() -> anyhow::Result<()> {
    let collector = Collector::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let endpoint = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve_with_incoming(TcpListenerStream::new(listener)),
    );

    let data = tempfile::tempdir()?;
    let env = [("MAILKEEP_TELEMETRY__OTLP_ENDPOINT", endpoint)];
    let mut node = DevNode::start(data.path(), &env)?;
    node.wait_ready().await?;
    let admin = AdminClient::new(&node.admin_url()?, node.admin_token()?);
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "traced").await?;
    let mut client = ImapLines::logged_in(node.imap()?, &account.login, &account.password).await?;
    client
        .append("a1", "Subject: traced\r\n\r\nbody\r\n")
        .await?;
    client.ok("f1", "FETCH 1 BODY[]").await?;
    client.ok("z1", "LOGOUT").await?;
    // Shutdown flushes the exporter.
    node.terminate()?;
    let status = node.wait_exit(Duration::from_secs(30))?;
    assert!(status.success(), "{status}\n{}", node.diagnostics());
    server.abort();

    let spans = collector
        .spans
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .clone();
    let names: Vec<&str> = spans.iter().map(|(_, span)| span.name.as_str()).collect();
    let (service, fetch) = spans
        .iter()
        .find(|(_, span)| span.name == "IMAP FETCH")
        .with_context(|| format!("no IMAP FETCH span among {names:?}\n{}", node.diagnostics()))?;
    assert_eq!(service, "mailkeep-dev");
    assert!(
        fetch.parent_span_id.is_empty(),
        "the command span is a root"
    );
    assert_eq!(attribute(fetch, "imap.result").as_deref(), Some("ok"));
    let in_trace: Vec<&Span> = spans
        .iter()
        .map(|(_, span)| span)
        .filter(|span| span.trace_id == fetch.trace_id)
        .collect();
    let server_of = |service: &str| {
        in_trace.iter().any(|span| {
            attribute(span, "rpc.service").as_deref() == Some(service)
                && span.name.starts_with(&format!("{service}/"))
                && !span.parent_span_id.is_empty()
        })
    };
    let trace_names: Vec<&str> = in_trace.iter().map(|span| span.name.as_str()).collect();
    assert!(
        server_of("metadata"),
        "no metadata server span in {trace_names:?}"
    );
    assert!(server_of("blob"), "no blob server span in {trace_names:?}");
    assert!(
        in_trace.iter().any(|span| span.name.starts_with("sqlite ")),
        "no SQL span in {trace_names:?}"
    );
    assert!(
        in_trace
            .iter()
            .any(|span| span.name.starts_with("file get")),
        "no blob store span in {trace_names:?}"
    );
    Ok(())
}
