//! The IMAP driver over real loopback sockets: greeting, LOGIN, IDLE
//! updates, STARTTLS and IMAPS with a self-signed certificate the client
//! trusts, handshake and autologout timeouts, `* BYE` on shutdown, and
//! `NO [UNAVAILABLE]` from a gateway whose backend is down.

use std::sync::Arc;
use std::time::Duration;

use mailkeep_gateway::{GatewayConfig, connect_backend, serve};
use mailkeep_gateway_core::backend::{Flags, MailBackend, Principal};
use mailkeep_gateway_core::session::SessionConfig;
use mailkeep_gateway_core::testing::{MemoryBackend, TEST_LOGIN, TEST_PASSWORD};
use tokio::net::{TcpListener, TcpStream};

use crate::harness::{Client, Gateway, plain_client};

/// A gateway over a fresh in-memory backend holding the test account.
async fn memory_gateway(
    adjust: impl FnOnce(&mut GatewayConfig),
) -> (Gateway, Arc<MemoryBackend>, Principal) {
    let backend = Arc::new(MemoryBackend::new());
    let principal = backend.add_account(TEST_LOGIN, TEST_PASSWORD);
    let gateway = Gateway::start(backend.clone(), adjust).await;
    (gateway, backend, principal)
}

fn login() -> String {
    format!("LOGIN {TEST_LOGIN} \"{TEST_PASSWORD}\"")
}

#[tokio::test]
async fn a_loopback_client_logs_in_and_hears_about_new_mail_while_idling() {
    let (gateway, backend, principal) = memory_gateway(|_| {}).await;
    let mut client = plain_client(gateway.imap).await;
    let greeting = client.line().await;
    assert!(greeting.starts_with("* OK [CAPABILITY "), "{greeting}");
    assert!(greeting.contains(" STARTTLS"), "{greeting}");
    assert!(
        greeting.contains("AUTH=PLAIN"),
        "loopback is trusted: {greeting}"
    );

    assert!(client.command("a1", &login()).await.contains("a1 OK"));
    let select = client.command("a2", "SELECT INBOX").await;
    assert!(select.contains("* 0 EXISTS"), "{select}");

    client.send("a3 IDLE\r\n").await;
    assert!(client.line().await.starts_with("+ "));
    backend
        .deliver(
            &principal,
            "INBOX",
            b"Subject: hi\r\n\r\nhello\r\n",
            Flags::default(),
            1_700_000_000,
        )
        .unwrap();
    let update = client.until("* 1 EXISTS").await;
    assert!(update.ends_with("* 1 EXISTS\r\n"), "{update}");
    client.send("DONE\r\n").await;
    assert!(client.until("a3 ").await.contains("a3 OK"));

    let logout = client.command("a4", "LOGOUT").await;
    assert!(
        logout.contains("* BYE") && logout.contains("a4 OK"),
        "{logout}"
    );
    client.assert_closed().await;
    gateway.stop().await;
}

#[tokio::test]
async fn starttls_upgrades_the_same_connection() {
    let gateway = memory_gateway(|_| {}).await.0;
    let mut client = plain_client(gateway.imap).await;
    client.line().await;
    let answer = client.command("s1", "STARTTLS").await;
    assert!(answer.starts_with("s1 OK"), "{answer}");

    let tls = gateway.tls_handshake(client.into_inner()).await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"imap"[..]));
    let mut client = Client::new(tls);
    let capabilities = client.command("s2", "CAPABILITY").await;
    assert!(!capabilities.contains("STARTTLS"), "{capabilities}");
    assert!(capabilities.contains("AUTH=PLAIN"), "{capabilities}");
    assert!(client.command("s3", &login()).await.contains("s3 OK"));
    assert!(client.command("s4", "LOGOUT").await.contains("s4 OK"));
    gateway.stop().await;
}

