//! CATENATE (RFC 4469): messages assembled from text and IMAP URLs, with
//! MULTIAPPEND, `[BADURL]` leaving nothing appended, and `[TOOBIG]`.

use super::support::{assert_responses, message, message_count, select_inbox};
use crate::backend::{Flags, MailBackend};
use crate::session::{ConnectionInfo, SessionConfig};
use crate::testing::TestClient;

/// The single-part message delivered as UID 1 of INBOX.
fn first() -> String {
    message("first")
}

/// A logged-in client (with `max_literal_bytes`) whose INBOX holds
/// [`first`] as UID 1, INBOX selected.
async fn client(max_literal_bytes: u64) -> TestClient {
    let config = SessionConfig {
        max_literal_bytes,
        ..SessionConfig::default()
    };
    let loopback = ConnectionInfo {
        tls_active: false,
        trusted_peer: true,
        starttls_available: false,
    };
    let mut client = TestClient::new(loopback, config);
    client.greet().await;
    client.login().await;
    super::support::deliver(&client, &first(), Flags::default());
    select_inbox(&mut client).await;
    client
}

/// `* n FETCH (BODY[] {..}\r\n<bytes>)` of message `seq`, the bytes only.
async fn body_of(client: &mut TestClient, seq: u32) -> String {
    let output = client.send(&format!("F FETCH {seq} BODY.PEEK[]\r\n")).await;
    assert_responses(&output);
    let start = output.find("}\r\n").expect("a literal") + 3;
    let end = output.rfind(")\r\nF OK").expect("the end of the FETCH");
    output[start..end].to_owned()
}

#[tokio::test]
async fn urls_and_text_make_one_message() {
    let mut client = client(1 << 20).await;
    let header_end = first().find("\r\n\r\n").unwrap() + 4;
    let status = client.backend.mailbox_status(&client.principal, "INBOX");
    let uidvalidity = status.await.unwrap().mailbox.uidvalidity;
    // RFC 4469 §5: a header by URL, new text, then a part by URL.
    let command = format!(
        "A003 APPEND INBOX (\\Seen) CATENATE \
         (URL \"/INBOX;UIDVALIDITY={uidvalidity}/;UID=1/;section=HEADER\" TEXT {{9+}}\r\nNew body  \
         URL \"/INBOX/;UID=1/;SECTION=1\")\r\n"
    );
    let output = client.send(&command).await;
    assert!(output.contains("A003 OK [APPENDUID "), "{output}");
    let expected = format!("{}New body Hello first.\r\n", &first()[..header_end]);
    assert_eq!(body_of(&mut client, 2).await, expected);
    // The whole message by URL, a partial of it, and MULTIAPPEND.
    let command = "a4 APPEND INBOX CATENATE (URL \"imap://alice@example.test/inbox/;uid=1\") \
                   CATENATE (URL \"/INBOX/;UID=1/;PARTIAL=0.4\" TEXT {2+}\r\n:  \
                   URL \"/INBOX/;UID=1/;PARTIAL=100000.1\") {3+}\r\nend\r\n";
    let output = client.send(command).await;
    assert!(output.contains("a4 OK [APPENDUID "), "{output}");
    assert_eq!(body_of(&mut client, 3).await, first());
    assert_eq!(body_of(&mut client, 4).await, "From: ");
    assert_eq!(body_of(&mut client, 5).await, "end");
}

#[tokio::test]
async fn a_bad_url_appends_nothing() {
    let mut client = client(1 << 20).await;
    for (tag, url) in [
        ("b1", "/INBOX;UIDVALIDITY=12345/;UID=1/;SECTION=HEADER"),
        ("b2", "/INBOX/;UID=9"),
        ("b3", "/Nowhere/;UID=1"),
        ("b4", "/INBOX/;UID=1/;SECTION=7"),
        ("b5", "/INBOX/;UID=1/;SECTION=BOGUS"),
        ("b6", "imap://bob@example.test/INBOX/;UID=1"),
        ("b7", "/INBOX/;UID=1/;URLAUTH=anonymous:internal:00"),
    ] {
        let command = format!(
            "{tag} APPEND INBOX CATENATE (TEXT {{2+}}\r\nhi URL \"{url}\") {{1+}}\r\nx\r\n"
        );
        let output = client.send(&command).await;
        assert_eq!(
            output,
            format!("{tag} NO [BADURL {url}] CATENATE url names no message or part\r\n")
        );
    }
    assert_eq!(message_count(&client, "INBOX"), 1);
}

#[tokio::test]
async fn a_catenated_message_over_appendlimit_is_toobig() {
    let mut client = client(100).await;
    let command = "t1 APPEND INBOX CATENATE (URL \"/INBOX/;UID=1\" URL \"/INBOX/;UID=1\")\r\n";
    let output = client.send(command).await;
    assert_eq!(
        output,
        "t1 NO [TOOBIG] catenated message exceeds APPENDLIMIT\r\n"
    );
    assert_eq!(message_count(&client, "INBOX"), 1);
}
