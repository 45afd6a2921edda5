//! `impl MailBackend for GrpcBackend`: one metadata RPC per port call (ARCHITECTURE.md
//! §3a: O(1) round trips per IMAP command), with bodies going through the
//! blob client. Invariant (ARCHITECTURE.md §3, invariant 3): `append` stores
//! every body before the single `AppendMessages` call, so a failure in
//! between leaves orphan blobs, never a message without a body.

use async_trait::async_trait;
use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use mailkeep_common::mail::NewMessageMeta;
use mailkeep_common::{BlobId, MailboxId, ModSeq, UidSet};
use mailkeep_gateway_core::backend::{
    AppendOutcome, BackendResult, Changes, CopyOutcome, ExpungeOutcome, Flags, MailBackend,
    MailboxInfo, MailboxStatus, MessageMeta, MetaQuery, MetadataChange, MetadataChanges,
    MetadataEntry, NewMessage, Principal, QuotaUsage, SearchOutcome, SearchQuery, SelectedMailbox,
    StoreOperation, StoreOutcome,
};
use mailkeep_gateway_core::backend::{SortCriterion, SortOutcome, ThreadAlgorithm, ThreadOutcome};
use mailkeep_proto::convert::uid_set;
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::uid_set_to_proto;

use super::GrpcBackend;
use super::convert::{from_proto, principal_from_account, quota_from_account, status_error};

/// Bodies of one MULTIAPPEND stored concurrently, at most this many at once.
const CONCURRENT_BLOB_PUTS: usize = 4;

/// Runs one call on a fresh handle of the metadata client (handles are cheap
/// clones sharing the channel), timed and traced, and maps a failed status
/// to `BackendError`.
macro_rules! call {
    ($backend:expr, $method:ident, $request:expr) => {
        mailkeep_proto::telemetry::client_call(
            "metadata",
            stringify!($method),
            $backend.metadata.clone().$method($request),
        )
        .await
        .map(tonic::Response::into_inner)
        .map_err(|status| status_error(&status))
    };
}

fn account(who: &Principal) -> String {
    who.account_id.to_string()
}

#[async_trait]
impl MailBackend for GrpcBackend {
    async fn authenticate(&self, login: &str, password: &str) -> BackendResult<Principal> {
        let request = pb::AuthenticateRequest {
            login: login.to_owned(),
            password: password.to_owned(),
        };
        principal_from_account(call!(self, authenticate, request)?)
    }

    async fn list_mailboxes(&self, who: &Principal) -> BackendResult<Vec<MailboxInfo>> {
        let request = pb::ListMailboxesRequest {
            account_id: account(who),
        };
        call!(self, list_mailboxes, request)?
            .mailboxes
            .into_iter()
            .map(from_proto)
            .collect()
    }

    async fn create_mailbox(
        &self,
        who: &Principal,
        name: &str,
        special_use: Option<&str>,
    ) -> BackendResult<MailboxInfo> {
        let request = pb::CreateMailboxRequest {
            account_id: account(who),
            name: name.to_owned(),
            special_use: special_use.unwrap_or_default().to_owned(),
        };
        from_proto(call!(self, create_mailbox, request)?)
    }

    async fn delete_mailbox(&self, who: &Principal, name: &str) -> BackendResult<()> {
        let request = pb::DeleteMailboxRequest {
            account_id: account(who),
            name: name.to_owned(),
        };
        call!(self, delete_mailbox, request).map(drop)
    }

    async fn rename_mailbox(&self, who: &Principal, from: &str, to: &str) -> BackendResult<()> {
        let request = pb::RenameMailboxRequest {
            account_id: account(who),
            from: from.to_owned(),
            to: to.to_owned(),
        };
        call!(self, rename_mailbox, request).map(drop)
    }

    async fn set_subscription(
        &self,
        who: &Principal,
        name: &str,
        subscribed: bool,
    ) -> BackendResult<()> {
        let request = pb::SetSubscriptionRequest {
            account_id: account(who),
            name: name.to_owned(),
            subscribed,
        };
        call!(self, set_subscription, request).map(drop)
    }

