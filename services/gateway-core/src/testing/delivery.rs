//! [`MemoryBackend`] as a [`DeliveryBackend`]: an address is an account's
//! login, optionally with a `+detail`; each recipient's copy stores the
//! body once per tenant and its own header prefix (ARCHITECTURE.md §4),
//! into the `+detail` folder when it exists (exact name, then without case)
//! and INBOX otherwise, after the account's quota check.

use async_trait::async_trait;
use mailkeep_common::mail::RECIPIENT_DELIMITER;
use mailkeep_common::{BlobId, ErrorCode, ModSeq, Uid};
use sha2::{Digest, Sha256};

use super::MemoryBackend;
use super::data::{Inner, Message};
use crate::backend::{BackendError, BackendResult, Flags, Principal};
use crate::delivery::{Delivery, DeliveryBackend, Recipient};
use crate::recipient_copy::RecipientCopy;

/// `alice+lists@example.test` -> (`alice@example.test`, `Some("lists")`).
fn split_detail(address: &str) -> (String, Option<String>) {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return (address.to_owned(), None);
    };
    match local.split_once(RECIPIENT_DELIMITER) {
        Some((base, detail)) => (format!("{base}@{domain}"), Some(detail.to_owned())),
        None => (address.to_owned(), None),
    }
}

impl Inner {
    fn deliver_copy(&mut self, delivery: &Delivery, recipient: &Recipient) -> BackendResult<Uid> {
        let who = self
            .accounts
            .iter()
            .find(|account| account.principal.account_id == recipient.account_id)
            .map(|account| account.principal.clone())
            .ok_or_else(|| BackendError::new(ErrorCode::NotFound, "no such recipient"))?;
        let copy = RecipientCopy::new(delivery, recipient);
        self.check_quota(&who, copy.size)?;
        let blob_id = BlobId::from_digest(Sha256::digest(&delivery.raw).into());
        self.blobs
            .entry((who.tenant_id, blob_id))
            .or_insert_with(|| delivery.raw.clone());
        let email_id = format!("M{:x}", self.next_id());
        let account = self.account(&who)?;
        let folder = recipient.detail.as_deref().and_then(|detail| {
            account
                .mailboxes
                .iter()
                .position(|m| m.info.name == detail)
                .or_else(|| {
                    account
                        .mailboxes
                        .iter()
                        .position(|m| m.info.name.eq_ignore_ascii_case(detail))
                })
        });
        let index = match folder {
            Some(index) => index,
            None => account
                .mailboxes
                .iter()
                .position(|m| m.info.name == "INBOX")
                .ok_or_else(|| BackendError::new(ErrorCode::NotFound, "no INBOX"))?,
        };
        Ok(account.mailboxes[index].add(Message {
            uid: Uid::MIN,
            modseq: ModSeq::default(),
            flags: Flags::default(),
            blob_id,
            size: copy.size,
            prefix: copy.prefix,
            internal_date: delivery.received_at,
            internal_date_offset: 0,
            analysis: copy.analysis,
            recent: true,
            email_id,
        }))
    }
}

#[async_trait]
impl DeliveryBackend for MemoryBackend {
    async fn resolve_recipient(&self, address: &str) -> BackendResult<Recipient> {
        let (base, detail) = split_detail(address);
        let mut inner = self.checked()?;
        let principal: Principal = inner
            .accounts
            .iter()
            .find(|account| account.principal.login.eq_ignore_ascii_case(&base))
            .map(|account| account.principal.clone())
            .ok_or_else(|| BackendError::new(ErrorCode::NotFound, "no such recipient"))?;
        // An account already at its quota takes nothing more.
        inner.check_quota(&principal, 1)?;
        Ok(Recipient {
            address: address.to_owned(),
            account_id: principal.account_id,
            tenant_id: principal.tenant_id,
            detail,
        })
    }

    async fn deliver(
        &self,
        delivery: &Delivery,
        recipients: &[Recipient],
    ) -> Vec<BackendResult<()>> {
        let mut inner = match self.checked() {
            Ok(inner) => inner,
            Err(error) => return vec![Err(error); recipients.len()],
        };
        recipients
            .iter()
            .map(|recipient| inner.deliver_copy(delivery, recipient).map(drop))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_split_off_the_local_part() {
        assert_eq!(
            split_detail("alice+lists@example.test"),
            ("alice@example.test".to_owned(), Some("lists".to_owned()))
        );
        assert_eq!(split_detail("bob@x.test"), ("bob@x.test".to_owned(), None));
        assert_eq!(split_detail("postmaster"), ("postmaster".to_owned(), None));
    }
}
