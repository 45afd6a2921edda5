//! A recording TCP proxy between a test client and the IMAP listener. Each
//! accepted connection gets its own upstream connection; both directions
//! are copied unchanged and recorded, so the whole server-to-client
//! transcript can be checked afterwards (by the imap-codec oracle).
//! Invariant: a transcript holds exactly the bytes that crossed the proxy,
//! in order; [`RecordingProxy::finish`] returns only after every
//! connection has ended (or the grace period ran out, which is an error).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// How long open connections may take to close once the client is done.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

/// The bytes of one proxied connection.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    pub from_client: Vec<u8>,
    pub from_server: Vec<u8>,
}

type Shared = Arc<Mutex<Vec<Arc<Mutex<Transcript>>>>>;

pub struct RecordingProxy {
    address: SocketAddr,
    accept: JoinHandle<()>,
    connections: Arc<Mutex<Vec<JoinHandle<()>>>>,
    transcripts: Shared,
}

impl RecordingProxy {
    /// Listens on a free loopback port and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let transcripts: Shared = Arc::default();
        let connections: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let accept = tokio::spawn({
            let transcripts = Arc::clone(&transcripts);
            let connections = Arc::clone(&connections);
            async move {
                while let Ok((client, _)) = listener.accept().await {
                    let transcript = Arc::new(Mutex::new(Transcript::default()));
                    if let Ok(mut all) = transcripts.lock() {
                        all.push(Arc::clone(&transcript));
                    }
                    let task = tokio::spawn(relay(client, upstream, transcript));
                    if let Ok(mut all) = connections.lock() {
                        all.push(task);
                    }
                }
            }
        });
        Ok(Self {
            address,
            accept,
            connections,
            transcripts,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting, waits for the open connections to end and returns
    /// their transcripts in connection order.
    pub async fn finish(self) -> anyhow::Result<Vec<Transcript>> {
        self.accept.abort();
        let tasks: Vec<_> = self
            .connections
            .lock()
            .map_err(|_| anyhow::anyhow!("proxy state poisoned"))?
            .drain(..)
            .collect();
        for task in tasks {
            tokio::time::timeout(CLOSE_GRACE, task)
                .await
                .context("a proxied connection was still open after the client finished")??;
        }
        let transcripts = self
            .transcripts
            .lock()
            .map_err(|_| anyhow::anyhow!("proxy state poisoned"))?;
        transcripts
            .iter()
            .map(|transcript| {
                transcript
                    .lock()
                    .map(|transcript| transcript.clone())
                    .map_err(|_| anyhow::anyhow!("transcript poisoned"))
            })
            .collect()
    }
}

async fn relay(client: TcpStream, upstream: SocketAddr, transcript: Arc<Mutex<Transcript>>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let upward = copy(
        client_read,
        server_write,
        Arc::clone(&transcript),
        Side::Client,
    );
    let downward = copy(server_read, client_write, transcript, Side::Server);
    tokio::join!(upward, downward);
}

#[derive(Clone, Copy)]
enum Side {
    Client,
    Server,
}

/// Copies until end of stream or an error, then shuts the writer down so
/// the peer sees the close.
async fn copy(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    transcript: Arc<Mutex<Transcript>>,
    side: Side,
) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        if let Ok(mut transcript) = transcript.lock() {
            match side {
                Side::Client => transcript.from_client.extend_from_slice(&buffer[..read]),
                Side::Server => transcript.from_server.extend_from_slice(&buffer[..read]),
            }
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            break;
        }
    }
    // The peer may already be gone; nothing is left to deliver either way.
    let _ = to.shutdown().await;
}
