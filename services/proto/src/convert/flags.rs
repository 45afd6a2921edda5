//! Flag conversions: `Flags` (system bitmask and keywords by name), the STORE
//! operation (RFC 3501 §6.4.6) and its outcome. A missing `Flags` is empty;
//! the bitmask travels as is (the store rejects undefined bits).

use mailkeep_common::ModSeq;
use mailkeep_common::mail::{FlagUpdate, Flags, StoreOperation, StoreOutcome, SystemFlags};

use super::{ConvertError, uid, uid_set};
use crate::metadata::v1 as pb;
use crate::uid_set_to_proto;

impl From<Flags> for pb::Flags {
    fn from(flags: Flags) -> Self {
        Self {
            system: flags.system.0,
            keywords: flags.keywords,
        }
    }
}

impl From<pb::Flags> for Flags {
    fn from(flags: pb::Flags) -> Self {
        Self {
            system: SystemFlags(flags.system),
            keywords: flags.keywords,
        }
    }
}

/// The flags of an optional wire field; absent is empty.
pub(super) fn flags(flags: Option<pb::Flags>) -> Flags {
    flags.unwrap_or_default().into()
}

impl From<StoreOperation> for pb::StoreOperation {
    fn from(operation: StoreOperation) -> Self {
        match operation {
            StoreOperation::Replace => Self::Replace,
            StoreOperation::Add => Self::Add,
            StoreOperation::Remove => Self::Remove,
        }
    }
}

impl From<pb::StoreOperation> for StoreOperation {
    fn from(operation: pb::StoreOperation) -> Self {
        match operation {
            pb::StoreOperation::Replace => Self::Replace,
            pb::StoreOperation::Add => Self::Add,
            pb::StoreOperation::Remove => Self::Remove,
        }
    }
}

/// The operation of a `StoreFlagsRequest.operation` field.
pub fn store_operation(value: i32) -> Result<StoreOperation, ConvertError> {
    pb::StoreOperation::try_from(value)
        .map(Into::into)
        .map_err(|_| ConvertError::UnknownStoreOperation)
}

impl From<FlagUpdate> for pb::FlagUpdate {
    fn from(update: FlagUpdate) -> Self {
        Self {
            uid: update.uid.get(),
            modseq: update.modseq.get(),
            flags: Some(update.flags.into()),
        }
    }
}

impl TryFrom<pb::FlagUpdate> for FlagUpdate {
    type Error = ConvertError;

    fn try_from(update: pb::FlagUpdate) -> Result<Self, ConvertError> {
        Ok(Self {
            uid: uid(update.uid, "uid")?,
            modseq: ModSeq::new(update.modseq),
            flags: flags(update.flags),
        })
    }
}

impl From<StoreOutcome> for pb::StoreFlagsResponse {
    fn from(outcome: StoreOutcome) -> Self {
        Self {
            updated: outcome.updated.into_iter().map(Into::into).collect(),
            modified: Some(uid_set_to_proto(&outcome.modified)),
            highest_modseq: outcome.highest_modseq.get(),
        }
    }
}

impl TryFrom<pb::StoreFlagsResponse> for StoreOutcome {
    type Error = ConvertError;

    fn try_from(response: pb::StoreFlagsResponse) -> Result<Self, ConvertError> {
        Ok(Self {
            updated: response
                .updated
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_, _>>()?,
            modified: uid_set(response.modified.as_ref()),
            highest_modseq: ModSeq::new(response.highest_modseq),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_common::{Uid, UidSet};

    #[test]
    fn operations_are_validated() {
        assert_eq!(store_operation(1), Ok(StoreOperation::Add));
        assert_eq!(store_operation(9), Err(ConvertError::UnknownStoreOperation));
        for operation in [
            StoreOperation::Replace,
            StoreOperation::Add,
            StoreOperation::Remove,
        ] {
            let wire = pb::StoreOperation::from(operation);
            assert_eq!(store_operation(wire.into()), Ok(operation));
        }
    }

    #[test]
    fn store_outcomes_round_trip_and_absent_flags_are_empty() {
        let outcome = StoreOutcome {
            updated: vec![FlagUpdate {
                uid: Uid::new(5).unwrap(),
                modseq: ModSeq::new(8),
                flags: Flags {
                    system: SystemFlags(SystemFlags::SEEN | SystemFlags::FLAGGED),
                    keywords: vec!["$Work".to_owned()],
                },
            }],
            modified: UidSet::from_ranges([(6, 7)]),
            highest_modseq: ModSeq::new(8),
        };
        let wire = pb::StoreFlagsResponse::from(outcome.clone());
        assert_eq!(wire.updated[0].flags.as_ref().map(|f| f.system), Some(5));
        assert_eq!(StoreOutcome::try_from(wire).unwrap(), outcome);
        assert_eq!(flags(None), Flags::default());
    }
}
