//! `GrpcBackend` against in-process metadata (SQLite in a temporary
//! directory) and blob (filesystem) gRPC servers on loopback port 0, with
//! the internal token checked: every `MailBackend` call makes a round trip
//! through the real contracts, and an IMAP client reaches them through the
//! driver.

use std::sync::Arc;

use futures::TryStreamExt;
use mailkeep_bus::ChangeBus;
use mailkeep_common::{BlobId, ErrorCode, Uid, UidSet};
use mailkeep_gateway::{GrpcBackend, connect_backend};
use mailkeep_gateway_core::backend::{
    Flags, MailBackend, MetaQuery, NewMessage, Principal, SearchFlag, SearchQuery, StoreOperation,
    SystemFlags,
};
use mailkeep_metadata::MetadataGrpc;
use mailkeep_proto::InternalAuth;
use mailkeep_proto::metadata::v1::metadata_client::MetadataClient;
use mailkeep_proto::metadata::v1::{CreateAccountRequest, CreateTenantRequest};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::harness::{Gateway, plain_client};

const TOKEN: &str = "internal-test-token";
pub const LOGIN: &str = "alice@example.test";
pub const PASSWORD: &str = "correct horse";

pub struct Services {
    pub metadata_url: String,
    pub blob_url: String,
    _stop: Vec<oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

async fn start_services() -> Services {
    start_services_with(None).await
}

/// The metadata and blob services, metadata publishing on `bus` if given.
pub async fn start_services_with(bus: Option<Arc<dyn ChangeBus>>) -> Services {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("metadata.db").display());
    let metadata_store = mailkeep_metadata::open_store(&sqlite).await.unwrap();
    let blob_root = dir.path().join("blobs");
    let blob_store = mailkeep_blob::open_store(
        blob_root.to_str().unwrap(),
        &mailkeep_blob::StoreOptions::default(),
    )
    .await
    .unwrap();
    let auth = InternalAuth::new(TOKEN).unwrap();
    let (metadata_listener, metadata_url) = bind().await;
    let (blob_listener, blob_url) = bind().await;
    let (stop_metadata, metadata_stopped) = oneshot::channel::<()>();
    let (stop_blob, blob_stopped) = oneshot::channel::<()>();
    tokio::spawn(mailkeep_metadata::serve_service(
        metadata_listener,
        async {
            let _ = metadata_stopped.await;
        },
        MetadataGrpc::new(metadata_store).with_bus(bus),
        auth.clone(),
    ));
    tokio::spawn(mailkeep_blob::serve(
        blob_listener,
        async {
            let _ = blob_stopped.await;
        },
        blob_store,
        auth,
    ));
    Services {
        metadata_url,
        blob_url,
        _stop: vec![stop_metadata, stop_blob],
        _dir: dir,
    }
}

