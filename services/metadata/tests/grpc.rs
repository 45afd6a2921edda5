//! The gRPC service in process: a server on an ephemeral loopback port over a
//! fresh SQLite store, driven by the generated client. Proves that every
//! `ErrorCode` the store raises reaches the client intact, that the internal
//! token is enforced, and that FetchMessages streams.
// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use mailkeep_common::ErrorCode;
use mailkeep_metadata::{open_store, serve};
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::metadata::v1::metadata_client::MetadataClient;
use mailkeep_proto::{InternalAuth, error_code, uid_set_to_proto};
use tokio::sync::oneshot;
use tonic::Request;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

/// The client side of `InternalAuth`, boxed so the client type can be named.
type Attach = Box<dyn Fn(Request<()>) -> Result<Request<()>, tonic::Status> + Send + Sync>;
type Client = MetadataClient<InterceptedService<Channel, Attach>>;

struct Server {
    address: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("grpc.db").display());
        let store = open_store(&url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let auth = InternalAuth::new("internal-secret").unwrap();
        let task = tokio::spawn(serve(
            listener,
            async move {
                let _ = stopped.await;
            },
            Arc::clone(&store),
            auth,
        ));
        Server {
            address,
            stop: Some(stop),
            task,
            _dir: dir,
        }
    }

    async fn client(&self, token: &str) -> Client {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", self.address))
            .unwrap()
            .connect()
            .await
            .unwrap();
        let auth = InternalAuth::new(token).unwrap();
        let attach: Attach = Box::new(move |request| auth.attach(request));
        MetadataClient::with_interceptor(channel, attach)
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).unwrap();
        }
        (&mut self.task).await.unwrap().unwrap();
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, tonic::Status>) -> ErrorCode {
    error_code(&result.expect_err("expected an error"))
}

/// A new tenant `domain` with one account `local_part` (password "pw", no quotas).
async fn new_account(client: &mut Client, domain: &str, local_part: &str) -> pb::Account {
    client
        .create_tenant(pb::CreateTenantRequest {
            domain: domain.into(),
        })
        .await
        .unwrap();
    client
        .create_account(pb::CreateAccountRequest {
            domain: domain.into(),
            local_part: local_part.into(),
            password: "pw".into(),
            quota_bytes: 0,
            quota_messages: 0,
        })
        .await
        .unwrap()
        .into_inner()
}

fn new_message(size: u64) -> pb::NewMessage {
    pb::NewMessage {
        blob_id: "ab".repeat(32),
        size,
        internal_date: 1_717_200_000,
        flags: Some(pb::Flags {
            system: 1,
            keywords: vec!["$Work".into()],
        }),
        analysis: Some(pb::MessageAnalysis {
            envelope: b"\x01env".to_vec(),
            header_text: "subject: hello\n".into(),
            ..pb::MessageAnalysis::default()
        }),
        internal_date_offset: 60,
        prefix: Vec::new(),
    }
}

