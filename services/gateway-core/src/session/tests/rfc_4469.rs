//! RFC 4469 (CATENATE): the four examples of Appendix A, replayed with
//! their synchronizing literals over Drafts/INBOX renumbered to the RFC's
//! UIDVALIDITY and UIDs, then the rules of §3 and §4 (URL forms, BADURL
//! leaving nothing appended, TOOBIG). The RFC's OK texts carry no code;
//! ours add UIDPLUS's APPENDUID, as its Example 2 shows. Two literal
//! counts of the RFC do not match the text it shows (Example 2's {738} is
//! 721 octets, Example 4's {541} is 540): the counts here are the text's.

use super::support::{assert_responses, client_with_limit, message, message_count, select_inbox};
use crate::backend::{Flags, MailBackend};
use crate::testing::TestClient;

const CONTINUATION: &str = "+ Ready for literal\r\n";
const DRAFTS_VALIDITY: u32 = 385_759_045;

/// A draft with a text part and an attachment, as UIDs 20 and 21 are in
/// the RFC: `1` text/plain, `2` the attachment.
fn draft(boundary: &str, attachment_type: &str) -> String {
    format!(
        "From: Bob Ar <bar@example.org>\r\nTo: foo@example.net\r\nSubject: trip\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"{boundary}\"\r\n\r\n\
         --{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee the attachment.\r\n\
         --{boundary}\r\nContent-Type: {attachment_type}\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         UEsDBBQAAAAIAA==\r\n--{boundary}--\r\n"
    )
}

/// A logged-in client whose Drafts has UIDVALIDITY 385759045 and holds the
/// drafts UID 20 and 21 and a plain message UID 30; next UID 45.
async fn drafts_client() -> TestClient {
    let mut client = client_with_limit(1 << 20);
    client.greet().await;
    client.login().await;
    for (uid, raw) in [
        (
            20,
            draft(
                "------------030308070208000400050907",
                "application/x-zip-compressed",
            ),
        ),
        (
            21,
            draft(
                "------------030308070208000400050903",
                "application/vnd.ms-powerpoint",
            ),
        ),
        (30, message("itinerary")),
    ] {
        let backend = &client.backend;
        backend
            .renumber(&client.principal, "Drafts", DRAFTS_VALIDITY, uid)
            .unwrap();
        let flags = Flags::default();
        backend
            .deliver(&client.principal, "Drafts", raw.as_bytes(), flags, 0)
            .unwrap();
    }
    let backend = &client.backend;
    backend
        .renumber(&client.principal, "Drafts", DRAFTS_VALIDITY, 45)
        .unwrap();
    client
}

/// Sends `pieces` one by one: every piece but the last must be answered by
/// the continuation request of a synchronizing literal; returns the answer
/// to the last.
async fn replay(client: &mut TestClient, pieces: &[&str]) -> String {
    let (last, leading) = pieces.split_last().expect("pieces");
    for piece in leading {
        assert_eq!(client.send(piece).await, CONTINUATION, "after {piece:?}");
    }
    client.send(last).await
}

/// The octets of `UID FETCH <uid> BODY.PEEK[<section>]` in the selected mailbox.
async fn section(client: &mut TestClient, uid: u32, section: &str) -> String {
    let output = client
        .send(&format!("F UID FETCH {uid} BODY.PEEK[{section}]\r\n"))
        .await;
    assert_responses(&output);
    let open = output.find('{').expect("a literal");
    let close = open + output[open..].find("}\r\n").expect("a literal");
    let length: usize = output[open + 1..close].parse().expect("a count");
    output[close + 3..close + 3 + length].to_owned()
}

