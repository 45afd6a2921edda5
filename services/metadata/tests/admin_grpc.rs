//! The `MetadataAdmin` gRPC service in process, served next to `Metadata` by
//! `serve` over a fresh SQLite store: generated passwords and app passwords
//! log in through `Metadata.Authenticate`, revocation is immediate, stale
//! versions come back as PRECONDITION_FAILED, page limits are enforced, the
//! internal token guards the admin service too, and the background worker
//! finishes a tenant purge. A purge interrupted by a restart resumes from
//! what the database recorded.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use mailkeep_common::ErrorCode;
use mailkeep_metadata::model::NewAccount;
use mailkeep_metadata::{open_store, serve};
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::metadata::v1::metadata_admin_client::MetadataAdminClient;
use mailkeep_proto::metadata::v1::metadata_client::MetadataClient;
use mailkeep_proto::{InternalAuth, error_code};
use tokio::sync::oneshot;
use tonic::Request;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

type Attach = Box<dyn Fn(Request<()>) -> Result<Request<()>, tonic::Status> + Send + Sync>;
type Admin = MetadataAdminClient<InterceptedService<Channel, Attach>>;
type Metadata = MetadataClient<InterceptedService<Channel, Attach>>;

const SECRET: &str = "internal-secret";

struct Server {
    channel: Channel,
    stop: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("admin.db").display());
        let store = open_store(&url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(
            listener,
            async move {
                let _ = stopped.await;
            },
            store,
            InternalAuth::new(SECRET).unwrap(),
        ));
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        Server {
            channel,
            stop,
            _dir: dir,
        }
    }

    fn attach(token: &str) -> Attach {
        let auth = InternalAuth::new(token).unwrap();
        Box::new(move |request| auth.attach(request))
    }

    fn admin(&self, token: &str) -> Admin {
        MetadataAdminClient::with_interceptor(self.channel.clone(), Self::attach(token))
    }

    fn metadata(&self) -> Metadata {
        MetadataClient::with_interceptor(self.channel.clone(), Self::attach(SECRET))
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, tonic::Status>) -> ErrorCode {
    error_code(&result.expect_err("expected an error"))
}

fn login(login: &str, password: &str) -> pb::AuthenticateRequest {
    pb::AuthenticateRequest {
        login: login.into(),
        password: password.into(),
    }
}

