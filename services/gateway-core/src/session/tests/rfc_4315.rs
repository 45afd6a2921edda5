//! RFC 4315 (UIDPLUS): the example of §2.1 (UID EXPUNGE) and the example
//! of §3 (A003 to A007: APPENDUID, COPYUID, a COPY naming no message, and
//! a COPY to and SELECT of a UIDNOTSTICKY mailbox), over mailboxes
//! renumbered to the RFC's UIDVALIDITY and UIDs. The OK texts are ours.

use super::support::{assert_responses, deliver, logged_in, message, select_inbox, uidvalidity};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

/// Delivers `message(subject)` to INBOX as UID `uid` (UIDs only rise).
async fn deliver_as(client: &TestClient, uid: u32, subject: &str, flags: Flags) {
    let validity = uidvalidity(client, "INBOX").await;
    client
        .backend
        .renumber(&client.principal, "INBOX", validity, uid)
        .unwrap();
    deliver(client, &message(subject), flags);
}

// RFC 4315 §2.1: `A003 UID EXPUNGE 3000:3002` removes the \Deleted
// messages among those UIDs, here sequence 3 to 5; message 1 is \Deleted
// too and stays. The RFC answers `* 3 EXPUNGE` three times, lowest first;
// each EXPUNGE renumbers the messages above it (RFC 3501 §7.4.1), so this
// server's highest-first `* 5`, `* 4`, `* 3` removes the same messages.
#[tokio::test]
async fn rfc4315_2_1_uid_expunge() {
    let mut client = logged_in().await;
    let deleted = || Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    deliver_as(&client, 1, "1", deleted()).await;
    deliver_as(&client, 2, "2", Flags::default()).await;
    for (uid, subject) in [(3000, "3"), (3001, "4"), (3002, "5")] {
        deliver_as(&client, uid, subject, deleted()).await;
    }
    select_inbox(&mut client).await;
    let output = client.send("A003 UID EXPUNGE 3000:3002\r\n").await;
    assert_eq!(
        output,
        "* 5 EXPUNGE\r\n* 4 EXPUNGE\r\n* 3 EXPUNGE\r\nA003 OK EXPUNGE completed\r\n"
    );
    assert_responses(&output);
    assert_eq!(
        client.send("A004 UID SEARCH ALL\r\n").await,
        "* SEARCH 1 2\r\nA004 OK SEARCH completed\r\n"
    );
}

/// The A003 message of §3, 297 octets.
const MEETING: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@example.com>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@example.com\r\n\
Message-Id: <B27397-0100000@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

// RFC 4315 §3, A003 to A007. INBOX messages 2 to 4 have UIDs 304, 319 and
// 320; saved-messages and meeting have UIDVALIDITY 38505 and next UIDs
// 3955 and 3956. The RFC shows no continuation for A003's `{297}`; a
// synchronizing literal gets one. A005 copies nothing (no UID 305 to
// 310) and answers OK without COPYUID. In the RFC, "funny" is a
// UIDNOTSTICKY mailbox, so A006 has no COPYUID and A007's SELECT warns
// `NO [UIDNOTSTICKY]`; §3 says servers SHOULD NOT have such stores and
// this one has none, so A006 answers COPYUID and A007 has no warning.
#[tokio::test]
async fn rfc4315_3_appenduid_and_copyuid() {
    assert_eq!(MEETING.len(), 297);
    let mut client = logged_in().await;
    client
        .send("c1 CREATE saved-messages\r\nc2 CREATE meeting\r\nc3 CREATE funny\r\n")
        .await;
    let principal = client.principal.clone();
    for (mailbox, uid_next) in [("saved-messages", 3955), ("meeting", 3956)] {
        client
            .backend
            .renumber(&principal, mailbox, 38_505, uid_next)
            .unwrap();
    }
    for (uid, subject) in [(1, "1"), (304, "2"), (319, "3"), (320, "4")] {
        deliver_as(&client, uid, subject, Flags::default()).await;
    }
    select_inbox(&mut client).await;
    assert_eq!(
        client
            .send("A003 APPEND saved-messages (\\Seen) {297}\r\n")
            .await,
        "+ Ready for literal\r\n"
    );
    let output = client.send(&format!("{MEETING}\r\n")).await;
    assert_eq!(
        output,
        "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n"
    );
    assert_responses(&output);
    let output = client.send("A004 COPY 2:4 meeting\r\n").await;
    assert_eq!(
        output,
        "A004 OK [COPYUID 38505 304,319:320 3956:3958] COPY completed\r\n"
    );
    assert_responses(&output);
    let output = client.send("A005 UID COPY 305:310 meeting\r\n").await;
    assert_eq!(output, "A005 OK COPY completed, no messages\r\n");
    let validity = uidvalidity(&client, "funny").await;
    let output = client.send("A006 COPY 2 funny\r\n").await;
    assert_eq!(
        output,
        format!("A006 OK [COPYUID {validity} 304 1] COPY completed\r\n")
    );
    let output = client.send("A007 SELECT funny\r\n").await;
    for line in [
        "* 1 EXISTS\r\n",
        &format!("* OK [UIDVALIDITY {validity}] UIDs valid\r\n"),
        "* OK [UIDNEXT 2] predicted next UID\r\n",
        "A007 OK [READ-WRITE] SELECT completed\r\n",
    ] {
        assert!(output.contains(line), "{line:?} in {output}");
    }
    assert!(!output.contains("UIDNOTSTICKY"), "{output}");
    assert_responses(&output);
}
