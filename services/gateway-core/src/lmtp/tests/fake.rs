//! [`FakeDelivery`]: an in-memory [`DeliveryBackend`] for LMTP tests. It
//! knows a set of addresses (matched without case and without `+detail`),
//! can refuse any of them at resolution or at delivery with a chosen
//! [`ErrorCode`], and records every delivered message with its recipient.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use async_trait::async_trait;
use mailkeep_common::{AccountId, ErrorCode, TenantId};

use crate::backend::{BackendError, BackendResult};
use crate::delivery::{Delivery, DeliveryBackend, Recipient};

#[derive(Debug, Default)]
struct DeliveryState {
    /// Address (lowercase, no detail) -> account.
    accounts: HashMap<String, AccountId>,
    refused_at_resolution: HashMap<String, ErrorCode>,
    refused_at_delivery: HashMap<String, ErrorCode>,
    delivered: Vec<(Recipient, Delivery)>,
}

/// Addresses of one tenant, and what was delivered to them.
#[derive(Debug, Default)]
pub struct FakeDelivery {
    state: Mutex<DeliveryState>,
}

/// The tenant every [`FakeDelivery`] account belongs to.
const FAKE_TENANT: TenantId = TenantId::from_u128(7);

impl FakeDelivery {
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes `address` resolvable.
    pub fn add_account(&self, address: &str) -> AccountId {
        let mut state = self.lock();
        let account_id = AccountId::from_u128(state.accounts.len() as u128 + 1);
        state.accounts.insert(address.to_lowercase(), account_id);
        account_id
    }

    /// `RCPT TO:<address>` fails with `code` (a suspended account, quota).
    pub fn refuse_recipient(&self, address: &str, code: ErrorCode) {
        self.lock()
            .refused_at_resolution
            .insert(address.to_lowercase(), code);
    }

    /// Delivery to `address` fails with `code`.
    pub fn fail_delivery(&self, address: &str, code: ErrorCode) {
        self.lock()
            .refused_at_delivery
            .insert(address.to_lowercase(), code);
    }

    /// Every delivered message with its recipient, in delivery order.
    pub fn delivered(&self) -> Vec<(Recipient, Delivery)> {
        self.lock().delivered.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DeliveryState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `alice+lists@example.test` -> (`alice@example.test`, `Some("lists")`).
fn split_detail(address: &str) -> (String, Option<String>) {
    let lower = address.to_lowercase();
    let Some((local, domain)) = lower.rsplit_once('@') else {
        return (lower, None);
    };
    match local.split_once('+') {
        Some((base, detail)) => (format!("{base}@{domain}"), Some(detail.to_owned())),
        None => (lower.clone(), None),
    }
}

#[async_trait]
impl DeliveryBackend for FakeDelivery {
    async fn resolve_recipient(&self, address: &str) -> BackendResult<Recipient> {
        let (base, detail) = split_detail(address);
        let state = self.lock();
        if let Some(code) = state.refused_at_resolution.get(&base) {
            return Err(BackendError::new(*code, "refused by the test"));
        }
        let account_id = state
            .accounts
            .get(&base)
            .copied()
            .ok_or_else(|| BackendError::new(ErrorCode::NotFound, "no such address"))?;
        Ok(Recipient {
            address: address.to_owned(),
            account_id,
            tenant_id: FAKE_TENANT,
            detail,
        })
    }

    async fn deliver(
        &self,
        delivery: &Delivery,
        recipients: &[Recipient],
    ) -> Vec<BackendResult<()>> {
        let mut state = self.lock();
        recipients
            .iter()
            .map(|recipient| {
                let (base, _) = split_detail(&recipient.address);
                if let Some(code) = state.refused_at_delivery.get(&base) {
                    return Err(BackendError::new(*code, "refused by the test"));
                }
                state.delivered.push((recipient.clone(), delivery.clone()));
                Ok(())
            })
            .collect()
    }
}
