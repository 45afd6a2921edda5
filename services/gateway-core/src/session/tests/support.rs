//! Shared setup of the session tests: logged-in and selected clients over
//! `testing::MemoryBackend`, known messages, SETMETADATA, changes made "by
//! another session" straight on the backend, and the imap-codec oracle every
//! response is checked with. Setup failures panic: they are test bugs.

use imap_codec::ResponseCodec;
use imap_codec::decode::Decoder;
use mailkeep_common::{MailboxId, UidSet};

use crate::backend::{Flags, MailBackend, StoreOperation, SystemFlags};
use crate::session::{ConnectionInfo, SessionConfig};
use crate::testing::TestClient;

/// 2024-06-01 10:00:00 UTC, the internal date of delivered messages.
pub(in crate::session) const DELIVERED_AT: i64 = 1_717_236_000;

/// A nested multipart message: 1 is multipart/alternative (1.1 plain,
/// 1.2 html), 2 is a text attachment.
pub(in crate::session) const NESTED: &str = "From: Bob <bob@example.test>\r\n\
To: alice@example.test\r\n\
Subject: parts\r\n\
Date: Sat, 01 Jun 2024 10:00:00 +0000\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=\"inner\"\r\n\
\r\n\
--inner\r\n\
Content-Type: text/plain\r\n\
\r\n\
plain text\r\n\
--inner\r\n\
Content-Type: text/html\r\n\
\r\n\
<p>html text</p>\r\n\
--inner--\r\n\
--outer\r\n\
Content-Type: text/plain; name=\"a.txt\"\r\n\
\r\n\
attachment\r\n\
--outer--\r\n";

/// A small single-part RFC 5322 message whose body is `Hello <subject>.`.
pub(in crate::session) fn message(subject: &str) -> String {
    format!(
        "From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: {subject}\r\n\
         Date: Sat, 01 Jun 2024 10:00:00 +0000\r\n\r\nHello {subject}.\r\n"
    )
}

/// `<tag> APPEND <args> {n+}` with `body` as a LITERAL+ literal (RFC 7888).
pub(in crate::session) fn append_command(tag: &str, args: &str, body: &str) -> String {
    format!("{tag} APPEND {args} {{{}+}}\r\n{body}\r\n", body.len())
}

/// Asserts that `output` is a sequence of complete, valid IMAP responses.
#[track_caller]
pub(in crate::session) fn assert_responses(output: &str) {
    let mut rest = output.as_bytes();
    while !rest.is_empty() {
        match ResponseCodec::default().decode(rest) {
            Ok((remaining, _)) => rest = remaining,
            Err(error) => panic!(
                "imap-codec rejects {:?}: {error:?}",
                String::from_utf8_lossy(rest)
            ),
        }
    }
}

/// Sets `entries` (`name value` pairs as SETMETADATA writes them) on
/// `mailbox` with one SETMETADATA, asserting success.
pub(in crate::session) async fn set_metadata(
    client: &mut TestClient,
    mailbox: &str,
    entries: &str,
) {
    let output = client
        .send(&format!("s SETMETADATA {mailbox} ({entries})\r\n"))
        .await;
    assert_eq!(output, "s OK SETMETADATA completed\r\n");
}

/// A logged-in client over loopback.
pub(in crate::session) async fn logged_in() -> TestClient {
    let mut client = TestClient::trusted();
    client.greet().await;
    let answer = client.login().await;
    assert!(
        answer.starts_with("L0 OK [CAPABILITY IMAP4rev1 "),
        "{answer}"
    );
    client
}

/// Delivers `raw` to INBOX with `flags`, as the LMTP path would.
pub(in crate::session) fn deliver(client: &TestClient, raw: &str, flags: Flags) {
    client
        .backend
        .deliver(
            &client.principal,
            "INBOX",
            raw.as_bytes(),
            flags,
            DELIVERED_AT,
        )
        .unwrap();
}

/// A logged-in client with `messages` delivered to INBOX and INBOX selected.
pub(in crate::session) async fn selected_client(messages: &[&str]) -> TestClient {
    let mut client = logged_in().await;
    for raw in messages {
        deliver(&client, raw, Flags::default());
    }
    select_inbox(&mut client).await;
    client
}

/// [`selected_client`] with one [`message`] per subject.
pub(in crate::session) async fn inbox_with(subjects: &[&str]) -> TestClient {
    let messages: Vec<String> = subjects.iter().map(|subject| message(subject)).collect();
    let raw: Vec<&str> = messages.iter().map(String::as_str).collect();
    selected_client(&raw).await
}

