//! The `DeliveryBackend` port: what an LMTP session (RFC 2033) needs from the
//! rest of the system. It resolves each `RCPT TO` address to an account and
//! stores one received message for every accepted recipient. The gateway
//! implements it over gRPC; tests implement it in memory.

use async_trait::async_trait;
use mailkeep_common::{AccountId, TenantId};

use crate::backend::BackendResult;

/// One accepted `RCPT TO`, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The address exactly as the client wrote it (for `Delivered-To`).
    pub address: String,
    pub account_id: AccountId,
    pub tenant_id: TenantId,
    /// The `+detail` of a sub-address (`alice+lists@example.test` gives
    /// `lists`), naming the folder to deliver into when it exists.
    pub detail: Option<String>,
}

/// One message received after `DATA` or the last `BDAT`, with the
/// transparency dots already removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The message exactly as received, before any header is added.
    pub raw: Vec<u8>,
    /// The `MAIL FROM` reverse-path without angle brackets; empty for the
    /// null sender `<>`.
    pub return_path: String,
    /// Arrival time, Unix seconds (becomes INTERNALDATE).
    pub received_at: i64,
}

#[async_trait]
pub trait DeliveryBackend: Send + Sync {
    /// Resolves an address (account or alias, with an optional `+detail`).
    /// Errors carry the `ErrorCode` that decides the reply: `NotFound` for an
    /// unknown recipient, `PermissionDenied` for a suspended account,
    /// `OverQuota` for an account already over its quota.
    async fn resolve_recipient(&self, address: &str) -> BackendResult<Recipient>;

    /// Stores `delivery` once for each recipient, prefixed by its own
    /// `Return-Path` and `Delivered-To` headers, into the `+detail` folder
    /// when it exists and INBOX otherwise. The body is stored once and shared.
    /// Returns one result per recipient, in order.
    async fn deliver(
        &self,
        delivery: &Delivery,
        recipients: &[Recipient],
    ) -> Vec<BackendResult<()>>;
}
