//! RFC 9208 (QUOTA), every example of the RFC: §4.1.1 `G0001 GETQUOTA
//! "!partition/sda4"`, §4.1.2 `G0002 GETQUOTAROOT INBOX`, §4.1.3 `S0000
//! GETQUOTA "#user/alice"` / `S0001 SETQUOTA "#user/alice" (STORAGE 510)` /
//! `S0002 SETQUOTA "!partition/sda4" (STORAGE 99999999)`, §4.1.4 `S0003
//! STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)`, §4.2.1 `* QUOTA ""
//! (STORAGE 10 512)`, §4.2.2 `* QUOTAROOT INBOX ""` and `* QUOTAROOT
//! comp.mail.mime`, and §4.3.1's three OVERQUOTA examples (`A003 APPEND`,
//! and the soft-quota `A003 APPEND` / `A004 COPY 2:4 MEETING`). Our one
//! root is `""` (the account's byte limit, §3.2 lets the server choose its
//! roots); `#user/alice` and `!partition/sda4` are the RFC's server's.

use super::support::{assert_responses, deliver, logged_in};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

/// §4.2.1's `* QUOTA "" (STORAGE 10 512)`: a 512 KiB limit and 10 KiB used.
async fn client_using_10_of_512() -> TestClient {
    let mut client = logged_in().await;
    client
        .backend
        .set_quota(&client.principal, Some(512 * 1024));
    let header = "Subject: ten kibibytes\r\n\r\n";
    let body = "x".repeat(10 * 1024 - header.len());
    deliver(&client, &format!("{header}{body}"), Flags::default());
    client.send("S0 SELECT INBOX\r\n").await;
    client
}

// §4.1.1 `G0001 GETQUOTA "!partition/sda4"` names a root of the RFC's
// server; ours has only `""`, so "NO - getquota error: no such quota root".
// §4.2.1: GETQUOTA of our root is `* QUOTA "" (STORAGE 10 512)`.
#[tokio::test]
async fn rfc9208_getquota_example() {
    let mut client = client_using_10_of_512().await;
    let output = client
        .send("G0001 GETQUOTA \"!partition/sda4\"\r\nG0003 GETQUOTA \"\"\r\n")
        .await;
    assert_eq!(
        output,
        "G0001 NO [NONEXISTENT] no such quota root\r\n\
         * QUOTA \"\" (STORAGE 10 512)\r\nG0003 OK GETQUOTA completed\r\n"
    );
    assert_responses(&output);
}

// §4.1.2 `G0002 GETQUOTAROOT INBOX` lists the mailbox's roots and a QUOTA
// response for each: §4.2.2's `* QUOTAROOT INBOX ""` ("covered by a single
// quota root with name """) with §4.2.1's QUOTA line. The name need not be
// an existing mailbox ("handy in order to determine which quota root would
// apply to a mailbox when it gets created").
#[tokio::test]
async fn rfc9208_getquotaroot_example() {
    let mut client = client_using_10_of_512().await;
    let output = client
        .send("G0002 GETQUOTAROOT INBOX\r\nG0004 GETQUOTAROOT comp.mail.mime\r\n")
        .await;
    assert_eq!(
        output,
        "* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE 10 512)\r\n\
         G0002 OK GETQUOTAROOT completed\r\n\
         * QUOTAROOT comp.mail.mime \"\"\r\n* QUOTA \"\" (STORAGE 10 512)\r\n\
         G0004 OK GETQUOTAROOT completed\r\n"
    );
    assert_responses(&output);
}

// §4.2.2 `* QUOTAROOT comp.mail.mime`: a mailbox with no quota root; ours
// when the account has no limit at all.
#[tokio::test]
async fn rfc9208_quotaroot_without_roots_example() {
    let mut client = logged_in().await;
    let output = client.send("G0 GETQUOTAROOT comp.mail.mime\r\n").await;
    assert_eq!(
        output,
        "* QUOTAROOT comp.mail.mime\r\nG0 OK GETQUOTAROOT completed\r\n"
    );
    assert_responses(&output);
}