#[tokio::test]
async fn error_codes_survive_the_wire() {
    let server = Server::start().await;
    let mut client = server.client("internal-secret").await;

    let tenant = pb::CreateTenantRequest {
        domain: "Wire.Example".into(),
    };
    let created = client
        .create_tenant(tenant.clone())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(created.domain, "wire.example");
    assert_eq!(
        code(client.create_tenant(tenant).await),
        ErrorCode::AlreadyExists
    );

    let account = client
        .create_account(pb::CreateAccountRequest {
            domain: "wire.example".into(),
            local_part: "ann".into(),
            password: "pw".into(),
            quota_bytes: 0,
            quota_messages: 1,
        })
        .await
        .unwrap()
        .into_inner();
    let login = |password: &str| pb::AuthenticateRequest {
        login: "ann@wire.example".into(),
        password: password.into(),
    };
    assert_eq!(
        client
            .authenticate(login("pw"))
            .await
            .unwrap()
            .into_inner()
            .id,
        account.id
    );
    assert_eq!(
        code(client.authenticate(login("nope")).await),
        ErrorCode::AuthenticationFailed
    );

    let mailboxes = client
        .list_mailboxes(pb::ListMailboxesRequest {
            account_id: account.id.clone(),
        })
        .await
        .unwrap()
        .into_inner()
        .mailboxes;
    let inbox = mailboxes
        .iter()
        .find(|m| m.name == "INBOX")
        .unwrap()
        .id
        .clone();
    let append = |messages| pb::AppendMessagesRequest {
        account_id: account.id.clone(),
        mailbox_id: inbox.clone(),
        messages,
    };
    let appended = client
        .append_messages(append(vec![new_message(10)]))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(appended.uids, [1]);
    assert_eq!(
        code(client.append_messages(append(vec![new_message(10)])).await),
        ErrorCode::OverQuota
    );

    let bad_id = pb::ListMailboxesRequest {
        account_id: "not-an-id".into(),
    };
    assert_eq!(
        code(client.list_mailboxes(bad_id).await),
        ErrorCode::InvalidArgument
    );
    let delete = |name: &str| pb::DeleteMailboxRequest {
        account_id: account.id.clone(),
        name: name.into(),
    };
    assert_eq!(
        code(client.delete_mailbox(delete("INBOX")).await),
        ErrorCode::PermissionDenied
    );
    assert_eq!(
        code(client.delete_mailbox(delete("missing")).await),
        ErrorCode::NotFound
    );
    client
        .create_mailbox(pb::CreateMailboxRequest {
            account_id: account.id.clone(),
            name: "p/c".into(),
            special_use: String::new(),
        })
        .await
        .unwrap();
    assert_eq!(
        code(client.delete_mailbox(delete("p")).await),
        ErrorCode::Conflict
    );

    let mut outsider = server.client("wrong-secret").await;
    let tenant = pb::GetTenantRequest {
        domain: "wire.example".into(),
    };
    assert_eq!(
        code(outsider.get_tenant(tenant).await),
        ErrorCode::PermissionDenied
    );
    server.stop().await;
}

