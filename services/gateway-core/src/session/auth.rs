//! The Not Authenticated state: CAPABILITY, STARTTLS (RFC 3501 §6.2.1),
//! LOGIN (§6.2.3) and AUTHENTICATE PLAIN (§6.2.2, RFC 4616) with SASL-IR
//! (RFC 4959). Passwords never cross an insecure transport: both commands
//! answer `NO [PRIVACYREQUIRED]` there and LOGINDISABLED is advertised
//! (RFC 9051 §6.2.3). Credentials are never logged.

use std::io;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use mailkeep_common::ErrorCode;

use super::state::Transition;
use super::{Completion, ConnectionInfo, Flow, Reply, ResponseSink, Session, SessionConfig, Step};
use crate::backend::MailBackend;
use crate::command::{AuthMechanism, Tag};

/// What every connection is offered; only what fully works. The configured
/// LITERAL+ or LITERAL- (RFC 7888 §5: never both) goes between the two parts.
const CAPABILITIES_BEFORE_LITERAL: &str =
    "CAPABILITY IMAP4rev1 IMAP4rev2 CONDSTORE QRESYNC OBJECTID";
const CAPABILITIES_AFTER_LITERAL: &str = "SASL-IR ID ENABLE IDLE NAMESPACE \
                                          UNSELECT UIDPLUS MOVE MULTIAPPEND CHILDREN SPECIAL-USE ESEARCH \
                                          LIST-EXTENDED LIST-STATUS STATUS=SIZE CREATE-SPECIAL-USE \
                                          QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE METADATA \
                                          SEARCHRES WITHIN CONTEXT=SEARCH \
                                          SORT SORT=DISPLAY ESORT CONTEXT=SORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES \
                                          BINARY COMPRESS=DEFLATE CATENATE UTF8=ACCEPT NOTIFY";

/// Whether `name` is offered to every connection: ENABLE switches on only
/// what is advertised (RFC 5161 §3.1).
pub(crate) fn is_advertised(name: &str) -> bool {
    CAPABILITIES_BEFORE_LITERAL
        .split_ascii_whitespace()
        .chain(CAPABILITIES_AFTER_LITERAL.split_ascii_whitespace())
        .any(|item| item.eq_ignore_ascii_case(name))
}

/// `CAPABILITY ...` (without `*`), fit for the response and the
/// `[CAPABILITY ...]` code. Login-related items only before login.
pub(crate) fn capabilities(
    connection: &ConnectionInfo,
    config: &SessionConfig,
    authenticated: bool,
) -> String {
    let mut list = format!(
        "{CAPABILITIES_BEFORE_LITERAL} {} {CAPABILITIES_AFTER_LITERAL}",
        config.literal_extension.capability()
    );
    // RFC 7889 §3: the largest message APPEND accepts.
    list.push_str(&format!(" APPENDLIMIT={}", config.max_literal_bytes));
    if authenticated {
        return list;
    }
    if connection.starttls_available && !connection.tls_active {
        list.push_str(" STARTTLS");
    }
    list.push_str(if connection.is_secure() {
        " AUTH=PLAIN"
    } else {
        " LOGINDISABLED"
    });
    list
}

/// Why a SASL PLAIN response was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PlainError {
    #[error("invalid base64 in authentication response")]
    Base64,
    #[error("malformed PLAIN credentials")]
    Malformed,
    #[error("authorization identity must be empty or equal the login")]
    Authorization,
}

impl PlainError {
    pub(crate) fn code(&self) -> ErrorCode {
        match self {
            PlainError::Base64 | PlainError::Malformed => ErrorCode::InvalidArgument,
            PlainError::Authorization => ErrorCode::PermissionDenied,
        }
    }
}

