//! The SORT and THREAD RPCs (RFC 5256, RFC 5957): request validation and
//! the store call; the order itself is computed by the store from stored
//! columns, in one call per IMAP command (ARCHITECTURE.md §3a).

use mailkeep_proto::convert::{search_query, sort_criteria, thread_algorithm};
use mailkeep_proto::metadata::v1 as pb;
use tonic::Response;

use super::convert::store_status;
use super::{Answer, MetadataGrpc, account_id, mailbox_id};

impl MetadataGrpc {
    pub(super) async fn sort_messages(&self, request: pb::SortRequest) -> Answer<pb::SortResponse> {
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let query = search_query(request.key)?;
        let criteria = sort_criteria(request.criteria)?;
        let outcome = self
            .store
            .sort(account, mailbox, &query, &criteria)
            .await
            .map_err(store_status)?;
        Ok(Response::new(outcome.into()))
    }

    pub(super) async fn thread_messages(
        &self,
        request: pb::ThreadRequest,
    ) -> Answer<pb::ThreadResponse> {
        let account = account_id(&request.account_id)?;
        let mailbox = mailbox_id(&request.mailbox_id, "mailbox_id")?;
        let query = search_query(request.key)?;
        let algorithm = thread_algorithm(request.algorithm)?;
        let outcome = self
            .store
            .thread(account, mailbox, &query, algorithm)
            .await
            .map_err(store_status)?;
        Ok(Response::new(outcome.into()))
    }
}
