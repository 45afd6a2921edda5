//! The source side: one IMAP connection (async-imap over tokio, TLS by
//! tokio-rustls: implicit TLS, STARTTLS, or plain for trusted networks)
//! that logs in and then only reads: `LIST` (with `RETURN (SPECIAL-USE)`
//! when offered, RFC 6154 §5.1), `EXAMINE` (read-only, RFC 9051 §6.3.3, so
//! the source never changes), `UID SEARCH` and `UID FETCH` with
//! `BODY.PEEK[]`. Every exchange is bounded by the I/O timeout. Errors are
//! sorted into [`SourceError`]: a refused login ends the job, a lost or
//! stalled connection is retried by the caller.

use std::sync::Arc;
use std::time::Duration;

use async_imap::types::{Fetch, Flag, NameAttribute};
use async_imap::{Client, Session};
use futures::{Stream, TryStreamExt};
use mailkeep_gateway_core::backend::{Flags, SystemFlags};
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::folders::ListedFolder;
use super::tls;
use crate::config::Secret;

/// How the connection is secured (the job's `tls` field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Implicit TLS (RFC 8314), usually port 993.
    Implicit,
    /// `STARTTLS` after the greeting (RFC 9051 §6.2.1).
    StartTls,
    /// No TLS: only for servers on a trusted network.
    Plain,
}

impl TlsMode {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "tls" => Some(Self::Implicit),
            "starttls" => Some(Self::StartTls),
            "plain" => Some(Self::Plain),
            _ => None,
        }
    }
}

/// Where the source is and who logs in there.
pub struct SourceServer {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub accept_invalid_certs: bool,
    pub username: String,
    pub password: Secret,
}

/// A failure talking to the source.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The server refused the credentials: retrying cannot help.
    #[error("source login failed: {0}")]
    LoginRefused(String),
    /// The server answered NO or BAD to a command, or sent what the client
    /// cannot parse.
    #[error("{0}")]
    Refused(String),
    /// The connection failed, dropped or stalled: worth a retry.
    #[error("{0}")]
    Connection(String),
}

impl SourceError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Connection(_))
    }
}

fn classify(what: &str, error: async_imap::error::Error) -> SourceError {
    use async_imap::error::Error;
    match error {
        Error::Io(_) | Error::ConnectionLost => SourceError::Connection(format!("{what}: {error}")),
        other => SourceError::Refused(format!("{what}: {other}")),
    }
}

/// The byte stream under the IMAP client: TCP, or TLS over TCP.
pub trait SourceIo: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> SourceIo for T {}

/// A logged-in session with the source.
pub struct SourceSession {
    session: Session<Box<dyn SourceIo>>,
    timeout: Duration,
}

/// One message as fetched.
pub struct FetchedMessage {
    pub uid: u32,
    pub raw: Vec<u8>,
    /// Unix seconds and the zone, minutes east of UTC.
    pub internal_date: i64,
    pub internal_date_offset: i32,
    pub flags: Flags,
}

/// The size and internal date of a message, fetched before its body.
pub struct MessageSummary {
    pub uid: u32,
    pub size: u64,
    pub internal_date: i64,
}

async fn bounded<T>(
    timeout: Duration,
    what: &str,
    future: impl Future<Output = Result<T, async_imap::error::Error>>,
) -> Result<T, SourceError> {
    match tokio::time::timeout(timeout, future).await {
        Ok(result) => result.map_err(|error| classify(what, error)),
        Err(_) => Err(SourceError::Connection(format!(
            "{what}: no answer within {timeout:?}"
        ))),
    }
}

impl SourceSession {
    /// Connects, secures the connection as `server.tls` says, and logs in.
    pub async fn open(server: &SourceServer, timeout: Duration) -> Result<Self, SourceError> {
        let address = (server.host.as_str(), server.port);
        let tcp = match tokio::time::timeout(timeout, TcpStream::connect(address)).await {
            Ok(Ok(tcp)) => tcp,
            Ok(Err(error)) => {
                return Err(SourceError::Connection(format!(
                    "cannot connect to {}:{}: {error}",
                    server.host, server.port
                )));
            }
            Err(_) => {
                return Err(SourceError::Connection(format!(
                    "cannot connect to {}:{} within {timeout:?}",
                    server.host, server.port
                )));
            }
        };
        let stream: Box<dyn SourceIo> = match server.tls {
            TlsMode::Plain => Box::new(tcp),
            TlsMode::Implicit => Box::new(secure(server, tcp, timeout).await?),
            TlsMode::StartTls => {
                let mut client = Client::new(tcp);
                read_greeting(&mut client, timeout).await?;
                bounded(
                    timeout,
                    "STARTTLS",
                    client.run_command_and_check_ok("STARTTLS", None),
                )
                .await?;
                Box::new(secure(server, client.into_inner(), timeout).await?)
            }
        };
        let mut client = Client::new(stream);
        if server.tls != TlsMode::StartTls {
            read_greeting(&mut client, timeout).await?;
        }
        let login = client.login(&server.username, server.password.expose());
        let session = match tokio::time::timeout(timeout, login).await {
            Ok(Ok(session)) => session,
            Ok(Err((async_imap::error::Error::No(text), _))) => {
                return Err(SourceError::LoginRefused(text));
            }
            Ok(Err((error, _))) => return Err(classify("LOGIN", error)),
            Err(_) => {
                return Err(SourceError::Connection(format!(
                    "LOGIN: no answer within {timeout:?}"
                )));
            }
        };
        Ok(Self { session, timeout })
    }

