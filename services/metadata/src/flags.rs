//! Flag storage rules: system flags are a bitmask limited to
//! [`SystemFlags::ALL`]; keywords are stored per message as the ascending list
//! of per-account keyword ids, encoded as `1,5,9` (empty for none). Keywords
//! are IMAP atoms (RFC 9051 §9 `flag-keyword`), compared exactly.

use std::collections::BTreeSet;

use mailkeep_common::mail::{StoreOperation, SystemFlags};

use crate::error::StoreError;

/// Keywords longer than this are refused.
pub const MAX_KEYWORD_BYTES: usize = 128;

/// A set of keyword ids as stored on a message.
pub type KeywordIds = BTreeSet<i64>;

pub fn check_system(bits: u32) -> Result<u32, StoreError> {
    if bits & !SystemFlags::ALL != 0 {
        return Err(StoreError::InvalidArgument(format!(
            "unknown system flag bits {bits:#x}"
        )));
    }
    Ok(bits)
}

/// RFC 9051 §9: `atom` characters only, and no leading `\` (system flags
/// travel as bits).
pub fn check_keyword(keyword: &str) -> Result<(), StoreError> {
    let valid = !keyword.is_empty()
        && keyword.len() <= MAX_KEYWORD_BYTES
        && !keyword.starts_with('\\')
        && keyword.bytes().all(|byte| {
            byte.is_ascii_graphic()
                && !matches!(byte, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
        });
    if valid {
        Ok(())
    } else {
        Err(StoreError::InvalidArgument(format!(
            "invalid keyword {keyword:?}"
        )))
    }
}

pub fn encode_ids(ids: &KeywordIds) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

pub fn decode_ids(text: &str) -> Result<KeywordIds, StoreError> {
    if text.is_empty() {
        return Ok(KeywordIds::new());
    }
    text.split(',')
        .map(|id| {
            id.parse()
                .map_err(|_| StoreError::Corrupt(format!("keyword id list {text:?}")))
        })
        .collect()
}

/// The flags of a message after a STORE (RFC 9051 §6.4.6).
pub fn apply(
    operation: StoreOperation,
    current: (u32, &KeywordIds),
    given: (u32, &KeywordIds),
) -> (u32, KeywordIds) {
    let (system, keywords) = current;
    let (given_system, given_keywords) = given;
    match operation {
        StoreOperation::Replace => (given_system, given_keywords.clone()),
        StoreOperation::Add => (
            system | given_system,
            keywords.union(given_keywords).copied().collect(),
        ),
        StoreOperation::Remove => (
            system & !given_system,
            keywords.difference(given_keywords).copied().collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(values: &[i64]) -> KeywordIds {
        values.iter().copied().collect()
    }

    #[test]
    fn id_lists_round_trip() {
        for set in [ids(&[]), ids(&[3]), ids(&[1, 5, 9])] {
            assert_eq!(decode_ids(&encode_ids(&set)).unwrap(), set);
        }
        assert_eq!(encode_ids(&ids(&[9, 1])), "1,9");
        assert!(decode_ids("1,x").is_err());
    }

    #[test]
    fn store_operations() {
        let current = (SystemFlags::SEEN, &ids(&[1, 2]));
        let given = (SystemFlags::FLAGGED | SystemFlags::SEEN, &ids(&[2, 3]));
        assert_eq!(
            apply(StoreOperation::Add, current, given),
            (SystemFlags::SEEN | SystemFlags::FLAGGED, ids(&[1, 2, 3]))
        );
        assert_eq!(
            apply(StoreOperation::Remove, current, given),
            (0, ids(&[1]))
        );
        assert_eq!(
            apply(StoreOperation::Replace, current, given),
            (SystemFlags::FLAGGED | SystemFlags::SEEN, ids(&[2, 3]))
        );
    }

    #[test]
    fn keywords_must_be_atoms() {
        assert!(check_keyword("$Forwarded").is_ok());
        assert!(check_keyword("NonJunk").is_ok());
        for bad in ["", "\\Seen", "a b", "a(b", "é", "a]"] {
            assert!(check_keyword(bad).is_err(), "{bad}");
        }
        assert!(check_system(SystemFlags::ALL).is_ok());
        assert!(check_system(32).is_err());
    }
}