#[tokio::test]
async fn messages_round_trip_and_fetch_streams() {
    let server = Server::start().await;
    let mut client = server.client("internal-secret").await;
    let account = new_account(&mut client, "stream.example", "sam").await;
    let selected = client
        .select_mailbox(pb::SelectMailboxRequest {
            account_id: account.id.clone(),
            name: "inbox".into(),
            read_only: false,
        })
        .await
        .unwrap()
        .into_inner();
    let inbox = selected.mailbox.unwrap().id;
    let messages = (1..=600).map(new_message).collect();
    client
        .append_messages(pb::AppendMessagesRequest {
            account_id: account.id.clone(),
            mailbox_id: inbox.clone(),
            messages,
        })
        .await
        .unwrap();

    let mut stream = client
        .fetch_messages(pb::FetchMessagesRequest {
            account_id: account.id.clone(),
            mailbox_id: inbox.clone(),
            uids: Some(uid_set_to_proto(&mailkeep_common::UidSet::from_ranges([(
                1,
                u32::MAX,
            )]))),
            with_envelope: true,
            ..pb::FetchMessagesRequest::default()
        })
        .await
        .unwrap()
        .into_inner();
    let mut seen = Vec::new();
    while let Some(meta) = stream.message().await.unwrap() {
        seen.push(meta);
    }
    assert_eq!(seen.len(), 600);
    assert!(seen.iter().zip(1..).all(|(meta, uid)| meta.uid == uid));
    assert_eq!(seen[0].envelope, b"\x01env");
    assert_eq!(seen[0].internal_date_offset, 60);
    assert_eq!(seen[0].flags.as_ref().unwrap().keywords, ["$Work"]);

    let found = client
        .search(pb::SearchRequest {
            account_id: account.id.clone(),
            mailbox_id: inbox.clone(),
            key: Some(pb::SearchKey {
                key: Some(pb::search_key::Key::Smaller(4)),
            }),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(found.uids, [1, 2, 3]);

    // SORT and THREAD answer over the same program; no criteria is a bad request.
    let smaller = || {
        Some(pb::SearchKey {
            key: Some(pb::search_key::Key::Smaller(4)),
        })
    };
    let sorted = client
        .sort(pb::SortRequest {
            account_id: account.id.clone(),
            mailbox_id: inbox.clone(),
            key: smaller(),
            criteria: vec![pb::SortCriterion {
                key: pb::SortKey::Size.into(),
                reverse: true,
            }],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(sorted.uids, [3, 2, 1]);
    let unsorted = pb::SortRequest {
        account_id: account.id.clone(),
        mailbox_id: inbox.clone(),
        key: smaller(),
        criteria: Vec::new(),
    };
    assert_eq!(
        code(client.sort(unsorted).await),
        ErrorCode::InvalidArgument
    );
    let threads = client
        .thread(pb::ThreadRequest {
            account_id: account.id.clone(),
            mailbox_id: inbox.clone(),
            key: smaller(),
            algorithm: pb::ThreadAlgorithm::OrderedSubject.into(),
        })
        .await
        .unwrap()
        .into_inner();
    // One "hello" thread: 1 with the children 2 and 3, flattened pre-order.
    assert_eq!(threads.uids, [1, 2, 3]);
    assert_eq!(threads.child_counts, [2, 0, 0]);

    let missing = pb::FetchMessagesRequest {
        account_id: account.id.clone(),
        mailbox_id: "0".repeat(32),
        ..pb::FetchMessagesRequest::default()
    };
    assert_eq!(
        code(client.fetch_messages(missing).await),
        ErrorCode::NotFound
    );
    server.stop().await;
}

/// LIST-STATUS's batched STATUS and METADATA (issue 3) over the wire: order
/// kept, missing names skipped, a removal distinct from an empty value, and
/// the store's `Limit` reaching the client as LIMIT.
#[tokio::test]
async fn mailbox_extensions_travel_the_wire() {
    let server = Server::start().await;
    let mut client = server.client("internal-secret").await;
    let account = new_account(&mut client, "ext.example", "eve").await;
    let statuses = client
        .mailbox_statuses(pb::MailboxStatusesRequest {
            account_id: account.id.clone(),
            names: vec!["Sent".into(), "Nowhere".into(), "INBOX".into()],
        })
        .await
        .unwrap()
        .into_inner()
        .statuses;
    let names: Vec<String> = statuses
        .into_iter()
        .filter_map(|status| status.mailbox.map(|mailbox| mailbox.name))
        .collect();
    assert_eq!(names, ["Sent", "INBOX"]);

    let change = |name: &str, remove: bool, value: &[u8]| pb::MetadataChange {
        name: name.into(),
        remove,
        value: value.to_vec(),
    };
    client
        .set_metadata(pb::SetMetadataRequest {
            account_id: account.id.clone(),
            mailbox: "INBOX".into(),
            changes: vec![
                change("/private/a", false, b""),
                change("/private/b", false, b"x"),
            ],
        })
        .await
        .unwrap();
    let removed = client
        .set_metadata(pb::SetMetadataRequest {
            account_id: account.id.clone(),
            mailbox: "INBOX".into(),
            changes: vec![change("/private/b", true, b"")],
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(removed.modseq, 2);
    let changes = client
        .metadata_changes(pb::MetadataChangesRequest {
            account_id: account.id.clone(),
            since: Some(1),
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(changes.modseq, 2);
    assert_eq!(
        changes.changed,
        [pb::ChangedMetadataEntry {
            mailbox: "INBOX".into(),
            name: "/private/b".into()
        }]
    );
    let entries = client
        .get_metadata(pb::GetMetadataRequest {
            account_id: account.id.clone(),
            mailbox: "INBOX".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .entries;
    assert_eq!(
        entries,
        [pb::MetadataEntry {
            name: "/private/a".into(),
            value: Vec::new()
        }]
    );
    let too_large = change("/private/c", false, &vec![0; 64 * 1024 + 1]);
    let refused = client
        .set_metadata(pb::SetMetadataRequest {
            account_id: account.id,
            mailbox: String::new(),
            changes: vec![too_large],
        })
        .await;
    assert_eq!(code(refused), ErrorCode::Limit);
    server.stop().await;
}
