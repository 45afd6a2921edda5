//! The `ImportJobs` gRPC service in process, served next to `Metadata` over
//! a fresh SQLite store: without a `secrets_key` creating and claiming jobs
//! is FAILED_PRECONDITION; with one, the source password is accepted on
//! create, never shown by Get/List, handed only to the claiming worker, and
//! a job whose password no longer opens (the key changed across a restart)
//! is failed at its claim instead of handed out. Errors carry their
//! `x-mailkeep-error` code.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use mailkeep_common::ErrorCode;
use mailkeep_metadata::model::NewAccount;
use mailkeep_metadata::{MetadataGrpc, MetadataStore, SecretsKey, open_store, serve_service};
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::metadata::v1::import_jobs_client::ImportJobsClient;
use mailkeep_proto::{InternalAuth, error_code};
use std::sync::Arc;
use tokio::sync::oneshot;
use tonic::Request;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

type Attach = Box<dyn Fn(Request<()>) -> Result<Request<()>, tonic::Status> + Send + Sync>;
type Client = ImportJobsClient<InterceptedService<Channel, Attach>>;

const SECRET: &str = "internal-secret";
const DOMAIN: &str = "imports.example";

/// A server on `store` with `key`; stops when dropped.
struct Server {
    client: Client,
    _stop: oneshot::Sender<()>,
}

impl Server {
    async fn start(store: Arc<dyn MetadataStore>, key: Option<&str>) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let key = key.map(|key| SecretsKey::from_base64(key).unwrap());
        tokio::spawn(serve_service(
            listener,
            async move {
                let _ = stopped.await;
            },
            MetadataGrpc::new(store).with_secrets_key(key),
            InternalAuth::new(SECRET).unwrap(),
        ));
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let auth = InternalAuth::new(SECRET).unwrap();
        let attach: Attach = Box::new(move |request| auth.attach(request));
        Server {
            client: ImportJobsClient::with_interceptor(channel, attach),
            _stop: stop,
        }
    }

    /// Creates the job of [`create_request`] for "alice"; it must be accepted.
    async fn create_job(&mut self) -> pb::ImportJob {
        self.client
            .create_import_job(create_request("alice"))
            .await
            .unwrap()
            .into_inner()
    }
}

async fn store_with_account(dir: &tempfile::TempDir) -> Arc<dyn MetadataStore> {
    let url = format!("sqlite://{}", dir.path().join("imports.db").display());
    let store = open_store(&url).await.unwrap();
    if store.get_tenant(DOMAIN).await.is_err() {
        store.create_tenant(DOMAIN).await.unwrap();
        store
            .create_account(NewAccount::new(DOMAIN, "alice", "secret"))
            .await
            .unwrap();
    }
    store
}

fn create_request(username: &str) -> pb::CreateImportJobRequest {
    pb::CreateImportJobRequest {
        domain: DOMAIN.into(),
        local_part: "alice".into(),
        source: Some(pb::ImportSource {
            host: "imap.example.org".into(),
            port: 993,
            tls: "tls".into(),
            username: username.into(),
            password: "source password".into(),
            accept_invalid_certs: false,
        }),
        ..pb::CreateImportJobRequest::default()
    }
}

fn claim(worker: &str) -> pb::ClaimImportJobRequest {
    pb::ClaimImportJobRequest {
        worker_id: worker.into(),
        lease_seconds: 60,
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, tonic::Status>) -> ErrorCode {
    error_code(&result.expect_err("expected an error"))
}

#[tokio::test]
async fn without_a_key_jobs_are_refused_and_the_rest_works() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(store_with_account(&dir).await, None).await;
    let refused = server
        .client
        .create_import_job(create_request("alice"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    assert_eq!(error_code(&refused), ErrorCode::Conflict);
    assert!(refused.message().contains("secrets_key"), "{refused:?}");
    assert_eq!(
        code(server.client.claim_import_job(claim("w1")).await),
        ErrorCode::Conflict
    );
    let listed = server
        .client
        .list_import_jobs(pb::ListImportJobsRequest {
            domain: DOMAIN.into(),
            local_part: "alice".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(listed.jobs.is_empty());
}

#[tokio::test]
async fn only_the_claiming_worker_sees_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let key = SecretsKey::generate_base64();
    let mut server = Server::start(store_with_account(&dir).await, Some(&key)).await;
    let created = server.create_job().await;
    assert_eq!(created.state, "queued");
    assert_eq!(created.source.as_ref().unwrap().password, "");
    assert_eq!(created.account_id, "");
    assert_eq!(
        code(
            server
                .client
                .create_import_job(create_request("alice"))
                .await
        ),
        ErrorCode::AlreadyExists
    );
    let mut bad = create_request("bob");
    bad.source.as_mut().unwrap().tls = "ssl".into();
    assert_eq!(
        code(server.client.create_import_job(bad).await),
        ErrorCode::InvalidArgument
    );
    let job_ref = pb::ImportJobRef {
        domain: DOMAIN.into(),
        local_part: "alice".into(),
        job_id: created.id.clone(),
    };
    let read = server
        .client
        .get_import_job(job_ref.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(read.source.unwrap().password, "");

    let claimed = server
        .client
        .claim_import_job(claim("w1"))
        .await
        .unwrap()
        .into_inner()
        .job
        .expect("the queued job");
    assert_eq!(claimed.source.unwrap().password, "source password");
    assert!(!claimed.account_id.is_empty());
    assert_eq!(claimed.attempts, 1);
    let nothing = server.client.claim_import_job(claim("w2")).await.unwrap();
    assert!(nothing.into_inner().job.is_none());

    let report = |worker: &str| pb::ReportImportProgressRequest {
        job_id: created.id.clone(),
        worker_id: worker.into(),
        lease_seconds: 60,
        counters: Some(pb::ImportCounters {
            messages_imported: 2,
            ..pb::ImportCounters::default()
        }),
        folders: vec![pb::FolderProgress {
            source: "INBOX".into(),
            target: "INBOX".into(),
            uidvalidity: 5,
            last_uid: 2,
            ..pb::FolderProgress::default()
        }],
        new_errors: Vec::new(),
    };
    let refused = server
        .client
        .report_import_progress(report("w2"))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition);
    let reported = server
        .client
        .report_import_progress(report("w1"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!((reported.messages_imported, reported.folders.len()), (2, 1));
    let finished = server
        .client
        .finish_import_job(pb::FinishImportJobRequest {
            report: Some(report("w1")),
            error: String::new(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(finished.state, "completed");
    assert_eq!(
        code(server.client.cancel_import_job(job_ref).await),
        ErrorCode::Conflict
    );
}

#[tokio::test]
async fn a_password_sealed_under_another_key_fails_its_job() {
    let dir = tempfile::tempdir().unwrap();
    let first_key = SecretsKey::generate_base64();
    let mut before = Server::start(store_with_account(&dir).await, Some(&first_key)).await;
    let created = before.create_job().await;
    drop(before);

    let other_key = SecretsKey::generate_base64();
    let mut after = Server::start(store_with_account(&dir).await, Some(&other_key)).await;
    let claimed = after.client.claim_import_job(claim("w1")).await.unwrap();
    assert!(claimed.into_inner().job.is_none());
    let failed = after
        .client
        .get_import_job(pb::ImportJobRef {
            domain: DOMAIN.into(),
            local_part: "alice".into(),
            job_id: created.id,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(failed.state, "failed");
    assert!(failed.error.contains("secrets_key"), "{}", failed.error);
}
