//! Per-token rate limits (GCRA, the governor crate), per pod: each token, and
//! the bootstrap token, gets `per_second` requests a second with bursts up to
//! `burst`. A request over the budget gets 429 with `Retry-After`. The key
//! set is bounded by the number of valid tokens: unauthenticated requests
//! are refused before they are counted.

use std::num::NonZeroU32;
use std::sync::Arc;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::AdminError;

/// The budget of one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

/// Requests a second each token may make by default.
const DEFAULT_PER_SECOND: NonZeroU32 = NonZeroU32::new(50).expect("50 is not zero");
/// Burst each token may make by default.
const DEFAULT_BURST: NonZeroU32 = NonZeroU32::new(100).expect("100 is not zero");

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_second: DEFAULT_PER_SECOND,
            burst: DEFAULT_BURST,
        }
    }
}

/// The limiter shared by every request of this pod.
#[derive(Clone)]
pub struct TokenRateLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<String>>,
    clock: DefaultClock,
}

impl std::fmt::Debug for TokenRateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenRateLimiter")
    }
}

impl TokenRateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request of `key`; refuses it when over budget.
    pub fn check(&self, key: &str) -> Result<(), AdminError> {
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.clock.now());
                AdminError::RateLimited {
                    retry_after_seconds: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_has_its_own_budget() {
        let limiter = TokenRateLimiter::new(RateLimit {
            per_second: NonZeroU32::new(1).unwrap(),
            burst: NonZeroU32::new(2).unwrap(),
        });
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_ok());
        let refused = limiter.check("a").unwrap_err();
        assert!(
            matches!(refused, AdminError::RateLimited { retry_after_seconds } if retry_after_seconds >= 1)
        );
        assert!(limiter.check("b").is_ok());
    }
}
