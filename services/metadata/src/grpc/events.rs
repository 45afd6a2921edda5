//! Change events after commits (ARCHITECTURE.md §3 invariant 4): once a
//! mutating RPC has committed, [`Publisher`] sends one [`ChangeEvent`] per
//! changed mailbox with its new highest MODSEQ, or one
//! [`ChangeKind::MetadataChanged`] per SETMETADATA. Events are hints: a
//! failed publish is logged and never fails the RPC, and without a bus
//! nothing is sent (gateways then rely on polling).

use std::sync::Arc;

use mailkeep_bus::{ChangeBus, ChangeEvent, ChangeKind};
use mailkeep_common::mail::MailboxInfo;
use mailkeep_common::{AccountId, MailboxId, ModSeq};

use crate::names;
use crate::store::MetadataStore;

/// The mailbox id of a METADATA event about server entries.
const SERVER_ENTRIES: MailboxId = MailboxId::from_u128(0);

/// Publishes committed changes on the optional bus.
#[derive(Clone, Debug, Default)]
pub(super) struct Publisher {
    bus: Option<Arc<dyn ChangeBus>>,
}

impl Publisher {
    pub(super) fn new(bus: Option<Arc<dyn ChangeBus>>) -> Self {
        Self { bus }
    }

    /// Sends one event; a failure is logged, never returned.
    pub(super) async fn publish(
        &self,
        account_id: AccountId,
        mailbox_id: MailboxId,
        modseq: ModSeq,
        kind: ChangeKind,
    ) {
        let Some(bus) = &self.bus else {
            return;
        };
        let event = ChangeEvent {
            account_id,
            mailbox_id,
            modseq,
            kind,
        };
        if let Err(error) = bus.publish(event).await {
            tracing::warn!(
                account = %account_id,
                mailbox = %mailbox_id,
                error = %error,
                "cannot publish a change event"
            );
        }
    }

    /// Sends an event for `mailbox` at its highest MODSEQ.
    pub(super) async fn publish_mailbox(
        &self,
        account: AccountId,
        mailbox: &MailboxInfo,
        kind: ChangeKind,
    ) {
        self.publish(account, mailbox.id, mailbox.highest_modseq, kind)
            .await;
    }

    /// Publishes the current MODSEQ of a mailbox the RPC answer does not
    /// describe (RENAME, the destination of COPY and MOVE).
    pub(super) async fn publish_found(
        &self,
        store: &dyn MetadataStore,
        account: AccountId,
        mailbox: MailboxRef<'_>,
        kind: ChangeKind,
    ) {
        if let Some(found) = self.find(store, account, mailbox).await {
            self.publish_mailbox(account, &found, kind).await;
        }
    }

    /// Sends the hint of a committed SETMETADATA on `mailbox` (`""`: the
    /// server; RFC 5465 §5.6-5.7). It carries the mailbox's id, or the nil
    /// id for server entries (and for a mailbox deleted meanwhile), and the
    /// account's METADATA change counter as its MODSEQ: receivers only wake
    /// up and ask for the account's metadata changes since the counter they
    /// last saw.
    pub(super) async fn publish_metadata(
        &self,
        store: &dyn MetadataStore,
        account: AccountId,
        mailbox: &str,
        counter: u64,
    ) {
        let mailbox_id = match names::normalize(mailbox) {
            Ok(name) => self
                .find(store, account, MailboxRef::Name(&name))
                .await
                .map_or(SERVER_ENTRIES, |info| info.id),
            // `""`, the server, is the only name SETMETADATA takes unnormalised.
            Err(_) => SERVER_ENTRIES,
        };
        let kind = ChangeKind::MetadataChanged;
        self.publish(account, mailbox_id, ModSeq::new(counter), kind)
            .await;
    }

