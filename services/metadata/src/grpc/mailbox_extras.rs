//! STATUS, LIST-STATUS and METADATA over gRPC (RFC 5819, RFC 5464): the
//! single and batched mailbox status calls, the mailbox and server
//! annotations, and their change tracking for NOTIFY (RFC 5465 §5.6-5.7):
//! each committed SetMetadata publishes a `MetadataChanged` hint.

use mailkeep_proto::metadata::v1 as pb;
use tonic::Response;

use super::convert::store_status;
use super::{Answer, MetadataGrpc, account_id};

impl MetadataGrpc {
    pub(super) async fn mailbox_status_rpc(
        &self,
        request: pb::MailboxStatusRequest,
    ) -> Answer<pb::MailboxStatusResponse> {
        let account = account_id(&request.account_id)?;
        let status = self
            .store
            .mailbox_status(account, &request.name)
            .await
            .map_err(store_status)?;
        Ok(Response::new(status.into()))
    }

    pub(super) async fn mailbox_statuses_rpc(
        &self,
        request: pb::MailboxStatusesRequest,
    ) -> Answer<pb::MailboxStatusesResponse> {
        let account = account_id(&request.account_id)?;
        let statuses = self
            .store
            .mailbox_statuses(account, &request.names)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::MailboxStatusesResponse {
            statuses: statuses.into_iter().map(Into::into).collect(),
        }))
    }

    pub(super) async fn get_metadata_rpc(
        &self,
        request: pb::GetMetadataRequest,
    ) -> Answer<pb::GetMetadataResponse> {
        let account = account_id(&request.account_id)?;
        let entries = self
            .store
            .metadata(account, &request.mailbox)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::GetMetadataResponse {
            entries: entries.into_iter().map(Into::into).collect(),
        }))
    }

    pub(super) async fn set_metadata_rpc(
        &self,
        request: pb::SetMetadataRequest,
    ) -> Answer<pb::SetMetadataResponse> {
        let account = account_id(&request.account_id)?;
        let changes: Vec<_> = request.changes.into_iter().map(Into::into).collect();
        let modseq = self
            .store
            .set_metadata(account, &request.mailbox, &changes)
            .await
            .map_err(store_status)?;
        self.events
            .publish_metadata(self.store.as_ref(), account, &request.mailbox, modseq)
            .await;
        Ok(Response::new(pb::SetMetadataResponse { modseq }))
    }

    pub(super) async fn metadata_changes_rpc(
        &self,
        request: pb::MetadataChangesRequest,
    ) -> Answer<pb::MetadataChangesResponse> {
        let account = account_id(&request.account_id)?;
        let changes = self
            .store
            .metadata_changes(account, request.since)
            .await
            .map_err(store_status)?;
        Ok(Response::new(changes.into()))
    }
}