/// SELECT INBOX, asserting that it succeeds.
pub(in crate::session) async fn select_inbox(client: &mut TestClient) {
    let output = client.send("S0 SELECT INBOX\r\n").await;
    assert!(
        output.ends_with("S0 OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
}

/// The id of INBOX.
pub(in crate::session) async fn inbox_id(client: &TestClient) -> MailboxId {
    let status = client
        .backend
        .mailbox_status(&client.principal, "INBOX")
        .await;
    status.unwrap().mailbox.id
}

/// The UIDVALIDITY of `mailbox`.
pub(in crate::session) async fn uidvalidity(client: &TestClient, mailbox: &str) -> u32 {
    let status = client
        .backend
        .mailbox_status(&client.principal, mailbox)
        .await;
    status.unwrap().mailbox.uidvalidity
}

/// How many messages `mailbox` holds now.
pub(in crate::session) fn message_count(client: &TestClient, mailbox: &str) -> u64 {
    client
        .backend
        .uids(&client.principal, mailbox)
        .unwrap()
        .len()
}

/// The MODSEQ of message `seq`, asked with FETCH (RFC 7162 §3.1.4.1).
pub(in crate::session) async fn fetch_modseq(client: &mut TestClient, seq: u32) -> u64 {
    let output = client.send(&format!("M0 FETCH {seq} MODSEQ\r\n")).await;
    modseq_in(&output)
}

/// The number in the first `MODSEQ (n)` of `output`.
pub(in crate::session) fn modseq_in(output: &str) -> u64 {
    output
        .split("MODSEQ (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .and_then(|modseq| modseq.parse().ok())
        .unwrap_or_else(|| panic!("no MODSEQ in {output:?}"))
}

/// Adds the system flags `system` to the INBOX messages `uids`, as another
/// session would (the client is told only by its next sync).
pub(in crate::session) async fn flag_elsewhere(
    client: &TestClient,
    uids: &[(u32, u32)],
    system: u32,
) {
    let flags = Flags {
        system: SystemFlags(system),
        keywords: Vec::new(),
    };
    let set = UidSet::from_ranges(uids.iter().copied());
    let inbox = inbox_id(client).await;
    client
        .backend
        .store_flags(
            &client.principal,
            inbox,
            &set,
            StoreOperation::Add,
            &flags,
            None,
        )
        .await
        .unwrap();
}

/// Marks the INBOX messages `uids` \Deleted and expunges them, as another
/// session would.
pub(in crate::session) async fn expunge_elsewhere(client: &TestClient, uids: &[(u32, u32)]) {
    flag_elsewhere(client, uids, SystemFlags::DELETED).await;
    let set = UidSet::from_ranges(uids.iter().copied());
    let inbox = inbox_id(client).await;
    client
        .backend
        .expunge(&client.principal, inbox, Some(&set))
        .await
        .unwrap();
}

/// What `LIST ... %` answers for the default special-use mailboxes, each
/// followed by its `STATUS (<status>)`; `attributes` are added after the
/// children attribute.
pub(in crate::session) fn defaults_with_status(attributes: &str, status: &str) -> String {
    ["Archive", "Drafts", "Junk", "Sent", "Trash"]
        .iter()
        .map(|name| {
            format!(
                "* LIST (\\HasNoChildren{attributes} \\{name}) \"/\" {name}\r\n\
                 * STATUS {name} ({status})\r\n"
            )
        })
        .collect()
}

/// The number in the first `[HIGHESTMODSEQ n]` of `output`.
pub(in crate::session) fn highest_modseq_in(output: &str) -> u64 {
    output
        .split("[HIGHESTMODSEQ ")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("no HIGHESTMODSEQ in {output:?}"))
}

/// A session on loopback (a trusted peer, no TLS) with `config`, not logged in yet.
pub(in crate::session) fn loopback_client(config: SessionConfig) -> TestClient {
    let loopback = ConnectionInfo {
        tls_active: false,
        trusted_peer: true,
        starttls_available: false,
    };
    TestClient::new(loopback, config)
}

/// A client on loopback with `max_literal_bytes`, not logged in yet.
pub(in crate::session) fn client_with_limit(max_literal_bytes: u64) -> TestClient {
    loopback_client(SessionConfig {
        max_literal_bytes,
        ..SessionConfig::default()
    })
}
