//! The delivery RPCs of the metadata service (LMTP, RFC 2033):
//! `ResolveRecipient` and `Deliver`. A `Deliver` call answers one result per
//! recipient (a refused recipient is a result, not a failed call) and
//! publishes one `Appended` event per stored copy after its commit.

use mailkeep_bus::ChangeKind;
use mailkeep_common::mail::RecipientDelivery;
use mailkeep_proto::convert::DeliveryOutcome;
use mailkeep_proto::metadata::v1 as pb;
use tonic::{Response, Status};

use super::convert::store_status;
use super::{Answer, MetadataGrpc};

impl MetadataGrpc {
    pub(super) async fn resolve_recipient_rpc(
        &self,
        request: pb::ResolveRecipientRequest,
    ) -> Answer<pb::ResolveRecipientResponse> {
        let recipient = self
            .store
            .resolve_recipient(&request.address)
            .await
            .map_err(store_status)?;
        Ok(Response::new(recipient.into()))
    }

    pub(super) async fn deliver_rpc(
        &self,
        request: pb::DeliverRequest,
    ) -> Answer<pb::DeliverResponse> {
        let deliveries = request
            .recipients
            .into_iter()
            .map(RecipientDelivery::try_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(Status::from)?;
        let accounts: Vec<_> = deliveries.iter().map(|d| d.account_id).collect();
        let outcomes = self.store.deliver(deliveries).await;
        let mut results = Vec::with_capacity(outcomes.len());
        for (account, outcome) in accounts.into_iter().zip(outcomes) {
            let outcome: DeliveryOutcome = match outcome {
                Ok(delivered) => {
                    self.events
                        .publish(
                            account,
                            delivered.mailbox_id,
                            delivered.modseq,
                            ChangeKind::Appended,
                        )
                        .await;
                    Ok(delivered)
                }
                Err(error) => {
                    tracing::info!(account = %account, code = %error.code(), error = %error,
                        "delivery refused");
                    Err((error.code(), error.to_string()))
                }
            };
            results.push(outcome.into());
        }
        Ok(Response::new(pb::DeliverResponse { results }))
    }
}