/// Creates the tenant and account the way the admin API does.
pub async fn provision(services: &Services) {
    let auth = InternalAuth::new(TOKEN).unwrap();
    let channel = tonic::transport::Endpoint::from_shared(services.metadata_url.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = MetadataClient::with_interceptor(channel, move |request| auth.attach(request));
    client
        .create_tenant(CreateTenantRequest {
            domain: "example.test".to_owned(),
        })
        .await
        .unwrap();
    client
        .create_account(CreateAccountRequest {
            domain: "example.test".to_owned(),
            local_part: "alice".to_owned(),
            password: PASSWORD.to_owned(),
            quota_bytes: 0,
            quota_messages: 0,
        })
        .await
        .unwrap();
}

/// A backend of `services` with the right internal token.
pub async fn backend_of(services: &Services) -> Arc<GrpcBackend> {
    connect_backend(&services.metadata_url, &services.blob_url, TOKEN)
        .await
        .unwrap()
}

async fn setup() -> (Services, Arc<GrpcBackend>, Principal) {
    let services = start_services().await;
    provision(&services).await;
    let backend = backend_of(&services).await;
    let principal = backend.authenticate(LOGIN, PASSWORD).await.unwrap();
    (services, backend, principal)
}

fn message(raw: Vec<u8>, flags: Flags) -> NewMessage {
    NewMessage {
        analysis: mailkeep_gateway_core::mime::analyze(&raw),
        raw,
        internal_date: 1_717_200_000,
        internal_date_offset: 120,
        flags,
    }
}

fn small_message() -> Vec<u8> {
    b"From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: Lunch\r\n\
      Date: Sat, 1 Jun 2024 10:00:00 +0000\r\n\r\nSee you at noon.\r\n"
        .to_vec()
}

/// Larger than several 64 KiB put chunks.
fn large_message() -> Vec<u8> {
    let mut raw = b"From: carol@example.test\r\nSubject: Report\r\n\r\n".to_vec();
    for line in 0..4000 {
        raw.extend_from_slice(format!("line {line:05} of the quarterly report\r\n").as_bytes());
    }
    raw
}

fn uid(value: u32) -> Uid {
    Uid::new(value).unwrap()
}

#[tokio::test]
async fn authentication_and_mailboxes_round_trip() {
    let (_services, backend, principal) = setup().await;
    assert_eq!(principal.login, LOGIN);
    let error = backend.authenticate(LOGIN, "wrong").await.unwrap_err();
    assert_eq!(error.code, ErrorCode::AuthenticationFailed);

    let mailboxes = backend.list_mailboxes(&principal).await.unwrap();
    let sent = mailboxes
        .iter()
        .find(|mailbox| mailbox.name == "Sent")
        .unwrap();
    assert_eq!(sent.special_use.as_deref(), Some("\\Sent"));
    assert!(mailboxes.iter().any(|mailbox| mailbox.name == "INBOX"));

    let created = backend
        .create_mailbox(&principal, "Work/2024", None)
        .await
        .unwrap();
    assert_eq!(created.name, "Work/2024");
    let again = backend
        .create_mailbox(&principal, "Work/2024", None)
        .await
        .unwrap_err();
    assert_eq!(again.code, ErrorCode::AlreadyExists);

    backend
        .set_subscription(&principal, "Work/2024", true)
        .await
        .unwrap();
    let subscribed = backend.list_subscriptions(&principal).await.unwrap();
    assert!(
        subscribed.iter().any(|name| name == "Work/2024"),
        "{subscribed:?}"
    );

    backend
        .rename_mailbox(&principal, "Work", "Jobs")
        .await
        .unwrap();
    let status = backend
        .mailbox_status(&principal, "Jobs/2024")
        .await
        .unwrap();
    assert_eq!(status.mailbox.id, created.id);
    assert_eq!(status.messages, 0);

    backend
        .delete_mailbox(&principal, "Jobs/2024")
        .await
        .unwrap();
    let missing = backend
        .select_mailbox(&principal, "Jobs/2024", false)
        .await
        .unwrap_err();
    assert_eq!(missing.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn messages_round_trip_through_blob_and_metadata() {
    let (_services, backend, principal) = setup().await;
    let inbox = backend
        .select_mailbox(&principal, "INBOX", false)
        .await
        .unwrap();
    let (small, large) = (small_message(), large_message());
    let seen = Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: vec!["$Work".to_owned()],
    };
    let appended = backend
        .append(
            &principal,
            inbox.mailbox.id,
            vec![
                message(small.clone(), seen),
                message(large.clone(), Flags::default()),
            ],
        )
        .await
        .unwrap();
    assert_eq!(appended.uids.len(), 2);
    assert!(appended.uids[0] < appended.uids[1]);
    assert_eq!(appended.uidvalidity, inbox.mailbox.uidvalidity);

    let all = UidSet::from_ranges([(1, u32::MAX)]);
    let query = MetaQuery {
        with_envelope: true,
        with_bodystructure: true,
        ..MetaQuery::default()
    };
    let metas: Vec<_> = backend
        .fetch_meta(&principal, inbox.mailbox.id, &all, query)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(metas.len(), 2);
    let expected_blob = BlobId::from_digest(Sha256::digest(&large).into());
    assert_eq!(metas[1].blob_id, expected_blob);
    assert_eq!(metas[1].size, large.len() as u64);
    assert_eq!(metas[0].internal_date_offset, 120);
    assert!(metas[0].flags.system.contains(SystemFlags::SEEN));
    assert_eq!(metas[0].flags.keywords, vec!["$Work".to_owned()]);
    assert!(!metas[0].envelope.is_empty() && !metas[0].bodystructure.is_empty());

    let body = backend
        .read_blob(&principal, expected_blob, 0, None)
        .await
        .unwrap();
    assert_eq!(body, large);
    let range = backend
        .read_blob(&principal, expected_blob, 70_000, Some(100))
        .await
        .unwrap();
    assert_eq!(range, large[70_000..70_100]);
    let empty = backend
        .read_blob(&principal, expected_blob, 5, Some(0))
        .await
        .unwrap();
    assert!(empty.is_empty());

    let unseen = SearchQuery::FlagUnset(SearchFlag::System(SystemFlags::SEEN));
    let found = backend
        .search(&principal, inbox.mailbox.id, &unseen)
        .await
        .unwrap();
    assert_eq!(found.uids, vec![appended.uids[1]]);
}

#[tokio::test]
async fn flags_copies_expunges_and_changes_round_trip() {
    let (_services, backend, principal) = setup().await;
    let inbox = backend
        .select_mailbox(&principal, "INBOX", false)
        .await
        .unwrap();
    let archive = backend
        .select_mailbox(&principal, "Archive", false)
        .await
        .unwrap();
    let appended = backend
        .append(
            &principal,
            inbox.mailbox.id,
            vec![
                message(small_message(), Flags::default()),
                message(large_message(), Flags::default()),
            ],
        )
        .await
        .unwrap();
    let first = UidSet::from_ranges([(appended.uids[0].get(), appended.uids[0].get())]);
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    let stored = backend
        .store_flags(
            &principal,
            inbox.mailbox.id,
            &first,
            StoreOperation::Add,
            &deleted,
            None,
        )
        .await
        .unwrap();
    assert_eq!(stored.updated.len(), 1);
    assert!(
        stored.updated[0]
            .flags
            .system
            .contains(SystemFlags::DELETED)
    );
    assert!(stored.highest_modseq > appended.modseq);

    let copied = backend
        .copy_messages(&principal, inbox.mailbox.id, &first, archive.mailbox.id)
        .await
        .unwrap();
    assert_eq!(copied.source_uids, vec![appended.uids[0]]);
    assert_eq!(copied.destination_uids.len(), 1);
    assert_eq!(copied.uidvalidity, archive.mailbox.uidvalidity);

    let expunged = backend
        .expunge(&principal, inbox.mailbox.id, None)
        .await
        .unwrap();
    assert_eq!(expunged.expunged, first);

    let changes = backend
        .changes(&principal, inbox.mailbox.id, appended.modseq)
        .await
        .unwrap();
    assert_eq!(changes.expunged, first);
    assert_eq!(changes.highest_modseq, expunged.highest_modseq);

    let second = UidSet::from_ranges([(appended.uids[1].get(), appended.uids[1].get())]);
    let moved = backend
        .move_messages(&principal, inbox.mailbox.id, &second, archive.mailbox.id)
        .await
        .unwrap();
    assert_eq!(moved.source_uids, vec![appended.uids[1]]);
    assert_eq!(
        backend
            .select_mailbox(&principal, "INBOX", true)
            .await
            .unwrap()
            .uids,
        UidSet::new()
    );
    let archived = backend
        .select_mailbox(&principal, "Archive", true)
        .await
        .unwrap();
    assert_eq!(archived.uids.len(), 2);
    assert!(archived.uids.contains(uid(moved.destination_uids[0].get())));
}

#[tokio::test]
async fn a_wrong_internal_token_is_refused() {
    let services = start_services().await;
    let backend = connect_backend(&services.metadata_url, &services.blob_url, "not-the-token")
        .await
        .unwrap();
    let error = backend.authenticate(LOGIN, PASSWORD).await.unwrap_err();
    assert_eq!(error.code, ErrorCode::PermissionDenied);
}

#[tokio::test]
async fn an_imap_client_appends_and_fetches_through_the_grpc_backend() {
    let (_services, backend, _principal) = setup().await;
    let gateway = Gateway::start(backend, |_| {}).await;
    let mut client = plain_client(gateway.imap).await;
    assert!(client.line().await.starts_with("* OK "));
    let login = client
        .command("g1", &format!("LOGIN {LOGIN} \"{PASSWORD}\""))
        .await;
    assert!(login.contains("g1 OK"), "{login}");

    let raw = String::from_utf8(small_message()).unwrap();
    client
        .send(&format!(
            "g2 APPEND INBOX (\\Flagged) {{{}}}\r\n",
            raw.len()
        ))
        .await;
    assert!(client.line().await.starts_with("+ "));
    client.send(&format!("{raw}\r\n")).await;
    let appended = client.until("g2 ").await;
    assert!(appended.starts_with("g2 OK [APPENDUID "), "{appended}");

    let select = client.command("g3", "SELECT INBOX").await;
    assert!(select.contains("* 1 EXISTS"), "{select}");
    let fetched = client.command("g4", "FETCH 1 (FLAGS BODY.PEEK[])").await;
    assert!(fetched.contains("\\Flagged"), "{fetched}");
    assert!(
        fetched.contains(&format!("BODY[] {{{}}}\r\n{raw}", raw.len())),
        "{fetched}"
    );
    assert!(fetched.contains("g4 OK"), "{fetched}");
    assert!(client.command("g5", "LOGOUT").await.contains("g5 OK"));
    gateway.stop().await;
}
