//! Conversions between the admin store types of [`crate::admin`] and the
//! wire types of `proto/mailkeep/metadata/v1/admin.proto`.

use mailkeep_proto::metadata::v1 as pb;

use crate::admin::{
    Alias, ApiToken, AppPassword, AuditEntry, AuditFilter, AuditRecord, ListFilter, MailboxSummary,
    TenantPurge, TokenFilter, Usage,
};

pub fn purge(purge: TenantPurge) -> pb::TenantPurge {
    pb::TenantPurge {
        tenant_id: purge.tenant_id,
        domain: purge.domain,
        state: purge.state,
        accounts_remaining: purge.accounts_remaining,
        messages_remaining: purge.messages_remaining,
        accounts_removed: purge.accounts_removed,
        messages_removed: purge.messages_removed,
        started_at: purge.started_at,
        finished_at: purge.finished_at,
    }
}

pub fn alias(alias: Alias) -> pb::Alias {
    pb::Alias {
        domain: alias.domain,
        local_part: alias.local_part,
        target_local_part: alias.target_local_part,
        created_at: alias.created_at,
    }
}

pub fn app_password(app_password: AppPassword) -> pb::AppPassword {
    pb::AppPassword {
        id: app_password.id,
        name: app_password.name,
        scopes: app_password.scopes,
        created_at: app_password.created_at,
        last_used_at: app_password.last_used_at,
    }
}

pub fn api_token(token: ApiToken) -> pb::ApiToken {
    pb::ApiToken {
        id: token.id,
        name: token.name,
        role: token.role,
        tenant_domain: token.tenant_domain,
        created_at: token.created_at,
        expires_at: token.expires_at,
        revoked_at: token.revoked_at,
    }
}

pub fn audit_record(request: pb::RecordAuditRequest) -> AuditRecord {
    AuditRecord {
        actor_id: request.actor_id,
        actor_name: request.actor_name,
        action: request.action,
        tenant_domain: request.tenant_domain,
        target: request.target,
        source_ip: request.source_ip,
        request_id: request.request_id,
        result_code: request.result_code,
    }
}

pub fn audit_entry(entry: AuditEntry) -> pb::AuditEntry {
    let record = entry.record;
    pb::AuditEntry {
        id: entry.id.to_string(),
        at: entry.at,
        actor_id: record.actor_id,
        actor_name: record.actor_name,
        action: record.action,
        tenant_domain: record.tenant_domain,
        target: record.target,
        source_ip: record.source_ip,
        request_id: record.request_id,
        result_code: record.result_code,
    }
}

pub fn audit_filter(request: pb::ListAuditRequest) -> AuditFilter {
    AuditFilter {
        limit: request.limit,
        cursor: request.cursor,
        tenant_domain: request.tenant_domain,
        actor: request.actor,
        action: request.action,
        since: request.since,
        until: request.until,
    }
}

pub fn token_filter(request: pb::ListApiTokensRequest) -> TokenFilter {
    TokenFilter {
        limit: request.limit,
        cursor: request.cursor,
        tenant_domain: request.tenant_domain,
        include_revoked: request.include_revoked,
    }
}

pub fn list_filter(limit: u32, cursor: String, status: String, prefix: String) -> ListFilter {
    ListFilter {
        limit,
        cursor,
        status,
        prefix,
    }
}

pub fn usage(usage: Usage) -> pb::Usage {
    pb::Usage {
        quota_bytes: usage.quota_bytes,
        quota_messages: usage.quota_messages,
        used_bytes: usage.used_bytes,
        used_messages: usage.used_messages,
        accounts: usage.accounts,
    }
}

pub fn mailbox_summary(summary: MailboxSummary) -> pb::MailboxSummary {
    pb::MailboxSummary {
        id: summary.id.to_string(),
        name: summary.name,
        special_use: summary.special_use.unwrap_or_default(),
        messages: summary.messages,
        bytes: summary.bytes,
        uidvalidity: summary.uidvalidity,
        uid_next: summary.uid_next,
        subscribed: summary.subscribed,
    }
}
