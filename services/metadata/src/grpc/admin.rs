//! The gRPC face of the admin store: [`MetadataAdminGrpc`] serves
//! `mailkeep.metadata.v1.MetadataAdmin` (admin.proto) over an
//! `Arc<dyn AdminStore>`. It generates the secrets the store does not
//! (account passwords asked to be generated), wakes the purge worker when a
//! tenant is marked for deletion, and maps every failure to its `ErrorCode`.
//! Secrets are never logged.

use std::sync::Arc;

use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::metadata::v1::metadata_admin_server::MetadataAdmin;
use tokio::sync::Notify;
use tonic::{Request, Response, Status};

use super::admin_convert as to_wire;
use super::admin_input::{check_id, choose_password};
use super::convert::{account, store_status, tenant};
use crate::admin::{AccountUpdate, AdminStore, NewApiToken, TenantQuotas, TenantUpdate};
use crate::model::NewAccount;

type Answer<T> = Result<Response<T>, Status>;

/// The admin gRPC service.
#[derive(Clone)]
pub struct MetadataAdminGrpc {
    store: Arc<dyn AdminStore>,
    purge_wake: Arc<Notify>,
}

impl MetadataAdminGrpc {
    /// `purge_wake` is notified when a tenant purge starts.
    pub fn new(store: Arc<dyn AdminStore>, purge_wake: Arc<Notify>) -> Self {
        Self { store, purge_wake }
    }
}

#[tonic::async_trait]
impl MetadataAdmin for MetadataAdminGrpc {
    async fn create_tenant(
        &self,
        request: Request<pb::AdminCreateTenantRequest>,
    ) -> Answer<pb::Tenant> {
        let request = request.into_inner();
        let quotas = TenantQuotas {
            default_quota_bytes: request.default_quota_bytes,
            default_quota_messages: request.default_quota_messages,
            quota_bytes: request.quota_bytes,
            quota_messages: request.quota_messages,
        };
        let created = self
            .store
            .create_tenant_with_quotas(&request.domain, quotas)
            .await
            .map_err(store_status)?;
        tracing::info!(tenant = %created.id, domain = %created.domain, "tenant created");
        Ok(Response::new(tenant(created)))
    }

    async fn get_tenant(&self, request: Request<pb::TenantRef>) -> Answer<pb::Tenant> {
        let found = self
            .store
            .get_tenant(&request.get_ref().domain)
            .await
            .map_err(store_status)?;
        Ok(Response::new(tenant(found)))
    }

