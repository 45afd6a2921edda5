//! Generated secrets and how they are stored. App passwords, API tokens and
//! generated account passwords are 128-bit random values from the OS CSPRNG.
//!
//! App passwords and API tokens are stored as the SHA-256 of the secret, not
//! with argon2: argon2 makes guessing a *low-entropy* human password slow,
//! but nobody can enumerate 2^128 random secrets, so a slow hash adds only
//! CPU cost to every IMAP login and admin call. A plain hash still keeps the
//! secret itself out of the database, and it lets us find the row by an
//! indexed lookup of the hash; comparing hashes in constant time is not
//! needed because the lookup key reveals nothing about the secret.
//! Generated *account* passwords are ordinary passwords: argon2id like any
//! other (see `password`).

use sha2::{Digest, Sha256};

/// Prefix of API token secrets, so a leaked one is recognisable (scanners,
/// logs) and cannot be mistaken for a password.
pub const API_TOKEN_PREFIX: &str = "mkt_";

/// 128 random bits as 32 lower-case hex digits (app passwords stay plain:
/// users type them).
pub fn random_secret() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// A new API token secret: `mkt_` and 32 hex digits.
pub fn api_token_secret() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_secret())
}

/// Lower-case hex SHA-256 of `secret`, the stored form.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_hex_and_hash_to_sha256() {
        let (a, b) = (random_secret(), random_secret());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(api_token_secret().starts_with("mkt_"));
        // Known answer: SHA-256("abc").
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
