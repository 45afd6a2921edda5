//! The one place where the shared mail model of `mailkeep_common::mail` meets
//! the `mailkeep.metadata.v1` wire types, in both directions: `From` for
//! domain -> wire (a domain value is always valid) and `TryFrom`/functions
//! for wire -> domain, which validate ids, UIDs, enums and search programs
//! and fail with a [`ConvertError`]. The receiving side decides what such a
//! failure means: a bad request (the metadata service answers with
//! [`ConvertError::code`]) or a broken peer (the gateway reports `Internal`).
//! Wire conventions: `0` stands for "none" in `sent_date`,
//! `first_unseen_uid`, `changed_since` and `unchanged_since`; an empty
//! `special_use` is `None`; a missing `Flags` or `MessageAnalysis` is empty.

mod delivery;
mod flags;
mod mailbox;
mod message;
mod metadata;
mod search;
mod sort;

use std::str::FromStr;

use mailkeep_common::{ErrorCode, InvalidId, ModSeq, Uid, UidSet};
use tonic::Status;

use crate::metadata::v1 as pb;
use crate::{status, uid_set_from_proto};

pub use delivery::DeliveryOutcome;
pub use flags::store_operation;
pub use search::{MAX_SEARCH_DEPTH, search_query};
pub use sort::{MAX_SORT_CRITERIA, sort_criteria, thread_algorithm};

/// Why a wire value has no domain counterpart. Messages name the field,
/// never echo the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("invalid {field}")]
    InvalidId { field: &'static str },
    #[error("missing {field}")]
    Missing { field: &'static str },
    #[error("uid 0 in {field}")]
    ZeroUid { field: &'static str },
    #[error("unknown store operation")]
    UnknownStoreOperation,
    #[error("a search flag is one system bit or one keyword")]
    InvalidSearchFlag,
    #[error("empty search key")]
    EmptySearchKey,
    #[error("search program nested too deeply")]
    SearchTooDeep,
    #[error("unknown sort key")]
    UnknownSortKey,
    #[error("a sort needs between 1 and 32 criteria")]
    SortCriteriaCount,
    #[error("unknown thread algorithm")]
    UnknownThreadAlgorithm,
    #[error("malformed thread forest")]
    MalformedThreads,
}

impl ConvertError {
    /// The classification when the wire value came from a client.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::SearchTooDeep => ErrorCode::Limit,
            _ => ErrorCode::InvalidArgument,
        }
    }
}

impl From<ConvertError> for Status {
    fn from(error: ConvertError) -> Self {
        status(error.code(), error.to_string())
    }
}

/// Parses an id field; `field` names it in the error.
pub fn parse_id<T: FromStr<Err = InvalidId>>(
    text: &str,
    field: &'static str,
) -> Result<T, ConvertError> {
    text.parse().map_err(|_| ConvertError::InvalidId { field })
}

/// A wire UID set, or the empty set when the field is absent.
pub fn uid_set(set: Option<&pb::UidSet>) -> UidSet {
    set.map(uid_set_from_proto).unwrap_or_default()
}

/// `0` on the wire means "no bound".
pub fn optional_modseq(value: u64) -> Option<ModSeq> {
    (value != 0).then_some(ModSeq::new(value))
}

fn uid(value: u32, field: &'static str) -> Result<Uid, ConvertError> {
    Uid::new(value).ok_or(ConvertError::ZeroUid { field })
}

fn uids(values: Vec<u32>, field: &'static str) -> Result<Vec<Uid>, ConvertError> {
    values.into_iter().map(|value| uid(value, field)).collect()
}

fn uids_to_proto(uids: &[Uid]) -> Vec<u32> {
    uids.iter().map(|uid| uid.get()).collect()
}

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, ConvertError> {
    value.ok_or(ConvertError::Missing { field })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::AccountId;

    #[test]
    fn ids_are_validated_and_errors_reach_the_status() {
        let error = parse_id::<AccountId>("nope", "account_id").unwrap_err();
        assert_eq!(
            error,
            ConvertError::InvalidId {
                field: "account_id"
            }
        );
        let status = Status::from(error);
        assert_eq!(crate::error_code(&status), ErrorCode::InvalidArgument);
        assert_eq!(status.message(), "invalid account_id");
        assert_eq!(
            crate::error_code(&Status::from(ConvertError::SearchTooDeep)),
            ErrorCode::Limit
        );
    }

    #[test]
    fn zero_means_none_and_absent_sets_are_empty() {
        assert_eq!(optional_modseq(0), None);
        assert_eq!(optional_modseq(7), Some(ModSeq::new(7)));
        assert!(uid_set(None).is_empty());
        assert_eq!(
            uids(vec![3, 0], "uids"),
            Err(ConvertError::ZeroUid { field: "uids" })
        );
    }
}
