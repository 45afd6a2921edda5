//! `BusError`: every failure at the change-bus boundary, classified by
//! [`BusError::code`].

use mailkeep_common::ErrorCode;

/// Why a bus operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The bus URL is malformed or names an unknown scheme.
    #[error("invalid bus url: {reason}")]
    InvalidUrl { reason: String },
    /// A received payload is not a valid encoded event.
    #[error("invalid change event: {reason}")]
    Decode { reason: String },
    /// The bus knows it is disconnected; nothing was sent.
    #[error("the change bus is disconnected")]
    Disconnected,
    /// A Redis command failed.
    #[error("redis {op} failed")]
    Redis {
        op: &'static str,
        #[source]
        source: redis::RedisError,
    },
}

impl BusError {
    /// The classification that travels to callers.
    pub fn code(&self) -> ErrorCode {
        match self {
            BusError::InvalidUrl { .. } => ErrorCode::InvalidArgument,
            BusError::Decode { .. } => ErrorCode::Internal,
            BusError::Disconnected => ErrorCode::Unavailable,
            BusError::Redis { source, .. } => {
                let unreachable = source.is_io_error()
                    || source.is_connection_dropped()
                    || source.is_connection_refusal()
                    || source.is_timeout();
                if unreachable {
                    ErrorCode::Unavailable
                } else {
                    ErrorCode::Internal
                }
            }
        }
    }

    pub(crate) fn redis(op: &'static str) -> impl Fn(redis::RedisError) -> BusError {
        move |source| BusError::Redis { op, source }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outages_are_unavailable_and_bad_urls_invalid() {
        let refused =
            redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(
            BusError::redis("publish")(refused).code(),
            ErrorCode::Unavailable
        );
        let url = BusError::InvalidUrl {
            reason: "x".to_owned(),
        };
        assert_eq!(url.code(), ErrorCode::InvalidArgument);
    }
}
