//! RFC 3502 (MULTIAPPEND): the one example of §6.3.11 "APPEND Command",
//! replayed exchange by exchange with its synchronizing literals.
//! A003 appends the RFC's two messages (329 and 295 octets) in one
//! command; A004 names a missing mailbox; A005 is refused before its second
//! literal, and nothing of it is appended. The RFC's A003 answer has no
//! response code; ours adds UIDPLUS's `[APPENDUID]` (RFC 4315 §3).

use super::support::{assert_responses, client_with_limit, logged_in, message_count};

/// The first message of the A003 example, 329 octets.
const MEETING: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.example.net\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/// The second message of the A003 example, 295 octets.
const REPLY: &str = "Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n\
From: Joe Mooch <mooch@OWaTaGu.example.net>\r\n\
Subject: Re: afternoon meeting\r\n\
To: foobar@blurdybloop.example.com\r\n\
Message-Id: <a0434793874930@OWaTaGu.example.net>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
3:30 is fine with me.\r\n";

/// The first literal of the A005 example, 99 octets.
const HMM: &str = "Date: Mon, 7 Feb 2000 22:43:04 -0800 (PST)\r\n\
From: Fred Foobar <fred@example.com>\r\n\
Subject: hmm...\r\n";

const CONTINUATION: &str = "+ Ready for literal\r\n";

// RFC 3502 §6.3.11, A003: two messages with flags, the second with a date,
// each literal sent after its continuation; both land with one APPENDUID.
#[tokio::test]
async fn rfc3502_a003_appends_two_messages_in_one_command() {
    assert_eq!((MEETING.len(), REPLY.len()), (329, 295));
    let mut client = logged_in().await;
    client.send("c CREATE saved-messages\r\n").await;
    let validity = super::support::uidvalidity(&client, "saved-messages").await;
    let output = client
        .send("A003 APPEND saved-messages (\\Seen) {329}\r\n")
        .await;
    assert_eq!(output, CONTINUATION);
    let output = client
        .send(&format!(
            "{MEETING} (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {{295}}\r\n"
        ))
        .await;
    assert_eq!(output, CONTINUATION);
    let output = client.send(&format!("{REPLY}\r\n")).await;
    assert_eq!(
        output,
        format!("A003 OK [APPENDUID {validity} 1:2] APPEND completed\r\n")
    );
    assert_responses(&output);
    let output = client
        .send("e EXAMINE saved-messages\r\nf FETCH 1:2 (FLAGS INTERNALDATE RFC822.SIZE)\r\n")
        .await;
    assert!(
        output.contains("* 1 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE \" 1-Jun-2024 12:00:00 +0000\" RFC822.SIZE 329)\r\n"),
        "{output}"
    );
    assert!(
        output.contains("* 2 FETCH (FLAGS (\\Seen \\Recent) INTERNALDATE \" 7-Feb-1994 22:43:04 -0800\" RFC822.SIZE 295)\r\n"),
        "{output}"
    );
}

// RFC 3502 §6.3.11, A004: `APPEND bogusname (\Flagged) {1023}` answers
// `NO [TRYCREATE]`. The RFC's server refuses before the literal; RFC 3501
// §7.5 lets a server either refuse then or read the literal first, and
// this one reads it (the mailbox is looked up when the command is whole).
#[tokio::test]
async fn rfc3502_a004_missing_mailbox_is_trycreate() {
    let mut client = logged_in().await;
    let output = client
        .send("A004 APPEND bogusname (\\Flagged) {1023}\r\n")
        .await;
    assert_eq!(output, CONTINUATION);
    let output = client.send(&format!("{}\r\n", "x".repeat(1023))).await;
    assert_eq!(output, "A004 NO [TRYCREATE] mailbox does not exist\r\n");
    assert_responses(&output);
}

// RFC 3502 §6.3.11, A005: the server answers NO in place of the
// continuation for the second literal (`{35403}`), and the first message
// is not appended: the RFC's reason is a disk quota, ours the literal
// limit of the session (35 000 octets here), checked before the literal
// is read.
#[tokio::test]
async fn rfc3502_a005_refused_before_the_second_literal_appends_nothing() {
    assert_eq!(HMM.len(), 99);
    let mut client = client_with_limit(35_000);
    client.greet().await;
    client.login().await;
    client.send("c CREATE test\r\n").await;
    let output = client.send("A005 APPEND test (\\Flagged) {99}\r\n").await;
    assert_eq!(output, CONTINUATION);
    let output = client.send(&format!("{HMM} {{35403}}\r\n")).await;
    assert_eq!(output, "A005 NO [TOOBIG] literal too large\r\n");
    assert_responses(&output);
    assert_eq!(message_count(&client, "test"), 0);
    // The session goes on with the next command.
    assert_eq!(client.send("n NOOP\r\n").await, "n OK NOOP completed\r\n");
}
