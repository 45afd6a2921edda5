//! The JSON shapes of the admin API with their OpenAPI schemas, and their
//! conversion from the metadata contract. Quotas are `null` for "unlimited"
//! in JSON where the contract uses 0. Request types that carry a password
//! redact it in `Debug`.

mod access;
mod accounts;
mod imports;
mod reports;
mod tenants;

pub use access::*;
pub use accounts::*;
pub use imports::*;
pub use reports::*;
pub use tenants::*;

use serde::{Deserialize, Deserializer};
use utoipa::{IntoParams, ToSchema};

/// The contract uses 0 for "unlimited"; JSON uses null.
pub fn limit(value: u64) -> Option<u64> {
    (value != 0).then_some(value)
}

/// JSON's "unlimited" (null or absent on create) back to the contract's 0.
pub fn unlimited_as_zero(value: Option<u64>) -> u64 {
    value.unwrap_or(0)
}

/// For PATCH bodies: absent stays `None`, `null` becomes `Some(None)`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A Unix time in seconds, or null when the contract says 0 ("never").
pub fn timestamp(value: i64) -> Option<i64> {
    (value != 0).then_some(value)
}

/// `?limit=&cursor=` of every list.
#[derive(Debug, Default, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
