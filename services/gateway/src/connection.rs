//! One client connection: socket options, the TLS handshake (implicit, or
//! after STARTTLS on the same TCP stream), and the loop that feeds the
//! sans-IO `Session` and writes what it answers. The loop is generic over
//! the stream, so plain and TLS phases share it; STARTTLS hands the plain
//! stream back for the upgrade.
//!
//! Once the session has authenticated, the connection joins its account's
//! event feed ([`AccountEvents`]) and an idling session, or one with NOTIFY
//! set (RFC 5465), polls for updates as soon as the account is notified, with [`IdleTimers`] polling as the
//! fallback for lost events, keeping IDLE alive and bounding it.
//!
//! A [`CommandObserver`] watches the bytes both ways for per-command
//! metrics, one root trace span per command, and the drain: on shutdown a
//! session gets `* BYE` only between commands, so an APPEND whose literal is
//! still arriving completes first.
//!
//! Invariants: responses are flushed after every `receive` and every
//! update poll; no plaintext read after STARTTLS reaches the session (the
//! core discards its buffered input, and any bytes still in the socket
//! become part of the TLS handshake, which then fails — RFC 3501 §6.2.1);
//! passwords and message bodies are never logged.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use ipnet::IpNet;
use mailkeep_gateway_core::backend::MailBackend;
use mailkeep_gateway_core::response::{Status, condition};
use mailkeep_gateway_core::session::{ConnectionInfo, Flow, ResponseSink, Session, SessionConfig};
use socket2::{SockRef, TcpKeepalive};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;
use tracing::Instrument;

use crate::backend::answering_event;
use crate::config::{UpdateTimers, is_trusted_peer};
use crate::events::{AccountEvents, AccountWatch};
use crate::idle_timers::{IdleDue, IdleTimers};

mod commands;
mod compress;
mod sniffer;

use commands::{CommandObserver, ObservedSink};

const READ_BUFFER_BYTES: usize = 16 * 1024;
const WRITE_BUFFER_BYTES: usize = 64 * 1024;
const KEEPALIVE_TIME: Duration = Duration::from_secs(60);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(15);

/// Which listener accepted the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListenerKind {
    /// Plain IMAP, STARTTLS when TLS is configured.
    Imap,
    /// Implicit TLS.
    Imaps,
}

impl ListenerKind {
    pub(crate) const fn name(self) -> &'static str {
        match self {
            ListenerKind::Imap => "imap",
            ListenerKind::Imaps => "imaps",
        }
    }
}

/// What every connection task shares.
pub(crate) struct Shared {
    pub backend: Arc<dyn MailBackend>,
    pub session: Arc<SessionConfig>,
    pub tls: Option<TlsAcceptor>,
    pub trusted_networks: Vec<IpNet>,
    pub handshake_timeout: Duration,
    pub idle_timeout: Duration,
    pub update_timers: UpdateTimers,
    pub write_timeout: Duration,
    pub events: Option<Arc<AccountEvents>>,
}

/// How one phase (plain or TLS) of a connection ended.
enum Ended<S> {
    Closed,
    /// The session answered STARTTLS; upgrade this stream.
    StartTls(S),
    /// The session answered COMPRESS; go on over deflate.
    Compress(S),
}

/// Serves one accepted connection until it closes; errors end it quietly.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    kind: ListenerKind,
    shutdown: watch::Receiver<bool>,
) {
    configure_socket(&stream);
    let mut connection = Connection {
        shared,
        shutdown,
        account_watch: None,
    };
    match connection.run(stream, peer, kind).await {
        Ok(()) => tracing::debug!("connection closed"),
        Err(error) => tracing::debug!(error = %error, "connection ended"),
    }
}

pub(crate) fn configure_socket(stream: &TcpStream) {
    let keepalive = TcpKeepalive::new()
        .with_time(KEEPALIVE_TIME)
        .with_interval(KEEPALIVE_INTERVAL);
    let configured = stream
        .set_nodelay(true)
        .and_then(|()| SockRef::from(stream).set_tcp_keepalive(&keepalive));
    if let Err(error) = configured {
        tracing::debug!(error = %error, "cannot set socket options");
    }
}

struct Connection {
    shared: Arc<Shared>,
    shutdown: watch::Receiver<bool>,
    /// The account's event feed, joined after authentication.
    account_watch: Option<AccountWatch>,
}

