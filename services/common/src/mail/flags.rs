//! Message flags (RFC 3501 §2.3.2): the system flags as a bitmask whose bit
//! values are those of the wire contract, keywords as atoms with their case
//! kept, and the STORE operation (RFC 3501 §6.4.6, RFC 7162 §3.1.3) with its
//! outcome.

use crate::{ModSeq, Uid, UidSet};

/// System flags as a bitmask; the bit values are those of the wire contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct SystemFlags(pub u32);

impl SystemFlags {
    pub const SEEN: u32 = 1;
    pub const ANSWERED: u32 = 2;
    pub const FLAGGED: u32 = 4;
    pub const DELETED: u32 = 8;
    pub const DRAFT: u32 = 16;
    /// Every defined bit; others are rejected by the store.
    pub const ALL: u32 = Self::SEEN | Self::ANSWERED | Self::FLAGGED | Self::DELETED | Self::DRAFT;

    pub const fn contains(self, bit: u32) -> bool {
        self.0 & bit == bit
    }
}

/// The flags of one message: system bits plus keywords (atoms, case kept).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Flags {
    pub system: SystemFlags,
    pub keywords: Vec<String>,
}

/// How STORE combines the given flags with a message's current ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOperation {
    Replace,
    Add,
    Remove,
}

/// A message's flags as of `modseq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUpdate {
    pub uid: Uid,
    pub modseq: ModSeq,
    pub flags: Flags,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOutcome {
    /// Every existing message of the set that passed UNCHANGEDSINCE, with its
    /// flags after the store (changed or not).
    pub updated: Vec<FlagUpdate>,
    /// UIDs that failed UNCHANGEDSINCE and were left alone.
    pub modified: UidSet,
    pub highest_modseq: ModSeq,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_tests_every_asked_bit() {
        let flags = SystemFlags(SystemFlags::SEEN | SystemFlags::DELETED);
        assert!(flags.contains(SystemFlags::SEEN));
        assert!(flags.contains(SystemFlags::SEEN | SystemFlags::DELETED));
        assert!(!flags.contains(SystemFlags::SEEN | SystemFlags::DRAFT));
        assert_eq!(SystemFlags::ALL, 31);
    }
}
