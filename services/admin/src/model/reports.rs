//! Read-only views: usage, mailbox summaries and the audit log.

use mailkeep_proto::metadata::v1 as pb;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::limit;

/// Quota and usage of an account or a tenant (the sum over its accounts).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UsageResponse {
    /// Null means unlimited.
    pub quota_bytes: Option<u64>,
    pub quota_messages: Option<u64>,
    pub used_bytes: u64,
    pub used_messages: u64,
    /// Accounts counted (1 for an account).
    pub accounts: u64,
}

impl From<pb::Usage> for UsageResponse {
    fn from(usage: pb::Usage) -> Self {
        Self {
            quota_bytes: limit(usage.quota_bytes),
            quota_messages: limit(usage.quota_messages),
            used_bytes: usage.used_bytes,
            used_messages: usage.used_messages,
            accounts: usage.accounts,
        }
    }
}

/// Usage before and after a recount from the stored messages.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RecalculatedUsage {
    pub before: UsageResponse,
    pub after: UsageResponse,
}

impl From<pb::RecalculateUsageResponse> for RecalculatedUsage {
    fn from(answer: pb::RecalculateUsageResponse) -> Self {
        Self {
            before: answer.before.unwrap_or_default().into(),
            after: answer.after.unwrap_or_default().into(),
        }
    }
}

/// One mailbox of an account, for support.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MailboxSummaryResponse {
    pub id: String,
    pub name: String,
    /// e.g. `\Sent`; empty when none.
    pub special_use: String,
    pub messages: u64,
    pub bytes: u64,
    pub uidvalidity: u32,
    pub uid_next: u32,
    pub subscribed: bool,
}

impl From<pb::MailboxSummary> for MailboxSummaryResponse {
    fn from(mailbox: pb::MailboxSummary) -> Self {
        Self {
            id: mailbox.id,
            name: mailbox.name,
            special_use: mailbox.special_use,
            messages: mailbox.messages,
            bytes: mailbox.bytes,
            uidvalidity: mailbox.uidvalidity,
            uid_next: mailbox.uid_next,
            subscribed: mailbox.subscribed,
        }
    }
}

/// The mailboxes of an account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MailboxList {
    pub items: Vec<MailboxSummaryResponse>,
}

/// `GET /v1/audit` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only calls on this tenant (forced for tenant-admin tokens).
    pub tenant: Option<String>,
    /// Token id or name, or `bootstrap`.
    pub actor: Option<String>,
    /// e.g. `account.create`.
    pub action: Option<String>,
    /// Unix seconds, inclusive.
    pub since: Option<i64>,
    /// Unix seconds, exclusive.
    pub until: Option<i64>,
}

/// One recorded admin call.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryResponse {
    pub id: String,
    /// Unix seconds.
    pub at: i64,
    pub actor_id: String,
    pub actor_name: String,
    pub action: String,
    pub tenant: String,
    pub target: String,
    pub source_ip: String,
    pub request_id: String,
    /// HTTP status of the answer.
    pub result: u32,
}

impl From<pb::AuditEntry> for AuditEntryResponse {
    fn from(entry: pb::AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            actor_id: entry.actor_id,
            actor_name: entry.actor_name,
            action: entry.action,
            tenant: entry.tenant_domain,
            target: entry.target,
            source_ip: entry.source_ip,
            request_id: entry.request_id,
            result: entry.result_code,
        }
    }
}

/// One page of the audit log, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntryResponse>,
    pub next_cursor: Option<String>,
}
