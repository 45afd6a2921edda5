//! SELECT/EXAMINE output, CLOSE vs UNSELECT, and the untagged-update rules:
//! EXPUNGE before EXISTS, no EXPUNGE without a command in progress, no
//! EXISTS that does not change the count.

use super::support::{
    append_command, assert_responses, deliver, expunge_elsewhere, logged_in, message, message_count,
};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

/// Delivers a message flagged `system` and `$Work`.
fn deliver_work(client: &TestClient, subject: &str, system: u32) {
    let flags = Flags {
        system: SystemFlags(system),
        keywords: vec!["$Work".to_owned()],
    };
    deliver(client, &message(subject), flags);
}

#[tokio::test]
async fn select_reports_the_mailbox() {
    let mut client = logged_in().await;
    deliver_work(&client, "a", SystemFlags::SEEN);
    deliver_work(&client, "b", 0);
    let output = client.send("s1 SELECT inbox\r\n").await;
    assert_eq!(
        output,
        "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)\r\n\
         * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] flags\r\n\
         * 2 EXISTS\r\n\
         * 2 RECENT\r\n\
         * OK [UNSEEN 2] first unseen\r\n\
         * OK [UIDVALIDITY 1002] UIDs valid\r\n\
         * OK [UIDNEXT 3] predicted next UID\r\n\
         * OK [HIGHESTMODSEQ 3] highest\r\n\
         * OK [MAILBOXID (00000000000000000000000000000002)] mailbox id\r\n\
         s1 OK [READ-WRITE] SELECT completed\r\n"
    );
    assert_responses(&output);

    let output = client.send("s2 EXAMINE INBOX\r\n").await;
    // RFC 7162 §3.2.11: the boundary between the two mailboxes' responses.
    assert!(
        output.starts_with("* OK [CLOSED] previous mailbox closed\r\n* FLAGS "),
        "{output}"
    );
    assert!(
        output.contains("* OK [PERMANENTFLAGS ()] flags\r\n"),
        "{output}"
    );
    // The first SELECT took \Recent.
    assert!(output.contains("* 0 RECENT\r\n"), "{output}");
    assert!(
        output.ends_with("s2 OK [READ-ONLY] EXAMINE completed\r\n"),
        "{output}"
    );
    assert_responses(&output);

    let output = client.send("s3 SELECT Nope\r\ns4 CHECK\r\n").await;
    assert_eq!(
        output,
        "* OK [CLOSED] previous mailbox closed\r\n\
         s3 NO [NONEXISTENT] mailbox not found\r\n\
         s4 BAD command not valid in the authenticated state\r\n"
    );
}

#[tokio::test]
async fn close_expunges_but_unselect_and_examine_do_not() {
    let mut client = logged_in().await;
    deliver_work(&client, "a", SystemFlags::DELETED);
    client.send("e1 EXAMINE INBOX\r\n").await;
    assert_eq!(
        client.send("e2 CLOSE\r\n").await,
        "e2 OK CLOSE completed\r\n"
    );
    assert_eq!(message_count(&client, "INBOX"), 1);
    client.send("e3 SELECT INBOX\r\n").await;
    assert_eq!(
        client.send("e4 UNSELECT\r\n").await,
        "e4 OK UNSELECT completed\r\n"
    );
    assert_eq!(message_count(&client, "INBOX"), 1);
    client.send("e5 SELECT INBOX\r\n").await;
    // CLOSE is silent: no EXPUNGE response.
    assert_eq!(
        client.send("e6 CLOSE\r\n").await,
        "e6 OK CLOSE completed\r\n"
    );
    assert_eq!(message_count(&client, "INBOX"), 0);
}