    async fn list_tenants(
        &self,
        request: Request<pb::ListTenantsRequest>,
    ) -> Answer<pb::ListTenantsResponse> {
        let request = request.into_inner();
        let filter = to_wire::list_filter(
            request.limit,
            request.cursor,
            request.status,
            request.domain_prefix,
        );
        let page = self
            .store
            .list_tenants(&filter)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListTenantsResponse {
            tenants: page.items.into_iter().map(tenant).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn update_tenant(&self, request: Request<pb::UpdateTenantRequest>) -> Answer<pb::Tenant> {
        let request = request.into_inner();
        let update = TenantUpdate {
            expected_version: request.expected_version,
            status: request.status,
            default_quota_bytes: request.default_quota_bytes,
            default_quota_messages: request.default_quota_messages,
            quota_bytes: request.quota_bytes,
            quota_messages: request.quota_messages,
        };
        let updated = self
            .store
            .update_tenant(&request.domain, update)
            .await
            .map_err(store_status)?;
        tracing::info!(domain = %updated.domain, version = updated.version, "tenant updated");
        Ok(Response::new(tenant(updated)))
    }

    async fn delete_tenant(
        &self,
        request: Request<pb::DeleteTenantRequest>,
    ) -> Answer<pb::TenantPurge> {
        let request = request.into_inner();
        let purge = self
            .store
            .delete_tenant(&request.domain, request.expected_version)
            .await
            .map_err(store_status)?;
        self.purge_wake.notify_one();
        tracing::info!(domain = %purge.domain, "tenant purge started");
        Ok(Response::new(to_wire::purge(purge)))
    }

    async fn get_tenant_purge(&self, request: Request<pb::TenantRef>) -> Answer<pb::TenantPurge> {
        let purge = self
            .store
            .tenant_purge(&request.get_ref().domain)
            .await
            .map_err(store_status)?;
        Ok(Response::new(to_wire::purge(purge)))
    }

    async fn create_account(
        &self,
        request: Request<pb::AdminCreateAccountRequest>,
    ) -> Answer<pb::AccountWithSecret> {
        let request = request.into_inner();
        let given = Some(request.password).filter(|password| !password.is_empty());
        let (password, generated_password) =
            choose_password(given, request.generate_password, true)?;
        let created = self
            .store
            .create_account(NewAccount {
                domain: request.domain,
                local_part: request.local_part,
                password: password.unwrap_or_default(),
                quota_bytes: request.quota_bytes,
                quota_messages: request.quota_messages,
                display_name: request.display_name,
                app_passwords_only: request.app_passwords_only,
            })
            .await
            .map_err(store_status)?;
        tracing::info!(account = %created.id, domain = %created.domain, "account created");
        Ok(Response::new(pb::AccountWithSecret {
            account: Some(account(created)),
            generated_password,
        }))
    }

    async fn get_account(&self, request: Request<pb::AccountRef>) -> Answer<pb::Account> {
        let request = request.into_inner();
        let found = self
            .store
            .get_account(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(account(found)))
    }

    async fn list_accounts(
        &self,
        request: Request<pb::ListAccountsRequest>,
    ) -> Answer<pb::ListAccountsResponse> {
        let request = request.into_inner();
        let filter = to_wire::list_filter(
            request.limit,
            request.cursor,
            request.status,
            request.local_part_prefix,
        );
        let page = self
            .store
            .list_accounts(&request.domain, &filter)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListAccountsResponse {
            accounts: page.items.into_iter().map(account).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn update_account(
        &self,
        request: Request<pb::UpdateAccountRequest>,
    ) -> Answer<pb::AccountWithSecret> {
        let request = request.into_inner();
        let (password, generated_password) =
            choose_password(request.password, request.generate_password, false)?;
        let update = AccountUpdate {
            expected_version: request.expected_version,
            password,
            status: request.status,
            quota_bytes: request.quota_bytes,
            quota_messages: request.quota_messages,
            display_name: request.display_name,
            app_passwords_only: request.app_passwords_only,
        };
        let updated = self
            .store
            .update_account(&request.domain, &request.local_part, update)
            .await
            .map_err(store_status)?;
        tracing::info!(account = %updated.id, version = updated.version, "account updated");
        Ok(Response::new(pb::AccountWithSecret {
            account: Some(account(updated)),
            generated_password,
        }))
    }

    async fn delete_account(
        &self,
        request: Request<pb::AdminDeleteAccountRequest>,
    ) -> Answer<pb::AdminDeleteAccountResponse> {
        let request = request.into_inner();
        let deleted = self
            .store
            .purge_account(
                &request.domain,
                &request.local_part,
                request.expected_version,
            )
            .await
            .map_err(store_status)?;
        tracing::info!(domain = %request.domain, messages = deleted.messages, "account deleted");
        Ok(Response::new(pb::AdminDeleteAccountResponse {
            messages_removed: deleted.messages,
            bytes_released: deleted.bytes,
        }))
    }

    async fn create_alias(&self, request: Request<pb::CreateAliasRequest>) -> Answer<pb::Alias> {
        let request = request.into_inner();
        let alias = self
            .store
            .create_alias(
                &request.domain,
                &request.local_part,
                &request.target_local_part,
            )
            .await
            .map_err(store_status)?;
        Ok(Response::new(to_wire::alias(alias)))
    }

    async fn list_aliases(
        &self,
        request: Request<pb::ListAliasesRequest>,
    ) -> Answer<pb::ListAliasesResponse> {
        let request = request.into_inner();
        let filter = to_wire::list_filter(
            request.limit,
            request.cursor,
            String::new(),
            request.local_part_prefix,
        );
        let page = self
            .store
            .list_aliases(&request.domain, &filter, &request.target_local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListAliasesResponse {
            aliases: page.items.into_iter().map(to_wire::alias).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn delete_alias(
        &self,
        request: Request<pb::DeleteAliasRequest>,
    ) -> Answer<pb::DeleteAliasResponse> {
        let request = request.into_inner();
        self.store
            .delete_alias(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::DeleteAliasResponse {}))
    }

    async fn resolve_address(
        &self,
        request: Request<pb::ResolveAddressRequest>,
    ) -> Answer<pb::ResolveAddressResponse> {
        let (found, alias) = self
            .store
            .resolve_address(&request.get_ref().address)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ResolveAddressResponse {
            account: Some(account(found)),
            alias: alias.unwrap_or_default(),
        }))
    }

    async fn create_app_password(
        &self,
        request: Request<pb::CreateAppPasswordRequest>,
    ) -> Answer<pb::AppPasswordWithSecret> {
        let request = request.into_inner();
        let (app_password, secret) = self
            .store
            .create_app_password(
                &request.domain,
                &request.local_part,
                &request.name,
                &request.scopes,
            )
            .await
            .map_err(store_status)?;
        tracing::info!(domain = %request.domain, app_password = %app_password.id, "app password created");
        Ok(Response::new(pb::AppPasswordWithSecret {
            app_password: Some(to_wire::app_password(app_password)),
            secret,
        }))
    }

    async fn list_app_passwords(
        &self,
        request: Request<pb::AccountRef>,
    ) -> Answer<pb::ListAppPasswordsResponse> {
        let request = request.into_inner();
        let app_passwords = self
            .store
            .list_app_passwords(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListAppPasswordsResponse {
            app_passwords: app_passwords
                .into_iter()
                .map(to_wire::app_password)
                .collect(),
        }))
    }

    async fn delete_app_password(
        &self,
        request: Request<pb::DeleteAppPasswordRequest>,
    ) -> Answer<pb::DeleteAppPasswordResponse> {
        let request = request.into_inner();
        check_id(&request.id)?;
        self.store
            .delete_app_password(&request.domain, &request.local_part, &request.id)
            .await
            .map_err(store_status)?;
        tracing::info!(domain = %request.domain, app_password = %request.id, "app password revoked");
        Ok(Response::new(pb::DeleteAppPasswordResponse {}))
    }

    async fn create_api_token(
        &self,
        request: Request<pb::CreateApiTokenRequest>,
    ) -> Answer<pb::ApiTokenWithSecret> {
        let request = request.into_inner();
        let (token, secret) = self
            .store
            .create_api_token(NewApiToken {
                name: request.name,
                role: request.role,
                tenant_domain: request.tenant_domain,
                expires_at: request.expires_at,
            })
            .await
            .map_err(store_status)?;
        tracing::info!(token = %token.id, role = %token.role, "api token created");
        Ok(Response::new(pb::ApiTokenWithSecret {
            token: Some(to_wire::api_token(token)),
            secret,
        }))
    }

    async fn list_api_tokens(
        &self,
        request: Request<pb::ListApiTokensRequest>,
    ) -> Answer<pb::ListApiTokensResponse> {
        let filter = to_wire::token_filter(request.into_inner());
        let page = self
            .store
            .list_api_tokens(&filter)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListApiTokensResponse {
            tokens: page.items.into_iter().map(to_wire::api_token).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn revoke_api_token(
        &self,
        request: Request<pb::RevokeApiTokenRequest>,
    ) -> Answer<pb::ApiToken> {
        let id = &request.get_ref().id;
        check_id(id)?;
        let token = self
            .store
            .revoke_api_token(id)
            .await
            .map_err(store_status)?;
        tracing::info!(token = %token.id, "api token revoked");
        Ok(Response::new(to_wire::api_token(token)))
    }

    async fn verify_api_token(
        &self,
        request: Request<pb::VerifyApiTokenRequest>,
    ) -> Answer<pb::ApiToken> {
        let token = self
            .store
            .verify_api_token(&request.get_ref().secret)
            .await
            .map_err(store_status)?;
        Ok(Response::new(to_wire::api_token(token)))
    }

    async fn record_audit(
        &self,
        request: Request<pb::RecordAuditRequest>,
    ) -> Answer<pb::AuditEntry> {
        let record = to_wire::audit_record(request.into_inner());
        let entry = self
            .store
            .record_audit(record)
            .await
            .map_err(store_status)?;
        Ok(Response::new(to_wire::audit_entry(entry)))
    }

    async fn list_audit(
        &self,
        request: Request<pb::ListAuditRequest>,
    ) -> Answer<pb::ListAuditResponse> {
        let filter = to_wire::audit_filter(request.into_inner());
        let page = self.store.list_audit(&filter).await.map_err(store_status)?;
        Ok(Response::new(pb::ListAuditResponse {
            entries: page.items.into_iter().map(to_wire::audit_entry).collect(),
            next_cursor: page.next_cursor,
        }))
    }

    async fn get_account_usage(&self, request: Request<pb::AccountRef>) -> Answer<pb::Usage> {
        let request = request.into_inner();
        let usage = self
            .store
            .account_usage(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(to_wire::usage(usage)))
    }

    async fn get_tenant_usage(&self, request: Request<pb::TenantRef>) -> Answer<pb::Usage> {
        let usage = self
            .store
            .tenant_usage(&request.get_ref().domain)
            .await
            .map_err(store_status)?;
        Ok(Response::new(to_wire::usage(usage)))
    }

    async fn recalculate_usage(
        &self,
        request: Request<pb::RecalculateUsageRequest>,
    ) -> Answer<pb::RecalculateUsageResponse> {
        let request = request.into_inner();
        let local_part = Some(request.local_part.as_str()).filter(|local| !local.is_empty());
        let (before, after) = self
            .store
            .recalculate_usage(&request.domain, local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::RecalculateUsageResponse {
            before: Some(to_wire::usage(before)),
            after: Some(to_wire::usage(after)),
        }))
    }

    async fn list_mailbox_summaries(
        &self,
        request: Request<pb::AccountRef>,
    ) -> Answer<pb::ListMailboxSummariesResponse> {
        let request = request.into_inner();
        let mailboxes = self
            .store
            .mailbox_summaries(&request.domain, &request.local_part)
            .await
            .map_err(store_status)?;
        Ok(Response::new(pb::ListMailboxSummariesResponse {
            mailboxes: mailboxes
                .into_iter()
                .map(to_wire::mailbox_summary)
                .collect(),
        }))
    }
}