// §4.1.3's example: `S0000 GETQUOTA "#user/alice"`, `S0001 SETQUOTA
// "#user/alice" (STORAGE 510)` and `S0002 SETQUOTA "!partition/sda4"
// (STORAGE 99999999)`. "support for the SETQUOTA command requires the
// server to advertise the "QUOTASET" capability"; we do not (limits are
// the administrator's), so SETQUOTA is "NO - setquota error: can't set
// that data", like the RFC's S0002, even for our own root.
#[tokio::test]
async fn rfc9208_setquota_example() {
    let mut client = client_using_10_of_512().await;
    let capabilities = client.send("C1 CAPABILITY\r\n").await;
    assert!(
        capabilities.contains(" QUOTA=RES-STORAGE "),
        "{capabilities}"
    );
    assert!(!capabilities.contains("QUOTASET"), "{capabilities}");
    let output = client
        .send(
            "S0000 GETQUOTA \"#user/alice\"\r\n\
             S0001 SETQUOTA \"#user/alice\" (STORAGE 510)\r\n\
             S0002 SETQUOTA \"!partition/sda4\" (STORAGE 99999999)\r\n\
             S0004 SETQUOTA \"\" (STORAGE 510)\r\n",
        )
        .await;
    assert_eq!(
        output,
        "S0000 NO [NONEXISTENT] no such quota root\r\n\
         S0001 NO [NOPERM] quotas are set by the administrator\r\n\
         S0002 NO [NOPERM] quotas are set by the administrator\r\n\
         S0004 NO [NOPERM] quotas are set by the administrator\r\n"
    );
    assert_responses(&output);
}

// §4.1.4 `S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)` answered
// `(MESSAGES 12 DELETED 4 DELETED-STORAGE 8)`: 12 messages, 4 of them
// \Deleted, 8000 octets in those four (DELETED-STORAGE is in units of 1024
// octets like STORAGE, §5.1; rounded up).
#[tokio::test]
async fn rfc9208_status_deleted_storage_example() {
    let client = logged_in().await;
    let header = "Subject: doomed\r\n\r\n";
    let doomed = format!("{header}{}", "x".repeat(2000 - header.len()));
    let deleted = Flags {
        system: SystemFlags(SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    for index in 0..12 {
        if index % 3 == 0 {
            deliver(&client, &doomed, deleted.clone());
        } else {
            deliver(&client, "Subject: kept\r\n\r\nhello\r\n", Flags::default());
        }
    }
    let mut client = client;
    let output = client
        .send("S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)\r\n")
        .await;
    assert_eq!(
        output,
        "* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)\r\n\
         S0003 OK STATUS completed\r\n"
    );
    assert_responses(&output);
}

/// §4.3.1's 326-octet message.
const AFTERNOON_MEETING: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

// §4.3.1 Example 1: `A003 APPEND saved-messages (\Seen) {326}` over the
// limit is `A003 NO [OVERQUOTA] ...` (the resp-text is free).
#[tokio::test]
async fn rfc9208_overquota_append_example() {
    let mut client = logged_in().await;
    client.send("C0 CREATE saved-messages\r\n").await;
    client.backend.set_quota(&client.principal, Some(300));
    assert_eq!(AFTERNOON_MEETING.len(), 326);
    let output = client
        .send("A003 APPEND saved-messages (\\Seen) {326}\r\n")
        .await;
    assert!(output.starts_with("+ "), "{output}");
    let output = client.send(&format!("{AFTERNOON_MEETING}\r\n")).await;
    assert_eq!(output, "A003 NO [OVERQUOTA] quota exceeded\r\n");
    assert_responses(&output);
}

// §4.3.1 Examples 2 and 3 warn `* NO [OVERQUOTA] Soft quota has been
// exceeded` and still succeed. §3.1.2: "Limits may be hard or soft"; ours
// are hard, so `A004 COPY 2:4 MEETING` over the limit fails with the
// tagged `NO [OVERQUOTA]` (§4.3.1: it "SHOULD be returned in the tagged NO
// response to an APPEND/COPY/MOVE"), copies nothing, and within the limit
// succeeds without a warning. MOVE stays within our one root and adds no
// usage, so it succeeds at the limit.
#[tokio::test]
async fn rfc9208_overquota_copy_example() {
    let mut client = logged_in().await;
    client.send("C0 CREATE MEETING\r\n").await;
    for _ in 0..4 {
        deliver(&client, AFTERNOON_MEETING, Flags::default());
    }
    client.send("S0 SELECT INBOX\r\n").await;
    client.backend.set_quota(&client.principal, Some(5 * 326));
    let output = client.send("A004 COPY 2:4 MEETING\r\n").await;
    assert_eq!(output, "A004 NO [OVERQUOTA] quota exceeded\r\n");
    assert_eq!(
        client.send("S1 STATUS MEETING (MESSAGES)\r\n").await,
        "* STATUS MEETING (MESSAGES 0)\r\nS1 OK STATUS completed\r\n"
    );
    client.backend.set_quota(&client.principal, Some(7 * 326));
    let output = client.send("A005 COPY 2:4 MEETING\r\n").await;
    assert!(output.starts_with("A005 OK [COPYUID "), "{output}");
    assert_responses(&output);
    let output = client.send("A006 MOVE 1 MEETING\r\n").await;
    assert!(output.ends_with("A006 OK MOVE completed\r\n"), "{output}");
}
