//! Conversions of the store-only types (tenants, accounts) to the wire types
//! of `mailkeep.metadata.v1`, and of store failures to statuses carrying
//! their [`ErrorCode`] via `mailkeep_proto::status`. The shared mail model is
//! converted by `mailkeep_proto::convert`.

use mailkeep_common::ErrorCode;
use mailkeep_proto::metadata::v1 as pb;
use mailkeep_proto::status;
use tonic::Status;

use crate::error::StoreError;
use crate::model::{Account, Tenant};

/// Maps a store failure to a status, logging what the client cannot fix.
pub fn store_status(error: StoreError) -> Status {
    let code = error.code();
    match code {
        ErrorCode::Internal | ErrorCode::Unavailable => {
            tracing::error!(code = %code, error = ?error, "metadata store failed");
        }
        _ => tracing::debug!(code = %code, error = %error, "metadata request refused"),
    }
    status(code, error.to_string())
}

pub fn tenant(tenant: Tenant) -> pb::Tenant {
    pb::Tenant {
        id: tenant.id.to_string(),
        domain: tenant.domain,
        status: tenant.status,
        created_at: tenant.created_at,
        version: tenant.version,
        default_quota_bytes: tenant.default_quota_bytes,
        default_quota_messages: tenant.default_quota_messages,
        quota_bytes: tenant.quota_bytes,
        quota_messages: tenant.quota_messages,
        used_bytes: tenant.used_bytes,
        used_messages: tenant.used_messages,
        accounts: tenant.accounts,
        updated_at: tenant.updated_at,
    }
}

pub fn account(account: Account) -> pb::Account {
    pb::Account {
        id: account.id.to_string(),
        tenant_id: account.tenant_id.to_string(),
        local_part: account.local_part,
        domain: account.domain,
        status: account.status,
        quota_bytes: account.quota_bytes,
        quota_messages: account.quota_messages,
        used_bytes: account.used_bytes,
        used_messages: account.used_messages,
        created_at: account.created_at,
        display_name: account.display_name,
        app_passwords_only: account.app_passwords_only,
        version: account.version,
        updated_at: account.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::{AccountId, TenantId};

    #[test]
    fn store_failures_keep_their_code() {
        let error = StoreError::InvalidArgument("bad name".into());
        let status = store_status(error);
        assert_eq!(
            mailkeep_proto::error_code(&status),
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn accounts_carry_their_ids_as_hex() {
        let wire = account(Account {
            id: AccountId::from_u128(1),
            tenant_id: TenantId::from_u128(2),
            local_part: "alice".into(),
            domain: "example.test".into(),
            status: "active".into(),
            quota_bytes: 10,
            quota_messages: 0,
            used_bytes: 3,
            used_messages: 1,
            created_at: 1_700_000_000,
            display_name: "Alice".into(),
            app_passwords_only: true,
            version: 4,
            updated_at: 1_700_000_100,
        });
        assert_eq!(wire.id, format!("{:032x}", 1));
        assert_eq!(wire.tenant_id, format!("{:032x}", 2));
        assert_eq!(wire.used_bytes, 3);
        assert_eq!((wire.version, wire.app_passwords_only), (4, true));
    }
}
