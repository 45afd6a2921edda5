//! COPY and MOVE over gRPC: one store call, then the change events for the
//! destination (and, for MOVE, the source).

use mailkeep_bus::ChangeKind;
use mailkeep_proto::convert::uid_set;
use mailkeep_proto::metadata::v1 as pb;
use tonic::Response;

use super::convert::store_status;
use super::events::MailboxRef;
use super::{Answer, MetadataGrpc, account_id, mailbox_id};

impl MetadataGrpc {
    /// COPY and MOVE share their request and answer.
    pub(super) async fn transfer(
        &self,
        request: pb::CopyMessagesRequest,
        remove_source: bool,
    ) -> Answer<pb::CopyMessagesResponse> {
        let account = account_id(&request.account_id)?;
        let from = mailbox_id(&request.from_mailbox_id, "from_mailbox_id")?;
        let to = mailbox_id(&request.to_mailbox_id, "to_mailbox_id")?;
        // An empty set is a no-op (UID COPY of UIDs that no longer exist).
        let uids = uid_set(request.uids.as_ref());
        let outcome = if remove_source {
            self.store.move_messages(account, from, &uids, to).await
        } else {
            self.store.copy_messages(account, from, &uids, to).await
        }
        .map_err(store_status)?;
        if !outcome.destination_uids.is_empty() {
            self.events
                .publish_found(
                    self.store.as_ref(),
                    account,
                    MailboxRef::Id(to),
                    ChangeKind::Appended,
                )
                .await;
        }
        if remove_source && !outcome.source_uids.is_empty() {
            self.events
                .publish(account, from, outcome.source_modseq, ChangeKind::Expunged)
                .await;
        }
        Ok(Response::new(outcome.into()))
    }
}