#[tokio::test]
async fn accounts_tokens_and_app_passwords_over_the_wire() {
    let server = Server::start().await;
    let mut admin = server.admin(SECRET);
    let mut metadata = server.metadata();
    assert_eq!(
        code(
            server
                .admin("wrong")
                .list_tenants(pb::ListTenantsRequest::default())
                .await
        ),
        ErrorCode::PermissionDenied
    );

    let tenant = admin
        .create_tenant(pb::AdminCreateTenantRequest {
            domain: "Grpc.Example".into(),
            default_quota_bytes: 1_000_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (tenant.domain.as_str(), tenant.version),
        ("grpc.example", 1)
    );
    let created = admin
        .create_account(pb::AdminCreateAccountRequest {
            domain: "grpc.example".into(),
            local_part: "alice".into(),
            generate_password: true,
            display_name: "Alice".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let account = created.account.unwrap();
    assert_eq!(
        (account.quota_bytes, account.display_name.as_str()),
        (1_000_000, "Alice")
    );
    assert_eq!(created.generated_password.len(), 32);
    metadata
        .authenticate(login("alice@grpc.example", &created.generated_password))
        .await
        .unwrap();
    let both = pb::AdminCreateAccountRequest {
        domain: "grpc.example".into(),
        local_part: "bob".into(),
        password: "pw".into(),
        generate_password: true,
        ..Default::default()
    };
    assert_eq!(
        code(admin.create_account(both).await),
        ErrorCode::InvalidArgument
    );

    // Optimistic concurrency: the stale version is refused with 412's code.
    let stale = pb::UpdateAccountRequest {
        domain: "grpc.example".into(),
        local_part: "alice".into(),
        expected_version: Some(account.version + 1),
        display_name: Some("Mallory".into()),
        ..Default::default()
    };
    assert_eq!(
        code(admin.update_account(stale).await),
        ErrorCode::PreconditionFailed
    );
    let too_many = pb::ListAccountsRequest {
        domain: "grpc.example".into(),
        limit: 1001,
        ..Default::default()
    };
    assert_eq!(
        code(admin.list_accounts(too_many).await),
        ErrorCode::InvalidArgument
    );

    // An app password logs in until it is deleted, at once.
    let alice = pb::AccountRef {
        domain: "grpc.example".into(),
        local_part: "alice".into(),
    };
    let app = admin
        .create_app_password(pb::CreateAppPasswordRequest {
            domain: "grpc.example".into(),
            local_part: "alice".into(),
            name: "laptop".into(),
            scopes: vec!["imap".into()],
        })
        .await
        .unwrap()
        .into_inner();
    metadata
        .authenticate(login("alice@grpc.example", &app.secret))
        .await
        .unwrap();
    let listed = admin
        .list_app_passwords(alice.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.app_passwords.len(), 1);
    admin
        .delete_app_password(pb::DeleteAppPasswordRequest {
            domain: "grpc.example".into(),
            local_part: "alice".into(),
            id: app.app_password.unwrap().id,
        })
        .await
        .unwrap();
    assert_eq!(
        code(
            metadata
                .authenticate(login("alice@grpc.example", &app.secret))
                .await
        ),
        ErrorCode::AuthenticationFailed
    );

    // API tokens verify until revoked.
    let token = admin
        .create_api_token(pb::CreateApiTokenRequest {
            name: "ci".into(),
            role: "read-only".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let verify = pb::VerifyApiTokenRequest {
        secret: token.secret.clone(),
    };
    let verified = admin
        .verify_api_token(verify.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(verified.role, "read-only");
    admin
        .revoke_api_token(pb::RevokeApiTokenRequest {
            id: verified.id.clone(),
        })
        .await
        .unwrap();
    assert_eq!(
        code(admin.verify_api_token(verify).await),
        ErrorCode::AuthenticationFailed
    );

    // Audit, usage and mailboxes.
    let entry = admin
        .record_audit(pb::RecordAuditRequest {
            actor_id: verified.id,
            actor_name: "ci".into(),
            action: "token.revoke".into(),
            result_code: 204,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let entries = admin
        .list_audit(pb::ListAuditRequest {
            actor: "ci".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    assert_eq!(entries, vec![entry]);
    let usage = admin
        .get_account_usage(alice.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!((usage.quota_bytes, usage.used_bytes), (1_000_000, 0));
    let mailboxes = admin
        .list_mailbox_summaries(alice)
        .await
        .unwrap()
        .into_inner()
        .mailboxes;
    assert_eq!(mailboxes.len(), 6);
}

#[tokio::test]
async fn the_purge_worker_finishes_a_deleted_tenant() {
    let server = Server::start().await;
    let mut admin = server.admin(SECRET);
    admin
        .create_tenant(pb::AdminCreateTenantRequest {
            domain: "bye.example".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    for local_part in ["a", "b", "c"] {
        admin
            .create_account(pb::AdminCreateAccountRequest {
                domain: "bye.example".into(),
                local_part: local_part.into(),
                password: "pw".into(),
                ..Default::default()
            })
            .await
            .unwrap();
    }
    admin
        .create_alias(pb::CreateAliasRequest {
            domain: "bye.example".into(),
            local_part: "info".into(),
            target_local_part: "a".into(),
        })
        .await
        .unwrap();
    let resolved = admin
        .resolve_address(pb::ResolveAddressRequest {
            address: "info@bye.example".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(resolved.account.unwrap().local_part, "a");
    let purge = admin
        .delete_tenant(pb::DeleteTenantRequest {
            domain: "bye.example".into(),
            expected_version: None,
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (purge.state.as_str(), purge.accounts_remaining),
        ("running", 3)
    );
    let reference = pb::TenantRef {
        domain: "bye.example".into(),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let done = loop {
        let progress = admin
            .get_tenant_purge(reference.clone())
            .await
            .unwrap()
            .into_inner();
        if progress.state == "done" {
            break progress;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "purge stuck: {progress:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!((done.accounts_removed, done.accounts_remaining), (3, 0));
    assert_eq!(code(admin.get_tenant(reference).await), ErrorCode::NotFound);
    server.stop.send(()).unwrap();
}

#[tokio::test]
async fn a_purge_resumes_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("restart.db").display());
    let before = open_store(&url).await.unwrap();
    before.create_tenant("restart.example").await.unwrap();
    for local_part in ["a", "b"] {
        before
            .create_account(NewAccount::new("restart.example", local_part, "pw"))
            .await
            .unwrap();
    }
    let admin = before.admin().unwrap();
    admin.delete_tenant("restart.example", None).await.unwrap();
    // One step removes one emptied account, then the process "dies".
    assert!(admin.purge_step(10).await.unwrap());
    drop(admin);

    let after = open_store(&url).await.unwrap().admin().unwrap();
    let progress = after.tenant_purge("restart.example").await.unwrap();
    assert_eq!(
        (progress.state.as_str(), progress.accounts_removed),
        ("running", 1)
    );
    while after.purge_step(10).await.unwrap() {}
    let done = after.tenant_purge("restart.example").await.unwrap();
    assert_eq!((done.state.as_str(), done.accounts_removed), ("done", 2));
}
