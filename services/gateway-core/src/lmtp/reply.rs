//! LMTP replies (RFC 5321 §4.2) with enhanced status codes (RFC 2034, RFC
//! 3463), and the one table that turns a backend failure into the reply an
//! MTA acts on: a 4xx makes it retry, a 5xx makes it bounce.
//!
//! Invariant: every encoded line is `code SP text CRLF` or, for all but the
//! last line of a multi-line reply, `code - text CRLF`; texts never carry a
//! CR or LF (they are replaced), so a reply cannot inject another one.

use mailkeep_common::ErrorCode;

/// How an account over its quota is answered (issue 7: "as configured").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OverQuotaReply {
    /// `452 4.2.2`: the MTA keeps the message queued and retries.
    #[default]
    Temporary,
    /// `552 5.2.2`: the MTA bounces the message at once.
    Permanent,
}

/// One reply: a three-digit code, an optional enhanced status code
/// (`class.subject.detail`) and one or more text lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    code: u16,
    enhanced: Option<&'static str>,
    lines: Vec<String>,
}

impl Reply {
    /// A one-line reply with an enhanced status code.
    pub fn new(code: u16, enhanced: &'static str, text: impl Into<String>) -> Self {
        Self {
            code,
            enhanced: Some(enhanced),
            lines: vec![text.into()],
        }
    }

    /// A reply without an enhanced code: the greeting and LHLO answer
    /// (RFC 2034 §3 exempts them).
    pub fn plain(code: u16, lines: Vec<String>) -> Self {
        Self {
            code,
            enhanced: None,
            lines,
        }
    }

    pub fn code(&self) -> u16 {
        self.code
    }

    /// The same reply with `prefix` before the text of its first line.
    pub fn prefixed(mut self, prefix: &str) -> Self {
        if let Some(first) = self.lines.first_mut() {
            *first = format!("{prefix} {first}");
        }
        self
    }

    /// The wire form, CRLF-terminated.
    pub fn encode(&self) -> Vec<u8> {
        let mut encoded = Vec::new();
        let last = self.lines.len().saturating_sub(1);
        for (index, text) in self.lines.iter().enumerate() {
            let separator = if index == last { ' ' } else { '-' };
            encoded.extend_from_slice(format!("{}{separator}", self.code).as_bytes());
            if let Some(enhanced) = self.enhanced {
                encoded.extend_from_slice(enhanced.as_bytes());
                encoded.push(b' ');
            }
            encoded.extend(text.bytes().map(|byte| match byte {
                b'\r' | b'\n' => b' ',
                other => other,
            }));
            encoded.extend_from_slice(b"\r\n");
        }
        encoded
    }
}

/// Replies used in more than one place.
impl Reply {
    pub fn ok() -> Self {
        Self::new(250, "2.0.0", "OK")
    }

    pub fn bad_sequence(text: &str) -> Self {
        Self::new(503, "5.5.1", text)
    }

    pub fn syntax_error(text: &str) -> Self {
        Self::new(501, "5.5.4", text)
    }

    pub fn message_too_big() -> Self {
        Self::new(552, "5.3.4", "message exceeds the maximum size")
    }

    pub fn line_too_long() -> Self {
        Self::new(500, "5.5.2", "line too long")
    }
}

/// The reply to a failed `RCPT TO` resolution or delivery (issue 7 item 1).
/// Backend texts are not echoed: they may describe internals.
pub fn backend_failure(code: ErrorCode, over_quota: OverQuotaReply) -> Reply {
    match code {
        ErrorCode::NotFound => Reply::new(550, "5.1.1", "no such user here"),
        ErrorCode::PermissionDenied => Reply::new(450, "4.2.1", "mailbox temporarily unavailable"),
        ErrorCode::OverQuota => match over_quota {
            OverQuotaReply::Temporary => Reply::new(452, "4.2.2", "mailbox is over quota"),
            OverQuotaReply::Permanent => Reply::new(552, "5.2.2", "mailbox is over quota"),
        },
        ErrorCode::Limit => Reply::message_too_big(),
        ErrorCode::Unavailable
        | ErrorCode::InvalidArgument
        | ErrorCode::AlreadyExists
        | ErrorCode::AuthenticationFailed
        | ErrorCode::Conflict
        | ErrorCode::PreconditionFailed
        | ErrorCode::Internal => Reply::new(451, "4.3.0", "temporary failure, try again later"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_replies_carry_the_enhanced_code() {
        assert_eq!(Reply::ok().encode(), b"250 2.0.0 OK\r\n");
    }

    #[test]
    fn multi_line_replies_use_dashes_until_the_last_line() {
        let reply = Reply::plain(
            250,
            vec!["mx.test".into(), "PIPELINING".into(), "SIZE".into()],
        );
        assert_eq!(
            reply.encode(),
            b"250-mx.test\r\n250-PIPELINING\r\n250 SIZE\r\n".to_vec()
        );
    }

    #[test]
    fn texts_cannot_inject_lines() {
        let reply = Reply::new(250, "2.0.0", "a\r\n250 b");
        assert_eq!(reply.encode(), b"250 2.0.0 a  250 b\r\n");
    }

    #[test]
    fn backend_codes_map_to_the_issue_table() {
        let temporary = OverQuotaReply::Temporary;
        let answer = |code| backend_failure(code, temporary).encode();
        assert!(answer(ErrorCode::NotFound).starts_with(b"550 5.1.1 "));
        assert!(answer(ErrorCode::PermissionDenied).starts_with(b"450 4.2.1 "));
        assert!(answer(ErrorCode::OverQuota).starts_with(b"452 4.2.2 "));
        assert!(answer(ErrorCode::Unavailable).starts_with(b"451 4.3.0 "));
        assert!(answer(ErrorCode::Limit).starts_with(b"552 5.3.4 "));
        assert!(answer(ErrorCode::Internal).starts_with(b"451 4.3.0 "));
        let permanent = backend_failure(ErrorCode::OverQuota, OverQuotaReply::Permanent);
        assert!(permanent.encode().starts_with(b"552 5.2.2 "));
    }
}
