//! Password hashing with argon2id (default parameters, random salt, PHC
//! string). Hashing and verifying run on the blocking pool because they are
//! deliberately slow. A login for an unknown account is verified against a
//! dummy hash, so a wrong user and a wrong password cost the same time.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::StoreError;

/// Hashes `password` into a PHC string (`$argon2id$v=19$...`).
pub async fn hash(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || hash_now(&password))
        .await
        .map_err(|_| StoreError::Hashing)?
}

fn hash_now(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|_| StoreError::Hashing)
}

/// Verifies `password` against `stored`, or against a dummy hash when the
/// account does not exist (then the answer is always false).
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, StoreError> {
    tokio::task::spawn_blocking(move || {
        let matches = |phc: &str| {
            Argon2::default()
                .verify_password(password.as_bytes(), phc)
                .is_ok()
        };
        match stored {
            Some(phc) => Ok(matches(&phc)),
            None => {
                let dummy = dummy_hash()?;
                // Same work as a real check; the result is irrelevant.
                let _ = matches(dummy);
                Ok(false)
            }
        }
    })
    .await
    .map_err(|_| StoreError::Hashing)?
}

fn dummy_hash() -> Result<&'static str, StoreError> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(hash) = DUMMY.get() {
        return Ok(hash);
    }
    let hash = hash_now("mailkeep timing equaliser")?;
    Ok(DUMMY.get_or_init(|| hash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(!stored.contains("correct horse"));
        assert!(
            verify("correct horse".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong".into(), Some(stored)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_cost_a_full_verification() {
        let stored = hash("pw".into()).await.unwrap();
        // Warm the dummy hash so only the verification is timed.
        verify("pw".into(), None).await.unwrap();
        let started = std::time::Instant::now();
        verify("guess".into(), Some(stored)).await.unwrap();
        let wrong_password = started.elapsed();
        let started = std::time::Instant::now();
        verify("guess".into(), None).await.unwrap();
        let unknown_account = started.elapsed();
        // Loose bound: the same argon2 work, whatever the machine's load.
        assert!(
            unknown_account * 3 > wrong_password,
            "{unknown_account:?} vs {wrong_password:?}"
        );
    }
}