// RFC 4469 Appendix A, Example 1: replacing an attachment of draft 20 by
// message 30, with text between the URLs.
#[tokio::test]
async fn rfc4469_example_1_replaces_an_attachment() {
    let mut client = drafts_client().await;
    let output = replay(
        &mut client,
        &[
            "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE \
             (URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {42}\r\n",
            "\r\n--------------030308070208000400050907\r\n \
             URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" \
             URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\" TEXT {42}\r\n",
            "\r\n--------------030308070208000400050907\r\n \
             URL \"/Drafts;UIDVALIDITY=385759045/;UID=30\" TEXT {44}\r\n",
            "\r\n--------------030308070208000400050907--\r\n)\r\n",
        ],
    )
    .await;
    assert_eq!(
        output,
        "A003 OK [APPENDUID 385759045 45] APPEND completed\r\n"
    );
    assert_responses(&output);
    select_drafts(&mut client).await;
    let between = "\r\n--------------030308070208000400050907\r\n";
    let expected = [
        section(&mut client, 20, "HEADER").await,
        between.to_owned(),
        section(&mut client, 20, "1.MIME").await,
        section(&mut client, 20, "1").await,
        between.to_owned(),
        section(&mut client, 30, "").await,
        "\r\n--------------030308070208000400050907--\r\n".to_owned(),
    ]
    .concat();
    assert_eq!(section(&mut client, 45, "").await, expected);
}

