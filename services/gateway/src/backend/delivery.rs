//! `impl DeliveryBackend for GrpcBackend`: LMTP delivery (RFC 2033) over the
//! metadata and blob contracts. A delivery puts its body once per tenant
//! (content-addressed, so the blob service stores one object however many
//! recipients share it), analyses each recipient's prefixed copy here, and
//! stores every copy with one `Deliver` call: O(1) round trips per delivery.
//! Invariant (ARCHITECTURE.md §3, invariant 3): the body is stored before
//! the metadata call, so a failure leaves an orphan blob, never a message
//! without a body.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use async_trait::async_trait;
use mailkeep_common::mail::{NewMessageMeta, RecipientDelivery, ResolvedRecipient};
use mailkeep_common::{BlobId, ErrorCode, TenantId};
use mailkeep_gateway_core::backend::{BackendError, BackendResult, Flags};
use mailkeep_gateway_core::delivery::{Delivery, DeliveryBackend, Recipient};
use mailkeep_gateway_core::recipient_copy::RecipientCopy;
use mailkeep_proto::convert::DeliveryOutcome;
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::telemetry::client_call;

use super::GrpcBackend;
use super::convert::{from_proto, status_error};

impl GrpcBackend {
    /// Stores the body once per tenant among `recipients`.
    async fn put_body(
        &self,
        delivery: &Delivery,
        recipients: &[Recipient],
    ) -> BackendResult<BTreeMap<TenantId, BlobId>> {
        let mut blobs = BTreeMap::new();
        for recipient in recipients {
            if let Entry::Vacant(slot) = blobs.entry(recipient.tenant_id) {
                slot.insert(
                    self.blob
                        .put(recipient.tenant_id, delivery.raw.clone())
                        .await?,
                );
            }
        }
        Ok(blobs)
    }

    async fn deliver_all(
        &self,
        delivery: &Delivery,
        recipients: &[Recipient],
    ) -> BackendResult<Vec<BackendResult<()>>> {
        let blobs = self.put_body(delivery, recipients).await?;
        let mut copies = Vec::with_capacity(recipients.len());
        for recipient in recipients {
            let blob_id = blobs.get(&recipient.tenant_id).copied().ok_or_else(|| {
                BackendError::new(ErrorCode::Internal, "no blob stored for a tenant")
            })?;
            let copy = RecipientCopy::new(delivery, recipient);
            let message = NewMessageMeta {
                blob_id,
                size: copy.size,
                prefix: copy.prefix,
                internal_date: delivery.received_at,
                internal_date_offset: 0,
                flags: Flags::default(),
                analysis: copy.analysis,
            };
            copies.push(pb::RecipientDelivery::from(RecipientDelivery {
                account_id: recipient.account_id,
                detail: recipient.detail.clone(),
                message,
            }));
        }
        let request = pb::DeliverRequest { recipients: copies };
        let answer = client_call(
            "metadata",
            "deliver",
            self.metadata.clone().deliver(request),
        )
        .await
        .map_err(|status| status_error(&status))?
        .into_inner();
        if answer.results.len() != recipients.len() {
            return Err(BackendError::new(
                ErrorCode::Internal,
                "metadata service answered for a different number of recipients",
            ));
        }
        answer
            .results
            .into_iter()
            .map(|result| {
                let outcome: DeliveryOutcome = from_proto(result)?;
                Ok(outcome
                    .map(drop)
                    .map_err(|(code, message)| BackendError::new(code, message)))
            })
            .collect()
    }
}

#[async_trait]
impl DeliveryBackend for GrpcBackend {
    async fn resolve_recipient(&self, address: &str) -> BackendResult<Recipient> {
        let request = pb::ResolveRecipientRequest {
            address: address.to_owned(),
        };
        let answer = client_call(
            "metadata",
            "resolve_recipient",
            self.metadata.clone().resolve_recipient(request),
        )
        .await
        .map_err(|status| status_error(&status))?
        .into_inner();
        let resolved: ResolvedRecipient = from_proto(answer)?;
        Ok(Recipient {
            address: address.to_owned(),
            account_id: resolved.account_id,
            tenant_id: resolved.tenant_id,
            detail: resolved.detail,
        })
    }

    async fn deliver(
        &self,
        delivery: &Delivery,
        recipients: &[Recipient],
    ) -> Vec<BackendResult<()>> {
        if recipients.is_empty() {
            return Vec::new();
        }
        match self.deliver_all(delivery, recipients).await {
            Ok(results) => results,
            Err(error) => {
                tracing::warn!(code = %error.code, recipients = recipients.len(), "delivery failed");
                recipients.iter().map(|_| Err(error.clone())).collect()
            }
        }
    }
}