#[tokio::test]
async fn updates_follow_the_rfc3501_rules() {
    let mut client = logged_in().await;
    deliver_work(&client, "a", 0);
    deliver_work(&client, "b", 0);
    client.send("s1 SELECT INBOX\r\n").await;

    // Nothing changed: NOOP says nothing untagged.
    assert_eq!(client.send("n1 NOOP\r\n").await, "n1 OK NOOP completed\r\n");

    // Another session expunges 1 and a message arrives.
    expunge_elsewhere(&client, &[(1, 1)]).await;
    deliver_work(&client, "c", 0);
    // Without a command in progress only the new message may be announced;
    // the expunged one keeps its number, so EXISTS counts it.
    // a and b are \Recent since the SELECT, c since this session saw it.
    assert_eq!(client.poll().await, "* 3 EXISTS\r\n* 3 RECENT\r\n");
    assert_eq!(client.poll().await, "");
    // The withheld sync is repeated whole, so the new message's flags come
    // along with the EXPUNGE.
    let output = client.send("n2 NOOP\r\n").await;
    assert_eq!(
        output,
        "* 1 EXPUNGE\r\n* 2 FETCH (FLAGS ($Work \\Recent))\r\nn2 OK NOOP completed\r\n"
    );
    assert_responses(&output);
    assert_eq!(client.send("n3 NOOP\r\n").await, "n3 OK NOOP completed\r\n");

    // Expunge and arrival in one sync: EXPUNGE first, and one EXISTS.
    expunge_elsewhere(&client, &[(2, 3)]).await;
    deliver_work(&client, "d", 0);
    let output = client.send("n4 NOOP\r\n").await;
    assert_eq!(
        output,
        "* 2 EXPUNGE\r\n* 1 EXPUNGE\r\n* 1 EXISTS\r\n* 1 RECENT\r\nn4 OK NOOP completed\r\n"
    );
    assert_responses(&output);
}

/// RFC 3501 §2.3.2: a message copied or appended into a mailbox that two
/// sessions have selected is `\Recent` for exactly one of them, and STATUS
/// from a third counts it as no longer recent.
#[tokio::test]
async fn new_messages_are_recent_for_exactly_one_session() {
    let mut first = logged_in().await;
    let mut second = first.another_connection();
    second.login().await;
    let mut third = first.another_connection();
    third.login().await;
    first.send("c1 CREATE Box\r\ns1 SELECT Box\r\n").await;
    second.send("s2 SELECT Box\r\n").await;

    let output = first
        .send(&append_command("a1", "Box (\\Seen)", &message("a")))
        .await;
    assert!(
        output.starts_with("* 1 EXISTS\r\n* 1 RECENT\r\na1 OK [APPENDUID "),
        "{output}"
    );
    assert_responses(&output);
    let output = second.send("n2 NOOP\r\n").await;
    assert_eq!(
        output,
        "* 1 EXISTS\r\n* 0 RECENT\r\nn2 OK NOOP completed\r\n"
    );
    let output = third.send("t3 STATUS Box (MESSAGES RECENT)\r\n").await;
    assert_eq!(
        output,
        "* STATUS Box (MESSAGES 1 RECENT 0)\r\nt3 OK STATUS completed\r\n"
    );
    assert_eq!(
        first.send("f1 FETCH 1 FLAGS\r\n").await,
        "* 1 FETCH (FLAGS (\\Seen \\Recent))\r\nf1 OK FETCH completed\r\n"
    );
    assert_eq!(
        second.send("f2 FETCH 1 FLAGS\r\n").await,
        "* 1 FETCH (FLAGS (\\Seen))\r\nf2 OK FETCH completed\r\n"
    );

    // A COPY by a session that has another mailbox selected: the session
    // that sees it first takes \Recent.
    deliver(&third, &message("b"), Flags::default());
    third.send("s3 SELECT INBOX\r\n").await;
    let output = third.send("k3 COPY 1 Box\r\n").await;
    assert!(output.contains("k3 OK [COPYUID "), "{output}");
    let output = second.send("n2 NOOP\r\n").await;
    assert_eq!(
        output,
        "* 2 EXISTS\r\n* 1 RECENT\r\nn2 OK NOOP completed\r\n"
    );
    let output = first.send("n1 NOOP\r\n").await;
    assert_eq!(
        output,
        "* 2 EXISTS\r\n* 1 RECENT\r\nn1 OK NOOP completed\r\n"
    );
    assert_eq!(
        second.send("f2 FETCH 2 FLAGS\r\n").await,
        "* 2 FETCH (FLAGS (\\Recent))\r\nf2 OK FETCH completed\r\n"
    );
}
