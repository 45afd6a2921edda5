//! Id newtypes. A value that exists is valid: ids are parsed once at the edge
//! (gRPC request, HTTP path, IMAP command) and passed as these types inside.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An id string failed validation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} id")]
pub struct InvalidId {
    pub kind: &'static str,
}

/// Declares a 128-bit id newtype rendered as 32 lower-case hex digits.
macro_rules! hex_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(u128);

        impl $name {
            pub const fn from_u128(value: u128) -> Self {
                Self(value)
            }

            pub const fn as_u128(self) -> u128 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:032x}", self.0)
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                let valid = text.len() == 32
                    && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !valid {
                    return Err(InvalidId { kind: $kind });
                }
                u128::from_str_radix(text, 16)
                    .map(Self)
                    .map_err(|_| InvalidId { kind: $kind })
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }
    };
}

hex_id!(
    /// A tenant (one mail domain and its accounts).
    TenantId,
    "tenant"
);
hex_id!(
    /// An account (one mailbox owner, `local@domain`).
    AccountId,
    "account"
);
hex_id!(
    /// A mailbox of one account.
    MailboxId,
    "mailbox"
);

/// The SHA-256 of a message's plain content: the blob's content address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId([u8; 32]);

impl BlobId {
    pub const fn from_digest(digest: [u8; 32]) -> Self {
        Self(digest)
    }

    pub const fn digest(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl FromStr for BlobId {
    type Err = InvalidId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = InvalidId { kind: "blob" };
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return Err(invalid);
        }
        let mut digest = [0u8; 32];
        for (slot, pair) in digest.iter_mut().zip(bytes.chunks_exact(2)) {
            let high = hex_digit(pair[0]).ok_or(invalid.clone())?;
            let low = hex_digit(pair[1]).ok_or(invalid.clone())?;
            *slot = (high << 4) | low;
        }
        Ok(Self(digest))
    }
}

/// Lower-case hex only, so every blob id has exactly one spelling.
fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        _ => None,
    }
}

/// A message UID: non-zero, strictly increasing within one UIDVALIDITY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uid(u32);

impl Uid {
    pub const MIN: Uid = Uid(1);
    pub const MAX: Uid = Uid(u32::MAX);

    /// `None` for 0, which is never a UID.
    pub const fn new(value: u32) -> Option<Self> {
        if value == 0 { None } else { Some(Self(value)) }
    }

    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Uid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A modification sequence (RFC 7162): per mailbox, strictly increasing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ModSeq(u64);

impl ModSeq {
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    pub const fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ModSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_ids_round_trip_and_reject_other_spellings() {
        let id = AccountId::from_u128(0xdead_beef);
        let text = id.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(text.parse::<AccountId>(), Ok(id));
        assert!(text.to_uppercase().parse::<AccountId>().is_err());
        assert!("1234".parse::<AccountId>().is_err());
        assert!(
            "+0000000000000000000000000000000"
                .parse::<AccountId>()
                .is_err()
        );
    }

    #[test]
    fn blob_ids_are_64_lower_hex_digits() {
        let text = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let id: BlobId = text.parse().unwrap();
        assert_eq!(id.to_string(), text);
        assert!(text.to_uppercase().parse::<BlobId>().is_err());
        assert!(text[..62].parse::<BlobId>().is_err());
    }

    #[test]
    fn zero_is_not_a_uid() {
        assert_eq!(Uid::new(0), None);
        assert_eq!(Uid::new(7).map(Uid::get), Some(7));
    }
}