    async fn list_subscriptions(&self, who: &Principal) -> BackendResult<Vec<String>> {
        let request = pb::ListSubscriptionsRequest {
            account_id: account(who),
        };
        Ok(call!(self, list_subscriptions, request)?.names)
    }

    async fn mailbox_status(&self, who: &Principal, name: &str) -> BackendResult<MailboxStatus> {
        let request = pb::MailboxStatusRequest {
            account_id: account(who),
            name: name.to_owned(),
        };
        from_proto(call!(self, mailbox_status, request)?)
    }

    async fn mailbox_statuses(
        &self,
        who: &Principal,
        names: &[String],
    ) -> BackendResult<Vec<MailboxStatus>> {
        let request = pb::MailboxStatusesRequest {
            account_id: account(who),
            names: names.to_vec(),
        };
        call!(self, mailbox_statuses, request)?
            .statuses
            .into_iter()
            .map(from_proto)
            .collect()
    }

    async fn quota(&self, who: &Principal) -> BackendResult<QuotaUsage> {
        // The principal's login is the account's own `local@domain`.
        let (local_part, domain) = who.login.rsplit_once('@').unwrap_or((&who.login, ""));
        let request = pb::GetAccountRequest {
            domain: domain.to_owned(),
            local_part: local_part.to_owned(),
        };
        Ok(quota_from_account(&call!(self, get_account, request)?))
    }

    async fn metadata(&self, who: &Principal, mailbox: &str) -> BackendResult<Vec<MetadataEntry>> {
        let request = pb::GetMetadataRequest {
            account_id: account(who),
            mailbox: mailbox.to_owned(),
        };
        let entries = call!(self, get_metadata, request)?.entries;
        Ok(entries.into_iter().map(Into::into).collect())
    }

    async fn set_metadata(
        &self,
        who: &Principal,
        mailbox: &str,
        changes: &[MetadataChange],
    ) -> BackendResult<u64> {
        let request = pb::SetMetadataRequest {
            account_id: account(who),
            mailbox: mailbox.to_owned(),
            changes: changes.iter().cloned().map(Into::into).collect(),
        };
        Ok(call!(self, set_metadata, request)?.modseq)
    }

    async fn metadata_changes(
        &self,
        who: &Principal,
        since: Option<u64>,
    ) -> BackendResult<MetadataChanges> {
        let request = pb::MetadataChangesRequest {
            account_id: account(who),
            since,
        };
        Ok(call!(self, metadata_changes, request)?.into())
    }

    async fn select_mailbox(
        &self,
        who: &Principal,
        name: &str,
        read_only: bool,
    ) -> BackendResult<SelectedMailbox> {
        let request = pb::SelectMailboxRequest {
            account_id: account(who),
            name: name.to_owned(),
            read_only,
        };
        from_proto(call!(self, select_mailbox, request)?)
    }

    async fn append(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> BackendResult<AppendOutcome> {
        let tenant = who.tenant_id;
        let blob = &self.blob;
        let stored: Vec<pb::NewMessage> = futures::stream::iter(messages)
            .map(|message| async move {
                let NewMessage {
                    raw,
                    internal_date,
                    internal_date_offset,
                    flags,
                    analysis,
                } = message;
                let size = raw.len() as u64;
                let blob_id = blob.put(tenant, raw).await?;
                Ok(pb::NewMessage::from(NewMessageMeta {
                    blob_id,
                    size,
                    prefix: Vec::new(),
                    internal_date,
                    internal_date_offset,
                    flags,
                    analysis,
                }))
            })
            .buffered(CONCURRENT_BLOB_PUTS)
            .try_collect()
            .await?;
        let request = pb::AppendMessagesRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            messages: stored,
        };
        from_proto(call!(self, append_messages, request)?)
    }

