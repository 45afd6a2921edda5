//! How the gateway reads the metadata service's answers: a failed call keeps
//! the `ErrorCode` its status carries, and an answer that
//! `mailkeep_proto::convert` refuses (a malformed id, a zero UID) is an
//! `Internal` backend error, never a panic and never an invalid domain value.
//! Also the one store-only wire type the port needs: the account behind a
//! [`Principal`].

use mailkeep_common::{AccountId, ErrorCode, TenantId};
use mailkeep_gateway_core::backend::{BackendError, BackendResult, Principal, QuotaUsage};
use mailkeep_proto::convert::{ConvertError, parse_id};
use mailkeep_proto::error_code;
use mailkeep_proto::metadata::v1 as pb;

/// A failed call, keeping the `ErrorCode` the peer sent (or the one implied
/// by the transport failure).
pub(crate) fn status_error(status: &tonic::Status) -> BackendError {
    BackendError::new(error_code(status), status.message())
}

/// An answer the metadata service should never have sent.
pub(crate) fn malformed(error: ConvertError) -> BackendError {
    BackendError::new(
        ErrorCode::Internal,
        format!("metadata service returned a malformed answer: {error}"),
    )
}

/// Converts an answer with its `TryFrom` impl, malformed ones being
/// `Internal`.
pub(crate) fn from_proto<W, T>(wire: W) -> BackendResult<T>
where
    T: TryFrom<W, Error = ConvertError>,
{
    T::try_from(wire).map_err(malformed)
}

pub(crate) fn principal_from_account(account: pb::Account) -> BackendResult<Principal> {
    Ok(Principal {
        account_id: parse_id::<AccountId>(&account.id, "account id").map_err(malformed)?,
        tenant_id: parse_id::<TenantId>(&account.tenant_id, "tenant id").map_err(malformed)?,
        login: format!("{}@{}", account.local_part, account.domain),
    })
}

/// An account's quota as the QUOTA extension reports it (0 = unlimited).
pub(crate) fn quota_from_account(account: &pb::Account) -> QuotaUsage {
    let limit = |value: u64| (value > 0).then_some(value);
    QuotaUsage {
        bytes_used: account.used_bytes,
        bytes_limit: limit(account.quota_bytes),
        messages_used: account.used_messages,
        messages_limit: limit(account.quota_messages),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::mail::{AppendOutcome, MailboxInfo};

    #[test]
    fn zero_quota_is_unlimited() {
        let account = pb::Account {
            quota_bytes: 2048,
            used_bytes: 100,
            used_messages: 3,
            ..Default::default()
        };
        assert_eq!(
            quota_from_account(&account),
            QuotaUsage {
                bytes_used: 100,
                bytes_limit: Some(2048),
                messages_used: 3,
                messages_limit: None,
            }
        );
    }

    #[test]
    fn malformed_ids_and_zero_uids_are_internal_errors() {
        let mailbox = pb::Mailbox {
            id: "not-an-id".to_owned(),
            ..Default::default()
        };
        assert_eq!(
            from_proto::<_, MailboxInfo>(mailbox).unwrap_err().code,
            ErrorCode::Internal
        );
        let response = pb::AppendMessagesResponse {
            uidvalidity: 1,
            uids: vec![0],
            modseq: 1,
        };
        assert_eq!(
            from_proto::<_, AppendOutcome>(response).unwrap_err().code,
            ErrorCode::Internal
        );
    }

    #[test]
    fn an_account_becomes_a_principal() {
        let account = pb::Account {
            id: format!("{:032x}", 1),
            tenant_id: format!("{:032x}", 2),
            local_part: "alice".to_owned(),
            domain: "example.test".to_owned(),
            ..Default::default()
        };
        let principal = principal_from_account(account).unwrap();
        assert_eq!(principal.account_id, AccountId::from_u128(1));
        assert_eq!(principal.tenant_id, TenantId::from_u128(2));
        assert_eq!(principal.login, "alice@example.test");
        let broken = pb::Account {
            id: "x".to_owned(),
            ..Default::default()
        };
        assert_eq!(
            principal_from_account(broken).unwrap_err().code,
            ErrorCode::Internal
        );
    }
}
