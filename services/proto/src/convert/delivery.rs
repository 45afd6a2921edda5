//! Delivery conversions (LMTP, RFC 2033): a resolved recipient, one
//! recipient's copy of a message, and the per-recipient results of a
//! `Deliver` call. A failed recipient travels as its `ErrorCode` name in
//! `error_code` (empty on success), so one refused recipient does not fail
//! the call for the others.

use mailkeep_common::mail::{
    DeliveredMessage, NewMessageMeta, RecipientDelivery, ResolvedRecipient,
};
use mailkeep_common::{ErrorCode, ModSeq};

use super::{ConvertError, parse_id, uid};
use crate::metadata::v1 as pb;

/// One recipient's outcome: where it landed, or why it was refused.
pub type DeliveryOutcome = Result<DeliveredMessage, (ErrorCode, String)>;

fn detail_to_proto(detail: Option<String>) -> String {
    detail.unwrap_or_default()
}

fn detail_from_proto(detail: String) -> Option<String> {
    (!detail.is_empty()).then_some(detail)
}

impl From<ResolvedRecipient> for pb::ResolveRecipientResponse {
    fn from(recipient: ResolvedRecipient) -> Self {
        Self {
            account_id: recipient.account_id.to_string(),
            tenant_id: recipient.tenant_id.to_string(),
            detail: detail_to_proto(recipient.detail),
        }
    }
}

impl TryFrom<pb::ResolveRecipientResponse> for ResolvedRecipient {
    type Error = ConvertError;

    fn try_from(response: pb::ResolveRecipientResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            account_id: parse_id(&response.account_id, "account_id")?,
            tenant_id: parse_id(&response.tenant_id, "tenant_id")?,
            detail: detail_from_proto(response.detail),
        })
    }
}

impl From<RecipientDelivery> for pb::RecipientDelivery {
    fn from(delivery: RecipientDelivery) -> Self {
        Self {
            account_id: delivery.account_id.to_string(),
            detail: detail_to_proto(delivery.detail),
            message: Some(delivery.message.into()),
        }
    }
}

impl TryFrom<pb::RecipientDelivery> for RecipientDelivery {
    type Error = ConvertError;

    fn try_from(delivery: pb::RecipientDelivery) -> Result<Self, ConvertError> {
        let message = delivery
            .message
            .ok_or(ConvertError::Missing { field: "message" })?;
        Ok(Self {
            account_id: parse_id(&delivery.account_id, "account_id")?,
            detail: detail_from_proto(delivery.detail),
            message: NewMessageMeta::try_from(message)?,
        })
    }
}

impl From<DeliveryOutcome> for pb::DeliveryResult {
    fn from(outcome: DeliveryOutcome) -> Self {
        match outcome {
            Ok(delivered) => Self {
                mailbox_id: delivered.mailbox_id.to_string(),
                uidvalidity: delivered.uidvalidity,
                uid: delivered.uid.get(),
                modseq: delivered.modseq.get(),
                ..Self::default()
            },
            Err((code, message)) => Self {
                error_code: code.as_str().to_owned(),
                error_message: message,
                ..Self::default()
            },
        }
    }
}

impl TryFrom<pb::DeliveryResult> for DeliveryOutcome {
    type Error = ConvertError;

    fn try_from(result: pb::DeliveryResult) -> Result<Self, ConvertError> {
        if !result.error_code.is_empty() {
            // A code this side does not know is still a failure.
            let code = result.error_code.parse().unwrap_or(ErrorCode::Internal);
            return Ok(Err((code, result.error_message)));
        }
        Ok(Ok(DeliveredMessage {
            mailbox_id: parse_id(&result.mailbox_id, "mailbox_id")?,
            uidvalidity: result.uidvalidity,
            uid: uid(result.uid, "uid")?,
            modseq: ModSeq::new(result.modseq),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::mail::{Flags, MessageAnalysis};
    use mailkeep_common::{AccountId, BlobId, MailboxId, TenantId, Uid};

    #[test]
    fn recipients_and_results_round_trip() {
        let resolved = ResolvedRecipient {
            account_id: AccountId::from_u128(7),
            tenant_id: TenantId::from_u128(8),
            detail: Some("lists".to_owned()),
        };
        let wire = pb::ResolveRecipientResponse::from(resolved.clone());
        assert_eq!(wire.detail, "lists");
        assert_eq!(ResolvedRecipient::try_from(wire).unwrap(), resolved);
        let plain = pb::ResolveRecipientResponse {
            detail: String::new(),
            ..pb::ResolveRecipientResponse::from(resolved)
        };
        assert_eq!(ResolvedRecipient::try_from(plain).unwrap().detail, None);

        let delivery = RecipientDelivery {
            account_id: AccountId::from_u128(7),
            detail: None,
            message: NewMessageMeta {
                blob_id: BlobId::from_digest([3; 32]),
                size: 40,
                prefix: b"Delivered-To: a@b.test\r\n".to_vec(),
                internal_date: 1_700_000_000,
                internal_date_offset: 0,
                flags: Flags::default(),
                analysis: MessageAnalysis::default(),
            },
        };
        let wire = pb::RecipientDelivery::from(delivery.clone());
        assert_eq!(RecipientDelivery::try_from(wire).unwrap(), delivery);

        let landed: DeliveryOutcome = Ok(DeliveredMessage {
            mailbox_id: MailboxId::from_u128(9),
            uidvalidity: 3,
            uid: Uid::new(12).unwrap(),
            modseq: ModSeq::new(40),
        });
        let wire = pb::DeliveryResult::from(landed.clone());
        assert!(wire.error_code.is_empty());
        assert_eq!(DeliveryOutcome::try_from(wire).unwrap(), landed);
        let refused: DeliveryOutcome = Err((ErrorCode::OverQuota, "quota exceeded".to_owned()));
        let wire = pb::DeliveryResult::from(refused.clone());
        assert_eq!(wire.error_code, "OVER_QUOTA");
        assert_eq!(DeliveryOutcome::try_from(wire).unwrap(), refused);
    }

    #[test]
    fn a_delivery_without_its_message_is_refused() {
        let wire = pb::RecipientDelivery {
            account_id: AccountId::from_u128(7).to_string(),
            ..pb::RecipientDelivery::default()
        };
        assert_eq!(
            RecipientDelivery::try_from(wire),
            Err(ConvertError::Missing { field: "message" })
        );
    }
}