impl Connection {
    async fn run(
        &mut self,
        stream: TcpStream,
        peer: SocketAddr,
        kind: ListenerKind,
    ) -> io::Result<()> {
        let trusted_peer = is_trusted_peer(peer.ip(), &self.shared.trusted_networks);
        let info = ConnectionInfo {
            tls_active: kind == ListenerKind::Imaps,
            trusted_peer,
            starttls_available: kind == ListenerKind::Imap && self.shared.tls.is_some(),
        };
        let mut session = Session::new(
            Arc::clone(&self.shared.backend),
            Arc::clone(&self.shared.session),
            info,
        );
        tracing::debug!(trusted_peer, "connection accepted");
        if kind == ListenerKind::Imaps {
            let tls = self.handshake(stream).await?;
            let ended = self.serve_phase(&mut session, tls, true).await?;
            return self.after_phase(&mut session, ended).await;
        }
        match self.serve_phase(&mut session, stream, true).await? {
            Ended::StartTls(plain) => {
                let tls = self.handshake(plain).await?;
                session.tls_established();
                tracing::debug!("starttls established");
                let ended = self.serve_phase(&mut session, tls, false).await?;
                self.after_phase(&mut session, ended).await
            }
            ended => self.after_phase(&mut session, ended).await,
        }
    }

    /// The TLS handshake on `stream`, bounded by the handshake timeout.
    async fn handshake(
        &self,
        stream: TcpStream,
    ) -> io::Result<tokio_rustls::server::TlsStream<TcpStream>> {
        let acceptor =
            self.shared.tls.as_ref().ok_or_else(|| {
                io::Error::new(io::ErrorKind::Unsupported, "tls is not configured")
            })?;
        let handshake =
            tokio::time::timeout(self.shared.handshake_timeout, acceptor.accept(stream));
        let result = match handshake.await {
            Ok(result) => result,
            Err(_) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "tls handshake timed out",
            )),
        };
        if result.is_err() {
            metrics::counter!("mailkeep_gateway_tls_handshake_failures_total").increment(1);
        }
        result
    }

    /// Greets (when `greet`), then reads, feeds and writes until the session
    /// closes, asks for STARTTLS, the client goes away or idles out, or the
    /// server shuts down.
    async fn serve_phase<S>(
        &mut self,
        session: &mut Session,
        stream: S,
        greet: bool,
    ) -> io::Result<Ended<S>>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + Sync,
    {
        let write_timeout = self.shared.write_timeout;
        let mut stream = BufWriter::with_capacity(WRITE_BUFFER_BYTES, stream);
        if greet {
            session
                .greet(&mut SocketSink::new(&mut stream, write_timeout))
                .await?;
            flush(&mut stream, write_timeout).await?;
        }
        let mut input = vec![0u8; READ_BUFFER_BYTES];
        let idle_timeout = self.shared.idle_timeout;
        // The shutdown waiter and the timers live across loop turns: an
        // idler woken by an event registers neither again.
        let mut shutdown = self.shutdown.clone();
        let stop = stopped(&mut shutdown);
        tokio::pin!(stop);
        let autologout = tokio::time::sleep(idle_timeout);
        tokio::pin!(autologout);
        let mut idle_timers =
            IdleTimers::new(self.shared.update_timers, self.shared.events.as_deref());
        let mut observer = CommandObserver::new();
        loop {
            tokio::select! {
                biased;
                // The drain lets a command in flight (an APPEND literal)
                // arrive and finish; `* BYE` follows its answer.
                () = &mut stop, if !observer.command_in_progress() => {
                    session.shutdown(&mut SocketSink::new(&mut stream, write_timeout)).await?;
                    break;
                }
                () = &mut autologout => {
                    // RFC 9051 §5.4: the autologout timer is at least 30 minutes.
                    let bye = condition(None, Status::Bye, None, "Autologout; idle for too long");
                    SocketSink::new(&mut stream, write_timeout).send(&bye).await?;
                    tracing::debug!("autologout");
                    break;
                }
                read = stream.read(&mut input) => {
                    let count = read?;
                    if count == 0 {
                        break;
                    }
                    autologout.as_mut().reset(Instant::now() + idle_timeout);
                    let command = observer.input(&input[..count]);
                    let mut socket = SocketSink::new(&mut stream, write_timeout);
                    let mut sink = ObservedSink::new(&mut socket, &mut observer);
                    let receive = session.receive(&input[..count], Utc::now(), &mut sink);
                    let flow = match command {
                        Some(name) => receive.instrument(command_span(name)).await?,
                        None => receive.await?,
                    };
                    observer.set_idling(session.is_idling());
                    // Before the flush: once the client reads its LOGIN OK,
                    // the account's events reach this session.
                    self.join_account_feed(session).await;
                    idle_timers.observe(session.is_idling());
                    flush(&mut stream, write_timeout).await?;
                    match flow {
                        Flow::Continue => {}
                        Flow::Close => break,
                        Flow::StartTls => return Ok(Ended::StartTls(stream.into_inner())),
                        Flow::Compress => return Ok(Ended::Compress(stream.into_inner())),
                    }
                }
                // RFC 5465 §5: with NOTIFY, reports go out between commands too.
                notified_at = notified(self.account_watch.as_mut()),
                    if session.is_idling() || session.wants_notifications() => {
                    let mut sink = SocketSink::new(&mut stream, write_timeout);
                    answering_event(notified_at, session.poll_updates(Utc::now(), &mut sink))
                        .await?;
                    flush(&mut stream, write_timeout).await?;
                    idle_timers.checked();
                }
                due = idle_timers.next_due(),
                    if session.is_idling() || session.wants_notifications() => {
                    let mut sink = SocketSink::new(&mut stream, write_timeout);
                    match due {
                        // RFC 2177: while idling, updates go out as they happen.
                        IdleDue::Poll => {
                            session.poll_updates(Utc::now(), &mut sink).await?;
                            idle_timers.checked();
                        }
                        IdleDue::Keepalive => {
                            sink.send(b"* OK Still here\r\n").await?;
                            idle_timers.kept_alive();
                        }
                        IdleDue::End => {
                            // RFC 9051 §6.3.13: a server may log out an idle client.
                            let bye = condition(None, Status::Bye, None, "IDLE lasted too long; reconnect");
                            sink.send(&bye).await?;
                            tracing::debug!("idle maximum reached");
                            break;
                        }
                    }
                    flush(&mut stream, write_timeout).await?;
                }
            }
        }
        // Flushes what is buffered, then closes the write side (a TLS
        // close_notify first), so the client sees a clean end.
        bounded(write_timeout, stream.shutdown()).await?;
        Ok(Ended::Closed)
    }
}

