//! The RFC 3501 flow end to end, fed in fragments split anywhere, plus
//! APPEND (synchronising literals, LITERAL+, MULTIAPPEND, TRYCREATE), IDLE
//! and LOGOUT.

use super::assert_greeting;
use super::support::{
    append_command, assert_responses, deliver, logged_in, message, message_count,
};
use crate::backend::Flags;
use crate::session::Flow;
use crate::testing::TestClient;

const CAPABILITIES: &str = "IMAP4rev1 IMAP4rev2 CONDSTORE QRESYNC OBJECTID LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UNSELECT \
                            UIDPLUS MOVE MULTIAPPEND CHILDREN SPECIAL-USE ESEARCH \
                            LIST-EXTENDED LIST-STATUS STATUS=SIZE CREATE-SPECIAL-USE \
                            QUOTA QUOTA=RES-STORAGE QUOTA=RES-MESSAGE METADATA \
                            SEARCHRES WITHIN CONTEXT=SEARCH \
                            SORT SORT=DISPLAY ESORT CONTEXT=SORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES \
                            BINARY COMPRESS=DEFLATE CATENATE UTF8=ACCEPT NOTIFY APPENDLIMIT=67108864";

#[tokio::test]
async fn rfc3501_flow_split_anywhere() {
    let mut client = TestClient::trusted();
    let greeting = client.greet().await;
    assert_eq!(
        greeting,
        format!("* OK [CAPABILITY {CAPABILITIES} STARTTLS AUTH=PLAIN] Mailkeep ready\r\n")
    );
    assert_greeting(&greeting);

    let output = client
        .send_fragments(&[b"a1 CAPA", b"BILITY\r", b"\n"])
        .await;
    assert_eq!(
        output,
        format!(
            "* CAPABILITY {CAPABILITIES} STARTTLS AUTH=PLAIN\r\na1 OK CAPABILITY completed\r\n"
        )
    );

    let output = client
        .send_fragments(&[b"a2 LOGIN alice@example.test \"correct", b" horse\"\r\n"])
        .await;
    assert_eq!(
        output,
        format!("a2 OK [CAPABILITY {CAPABILITIES}] Logged in\r\n")
    );

    let output = client.send("a3 CREATE Work/Projects\r\n").await;
    assert_eq!(
        output,
        "a3 OK [MAILBOXID (00000000000000000000000000000009)] CREATE completed\r\n"
    );

    let body = message("first");
    let command = format!("a4 APPEND Work/Projects (\\Seen) {{{}}}\r\n", body.len());
    let output = client.send(&command).await;
    assert_eq!(output, "+ Ready for literal\r\n");
    let (head, tail) = body.split_at(10);
    let output = client
        .send_fragments(&[head.as_bytes(), tail.as_bytes(), b"\r\n"])
        .await;
    let projects = client
        .backend
        .uids(&client.principal, "Work/Projects")
        .unwrap();
    assert_eq!(projects.len(), 1);
    assert!(
        output.starts_with("a4 OK [APPENDUID ") && output.ends_with(" 1] APPEND completed\r\n"),
        "{output}"
    );

    let output = client.send("a5 SELECT Work/Projects\r\n").await;
    assert!(output.contains("* 1 EXISTS\r\n"), "{output}");
    assert!(
        output.ends_with("a5 OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
    assert_responses(&output);

    let output = client.send("a6 NOOP\r\na7 CHECK\r\n").await;
    assert_eq!(output, "a6 OK NOOP completed\r\na7 OK CHECK completed\r\n");

    let output = client.send("a8 UNSELECT\r\na9 CHECK\r\n").await;
    assert_eq!(
        output,
        "a8 OK UNSELECT completed\r\na9 BAD command not valid in the authenticated state\r\n"
    );

    let output = client.send("b1 LOGOUT\r\nb2 NOOP\r\n").await;
    assert_eq!(output, "* BYE logging out\r\nb1 OK LOGOUT completed\r\n");
    assert_eq!(client.flow, Flow::Close);
    assert_eq!(client.send("b3 NOOP\r\n").await, "");
    assert_eq!(client.flow, Flow::Close);
}

#[tokio::test]
async fn append_announces_new_messages_in_the_selected_mailbox() {
    let mut client = logged_in().await;
    client.send("s1 SELECT INBOX\r\n").await;
    let first = message("one");
    let second = message("two");
    let command = format!(
        "p1 APPEND INBOX (\\Flagged $Work) \"17-Jul-1996 02:44:25 -0700\" {{{}+}}\r\n{first} {{{}+}}\r\n{second}\r\n",
        first.len(),
        second.len()
    );
    let output = client.send(&command).await;
    assert_eq!(
        output,
        "* 2 EXISTS\r\n* 2 RECENT\r\np1 OK [APPENDUID 1002 1:2] APPEND completed\r\n"
    );
    assert_responses(&output);
    // The date keeps its zone: 1996-07-17 09:44:25 UTC.
    let output = client
        .send("p2 STATUS INBOX (MESSAGES UIDNEXT UNSEEN)\r\n")
        .await;
    assert_eq!(
        output,
        "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UNSEEN 2)\r\np2 OK STATUS completed\r\n"
    );
    assert_responses(&output);
}

#[tokio::test]
async fn append_refusals() {
    let mut client = logged_in().await;
    let body = message("x");
    let output = client.send(&append_command("t1", "Nowhere", &body)).await;
    assert_eq!(output, "t1 NO [TRYCREATE] mailbox does not exist\r\n");
    let output = client
        .send(&append_command("t2", "INBOX (\\Recent)", &body))
        .await;
    assert_eq!(output, "t2 BAD flag \\Recent cannot be stored\r\n");
    client.backend.set_quota(&client.principal, Some(10));
    let output = client.send(&append_command("t3", "INBOX", &body)).await;
    assert_eq!(output, "t3 NO [OVERQUOTA] quota exceeded\r\n");
    client.backend.set_unavailable(true);
    let output = client.send(&append_command("t4", "INBOX", &body)).await;
    assert_eq!(output, "t4 NO [UNAVAILABLE] backend unavailable\r\n");
    assert_responses(&output);
}

#[tokio::test]
async fn idle_reports_updates_until_done() {
    let mut client = logged_in().await;
    client.send("s1 SELECT INBOX\r\n").await;
    let output = client.send("i1 IDLE\r\n").await;
    assert_eq!(output, "+ idling\r\n");
    assert!(client.session.is_idling());
    assert_eq!(client.poll().await, "");

    deliver(&client, &message("a"), Flags::default());
    assert_eq!(client.poll().await, "* 1 EXISTS\r\n* 1 RECENT\r\n");
    assert_eq!(client.poll().await, "");

    let output = client.send_fragments(&[b"do", b"NE\r\n"]).await;
    assert_eq!(output, "i1 OK IDLE terminated\r\n");
    assert!(!client.session.is_idling());

    let output = client.send("i2 IDLE\r\nnot done\r\ni3 NOOP\r\n").await;
    assert_eq!(
        output,
        "+ idling\r\ni2 BAD expected DONE\r\ni3 OK NOOP completed\r\n"
    );
    assert_responses(&output);
}

#[tokio::test]
async fn id_enable_and_namespace() {
    let mut client = logged_in().await;
    let output = client
        .send("n1 ID (\"name\" \"test\")\r\nn2 ENABLE CONDSTORE\r\nn3 NAMESPACE\r\n")
        .await;
    assert_eq!(
        output,
        format!(
            "* ID (\"name\" \"Mailkeep\" \"version\" \"{}\")\r\nn1 OK ID completed\r\n\
             * ENABLED CONDSTORE\r\nn2 OK ENABLE completed\r\n\
             * NAMESPACE ((\"\" \"/\")) NIL NIL\r\nn3 OK NAMESPACE completed\r\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_responses(&output);
}

#[tokio::test]
async fn shutdown_says_bye() {
    let mut client = logged_in().await;
    let mut out = Vec::new();
    client.session.shutdown(&mut out).await.unwrap();
    assert_eq!(out, b"* BYE server shutting down\r\n");
    assert_eq!(client.send("x NOOP\r\n").await, "");
    assert_eq!(client.flow, Flow::Close);
}

#[tokio::test]
async fn every_command_family_in_one_pipelined_session() {
    let mut client = logged_in().await;
    let body = message("full");
    let script = format!(
        "a1 APPEND INBOX {{{}+}}\r\n{body}\r\na2 SELECT INBOX\r\n\
         a3 FETCH 1 (FLAGS UID BODY[HEADER.FIELDS (SUBJECT)])\r\n\
         a4 STORE 1 +FLAGS (\\Deleted)\r\na5 SEARCH DELETED\r\na6 COPY 1 Trash\r\n\
         a7 UID MOVE 1 Archive\r\na8 EXPUNGE\r\na9 STATUS Archive (MESSAGES)\r\n",
        body.len()
    );
    let bytes = script.as_bytes();
    // Split in the middle of the literal and of a command name.
    let output = client
        .send_fragments(&[&bytes[..40], &bytes[40..200], &bytes[200..]])
        .await;
    assert_responses(&output);
    let tagged: Vec<&str> = output
        .lines()
        .filter(|line| line.starts_with('a'))
        .map(|line| line.split_once(" [").map_or(line, |(head, _)| head))
        .collect();
    assert_eq!(
        tagged,
        [
            "a1 OK",
            "a2 OK",
            "a3 OK FETCH completed",
            "a4 OK STORE completed",
            "a5 OK SEARCH completed",
            "a6 OK",
            "a7 OK MOVE completed",
            "a8 OK EXPUNGE completed",
            "a9 OK STATUS completed",
        ]
    );
    assert!(output.contains("BODY[HEADER.FIELDS (SUBJECT)] {17}\r\nSubject: full\r\n\r\n)"));
    assert!(output.contains("* SEARCH 1\r\n"), "{output}");
    assert!(output.contains("* 1 EXPUNGE\r\n"), "{output}");
    assert!(
        output.contains("* STATUS Archive (MESSAGES 1)\r\n"),
        "{output}"
    );
}

/// A whole session with LITERAL+ (so no continuation depends on timing).
fn pipelined_script() -> Vec<u8> {
    let body = message("split");
    format!(
        "a1 LOGIN alice@example.test {{13+}}\r\ncorrect horse\r\na2 CREATE Work\r\n\
         a3 APPEND Work (\\Seen) {{{}+}}\r\n{body}\r\na4 SELECT Work\r\na5 NOOP\r\n\
         a6 LIST \"\" %\r\na7 BOGUS\r\na8 LOGOUT\r\n",
        body.len()
    )
    .into_bytes()
}

fn run_split(script: &[u8], cuts: &[usize]) -> String {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut client = TestClient::trusted();
        let mut bounds: Vec<usize> = cuts.iter().map(|cut| cut % (script.len() + 1)).collect();
        bounds.extend([0, script.len()]);
        bounds.sort_unstable();
        let fragments: Vec<&[u8]> = bounds.windows(2).map(|w| &script[w[0]..w[1]]).collect();
        let output = client.send_fragments(&fragments).await;
        assert_eq!(client.flow, Flow::Close);
        output
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Real clients split anywhere: every split gives the same answers.
    #[test]
    fn any_split_of_a_session_gives_the_same_output(
        cuts in proptest::collection::vec(0usize..10_000, 0..12),
    ) {
        let script = pipelined_script();
        let whole = run_split(&script, &[]);
        assert_responses(&whole);
        proptest::prop_assert!(whole.ends_with("* BYE logging out\r\na8 OK LOGOUT completed\r\n"));
        proptest::prop_assert_eq!(run_split(&script, &cuts), whole);
    }
}

/// RFC 3502 §6's example: two messages with synchronising literals, each
/// continued in turn, committed together; an unknown mailbox is TRYCREATE;
/// and a refused message refuses the whole command (RFC 3502 §3).
#[tokio::test]
async fn multiappend_rfc3502_example() {
    let mut client = logged_in().await;
    client.send("c0 CREATE saved-messages\r\n").await;
    let first = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
                 From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\
                 Subject: afternoon meeting\r\n\
                 To: mooch@owatagu.example.net\r\n\
                 Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n\
                 MIME-Version: 1.0\r\n\
                 Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n\
                 Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";
    let second = "Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n\
                  From: Joe Mooch <mooch@OWaTaGu.example.net>\r\n\
                  Subject: Re: afternoon meeting\r\n\
                  To: foobar@blurdybloop.example.com\r\n\
                  Message-Id: <a0434793874930@OWaTaGu.example.net>\r\n\
                  MIME-Version: 1.0\r\n\
                  Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n\
                  3:30 is fine with me.\r\n";
    let output = client
        .send(&format!(
            "A003 APPEND saved-messages (\\Seen) {{{}}}\r\n",
            first.len()
        ))
        .await;
    assert_eq!(output, "+ Ready for literal\r\n");
    let output = client
        .send(&format!(
            "{first} (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {{{}}}\r\n",
            second.len()
        ))
        .await;
    assert_eq!(output, "+ Ready for literal\r\n");
    let output = client.send(&format!("{second}\r\n")).await;
    assert!(
        output.starts_with("A003 OK [APPENDUID ") && output.contains(" 1:2] "),
        "{output}"
    );
    assert_eq!(message_count(&client, "saved-messages"), 2);

    let output = client
        .send(&append_command("A004", "bogusname (\\Flagged)", second))
        .await;
    assert_eq!(output, "A004 NO [TRYCREATE] mailbox does not exist\r\n");

    let command = format!(
        "A005 APPEND saved-messages {{{}+}}\r\n{first} (\\Recent) {{{}+}}\r\n{second}\r\n",
        first.len(),
        second.len()
    );
    let output = client.send(&command).await;
    assert_eq!(output, "A005 BAD flag \\Recent cannot be stored\r\n");
    assert_eq!(message_count(&client, "saved-messages"), 2);
}
