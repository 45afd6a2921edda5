//! The test harness: a gateway serving on loopback port 0 (IMAP and IMAPS
//! with a fresh self-signed certificate) over any `MailBackend`, and a
//! line-oriented IMAP client over any stream (plain or TLS).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mailkeep_gateway::{GatewayConfig, generate_self_signed, load_tls, serve};
use mailkeep_gateway_core::backend::MailBackend;
use mailkeep_gateway_core::session::SessionConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// How long any single step may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// A running `serve` with its listeners' addresses.
pub struct Gateway {
    pub imap: SocketAddr,
    pub imaps: SocketAddr,
    cert: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Gateway {
    /// Serves `backend`; `adjust` may change the config before it starts.
    pub async fn start(
        backend: Arc<dyn MailBackend>,
        adjust: impl FnOnce(&mut GatewayConfig),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = generate_self_signed(dir.path(), &["localhost".to_owned()]).unwrap();
        let imap = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let imaps = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (imap_addr, imaps_addr) = (imap.local_addr().unwrap(), imaps.local_addr().unwrap());
        let mut config = GatewayConfig::new(Arc::new(SessionConfig::default()));
        config.imap = Some(imap);
        config.imaps = Some(imaps);
        config.tls = Some(load_tls(&cert, &key).unwrap());
        config.update_timers.fallback_poll_interval = Duration::from_millis(50);
        adjust(&mut config);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve(config, backend, async {
            let _ = stopped.await;
        }));
        Self {
            imap: imap_addr,
            imaps: imaps_addr,
            cert,
            stop: Some(stop),
            server,
            _dir: dir,
        }
    }

    /// A TLS handshake as `localhost`, trusting only this gateway's
    /// certificate and offering ALPN `imap`.
    pub async fn tls_handshake(&self, tcp: TcpStream) -> TlsStream<TcpStream> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(&self.cert).unwrap())
            .unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"imap".to_vec()];
        let server_name = ServerName::try_from("localhost").unwrap();
        TlsConnector::from(Arc::new(config))
            .connect(server_name, tcp)
            .await
            .unwrap()
    }

    /// Triggers shutdown and waits for `serve` to return `Ok`.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).unwrap();
        }
        timeout(WAIT, self.server).await.unwrap().unwrap().unwrap();
    }
}

/// A line-oriented IMAP client over any stream.
pub struct Client<S> {
    stream: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub fn new(stream: S) -> Self {
        Self {
            stream: BufReader::new(stream),
        }
    }

    pub async fn line(&mut self) -> String {
        let mut line = String::new();
        timeout(WAIT, self.stream.read_line(&mut line))
            .await
            .expect("the server answered in time")
            .unwrap();
        line
    }

    /// Sends `command` and returns every line up to the tagged answer.
    pub async fn command(&mut self, tag: &str, command: &str) -> String {
        self.send(&format!("{tag} {command}\r\n")).await;
        self.until(&format!("{tag} ")).await
    }

    pub async fn send(&mut self, text: &str) {
        self.stream
            .get_mut()
            .write_all(text.as_bytes())
            .await
            .unwrap();
    }

    /// Lines up to and including the first that starts with `prefix`.
    pub async fn until(&mut self, prefix: &str) -> String {
        let mut lines = String::new();
        loop {
            let line = self.line().await;
            assert!(!line.is_empty(), "connection closed; got {lines:?}");
            lines.push_str(&line);
            if line.starts_with(prefix) {
                return lines;
            }
        }
    }

    pub async fn assert_closed(&mut self) {
        assert_eq!(self.line().await, "", "expected the server to close");
    }

    pub fn into_inner(self) -> S {
        self.stream.into_inner()
    }
}

pub async fn plain_client(address: SocketAddr) -> Client<TcpStream> {
    Client::new(TcpStream::connect(address).await.unwrap())
}