    /// Every folder, with special-use attributes when the server offers them.
    pub async fn list_folders(&mut self) -> Result<Vec<ListedFolder>, SourceError> {
        let capabilities = bounded(self.timeout, "CAPABILITY", self.session.capabilities()).await?;
        let pattern =
            if capabilities.has_str("SPECIAL-USE") && capabilities.has_str("LIST-EXTENDED") {
                "\"*\" RETURN (SPECIAL-USE)"
            } else {
                "\"*\""
            };
        let listing = async {
            let names = self.session.list(Some(""), Some(pattern)).await?;
            names.try_collect::<Vec<_>>().await
        };
        let names = bounded(self.timeout, "LIST", listing).await?;
        Ok(names
            .iter()
            .map(|name| listed_folder(name.name(), name.delimiter(), name.attributes()))
            .collect())
    }

    /// `EXAMINE`s `wire_name`; its UIDVALIDITY (0 when the server gives none).
    pub async fn examine(&mut self, wire_name: &str) -> Result<u32, SourceError> {
        let mailbox = bounded(self.timeout, "EXAMINE", self.session.examine(wire_name)).await?;
        Ok(mailbox.uid_validity.unwrap_or(0))
    }

    /// `UID SEARCH criteria` in the examined folder.
    pub async fn search(&mut self, criteria: &str) -> Result<Vec<u32>, SourceError> {
        let found = bounded(
            self.timeout,
            "UID SEARCH",
            self.session.uid_search(criteria),
        )
        .await?;
        Ok(found.into_iter().collect())
    }

    /// Sizes and internal dates of `uid_set`.
    pub async fn summaries(&mut self, uid_set: &str) -> Result<Vec<MessageSummary>, SourceError> {
        let fetching = async {
            let stream = self
                .session
                .uid_fetch(uid_set, "(UID RFC822.SIZE INTERNALDATE)")
                .await?;
            stream.try_collect::<Vec<Fetch>>().await
        };
        let fetched = bounded(self.timeout, "UID FETCH", fetching).await?;
        Ok(fetched
            .iter()
            .filter_map(|fetch| {
                Some(MessageSummary {
                    uid: fetch.uid?,
                    size: u64::from(fetch.size?),
                    internal_date: fetch.internal_date()?.timestamp(),
                })
            })
            .collect())
    }

    /// The messages of `uid_set`, one at a time; each must arrive within
    /// the timeout.
    pub async fn messages(
        &mut self,
        uid_set: &str,
    ) -> Result<impl Stream<Item = Result<Option<FetchedMessage>, SourceError>> + '_, SourceError>
    {
        let timeout = self.timeout;
        let stream = bounded(
            timeout,
            "UID FETCH",
            self.session
                .uid_fetch(uid_set, "(UID FLAGS INTERNALDATE BODY.PEEK[])"),
        )
        .await?;
        Ok(futures::stream::unfold(
            stream,
            move |mut stream| async move {
                let next = bounded(timeout, "UID FETCH", stream.try_next()).await;
                match next {
                    Ok(None) => None,
                    Ok(Some(fetch)) => Some((Ok(fetched_message(&fetch)), stream)),
                    Err(error) => Some((Err(error), stream)),
                }
            },
        ))
    }

    /// Ends the session politely; a failure here changes nothing.
    pub async fn logout(mut self) {
        let _ = bounded(self.timeout, "LOGOUT", self.session.logout()).await;
    }
}

async fn read_greeting<T: SourceIo>(
    client: &mut Client<T>,
    timeout: Duration,
) -> Result<(), SourceError> {
    match tokio::time::timeout(timeout, client.read_response()).await {
        Ok(Ok(Some(_))) => Ok(()),
        Ok(Ok(None)) => Err(SourceError::Connection(
            "the source closed the connection before its greeting".to_owned(),
        )),
        Ok(Err(error)) => Err(SourceError::Connection(format!("greeting: {error}"))),
        Err(_) => Err(SourceError::Connection(format!(
            "no greeting within {timeout:?}"
        ))),
    }
}

