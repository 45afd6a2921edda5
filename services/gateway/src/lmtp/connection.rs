//! One LMTP connection: socket options, the loop that feeds the sans-IO
//! session and writes its replies, the session timeout, STARTTLS on the
//! same TCP stream, and the drain (a message in transit is let through
//! first). Invariants: replies are flushed after every read; no plaintext
//! read after STARTTLS reaches the session (it discards its buffer, and any
//! bytes still in the socket become part of the handshake, which fails);
//! message bodies and the AUTH secret are never logged.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use chrono::Utc;
use mailkeep_gateway_core::lmtp::{DeliveryTally, LmtpSession};
use mailkeep_gateway_core::session::{ConnectionInfo, Flow};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::Instant;

use super::Shared;
use crate::config::is_trusted_peer;
use crate::connection::{SocketSink, bounded, configure_socket, flush, stopped};

const READ_BUFFER_BYTES: usize = 16 * 1024;
const WRITE_BUFFER_BYTES: usize = 16 * 1024;

/// How one phase (plain or TLS) of a connection ended.
enum Ended<S> {
    Closed,
    /// The session answered STARTTLS; upgrade this stream.
    StartTls(S),
}

/// Serves one accepted connection until it closes; errors end it quietly.
pub(super) async fn handle(
    shared: Arc<Shared>,
    stream: TcpStream,
    peer: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) {
    configure_socket(&stream);
    let info = ConnectionInfo {
        tls_active: false,
        trusted_peer: is_trusted_peer(peer.ip(), &shared.trusted_networks),
        starttls_available: shared.tls.is_some(),
    };
    let mut session = LmtpSession::new(
        Arc::clone(&shared.backend),
        Arc::clone(&shared.session),
        info,
    );
    match run(&shared, &mut session, stream, &mut shutdown).await {
        Ok(()) => tracing::debug!("lmtp connection closed"),
        Err(error) => tracing::debug!(error = %error, "lmtp connection ended"),
    }
}

async fn run(
    shared: &Shared,
    session: &mut LmtpSession,
    stream: TcpStream,
    shutdown: &mut watch::Receiver<bool>,
) -> io::Result<()> {
    let plain = match serve_phase(shared, session, stream, shutdown, true).await? {
        Ended::Closed => return Ok(()),
        Ended::StartTls(plain) => plain,
    };
    let acceptor = shared
        .tls
        .as_ref()
        .ok_or_else(|| io::Error::new(io::ErrorKind::Unsupported, "tls is not configured"))?;
    let handshake = tokio::time::timeout(shared.handshake_timeout, acceptor.accept(plain)).await;
    let tls = match handshake {
        Ok(Ok(tls)) => tls,
        Ok(Err(error)) => return Err(handshake_failed(error)),
        Err(_) => return Err(handshake_failed(io::ErrorKind::TimedOut.into())),
    };
    session.tls_established();
    tracing::debug!("lmtp starttls established");
    match serve_phase(shared, session, tls, shutdown, false).await? {
        Ended::Closed | Ended::StartTls(_) => Ok(()),
    }
}

fn handshake_failed(error: io::Error) -> io::Error {
    metrics::counter!("mailkeep_gateway_tls_handshake_failures_total").increment(1);
    error
}

/// Greets (when `greet`), then reads, feeds and writes until the session
/// closes or asks for STARTTLS, the client goes away or times out, or the
/// server shuts down.
async fn serve_phase<S>(
    shared: &Shared,
    session: &mut LmtpSession,
    stream: S,
    shutdown: &mut watch::Receiver<bool>,
    greet: bool,
) -> io::Result<Ended<S>>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + Sync,
{
    let write_timeout = shared.write_timeout;
    let mut stream = BufWriter::with_capacity(WRITE_BUFFER_BYTES, stream);
    if greet {
        session
            .greet(&mut SocketSink::new(&mut stream, write_timeout))
            .await?;
        flush(&mut stream, write_timeout).await?;
    }
    let mut input = vec![0u8; READ_BUFFER_BYTES];
    let mut deadline = Instant::now() + shared.timeout;
    loop {
        tokio::select! {
            biased;
            // A message in transit is received and answered first.
            () = stopped(shutdown), if !session.receiving_message() => {
                session.shutdown(&mut SocketSink::new(&mut stream, write_timeout)).await?;
                break;
            }
            () = tokio::time::sleep_until(deadline) => {
                session.timed_out(&mut SocketSink::new(&mut stream, write_timeout)).await?;
                tracing::debug!("lmtp session timed out");
                break;
            }
            read = stream.read(&mut input) => {
                let count = read?;
                if count == 0 {
                    break;
                }
                deadline = Instant::now() + shared.timeout;
                let mut sink = SocketSink::new(&mut stream, write_timeout);
                let flow = session.receive(&input[..count], Utc::now(), &mut sink).await?;
                record(session.take_tally());
                flush(&mut stream, write_timeout).await?;
                match flow {
                    Flow::Continue => {}
                    // LMTP has no COMPRESS; an IMAP-only flow ends the connection.
                    Flow::Close | Flow::Compress => break,
                    Flow::StartTls => return Ok(Ended::StartTls(stream.into_inner())),
                }
            }
        }
    }
    bounded(write_timeout, stream.shutdown()).await?;
    Ok(Ended::Closed)
}

/// `mailkeep_lmtp_deliveries_total{result}`.
fn record(tally: DeliveryTally) {
    for (result, count) in [
        ("delivered", tally.delivered),
        ("deferred", tally.deferred),
        ("rejected", tally.rejected),
    ] {
        if count > 0 {
            metrics::counter!("mailkeep_lmtp_deliveries_total", "result" => result)
                .increment(count);
        }
    }
}