    /// Looks up a mailbox for an event whose RPC answer lacks its id or
    /// MODSEQ (DELETE before the commit, RENAME and COPY after it). `None`
    /// without a bus, or when the mailbox is not there (nobody to tell).
    pub(super) async fn find(
        &self,
        store: &dyn MetadataStore,
        account: AccountId,
        mailbox: MailboxRef<'_>,
    ) -> Option<MailboxInfo> {
        self.bus.as_ref()?;
        let mailboxes = match store.list_mailboxes(account).await {
            Ok(mailboxes) => mailboxes,
            Err(error) => {
                tracing::warn!(account = %account, error = %error, "cannot look up a changed mailbox");
                return None;
            }
        };
        mailboxes.into_iter().find(|info| match mailbox {
            MailboxRef::Id(id) => info.id == id,
            MailboxRef::Name(name) => info.name == name,
        })
    }
}

/// How [`Publisher::find`] finds the mailbox.
#[derive(Clone, Copy, Debug)]
pub(super) enum MailboxRef<'a> {
    Id(MailboxId),
    Name(&'a str),
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_bus::{BusError, LocalBus, Notification, Subscription};
    use mailkeep_proto::metadata::v1 as pb;
    use mailkeep_proto::metadata::v1::metadata_server::Metadata;
    use tonic::Request;

    use crate::grpc::MetadataGrpc;
    use crate::model::NewAccount;
    use crate::sql::sqlite::SqliteStore;

    /// A bus that refuses every publish.
    #[derive(Debug)]
    struct BrokenBus;

    #[async_trait::async_trait]
    impl ChangeBus for BrokenBus {
        async fn publish(&self, _event: ChangeEvent) -> Result<(), BusError> {
            Err(BusError::InvalidUrl {
                reason: "broken on purpose".to_owned(),
            })
        }

        async fn subscribe(&self, _account: AccountId) -> Result<Subscription, BusError> {
            Err(BusError::InvalidUrl {
                reason: "broken on purpose".to_owned(),
            })
        }
        fn connection_state(&self) -> tokio::sync::watch::Receiver<bool> {
            tokio::sync::watch::channel(false).1
        }
    }

    /// A service over a fresh SQLite store with one account.
    async fn service(bus: Arc<dyn ChangeBus>) -> (MetadataGrpc, AccountId, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("metadata.db").display());
        let store = Arc::new(SqliteStore::open(&url).await.unwrap());
        store.create_tenant("example.test").await.unwrap();
        let account = store
            .create_account(NewAccount::new("example.test", "alice", "correct horse"))
            .await
            .unwrap();
        let grpc = MetadataGrpc::new(store).with_bus(Some(bus));
        (grpc, account.id, dir)
    }

    async fn create(grpc: &MetadataGrpc, account: AccountId, name: &str) -> pb::Mailbox {
        grpc.create_mailbox(Request::new(pb::CreateMailboxRequest {
            account_id: account.to_string(),
            name: name.to_owned(),
            special_use: String::new(),
        }))
        .await
        .unwrap()
        .into_inner()
    }

    async fn next_change(subscription: &mut Subscription) -> ChangeEvent {
        match subscription.recv().await {
            Notification::Change(event) => event,
            Notification::Missed => panic!("missed events"),
        }
    }

    #[tokio::test]
    async fn mailbox_changes_are_published_after_the_commit() {
        let bus = Arc::new(LocalBus::new());
        let (grpc, account, _dir) = service(bus.clone()).await;
        let mut subscription = bus.subscribe(account).await.unwrap();

        let created = create(&grpc, account, "Projects").await;
        let event = next_change(&mut subscription).await;
        assert_eq!(event.kind, ChangeKind::MailboxChanged);
        assert_eq!(event.mailbox_id.to_string(), created.id);
        assert_eq!(event.modseq.get(), created.highest_modseq);

        grpc.rename_mailbox(Request::new(pb::RenameMailboxRequest {
            account_id: account.to_string(),
            from: "Projects".to_owned(),
            to: "Retired".to_owned(),
        }))
        .await
        .unwrap();
        let renamed = next_change(&mut subscription).await;
        assert_eq!(renamed.kind, ChangeKind::MailboxChanged);
        assert_eq!(renamed.mailbox_id.to_string(), created.id);

        // NOTIFY SubscriptionChange (RFC 5465 §5.5) needs subscriptions too.
        grpc.set_subscription(Request::new(pb::SetSubscriptionRequest {
            account_id: account.to_string(),
            name: "Retired".to_owned(),
            subscribed: true,
        }))
        .await
        .unwrap();
        let subscribed = next_change(&mut subscription).await;
        assert_eq!(subscribed.mailbox_id.to_string(), created.id);

        grpc.delete_mailbox(Request::new(pb::DeleteMailboxRequest {
            account_id: account.to_string(),
            name: "Retired".to_owned(),
        }))
        .await
        .unwrap();
        let deleted = next_change(&mut subscription).await;
        assert_eq!(deleted.mailbox_id.to_string(), created.id);

        // Copying nothing changes nothing, so nothing is published.
        let copies = create(&grpc, account, "Scratch").await;
        next_change(&mut subscription).await;
        grpc.copy_messages(Request::new(pb::CopyMessagesRequest {
            account_id: account.to_string(),
            from_mailbox_id: copies.id.clone(),
            to_mailbox_id: copies.id,
            uids: None,
        }))
        .await
        .unwrap();
        let quiet =
            tokio::time::timeout(std::time::Duration::from_millis(100), subscription.recv()).await;
        assert!(quiet.is_err(), "an empty copy published {quiet:?}");
    }

    #[tokio::test]
    async fn set_metadata_publishes_a_metadata_hint() {
        let bus = Arc::new(LocalBus::new());
        let (grpc, account, _dir) = service(bus.clone()).await;
        let mut subscription = bus.subscribe(account).await.unwrap();
        let set = |mailbox: &str, name: &str| {
            Request::new(pb::SetMetadataRequest {
                account_id: account.to_string(),
                mailbox: mailbox.to_owned(),
                changes: vec![pb::MetadataChange {
                    name: name.to_owned(),
                    remove: false,
                    value: b"note".to_vec(),
                }],
            })
        };

        grpc.set_metadata(set("", "/shared/comment")).await.unwrap();
        let server = next_change(&mut subscription).await;
        assert_eq!(server.kind, ChangeKind::MetadataChanged);
        assert_eq!(server.mailbox_id, SERVER_ENTRIES);
        assert_eq!(server.modseq, ModSeq::new(1));

        // Any spelling of INBOX names the mailbox's id.
        grpc.set_metadata(set("inbox", "/private/comment"))
            .await
            .unwrap();
        let inbox = grpc.store.list_mailboxes(account).await.unwrap();
        let inbox = inbox.iter().find(|info| info.name == "INBOX").unwrap();
        let mailbox = next_change(&mut subscription).await;
        assert_eq!(mailbox.kind, ChangeKind::MetadataChanged);
        assert_eq!(mailbox.mailbox_id, inbox.id);
        assert_eq!(mailbox.modseq, ModSeq::new(2));

        // A refused change set publishes nothing.
        let refused = grpc.set_metadata(set("", "/other/name")).await;
        assert!(refused.is_err());
        let quiet =
            tokio::time::timeout(std::time::Duration::from_millis(100), subscription.recv()).await;
        assert!(quiet.is_err(), "a refused SETMETADATA published {quiet:?}");
    }

    #[tokio::test]
    async fn a_failed_publish_does_not_fail_the_rpc() {
        let (grpc, account, _dir) = service(Arc::new(BrokenBus)).await;
        let created = create(&grpc, account, "Projects").await;
        assert_eq!(created.name, "Projects");
    }

    #[tokio::test]
    async fn an_event_reaches_the_accounts_subscribers() {
        let bus = Arc::new(LocalBus::new());
        let account = AccountId::from_u128(5);
        let mut subscription = bus.subscribe(account).await.unwrap();
        let publisher = Publisher::new(Some(bus));
        publisher
            .publish(
                account,
                MailboxId::from_u128(9),
                ModSeq::new(12),
                ChangeKind::Appended,
            )
            .await;
        let expected = ChangeEvent {
            account_id: account,
            mailbox_id: MailboxId::from_u128(9),
            modseq: ModSeq::new(12),
            kind: ChangeKind::Appended,
        };
        assert_eq!(subscription.recv().await, Notification::Change(expected));
    }
}