async fn secure(
    server: &SourceServer,
    tcp: TcpStream,
    timeout: Duration,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>, SourceError> {
    let config = tls::client_config(server.accept_invalid_certs)
        .map_err(|error| SourceError::Refused(format!("tls setup: {error:#}")))?;
    let name = ServerName::try_from(server.host.clone())
        .map_err(|_| SourceError::Refused(format!("{:?} is not a valid tls name", server.host)))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::clone(&config));
    match tokio::time::timeout(timeout, connector.connect(name, tcp)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(error)) => Err(SourceError::Connection(format!("tls handshake: {error}"))),
        Err(_) => Err(SourceError::Connection(format!(
            "tls handshake: no answer within {timeout:?}"
        ))),
    }
}

fn listed_folder(
    wire_name: &str,
    delimiter: Option<&str>,
    attributes: &[NameAttribute<'_>],
) -> ListedFolder {
    let mut folder = ListedFolder {
        wire_name: wire_name.to_owned(),
        delimiter: delimiter.and_then(|text| text.chars().next()),
        selectable: true,
        special_use: None,
    };
    for attribute in attributes {
        match attribute {
            NameAttribute::NoSelect => folder.selectable = false,
            NameAttribute::Extension(name) if name.eq_ignore_ascii_case("\\NonExistent") => {
                folder.selectable = false;
            }
            NameAttribute::All => folder.special_use = Some("\\All"),
            NameAttribute::Archive => folder.special_use = Some("\\Archive"),
            NameAttribute::Drafts => folder.special_use = Some("\\Drafts"),
            NameAttribute::Flagged => folder.special_use = Some("\\Flagged"),
            NameAttribute::Junk => folder.special_use = Some("\\Junk"),
            NameAttribute::Sent => folder.special_use = Some("\\Sent"),
            NameAttribute::Trash => folder.special_use = Some("\\Trash"),
            _ => {}
        }
    }
    folder
}

/// A FETCH answer with UID, body and internal date; unsolicited flag
/// updates (without a body) give `None`.
fn fetched_message(fetch: &Fetch) -> Option<FetchedMessage> {
    let date = fetch.internal_date()?;
    Some(FetchedMessage {
        uid: fetch.uid?,
        raw: fetch.body()?.to_vec(),
        internal_date: date.timestamp(),
        internal_date_offset: date.offset().local_minus_utc() / 60,
        flags: imap_flags(fetch.flags()),
    })
}

/// The flags the target can store: system flags and keywords; `\Recent`
/// (not settable, RFC 9051 §2.3.2) and unknown `\` flags are dropped.
fn imap_flags<'a>(flags: impl Iterator<Item = Flag<'a>>) -> Flags {
    let mut result = Flags::default();
    for flag in flags {
        let bit = match flag {
            Flag::Seen => SystemFlags::SEEN,
            Flag::Answered => SystemFlags::ANSWERED,
            Flag::Flagged => SystemFlags::FLAGGED,
            Flag::Deleted => SystemFlags::DELETED,
            Flag::Draft => SystemFlags::DRAFT,
            Flag::Recent | Flag::MayCreate => continue,
            Flag::Custom(name) => {
                if !name.starts_with('\\') && !result.keywords.iter().any(|kept| *kept == *name) {
                    result.keywords.push(name.into_owned());
                }
                continue;
            }
        };
        result.system.0 |= bit;
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn tls_modes_parse_from_the_job() {
        assert_eq!(TlsMode::parse("tls"), Some(TlsMode::Implicit));
        assert_eq!(TlsMode::parse("starttls"), Some(TlsMode::StartTls));
        assert_eq!(TlsMode::parse("plain"), Some(TlsMode::Plain));
        assert_eq!(TlsMode::parse("TLS"), None);
    }

    #[test]
    fn list_attributes_give_selectability_and_special_use() {
        let folder = listed_folder("Sent Messages", Some("/"), &[NameAttribute::Sent]);
        assert_eq!(folder.special_use, Some("\\Sent"));
        assert!(folder.selectable);
        let parent = listed_folder(
            "Projects",
            Some("."),
            &[
                NameAttribute::NoSelect,
                NameAttribute::Extension(Cow::Borrowed("\\HasChildren")),
            ],
        );
        assert!(!parent.selectable);
        assert_eq!(parent.delimiter, Some('.'));
        let gone = listed_folder(
            "Gone",
            None,
            &[NameAttribute::Extension(Cow::Borrowed("\\NonExistent"))],
        );
        assert!(!gone.selectable && gone.delimiter.is_none());
    }

    #[test]
    fn recent_and_unknown_system_flags_are_not_imported() {
        let flags = imap_flags(
            [
                Flag::Seen,
                Flag::Recent,
                Flag::Draft,
                Flag::Custom(Cow::Borrowed("$Forwarded")),
                Flag::Custom(Cow::Borrowed("\\Important")),
                Flag::Custom(Cow::Borrowed("$Forwarded")),
                Flag::Custom(Cow::Borrowed("project-x")),
            ]
            .into_iter(),
        );
        assert_eq!(flags.system.0, SystemFlags::SEEN | SystemFlags::DRAFT);
        assert_eq!(flags.keywords, ["$Forwarded", "project-x"]);
    }
}