    async fn fetch_meta(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        query: MetaQuery,
    ) -> BackendResult<BoxStream<'static, BackendResult<MessageMeta>>> {
        let request = pb::FetchMessagesRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            uids: Some(uid_set_to_proto(uids)),
            with_envelope: query.with_envelope,
            with_bodystructure: query.with_bodystructure,
            with_part_table: query.with_part_table,
            changed_since: query.changed_since.map_or(0, ModSeq::get),
        };
        let stream = call!(self, fetch_messages, request)?;
        Ok(stream
            .map(|item| {
                item.map_err(|status| status_error(&status))
                    .and_then(from_proto)
            })
            .boxed())
    }

    async fn read_blob(
        &self,
        who: &Principal,
        blob: BlobId,
        offset: u64,
        length: Option<u64>,
    ) -> BackendResult<Vec<u8>> {
        self.blob.read(who.tenant_id, blob, offset, length).await
    }

    async fn store_flags(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: &UidSet,
        operation: StoreOperation,
        flags: &Flags,
        unchanged_since: Option<ModSeq>,
    ) -> BackendResult<StoreOutcome> {
        let request = pb::StoreFlagsRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            uids: Some(uid_set_to_proto(uids)),
            operation: pb::StoreOperation::from(operation).into(),
            flags: Some(flags.clone().into()),
            unchanged_since: unchanged_since.map_or(0, ModSeq::get),
        };
        from_proto(call!(self, store_flags, request)?)
    }

    async fn copy_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome> {
        let request = copy_request(who, from, uids, to);
        from_proto(call!(self, copy_messages, request)?)
    }

    async fn move_messages(
        &self,
        who: &Principal,
        from: MailboxId,
        uids: &UidSet,
        to: MailboxId,
    ) -> BackendResult<CopyOutcome> {
        let request = copy_request(who, from, uids, to);
        from_proto(call!(self, move_messages, request)?)
    }

    async fn expunge(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        uids: Option<&UidSet>,
    ) -> BackendResult<ExpungeOutcome> {
        let request = pb::ExpungeRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            uids: uids.map(uid_set_to_proto),
        };
        Ok(call!(self, expunge, request)?.into())
    }

    async fn changes(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        since: ModSeq,
    ) -> BackendResult<Changes> {
        let request = pb::ChangesRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            since_modseq: since.get(),
        };
        from_proto(call!(self, changes, request)?)
    }

    async fn claim_recent(&self, who: &Principal, mailbox: MailboxId) -> BackendResult<UidSet> {
        let request = pb::ClaimRecentRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
        };
        let response = call!(self, claim_recent, request)?;
        Ok(uid_set(response.recent.as_ref()))
    }

    async fn search(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
    ) -> BackendResult<SearchOutcome> {
        let request = pb::SearchRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            key: Some(query.into()),
        };
        from_proto(call!(self, search, request)?)
    }

    async fn sort(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        criteria: &[SortCriterion],
    ) -> BackendResult<SortOutcome> {
        let request = pb::SortRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            key: Some(query.into()),
            criteria: criteria.iter().map(Into::into).collect(),
        };
        from_proto(call!(self, sort, request)?)
    }

    async fn thread(
        &self,
        who: &Principal,
        mailbox: MailboxId,
        query: &SearchQuery,
        algorithm: ThreadAlgorithm,
    ) -> BackendResult<ThreadOutcome> {
        let request = pb::ThreadRequest {
            account_id: account(who),
            mailbox_id: mailbox.to_string(),
            key: Some(query.into()),
            algorithm: pb::ThreadAlgorithm::from(algorithm).into(),
        };
        from_proto(call!(self, thread, request)?)
    }
}

fn copy_request(
    who: &Principal,
    from: MailboxId,
    uids: &UidSet,
    to: MailboxId,
) -> pb::CopyMessagesRequest {
    pb::CopyMessagesRequest {
        account_id: account(who),
        from_mailbox_id: from.to_string(),
        uids: Some(uid_set_to_proto(uids)),
        to_mailbox_id: to.to_string(),
    }
}
