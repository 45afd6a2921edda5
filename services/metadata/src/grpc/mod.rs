//! The gRPC face of the metadata service: [`MetadataGrpc`] serves every RPC
//! of `mailkeep.metadata.v1.Metadata` over an `Arc<dyn MetadataStore>`, and
//! [`serve`] runs it on a bound listener behind the internal shared-secret
//! interceptor until the shutdown future resolves. Every failure reaches the
//! client with its `ErrorCode` (`x-mailkeep-error`); passwords are never logged.
//! With a change bus, each mutating RPC publishes its change after the
//! commit ([`events`]); a publish never fails the RPC. When the store has an
//! admin side, the same server also serves `MetadataAdmin` ([`admin`]) and
//! runs the background tenant purge ([`purge_worker`]).

mod admin;
mod admin_convert;
mod admin_input;
mod convert;
mod delivery;
mod events;
mod imports;
mod imports_convert;
mod mailbox_extras;
mod purge_worker;
mod server;
mod sort;
pub mod telemetry;
mod transfer;

use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use mailkeep_bus::{ChangeBus, ChangeKind};
use mailkeep_common::mail::{MetaQuery, NewMessageMeta};
use mailkeep_common::{AccountId, MailboxId, ModSeq};
use mailkeep_proto::convert::{optional_modseq, parse_id, search_query, store_operation, uid_set};
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::metadata::v1::metadata_server::Metadata;
use tonic::{Request, Response, Status};

use crate::model::NewAccount;
use crate::sealed::SecretsKey;
use crate::store::{MetadataStore, fetch_stream};
use convert::store_status;
use events::{MailboxRef, Publisher};
pub use server::{MAX_MESSAGE_BYTES, serve, serve_service};

/// The metadata gRPC service.
#[derive(Clone)]
pub struct MetadataGrpc {
    store: Arc<dyn MetadataStore>,
    events: Publisher,
    /// Seals import job passwords; without it, import jobs are refused.
    secrets_key: Option<Arc<SecretsKey>>,
}

impl MetadataGrpc {
    /// A service that publishes no change events.
    pub fn new(store: Arc<dyn MetadataStore>) -> Self {
        Self {
            store,
            events: Publisher::default(),
            secrets_key: None,
        }
    }

    /// Publishes a change event on `bus` after every committed change.
    pub fn with_bus(mut self, bus: Option<Arc<dyn ChangeBus>>) -> Self {
        self.events = Publisher::new(bus);
        self
    }
}

fn account_id(text: &str) -> Result<AccountId, Status> {
    Ok(parse_id(text, "account_id")?)
}

fn mailbox_id(text: &str, field: &'static str) -> Result<MailboxId, Status> {
    Ok(parse_id(text, field)?)
}

