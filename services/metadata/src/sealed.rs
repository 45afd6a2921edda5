//! Secrets the service must give back later (an import job's source
//! password), encrypted at rest under the service's `secrets_key`: 32 bytes,
//! configured base64-encoded. The cipher is AES-256-GCM from `aws-lc-rs`
//! (already the TLS provider) with a random 96-bit nonce per seal; the
//! caller's context (the job id) is the associated data, so a sealed value
//! only opens for the record it was sealed for. Sealed form:
//! `version (1) || nonce (12) || ciphertext || tag (16)`.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Length of the key in bytes.
pub const KEY_LEN: usize = 32;
/// First byte of every sealed value; a new format or key scheme takes a new one.
const FORMAT_V1: u8 = 1;
const TAG_LEN: usize = 16;

/// Why a key or a sealed value was refused; never carries secret material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("secrets_key must be {KEY_LEN} bytes, base64-encoded")]
    InvalidKey,
    #[error("sealed secret is damaged, or was sealed for another record or under another key")]
    Unreadable,
    #[error("encryption failed")]
    SealFailed,
}

/// The AES-256-GCM key; `Debug` does not show it.
pub struct SecretsKey {
    key: RandomizedNonceKey,
}

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretsKey(<redacted>)")
    }
}

impl SecretsKey {
    /// The key from its configured form: base64 of 32 bytes (surrounding
    /// whitespace ignored).
    pub fn from_base64(encoded: &str) -> Result<Self, SealError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|_| SealError::InvalidKey)?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SealError> {
        if bytes.len() != KEY_LEN {
            return Err(SealError::InvalidKey);
        }
        let key =
            RandomizedNonceKey::new(&AES_256_GCM, bytes).map_err(|_| SealError::InvalidKey)?;
        Ok(Self { key })
    }

    /// A new random key in its configured form (for `mailkeep dev`).
    pub fn generate_base64() -> String {
        STANDARD.encode(rand::random::<[u8; KEY_LEN]>())
    }

    /// Encrypts `plaintext` for the record named by `context`.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<SealedSecret, SealError> {
        let mut ciphertext = plaintext.to_vec();
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(context), &mut ciphertext)
            .map_err(|_| SealError::SealFailed)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(FORMAT_V1);
        sealed.extend_from_slice(nonce.as_ref());
        sealed.extend_from_slice(&ciphertext);
        Ok(SealedSecret(sealed))
    }

    /// Decrypts a value sealed by [`seal`](Self::seal) with the same key and
    /// `context`.
    pub fn open(&self, sealed: &SealedSecret, context: &[u8]) -> Result<Vec<u8>, SealError> {
        let Some((&FORMAT_V1, rest)) = sealed.0.split_first() else {
            return Err(SealError::Unreadable);
        };
        if rest.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError::Unreadable);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| SealError::Unreadable)?;
        let mut buffer = ciphertext.to_vec();
        let plaintext = self
            .key
            .open_in_place(nonce, Aad::from(context), &mut buffer)
            .map_err(|_| SealError::Unreadable)?;
        Ok(plaintext.to_vec())
    }
}

/// A sealed value as stored; `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedSecret(Vec<u8>);

impl SealedSecret {
    /// A value read back from the database.
    pub fn from_stored(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SealedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SealedSecret(<{} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SecretsKey {
        SecretsKey::from_base64(&SecretsKey::generate_base64()).unwrap()
    }

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_context() {
        let key = key();
        let sealed = key.seal(b"hunter2", b"job-1").unwrap();
        assert_eq!(sealed.as_bytes().len(), 1 + NONCE_LEN + 7 + TAG_LEN);
        assert!(!sealed.as_bytes().windows(7).any(|w| w == b"hunter2"));
        assert_eq!(key.open(&sealed, b"job-1").unwrap(), b"hunter2");
        // Another record's context, another key.
        assert_eq!(key.open(&sealed, b"job-2"), Err(SealError::Unreadable));
        assert_eq!(
            self::key().open(&sealed, b"job-1"),
            Err(SealError::Unreadable)
        );
    }

    #[test]
    fn tampered_or_truncated_values_are_refused() {
        let key = key();
        let sealed = key.seal(b"secret", b"job").unwrap();
        for index in 0..sealed.as_bytes().len() {
            let mut bytes = sealed.as_bytes().to_vec();
            bytes[index] ^= 0x01;
            let tampered = SealedSecret::from_stored(bytes);
            assert_eq!(key.open(&tampered, b"job"), Err(SealError::Unreadable));
        }
        let short = SealedSecret::from_stored(sealed.as_bytes()[..20].to_vec());
        assert_eq!(key.open(&short, b"job"), Err(SealError::Unreadable));
        let empty = SealedSecret::from_stored(Vec::new());
        assert_eq!(key.open(&empty, b"job"), Err(SealError::Unreadable));
    }

    #[test]
    fn each_seal_takes_a_fresh_nonce() {
        let key = key();
        let (a, b) = (key.seal(b"x", b"j").unwrap(), key.seal(b"x", b"j").unwrap());
        assert_ne!(a, b);
    }

    #[test]
    fn keys_must_be_32_base64_bytes_and_never_print() {
        assert_eq!(
            SecretsKey::from_base64("c2hvcnQ=").unwrap_err(),
            SealError::InvalidKey
        );
        assert_eq!(
            SecretsKey::from_base64("not base64!").unwrap_err(),
            SealError::InvalidKey
        );
        let encoded = SecretsKey::generate_base64();
        let key = SecretsKey::from_base64(&format!(" {encoded}\n")).unwrap();
        assert_eq!(format!("{key:?}"), "SecretsKey(<redacted>)");
        let sealed = key.seal(b"pw", b"j").unwrap();
        assert_eq!(format!("{sealed:?}"), "SealedSecret(<31 bytes>)");
    }
}