#[tokio::test]
async fn imaps_handshakes_before_the_greeting() {
    let gateway = memory_gateway(|_| {}).await.0;
    let tcp = TcpStream::connect(gateway.imaps).await.unwrap();
    let tls = gateway.tls_handshake(tcp).await;
    let mut client = Client::new(tls);
    let greeting = client.line().await;
    assert!(greeting.starts_with("* OK [CAPABILITY "), "{greeting}");
    assert!(!greeting.contains("STARTTLS"), "{greeting}");
    assert!(client.command("t1", &login()).await.contains("t1 OK"));
    assert!(client.command("t2", "LOGOUT").await.contains("t2 OK"));
    gateway.stop().await;
}

#[tokio::test]
async fn a_client_that_never_handshakes_is_dropped() {
    let gateway = memory_gateway(|config| {
        config.handshake_timeout = Duration::from_millis(100);
    })
    .await
    .0;
    let mut client = plain_client(gateway.imaps).await;
    client.assert_closed().await;
    gateway.stop().await;
}

#[tokio::test]
async fn a_silent_client_is_logged_out() {
    let gateway = memory_gateway(|config| {
        config.idle_timeout = Duration::from_millis(200);
    })
    .await
    .0;
    let mut client = plain_client(gateway.imap).await;
    client.line().await;
    let bye = client.line().await;
    assert!(bye.starts_with("* BYE "), "{bye}");
    client.assert_closed().await;
    gateway.stop().await;
}

#[tokio::test]
async fn shutdown_says_bye_to_every_session_and_returns() {
    let gateway = memory_gateway(|_| {}).await.0;
    let mut idle = plain_client(gateway.imap).await;
    idle.line().await;
    assert!(idle.command("b1", &login()).await.contains("b1 OK"));
    let mut fresh = plain_client(gateway.imap).await;
    fresh.line().await;

    let imap = gateway.imap;
    gateway.stop().await;
    for client in [&mut idle, &mut fresh] {
        let bye = client.line().await;
        assert!(bye.starts_with("* BYE "), "{bye}");
        client.assert_closed().await;
    }
    assert!(
        TcpStream::connect(imap).await.is_err(),
        "listener still open"
    );
}

#[tokio::test]
async fn imaps_without_tls_or_no_listener_at_all_is_refused() {
    let mut config = GatewayConfig::new(Arc::new(SessionConfig::default()));
    let backend: Arc<dyn MailBackend> = Arc::new(MemoryBackend::new());
    let error = serve(config, Arc::clone(&backend), async {})
        .await
        .unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);

    config = GatewayConfig::new(Arc::new(SessionConfig::default()));
    config.imaps = Some(TcpListener::bind("127.0.0.1:0").await.unwrap());
    let error = serve(config, backend, async {}).await.unwrap_err();
    assert!(error.to_string().contains("tls"), "{error}");
}

#[tokio::test]
async fn a_gateway_starts_while_its_backend_is_down_and_answers_unavailable() {
    // Bind and drop a listener so the port is (almost surely) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let backend = connect_backend(&url, &url, "token").await.unwrap();
    let gateway = Gateway::start(backend, |_| {}).await;
    let mut client = plain_client(gateway.imap).await;
    assert!(client.line().await.starts_with("* OK "));
    let answer = client.command("u1", &login()).await;
    assert!(answer.starts_with("u1 NO [UNAVAILABLE]"), "{answer}");
    assert!(client.command("u2", "NOOP").await.starts_with("u2 OK"));
    gateway.stop().await;
}

#[tokio::test]
async fn the_drain_deadline_cuts_connections_that_do_not_finish() {
    let (gateway, _, _) = memory_gateway(|config| {
        config.handshake_timeout = Duration::from_secs(60);
        config.drain_timeout = Duration::from_millis(100);
    })
    .await;
    // Stuck in the TLS handshake, this connection cannot hear the shutdown.
    let mut stuck = plain_client(gateway.imaps).await;
    // A greeting on a later connection shows the accept loop has run.
    let mut later = plain_client(gateway.imap).await;
    assert!(later.line().await.starts_with("* OK "));
    let started = std::time::Instant::now();
    gateway.stop().await;
    assert!(started.elapsed() < Duration::from_secs(5));
    stuck.assert_closed().await;
    assert!(later.line().await.starts_with("* BYE "));
}