/// Decodes a PLAIN message `[authzid] NUL authcid NUL passwd` (RFC 4616 §2)
/// into (login, password).
pub(crate) fn plain_credentials(encoded: &[u8]) -> Result<(String, String), PlainError> {
    let decoded = BASE64
        .decode(encoded.trim_ascii())
        .map_err(|_| PlainError::Base64)?;
    let mut fields = decoded.split(|&byte| byte == 0);
    let (Some(authzid), Some(authcid), Some(password), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(PlainError::Malformed);
    };
    let text = |bytes: &[u8]| String::from_utf8(bytes.to_vec()).map_err(|_| PlainError::Malformed);
    let (authzid, login, password) = (text(authzid)?, text(authcid)?, text(password)?);
    if login.is_empty() {
        return Err(PlainError::Malformed);
    }
    if !authzid.is_empty() && authzid != login {
        return Err(PlainError::Authorization);
    }
    Ok((login, password))
}

fn privacy_required() -> Reply {
    Completion::no(Some("PRIVACYREQUIRED"), "authentication requires TLS").into()
}

/// LOGIN (RFC 3501 §6.2.3).
pub(crate) async fn login(
    backend: &dyn MailBackend,
    connection: &ConnectionInfo,
    config: &SessionConfig,
    login: &str,
    password: &str,
) -> Reply {
    if !connection.is_secure() {
        return privacy_required();
    }
    check_credentials(backend, connection, config, login, password).await
}

async fn check_credentials(
    backend: &dyn MailBackend,
    connection: &ConnectionInfo,
    config: &SessionConfig,
    login: &str,
    password: &str,
) -> Reply {
    match backend.authenticate(login, password).await {
        Ok(principal) => {
            tracing::info!(login = %principal.login, account = %principal.account_id, "login succeeded");
            Reply {
                completion: Completion::ok_with(
                    capabilities(connection, config, true),
                    "Logged in",
                ),
                transition: Transition::Authenticate(principal),
            }
        }
        Err(error) if error.code == ErrorCode::AuthenticationFailed => {
            tracing::info!(login = %login, "login failed");
            Completion::no(Some("AUTHENTICATIONFAILED"), "Authentication failed.").into()
        }
        Err(error) => {
            tracing::warn!(code = %error.code, error = %error.message, "authentication backend failed");
            Completion::from_backend(&error).into()
        }
    }
}