type Answer<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl Metadata for MetadataGrpc {
    async fn create_tenant(&self, request: Request<pb::CreateTenantRequest>) -> Answer<pb::Tenant> {
        let request = request.into_inner();
        let tenant = self
            .store
            .create_tenant(&request.domain)
            .await
            .map_err(store_status)?;
        tracing::info!(tenant = %tenant.id, domain = %tenant.domain, "tenant created");
        Ok(Response::new(convert::tenant(tenant)))
    }

    async fn get_tenant(&self, request: Request<pb::GetTenantRequest>) -> Answer<pb::Tenant> {
        let request = request.into_inner();
        let tenant = self
            .store
            .get_tenant(&request.domain)
            .await
            .map_err(store_status)?;
        Ok(Response::new(convert::tenant(tenant)))
    }

    async fn create_account(
        &self,
        request: Request<pb::CreateAccountRequest>,
    ) -> Answer<pb::Account> {
        let request = request.into_inner();
        let account = self
            .store
            .create_account(NewAccount {
                domain: request.domain,
                local_part: request.local_part,
                password: request.password,
                // 0 on the foundation call: the tenant's default.
                quota_bytes: Some(request.quota_bytes).filter(|quota| *quota > 0),
                quota_messages: Some(request.quota_messages).filter(|quota| *quota > 0),
                display_name: String::new(),
                app_passwords_only: false,
            })
            .await
            .map_err(store_status)?;
        tracing::info!(account = %account.id, domain = %account.domain, "account created");
        Ok(Response::new(convert::account(account)))
    }

    async fn get_account(&self, request: Request<pb::GetAccountRequest>) -> Answer<pb::Account> {
        let request = request.into_inner();
        let account = self
            .store
            .get_account(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(convert::account(account)))
    }

    async fn delete_account(
        &self,
        request: Request<pb::DeleteAccountRequest>,
    ) -> Answer<pb::DeleteAccountResponse> {
        let request = request.into_inner();
        self.store
            .delete_account(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        tracing::info!(domain = %request.domain, "account deleted");
        Ok(Response::new(pb::DeleteAccountResponse {}))
    }

    async fn authenticate(&self, request: Request<pb::AuthenticateRequest>) -> Answer<pb::Account> {
        let request = request.into_inner();
        let account = self
            .store
            .authenticate(&request.login, &request.password)
            .await
            .map_err(store_status)?;
        Ok(Response::new(convert::account(account)))
    }

    async fn list_mailboxes(
        &self,
        request: Request<pb::ListMailboxesRequest>,
    ) -> Answer<pb::ListMailboxesResponse> {
        let account = account_id(&request.get_ref().account_id)?;
        let mailboxes = self
            .store
            .list_mailboxes(account)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListMailboxesResponse {
            mailboxes: mailboxes.into_iter().map(Into::into).collect(),
        }))
    }

    async fn create_mailbox(
        &self,
        request: Request<pb::CreateMailboxRequest>,
    ) -> Answer<pb::Mailbox> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let special_use = Some(request.special_use.as_str()).filter(|use_| !use_.is_empty());
        let mailbox = self
            .store
            .create_mailbox(account, &request.name, special_use)
            .await
            .map_err(store_status)?;
        self.events
            .publish_mailbox(account, &mailbox, ChangeKind::MailboxChanged)
            .await;
        Ok(Response::new(mailbox.into()))
    }

    async fn delete_mailbox(
        &self,
        request: Request<pb::DeleteMailboxRequest>,
    ) -> Answer<pb::DeleteMailboxResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let deleted = self
            .events
            .find(
                self.store.as_ref(),
                account,
                MailboxRef::Name(&request.name),
            )
            .await;
        self.store
            .delete_mailbox(account, &request.name)
            .await
            .map_err(store_status)?;
        if let Some(mailbox) = deleted {
            self.events
                .publish_mailbox(account, &mailbox, ChangeKind::MailboxChanged)
                .await;
        }
        Ok(Response::new(pb::DeleteMailboxResponse {}))
    }

    async fn rename_mailbox(
        &self,
        request: Request<pb::RenameMailboxRequest>,
    ) -> Answer<pb::RenameMailboxResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        self.store
            .rename_mailbox(account, &request.from, &request.to)
            .await
            .map_err(store_status)?;
        let renamed = MailboxRef::Name(&request.to);
        self.events
            .publish_found(
                self.store.as_ref(),
                account,
                renamed,
                ChangeKind::MailboxChanged,
            )
            .await;
        Ok(Response::new(pb::RenameMailboxResponse {}))
    }

    async fn set_subscription(
        &self,
        request: Request<pb::SetSubscriptionRequest>,
    ) -> Answer<pb::SetSubscriptionResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        self.store
            .set_subscription(account, &request.name, request.subscribed)
            .await
            .map_err(store_status)?;
        // NOTIFY SubscriptionChange (RFC 5465 §5.5) listens for this.
        self.events
            .publish_found(
                self.store.as_ref(),
                account,
                MailboxRef::Name(&request.name),
                ChangeKind::MailboxChanged,
            )
            .await;
        Ok(Response::new(pb::SetSubscriptionResponse {}))
    }

    async fn list_subscriptions(
        &self,
        request: Request<pb::ListSubscriptionsRequest>,
    ) -> Answer<pb::ListSubscriptionsResponse> {
        let account = account_id(&request.get_ref().account_id)?;
        let names = self
            .store
            .list_subscriptions(account)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListSubscriptionsResponse { names }))
    }

    async fn mailbox_status(
        &self,
        request: Request<pb::MailboxStatusRequest>,
    ) -> Answer<pb::MailboxStatusResponse> {
        self.mailbox_status_rpc(request.into_inner()).await
    }

    async fn mailbox_statuses(
        &self,
        request: Request<pb::MailboxStatusesRequest>,
    ) -> Answer<pb::MailboxStatusesResponse> {
        self.mailbox_statuses_rpc(request.into_inner()).await
    }

    async fn get_metadata(
        &self,
        request: Request<pb::GetMetadataRequest>,
    ) -> Answer<pb::GetMetadataResponse> {
        self.get_metadata_rpc(request.into_inner()).await
    }

    async fn set_metadata(
        &self,
        request: Request<pb::SetMetadataRequest>,
    ) -> Answer<pb::SetMetadataResponse> {
        self.set_metadata_rpc(request.into_inner()).await
    }

    async fn metadata_changes(
        &self,
        request: Request<pb::MetadataChangesRequest>,
    ) -> Answer<pb::MetadataChangesResponse> {
        self.metadata_changes_rpc(request.into_inner()).await
    }

    async fn select_mailbox(
        &self,
        request: Request<pb::SelectMailboxRequest>,
    ) -> Answer<pb::SelectMailboxResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let selected = self
            .store
            .select_mailbox(account, &request.name, request.read_only)
            .await
            .map_err(store_status)?;
        Ok(Response::new(selected.into()))
    }

    async fn append_messages(
        &self,
        request: Request<pb::AppendMessagesRequest>,
    ) -> Answer<pb::AppendMessagesResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let messages = request
            .messages
            .into_iter()
            .map(NewMessageMeta::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let outcome = self
            .store
            .append(account, mailbox, messages)
            .await
            .map_err(store_status)?;
        self.events
            .publish(account, mailbox, outcome.modseq, ChangeKind::Appended)
            .await;
        Ok(Response::new(outcome.into()))
    }

    type FetchMessagesStream = BoxStream<'static, Result<pb::MessageMeta, Status>>;

    async fn fetch_messages(
        &self,
        request: Request<pb::FetchMessagesRequest>,
    ) -> Answer<Self::FetchMessagesStream> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let query = MetaQuery::from(&request);
        let uids = uid_set(request.uids.as_ref());
        let stream = fetch_stream(Arc::clone(&self.store), account, mailbox, uids, query)
            .await
            .map_err(store_status)?;
        let stream = stream.map(|item| item.map(Into::into).map_err(store_status));
        Ok(Response::new(stream.boxed()))
    }

    async fn store_flags(
        &self,
        request: Request<pb::StoreFlagsRequest>,
    ) -> Answer<pb::StoreFlagsResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let operation = store_operation(request.operation)?;
        let flags = request.flags.unwrap_or_default().into();
        let outcome = self
            .store
            .store_flags(
                account,
                mailbox,
                &uid_set(request.uids.as_ref()),
                operation,
                &flags,
                optional_modseq(request.unchanged_since),
            )
            .await
            .map_err(store_status)?;
        // Changed messages carry the new highest MODSEQ; when none changed,
        // only a message that already held it does (a redundant hint).
        if outcome
            .updated
            .iter()
            .any(|update| update.modseq == outcome.highest_modseq)
        {
            self.events
                .publish(
                    account,
                    mailbox,
                    outcome.highest_modseq,
                    ChangeKind::FlagsChanged,
                )
                .await;
        }
        Ok(Response::new(outcome.into()))
    }

    async fn copy_messages(
        &self,
        request: Request<pb::CopyMessagesRequest>,
    ) -> Answer<pb::CopyMessagesResponse> {
        self.transfer(request.into_inner(), false).await
    }

    async fn move_messages(
        &self,
        request: Request<pb::CopyMessagesRequest>,
    ) -> Answer<pb::CopyMessagesResponse> {
        self.transfer(request.into_inner(), true).await
    }

    async fn expunge(&self, request: Request<pb::ExpungeRequest>) -> Answer<pb::ExpungeResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let within = request
            .uids
            .as_ref()
            .map(mailkeep_proto::uid_set_from_proto);
        let outcome = self
            .store
            .expunge(account, mailbox, within.as_ref())
            .await
            .map_err(store_status)?;
        if !outcome.expunged.is_empty() {
            self.events
                .publish(
                    account,
                    mailbox,
                    outcome.highest_modseq,
                    ChangeKind::Expunged,
                )
                .await;
        }
        Ok(Response::new(outcome.into()))
    }

    async fn changes(&self, request: Request<pb::ChangesRequest>) -> Answer<pb::ChangesResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let changes = self
            .store
            .changes(account, mailbox, ModSeq::new(request.since_modseq))
            .await
            .map_err(store_status)?;
        Ok(Response::new(changes.into()))
    }

    async fn claim_recent(
        &self,
        request: Request<pb::ClaimRecentRequest>,
    ) -> Answer<pb::ClaimRecentResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let recent = self
            .store
            .claim_recent(account, mailbox)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ClaimRecentResponse {
            recent: Some(mailkeep_proto::uid_set_to_proto(&recent)),
        }))
    }

    async fn search(&self, request: Request<pb::SearchRequest>) -> Answer<pb::SearchResponse> {
        let request = request.into_inner();
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let query = search_query(request.key)?;
        let outcome = self
            .store
            .search(account, mailbox, &query)
            .await
            .map_err(store_status)?;
        Ok(Response::new(outcome.into()))
    }

    async fn sort(&self, request: Request<pb::SortRequest>) -> Answer<pb::SortResponse> {
        self.sort_messages(request.into_inner()).await
    }

    async fn thread(&self, request: Request<pb::ThreadRequest>) -> Answer<pb::ThreadResponse> {
        self.thread_messages(request.into_inner()).await
    }

    async fn resolve_recipient(
        &self,
        request: Request<pb::ResolveRecipientRequest>,
    ) -> Answer<pb::ResolveRecipientResponse> {
        self.resolve_recipient_rpc(request.into_inner()).await
    }

    async fn deliver(&self, request: Request<pb::DeliverRequest>) -> Answer<pb::DeliverResponse> {
        self.deliver_rpc(request.into_inner()).await
    }
}
