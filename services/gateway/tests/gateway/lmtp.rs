//! The LMTP listener over loopback sockets: delivery with per-recipient
//! replies into the in-memory backend, refusal of peers outside the
//! allowed networks, STARTTLS, the session timeout and the drain.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mailkeep_gateway::{LmtpServerConfig, generate_self_signed, load_tls, serve_lmtp};
use mailkeep_gateway_core::lmtp::LmtpConfig;
use mailkeep_gateway_core::testing::MemoryBackend;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

use crate::harness::{Client, WAIT, plain_client};

/// A running `serve_lmtp` over a `MemoryBackend`.
struct LmtpServer {
    address: SocketAddr,
    cert: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl LmtpServer {
    async fn start(
        backend: Arc<MemoryBackend>,
        adjust: impl FnOnce(&mut LmtpServerConfig),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = generate_self_signed(dir.path(), &["localhost".to_owned()]).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let session = LmtpConfig {
            hostname: "mx.test".to_owned(),
            ..LmtpConfig::default()
        };
        let mut config = LmtpServerConfig::new(listener, Arc::new(session));
        config.tls = Some(load_tls(&cert, &key).unwrap());
        adjust(&mut config);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(serve_lmtp(config, backend, async {
            let _ = stopped.await;
        }));
        Self {
            address,
            cert,
            stop: Some(stop),
            server,
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).unwrap();
        }
        timeout(WAIT, self.server).await.unwrap().unwrap().unwrap();
    }

    /// A TLS client trusting only this server's certificate, without ALPN
    /// (as MTAs connect).
    fn connector(&self) -> TlsConnector {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_file(&self.cert).unwrap())
            .unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        TlsConnector::from(Arc::new(config))
    }
}

#[tokio::test]
async fn a_delivery_gets_one_reply_per_recipient() {
    let backend = Arc::new(MemoryBackend::new());
    let alice = backend.add_account("alice@example.test", "pw");
    let server = LmtpServer::start(Arc::clone(&backend), |_| {}).await;
    let mut client = plain_client(server.address).await;
    assert_eq!(client.line().await, "220 mx.test LMTP Mailkeep ready\r\n");
    client.send("LHLO mta.test\r\n").await;
    let extensions = client.until("250 ").await;
    assert!(extensions.contains("250-PIPELINING\r\n"), "{extensions}");
    assert!(extensions.contains("250 STARTTLS\r\n"), "{extensions}");
    // Pipelined, as Postfix sends it (RFC 2920).
    client
        .send("MAIL FROM:<bob@x.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<nobody@example.test>\r\nDATA\r\n")
        .await;
    assert!(client.line().await.starts_with("250 2.1.0"));
    assert!(client.line().await.starts_with("250 2.1.5"));
    assert!(
        client
            .line()
            .await
            .starts_with("550 5.1.1 <nobody@example.test>")
    );
    assert!(client.line().await.starts_with("354 "));
    client.send("Subject: hi\r\n\r\nhello\r\n.\r\n").await;
    assert_eq!(
        client.line().await,
        "250 2.0.0 <alice@example.test> delivered\r\n"
    );
    client.send("QUIT\r\n").await;
    assert!(client.line().await.starts_with("221 2.0.0"));
    client.assert_closed().await;
    assert_eq!(backend.uids(&alice, "INBOX").unwrap().len(), 1);
    server.stop().await;
}

#[tokio::test]
async fn peers_outside_the_allowed_networks_are_refused() {
    let backend = Arc::new(MemoryBackend::new());
    let server = LmtpServer::start(backend, |config| {
        config.allowed_networks = vec!["10.0.0.0/8".parse().unwrap()];
    })
    .await;
    let mut client = plain_client(server.address).await;
    assert_eq!(client.line().await, "554 5.7.1 mx.test access denied\r\n");
    client.assert_closed().await;
    server.stop().await;
}

#[tokio::test]
async fn starttls_upgrades_the_session() {
    let backend = Arc::new(MemoryBackend::new());
    let server = LmtpServer::start(backend, |_| {}).await;
    let mut client = plain_client(server.address).await;
    client.line().await;
    client.send("STARTTLS\r\n").await;
    assert_eq!(client.line().await, "220 2.0.0 ready to start TLS\r\n");
    let tcp: TcpStream = client.into_inner();
    let tls = server
        .connector()
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let mut client = Client::new(tls);
    client.send("LHLO mta.test\r\n").await;
    let extensions = client.until("250 ").await;
    assert!(!extensions.contains("STARTTLS"), "{extensions}");
    client.send("QUIT\r\n").await;
    assert!(client.line().await.starts_with("221 "));
    server.stop().await;
}

#[tokio::test]
async fn an_idle_session_times_out_with_421() {
    let backend = Arc::new(MemoryBackend::new());
    let server = LmtpServer::start(backend, |config| {
        config.timeout = Duration::from_millis(200);
    })
    .await;
    let mut client = plain_client(server.address).await;
    client.line().await;
    assert_eq!(
        client.line().await,
        "421 4.4.2 mx.test timeout waiting for input\r\n"
    );
    client.assert_closed().await;
    server.stop().await;
}

#[tokio::test]
async fn shutdown_lets_a_message_in_transit_finish_then_says_421() {
    let backend = Arc::new(MemoryBackend::new());
    let alice = backend.add_account("alice@example.test", "pw");
    let mut server = LmtpServer::start(Arc::clone(&backend), |_| {}).await;
    let mut client = plain_client(server.address).await;
    client.line().await;
    client
        .send("LHLO m.test\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
        .await;
    client.until("354 ").await;
    client.send("Subject: half\r\n").await;
    // Give the server time to read the first half before the stop.
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    client.send("\r\nbody\r\n.\r\n").await;
    assert!(
        client
            .line()
            .await
            .starts_with("250 2.0.0 <alice@example.test>")
    );
    assert_eq!(
        client.line().await,
        "421 4.3.2 mx.test service shutting down\r\n"
    );
    client.assert_closed().await;
    assert_eq!(backend.uids(&alice, "INBOX").unwrap().len(), 1);
    server.stop().await;
}