impl Connection {
    /// Joins the feed of the session's account once it has authenticated
    /// (when the gateway has a bus), and tells it the selected mailbox whose
    /// changes the session reports as they happen. A failure to join is
    /// logged and retried after the next command; meanwhile the timer poll
    /// delivers updates.
    async fn join_account_feed(&mut self, session: &Session) {
        if let Some(watch) = self.account_watch.as_mut() {
            watch.set_selected(session.mailbox_updated_live());
            return;
        }
        let (Some(events), Some(principal)) = (&self.shared.events, session.principal()) else {
            return;
        };
        match events.watch(principal, &self.shared.backend).await {
            Ok(mut joined) => {
                joined.set_selected(session.mailbox_updated_live());
                self.account_watch = Some(joined);
            }
            Err(error) => tracing::warn!(
                account = %principal.account_id,
                error = %error,
                "cannot subscribe to account events"
            ),
        }
    }
}

/// The root span of one IMAP command: each command is its own trace, whose
/// context the backend calls carry to the metadata and blob services.
fn command_span(name: &'static str) -> tracing::Span {
    tracing::info_span!(
        parent: None,
        "imap.command",
        otel.name = format!("IMAP {name}"),
        otel.kind = "server",
        imap.command = name,
        imap.result = tracing::field::Empty,
    )
}

/// Completes at the account's next notification, with the instant it
/// arrived; never without a feed.
async fn notified(account_watch: Option<&mut AccountWatch>) -> Instant {
    match account_watch {
        Some(account_watch) => account_watch.notified().await,
        None => std::future::pending().await,
    }
}

/// Completes when the server shuts down (or is gone: a dropped sender).
pub(crate) async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`; drop it at once.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

/// Flushes buffered responses, bounded so a client that stops reading
/// cannot hold the task forever.
pub(crate) async fn flush<S: AsyncWrite + Unpin>(
    stream: &mut BufWriter<S>,
    limit: Duration,
) -> io::Result<()> {
    bounded(limit, stream.flush()).await
}

pub(crate) async fn bounded<T>(
    limit: Duration,
    operation: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    match tokio::time::timeout(limit, operation).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "client is not reading",
        )),
    }
}

/// The session's output: buffered writes to the (plain or TLS) stream; the
/// buffer drains to the socket when full, so a large FETCH streams.
pub(crate) struct SocketSink<'a, S> {
    stream: &'a mut BufWriter<S>,
    write_timeout: Duration,
}

impl<'a, S> SocketSink<'a, S> {
    pub(crate) fn new(stream: &'a mut BufWriter<S>, write_timeout: Duration) -> Self {
        Self {
            stream,
            write_timeout,
        }
    }
}

#[async_trait]
impl<S: AsyncWrite + Unpin + Send + Sync> ResponseSink for SocketSink<'_, S> {
    async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        bounded(self.write_timeout, self.stream.write_all(bytes)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_sink_buffers_until_flushed() {
        let (client, server) = tokio::io::duplex(1024);
        let mut writer = BufWriter::new(server);
        let mut sink = SocketSink::new(&mut writer, Duration::from_secs(1));
        sink.send(b"* OK ").await.unwrap();
        sink.send(b"ready\r\n").await.unwrap();
        flush(&mut writer, Duration::from_secs(1)).await.unwrap();
        drop(writer);
        let mut received = String::new();
        let mut client = client;
        client.read_to_string(&mut received).await.unwrap();
        assert_eq!(received, "* OK ready\r\n");
    }

    #[tokio::test]
    async fn a_client_that_does_not_read_times_out() {
        let (_client, server) = tokio::io::duplex(16);
        let mut writer = BufWriter::with_capacity(8, server);
        let mut sink = SocketSink::new(&mut writer, Duration::from_millis(50));
        let error = sink.send(&[b'x'; 1024]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
    }
}