async fn select_drafts(client: &mut TestClient) {
    let output = client.send("S SELECT Drafts\r\n").await;
    assert!(
        output.ends_with("S OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
}

/// The 721 octets of new text that open Example 2.
const EXAMPLE_2_TEXT: &str = "Return-Path: <bar@example.org>\r\n\
Received: from [127.0.0.2]\r\n          by rufus.example.org via TCP (internal) with ESMTPA;\r\n          \
Thu, 11 Nov 2004 16:57:07 +0000\r\n\
Message-ID: <419399E1.6000505@example.org>\r\nDate: Thu, 12 Nov 2004 16:57:05 +0000\r\n\
From: Bob Ar <bar@example.org>\r\nX-Accept-Language: en-us, en\r\nMIME-Version: 1.0\r\n\
To: foo@example.net\r\nSubject: About our holiday trip\r\nContent-Type: multipart/mixed;\r\n              \
boundary=\"------------030308070208000400050907\"\r\n\r\n\
--------------030308070208000400050907\r\n\
Content-Type: text/plain; charset=us-ascii; format=flowed\r\n\
Content-Transfer-Encoding: 7bit\r\n\r\nOur travel agent has sent the updated schedule.\r\n\r\n\
Cheers,\r\nBob\r\n--------------030308070208000400050907\r\n";

// RFC 4469 Appendix A, Example 2: new text and header fields around the
// attachment of draft 20 (`Section=2.MIME`, `Section=2`), answered with
// `[APPENDUID 385759045 45]`; then the old draft is marked \Deleted.
#[tokio::test]
async fn rfc4469_example_2_replaces_edited_text() {
    assert_eq!(EXAMPLE_2_TEXT.len(), 721);
    let mut client = drafts_client().await;
    let output = replay(
        &mut client,
        &[
            "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (TEXT {721}\r\n",
            &format!(
                "{EXAMPLE_2_TEXT} URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;Section=2.MIME\" \
                 URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;Section=2\" TEXT {{44}}\r\n"
            ),
            "\r\n--------------030308070208000400050907--\r\n)\r\n",
        ],
    )
    .await;
    assert_eq!(
        output,
        "A003 OK [APPENDUID 385759045 45] APPEND completed\r\n"
    );
    select_drafts(&mut client).await;
    assert_eq!(
        client
            .send("A004 UID STORE 20 +FLAGS.SILENT (\\Deleted)\r\n")
            .await,
        "A004 OK STORE completed\r\n"
    );
    let expected = [
        EXAMPLE_2_TEXT.to_owned(),
        section(&mut client, 20, "2.MIME").await,
        section(&mut client, 20, "2").await,
        "\r\n--------------030308070208000400050907--\r\n".to_owned(),
    ]
    .concat();
    assert_eq!(section(&mut client, 45, "").await, expected);
}

/// The 255 octets that replace the attachment in Example 3.
const EXAMPLE_3_TEXT: &str = "\r\n--------------030308070208000400050903\r\n\
Content-type: text/plain; charset=\"us-ascii\"\r\nContent-transfer-encoding: 7bit\r\n\r\n\
This body part contained a Power Point presentation that was\r\n\
deleted upon your request.\r\n--------------030308070208000400050903--\r\n";

// RFC 4469 Appendix A, Example 3: stripping the attachment of draft 21.
#[tokio::test]
async fn rfc4469_example_3_strips_an_attachment() {
    assert_eq!(EXAMPLE_3_TEXT.len(), 255);
    let mut client = drafts_client().await;
    let output = replay(
        &mut client,
        &[
            "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE \
             (URL \"/Drafts;UIDVALIDITY=385759045/;UID=21/;section=HEADER\" TEXT {42}\r\n",
            "\r\n--------------030308070208000400050903\r\n \
             URL \"/Drafts;UIDVALIDITY=385759045/;UID=21/;section=1.MIME\" \
             URL \"/Drafts;UIDVALIDITY=385759045/;UID=21/;section=1\" TEXT {255}\r\n",
            &format!("{EXAMPLE_3_TEXT})\r\n"),
        ],
    )
    .await;
    assert_eq!(
        output,
        "A003 OK [APPENDUID 385759045 45] APPEND completed\r\n"
    );
    select_drafts(&mut client).await;
    let expected = [
        section(&mut client, 21, "HEADER").await,
        "\r\n--------------030308070208000400050903\r\n".to_owned(),
        section(&mut client, 21, "1.MIME").await,
        section(&mut client, 21, "1").await,
        EXAMPLE_3_TEXT.to_owned(),
    ]
    .concat();
    assert_eq!(section(&mut client, 45, "").await, expected);
}

/// The 540 octets of new text that open Example 4.
const EXAMPLE_4_TEXT: &str = "Return-Path: <foo@example.org>\r\n\
Received: from [127.0.0.2]\r\n          by rufus.example.org via TCP (internal) with ESMTPA;\r\n          \
Thu, 11 Nov 2004 16:57:07 +0000\r\n\
Message-ID: <419399E1.6000505@example.org>\r\nDate: Thu, 21 Nov 2004 16:57:05 +0000\r\n\
From: Farren Oo <foo@example.org>\r\nX-Accept-Language: en-us, en\r\nMIME-Version: 1.0\r\n\
To: bar@example.org\r\nSubject: Digest of the mailing list for today\r\n\
Content-Type: multipart/digest;\r\n              \
boundary=\"------------030308070208000400050904\"\r\n\r\n\
--------------030308070208000400050904\r\n";

// RFC 4469 Appendix A, Example 4: a digest whose second URL names a
// message that does not exist fails with BADURL naming that URL, and
// nothing is appended. The RFC prints the URL in quotes and without the
// `/` before `;section`; §4.1 says the code carries the URL that failed,
// and §5's `url-resp-text` is its bare text, so ours is the URL as sent.
// Like the RFC's server, this one checks the URLs once the command is
// whole, so every literal still gets its continuation.
#[tokio::test]
async fn rfc4469_example_4_badurl_appends_nothing() {
    assert_eq!(EXAMPLE_4_TEXT.len(), 540);
    let mut client = client_with_limit(1 << 20);
    client.greet().await;
    client.login().await;
    for uid in [11_467, 11_916] {
        let backend = &client.backend;
        backend
            .renumber(&client.principal, "INBOX", 785_799_047, uid)
            .unwrap();
        let raw = message(&format!("list digest part {uid}"));
        backend
            .deliver(
                &client.principal,
                "INBOX",
                raw.as_bytes(),
                Flags::default(),
                0,
            )
            .unwrap();
    }
    let between = "\r\n--------------030308070208000400050904\r\n";
    let output = replay(
        &mut client,
        &[
            "A003 APPEND Sent (\\Seen $MDNSent) CATENATE (TEXT {540}\r\n",
            &format!(
                "{EXAMPLE_4_TEXT} URL \"/INBOX;UIDVALIDITY=785799047/;UID=11467\" TEXT {{42}}\r\n"
            ),
            &format!(
                "{between} URL \"/INBOX;UIDVALIDITY=785799047/;UID=113330/;section=1.5.9\" \
                 TEXT {{42}}\r\n"
            ),
            &format!("{between} URL \"/INBOX;UIDVALIDITY=785799047/;UID=11916\" TEXT {{44}}\r\n"),
            "\r\n--------------030308070208000400050904--\r\n)\r\n",
        ],
    )
    .await;
    assert_eq!(
        output,
        "A003 NO [BADURL /INBOX;UIDVALIDITY=785799047/;UID=113330/;section=1.5.9] \
         CATENATE url names no message or part\r\n"
    );
    assert_responses(&output);
    assert_eq!(message_count(&client, "Sent"), 0);
}

/// A logged-in client (with `max_literal_bytes`) whose INBOX holds
/// `message("first")` as UID 1, INBOX selected.
async fn inbox_client(max_literal_bytes: u64) -> TestClient {
    let mut client = client_with_limit(max_literal_bytes);
    client.greet().await;
    client.login().await;
    super::support::deliver(&client, &message("first"), Flags::default());
    select_inbox(&mut client).await;
    client
}

// RFC 4469 §3: relative URLs against the selected mailbox, a header by URL
// then new text then a part; a whole message by absolute URL of the
// session's own user, partial URLs, and CATENATE beside a plain literal
// under MULTIAPPEND (RFC 3502).
#[tokio::test]
async fn rfc4469_3_urls_and_text_make_one_message() {
    let mut client = inbox_client(1 << 20).await;
    let first = message("first");
    let header_end = first.find("\r\n\r\n").unwrap() + 4;
    let status = client.backend.mailbox_status(&client.principal, "INBOX");
    let uidvalidity = status.await.unwrap().mailbox.uidvalidity;
    let command = format!(
        "A003 APPEND INBOX (\\Seen) CATENATE \
         (URL \"/INBOX;UIDVALIDITY={uidvalidity}/;UID=1/;section=HEADER\" TEXT {{9+}}\r\nNew body  \
         URL \"/INBOX/;UID=1/;SECTION=1\")\r\n"
    );
    let output = client.send(&command).await;
    assert!(output.contains("A003 OK [APPENDUID "), "{output}");
    let expected = format!("{}New body Hello first.\r\n", &first[..header_end]);
    assert_eq!(section(&mut client, 2, "").await, expected);
    let command = "a4 APPEND INBOX CATENATE (URL \"imap://alice@example.test/inbox/;uid=1\") \
                   CATENATE (URL \"/INBOX/;UID=1/;PARTIAL=0.4\" TEXT {2+}\r\n:  \
                   URL \"/INBOX/;UID=1/;PARTIAL=100000.1\") {3+}\r\nend\r\n";
    let output = client.send(command).await;
    assert!(output.contains("a4 OK [APPENDUID "), "{output}");
    assert_eq!(section(&mut client, 3, "").await, first);
    assert_eq!(section(&mut client, 4, "").await, "From: ");
    assert_eq!(section(&mut client, 5, "").await, "end");
}

// RFC 4469 §4.1: BADURL for bad syntax, an unknown mailbox, UID or part,
// another user's URL (§3: only this session's messages), and URLAUTH; the
// APPEND adds nothing.
#[tokio::test]
async fn rfc4469_4_1_a_bad_url_appends_nothing() {
    let mut client = inbox_client(1 << 20).await;
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

// RFC 4469 §4.2: TOOBIG when the catenated message would exceed the
// server's message size limit (APPENDLIMIT here).
#[tokio::test]
async fn rfc4469_4_2_a_catenated_message_over_appendlimit_is_toobig() {
    let mut client = inbox_client(100).await;
    let command = "t1 APPEND INBOX CATENATE (URL \"/INBOX/;UID=1\" URL \"/INBOX/;UID=1\")\r\n";
    let output = client.send(command).await;
    assert_eq!(
        output,
        "t1 NO [TOOBIG] catenated message exceeds APPENDLIMIT\r\n"
    );
    assert_eq!(message_count(&client, "INBOX"), 1);
}
