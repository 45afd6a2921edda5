//! Checks and choices on admin requests before they reach the store: opaque
//! id bounds, and whether a password is given, generated, or absent.

use tonic::Status;

use super::convert::store_status;
use crate::error::StoreError;
use crate::secrets::random_secret;

/// Longest opaque id (app password, token) a request may carry.
const MAX_ID_LEN: usize = 64;

fn invalid(message: &str) -> Status {
    store_status(StoreError::InvalidArgument(message.to_owned()))
}

pub(super) fn check_id(id: &str) -> Result<(), Status> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(invalid("id must be 1 to 64 characters"));
    }
    Ok(())
}

/// The password to store and the generated one to return once: exactly one
/// of a given password and `generate` when `required`, at most one otherwise.
pub(super) fn choose_password(
    given: Option<String>,
    generate: bool,
    required: bool,
) -> Result<(Option<String>, String), Status> {
    match (given, generate) {
        (Some(_), true) => Err(invalid("give a password or ask for one, not both")),
        (Some(password), false) => Ok((Some(password), String::new())),
        (None, true) => {
            let generated = random_secret();
            Ok((Some(generated.clone()), generated))
        }
        (None, false) if required => Err(invalid("a password or generate_password is required")),
        (None, false) => Ok((None, String::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_given_or_generated_never_both() {
        assert!(choose_password(Some("pw".into()), true, true).is_err());
        assert!(choose_password(None, false, true).is_err());
        assert_eq!(
            choose_password(None, false, false).unwrap(),
            (None, String::new())
        );
        let (stored, generated) = choose_password(None, true, true).unwrap();
        assert_eq!(stored.as_deref(), Some(generated.as_str()));
        assert_eq!(generated.len(), 32);
        let (stored, generated) = choose_password(Some("pw".into()), false, true).unwrap();
        assert_eq!((stored.as_deref(), generated.as_str()), (Some("pw"), ""));
    }
}