impl Session {
    /// STARTTLS (RFC 3501 §6.2.1): after the OK, every buffered plaintext
    /// byte is discarded so nothing pipelined survives the upgrade.
    pub(super) async fn start_tls(
        &mut self,
        tag: &Tag,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Step> {
        if !self.connection.starttls_available || self.connection.tls_active {
            return Ok(Step::Reply(
                Completion::bad("STARTTLS is not available").into(),
            ));
        }
        out.send(&Completion::ok("Begin TLS negotiation now").encode(&tag.0))
            .await?;
        self.framer.clear();
        self.consecutive_bad = 0;
        Ok(Step::Done(Flow::StartTls))
    }

    /// AUTHENTICATE (RFC 3501 §6.2.2): with a SASL-IR initial response the
    /// answer is immediate, otherwise `+ ` asks for the response line.
    pub(super) async fn start_authentication(
        &mut self,
        tag: &Tag,
        mechanism: AuthMechanism,
        initial_response: Option<String>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Step> {
        if let AuthMechanism::Other(_) = mechanism {
            let refusal = Completion::no(Some("CANNOT"), "unsupported authentication mechanism");
            return Ok(Step::Reply(refusal.into()));
        }
        if !self.connection.is_secure() {
            return Ok(Step::Reply(privacy_required()));
        }
        match initial_response {
            // RFC 4959 §3: `=` is an empty initial response.
            Some(response) => {
                let encoded = if response == "=" {
                    ""
                } else {
                    response.as_str()
                };
                Ok(Step::Reply(self.finish_plain(encoded.as_bytes()).await))
            }
            None => {
                out.send(b"+ \r\n").await?;
                self.pending_authentication = Some(tag.clone());
                Ok(Step::Done(Flow::Continue))
            }
        }
    }

    /// The client's line during AUTHENTICATE; `None` when it was too long.
    pub(super) async fn authentication_response(
        &mut self,
        line: Option<Vec<u8>>,
        now: DateTime<Utc>,
        out: &mut dyn ResponseSink,
    ) -> io::Result<Flow> {
        let Some(tag) = self.pending_authentication.take() else {
            return Ok(Flow::Continue);
        };
        let reply = match line {
            None => Completion::bad("authentication response too long").into(),
            Some(line) if line == b"*" => Completion::bad("authentication cancelled").into(),
            Some(line) => self.finish_plain(&line).await,
        };
        self.complete(&tag, reply, true, now, out).await
    }

    async fn finish_plain(&self, encoded: &[u8]) -> Reply {
        match plain_credentials(encoded) {
            Ok((login, password)) => {
                check_credentials(
                    self.backend.as_ref(),
                    &self.connection,
                    &self.config,
                    &login,
                    &password,
                )
                .await
            }
            Err(PlainError::Authorization) => Completion::no(
                Some("AUTHORIZATIONFAILED"),
                PlainError::Authorization.to_string(),
            )
            .into(),
            Err(error) => {
                tracing::info!(code = %error.code(), "authentication response refused");
                Completion::bad(error.to_string()).into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(raw: &[u8]) -> Vec<u8> {
        BASE64.encode(raw).into_bytes()
    }

    #[test]
    fn capabilities_follow_the_transport() {
        let plain = ConnectionInfo {
            tls_active: false,
            trusted_peer: false,
            starttls_available: true,
        };
        let config = SessionConfig::default();
        let list = capabilities(&plain, &config, false);
        assert!(list.ends_with("STARTTLS LOGINDISABLED"), "{list}");
        assert!(!list.contains("AUTH=PLAIN"));
        let tls = ConnectionInfo {
            tls_active: true,
            ..plain
        };
        assert!(capabilities(&tls, &config, false).ends_with(" AUTH=PLAIN"));
        assert_eq!(
            capabilities(&tls, &config, true),
            format!(
                "{CAPABILITIES_BEFORE_LITERAL} LITERAL+ {CAPABILITIES_AFTER_LITERAL} \
                 APPENDLIMIT=67108864"
            )
        );
    }

    /// RFC 7888 §5: LITERAL+ or LITERAL-, never both, before and after login.
    #[test]
    fn capabilities_name_the_configured_literal_extension() {
        let tls = ConnectionInfo {
            tls_active: true,
            trusted_peer: false,
            starttls_available: true,
        };
        let minus = SessionConfig {
            literal_extension: crate::framing::LiteralExtension::Minus,
            ..SessionConfig::default()
        };
        for authenticated in [false, true] {
            let list = capabilities(&tls, &minus, authenticated);
            assert!(list.contains(" OBJECTID LITERAL- SASL-IR "), "{list}");
            assert!(!list.contains("LITERAL+"), "{list}");
            let list = capabilities(&tls, &SessionConfig::default(), authenticated);
            assert!(list.contains(" OBJECTID LITERAL+ SASL-IR "), "{list}");
            assert!(!list.contains("LITERAL-"), "{list}");
        }
        assert!(!is_advertised("LITERAL-"));
        assert!(is_advertised("SASL-IR") && is_advertised("CONDSTORE"));
    }

    #[test]
    fn parses_plain_credentials() {
        assert_eq!(
            plain_credentials(&encode(b"\0alice@example.test\0pw")),
            Ok(("alice@example.test".to_owned(), "pw".to_owned()))
        );
        assert_eq!(
            plain_credentials(&encode(b"bob\0bob\0pw")),
            Ok(("bob".to_owned(), "pw".to_owned()))
        );
        assert_eq!(
            plain_credentials(&encode(b"admin\0bob\0pw")),
            Err(PlainError::Authorization)
        );
        assert_eq!(plain_credentials(b"%%%"), Err(PlainError::Base64));
        assert_eq!(plain_credentials(b""), Err(PlainError::Malformed));
        assert_eq!(
            plain_credentials(&encode(b"a\0b\0c\0d")),
            Err(PlainError::Malformed)
        );
        assert_eq!(PlainError::Base64.code(), ErrorCode::InvalidArgument);
    }
}
