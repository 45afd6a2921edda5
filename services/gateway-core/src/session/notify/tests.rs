//! NOTIFY over the memory backend: the imaptest `notify` script's initial
//! STATUS answers, `[BADEVENT]` and the selected-mailbox rule (RFC 5465
//! §5), reports at a wakeup between commands for new messages, mailbox
//! names, subscriptions and METADATA made by another connection, and no
//! report of the session's own SETMETADATA.

use crate::backend::Flags;
use crate::session::tests::support::{assert_responses, deliver, logged_in, message, set_metadata};
use crate::testing::TestClient;

/// A logged-in client and a second connection of the same account.
async fn client_and_other() -> (TestClient, TestClient) {
    let client = logged_in().await;
    let mut other = client.another_connection();
    other.greet().await;
    other.login().await;
    (client, other)
}

#[tokio::test]
async fn set_status_reports_the_items_of_each_event() {
    let (mut client, mut other) = client_and_other().await;
    other.send("c1 CREATE box2\r\n").await;
    other.send("a1 APPEND box2 {9+}\r\nSubject: \r\n").await;
    let output = client
        .send("n1 NOTIFY SET STATUS (MAILBOXES box2 (MessageExpunge))\r\n")
        .await;
    assert_eq!(
        output,
        "* STATUS box2 (MESSAGES 1)\r\nn1 OK NOTIFY completed\r\n"
    );
    let output = client
        .send("n2 notify set status (mailboxes box2 (MessageNew))\r\n")
        .await;
    assert!(
        output.starts_with("* STATUS box2 (MESSAGES 1 UIDNEXT 2 UIDVALIDITY "),
        "{output}"
    );
    assert_responses(&output);
    let output = client
        .send("n3 notify set status (mailboxes box2 (FlagChange))\r\n")
        .await;
    assert!(output.contains(" UNSEEN 1 HIGHESTMODSEQ "), "{output}");
    // Without STATUS nothing is reported at once.
    let output = client
        .send("n4 NOTIFY SET (mailboxes box2 (MessageNew MessageExpunge FlagChange))\r\n")
        .await;
    assert_eq!(output, "n4 OK NOTIFY completed\r\n");
}

#[tokio::test]
async fn unsupported_events_and_selected_rules_are_refused() {
    let mut client = logged_in().await;
    let output = client
        .send("n1 NOTIFY SET (personal (MessageNew AnnotationChange))\r\n")
        .await;
    assert_eq!(
        output,
        "n1 NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName \
         SubscriptionChange MailboxMetadataChange ServerMetadataChange)] unsupported event\r\n"
    );
    let output = client
        .send("n2 NOTIFY SET (selected (MessageNew))\r\n")
        .await;
    assert!(output.starts_with("n2 BAD "), "{output}");
    let output = client
        .send("n3 NOTIFY SET (selected (FlagChange MessageExpunge))\r\n")
        .await;
    assert!(output.starts_with("n3 BAD "), "{output}");
    let output = client
        .send("n4 NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange))\r\n")
        .await;
    assert_eq!(output, "n4 OK NOTIFY completed\r\n");
    assert!(client.session.wants_notifications());
    assert_eq!(
        client.send("n5 NOTIFY NONE\r\n").await,
        "n5 OK NOTIFY completed\r\n"
    );
    assert!(!client.session.wants_notifications());
    // §8: only message events go with the selected mailbox.
    let output = client
        .send("n6 NOTIFY SET (selected (MessageNew MessageExpunge MailboxMetadataChange))\r\n")
        .await;
    assert!(output.starts_with("n6 BAD "), "{output}");
    let output = client
        .send("n7 NOTIFY SET (selected-delayed (ServerMetadataChange))\r\n")
        .await;
    assert!(output.starts_with("n7 BAD "), "{output}");
}

#[tokio::test]
async fn wakeup_reports_new_messages_names_and_subscriptions() {
    let (mut client, mut other) = client_and_other().await;
    other.send("c1 CREATE Lists/rust\r\n").await;
    let output = client
        .send(
            "n1 NOTIFY SET (subtree Lists (MessageNew MessageExpunge MailboxName \
             SubscriptionChange)) (personal (MailboxName))\r\n",
        )
        .await;
    assert_eq!(output, "n1 OK NOTIFY completed\r\n");
    assert_eq!(client.poll().await, "");
    other
        .send("a1 APPEND Lists/rust {9+}\r\nSubject: \r\n")
        .await;
    other.send("s1 SUBSCRIBE Lists/rust\r\n").await;
    other.send("c2 CREATE Projects\r\n").await;
    let output = client.poll().await;
    assert_responses(&output);
    assert!(output.contains("* LIST () \"/\" Projects\r\n"), "{output}");
    assert!(
        output.contains("* LIST (\\Subscribed) \"/\" Lists/rust\r\n"),
        "{output}"
    );
    assert!(
        output.contains("* STATUS Lists/rust (MESSAGES 1 UIDNEXT 2 UIDVALIDITY "),
        "{output}"
    );
    assert_eq!(client.poll().await, "", "reported once");
    other.send("r1 RENAME Projects Old\r\n").await;
    other.send("d1 DELETE Lists/rust\r\n").await;
    let output = client.poll().await;
    // imap-codec cannot parse LIST extended data (OLDNAME), so the oracle
    // checks the other line only.
    assert_responses(
        &output[output
            .find("* LIST (\\Subscribed \\NonExistent)")
            .unwrap_or(0)..],
    );
    assert!(
        output.contains("* LIST () \"/\" Old (\"OLDNAME\" (Projects))\r\n"),
        "{output}"
    );
    // DELETE leaves the subscription in place (RFC 9051 §6.3.7).
    assert!(
        output.contains("* LIST (\\Subscribed \\NonExistent) \"/\" Lists/rust\r\n"),
        "{output}"
    );
}

/// Polls `client` and checks it reports exactly `expected`, which the
/// imap-codec oracle parses.
async fn assert_polled(client: &mut TestClient, expected: &str) {
    let output = client.poll().await;
    assert_eq!(output, expected);
    assert_responses(&output);
}

/// RFC 5465 §5.4-5.5: a name created or deleted and (un)subscribed between
/// two wakeups gets one LIST line with the attributes it has after both
/// ("accurately computed"), sent when either event is watched.
#[tokio::test]
async fn one_list_line_per_name_with_accurate_attributes() {
    let (mut client, mut other) = client_and_other().await;
    client
        .send("n1 NOTIFY SET (personal (MailboxName SubscriptionChange))\r\n")
        .await;
    other.send("c1 CREATE box2\r\ns1 SUBSCRIBE box2\r\n").await;
    assert_polled(&mut client, "* LIST (\\Subscribed) \"/\" box2\r\n").await;
    other
        .send("u1 UNSUBSCRIBE box2\r\nd1 DELETE box2\r\n")
        .await;
    assert_polled(&mut client, "* LIST (\\NonExistent) \"/\" box2\r\n").await;
    other.send("c2 CREATE box3\r\n").await;
    assert_polled(&mut client, "* LIST () \"/\" box3\r\n").await;
    other.send("s2 SUBSCRIBE box3\r\nd2 DELETE box3\r\n").await;
    assert_polled(
        &mut client,
        "* LIST (\\Subscribed \\NonExistent) \"/\" box3\r\n",
    )
    .await;
    client
        .send("n2 NOTIFY SET (personal (SubscriptionChange))\r\n")
        .await;
    other.send("c3 CREATE box4\r\ns3 SUBSCRIBE box4\r\n").await;
    assert_polled(&mut client, "* LIST (\\Subscribed) \"/\" box4\r\n").await;
    other
        .send("u3 UNSUBSCRIBE box4\r\nd3 DELETE box4\r\n")
        .await;
    assert_polled(&mut client, "* LIST (\\NonExistent) \"/\" box4\r\n").await;
}

#[tokio::test]
async fn selected_mailbox_updates_only_when_asked() {
    let (mut client, _other) = client_and_other().await;
    client.send("s1 SELECT INBOX\r\n").await;
    client
        .send("n1 NOTIFY SET (personal (MessageNew))\r\n")
        .await;
    deliver(&client, &message("one"), Flags::default());
    // INBOX is selected: no STATUS for it, and no SELECTED group.
    assert_eq!(client.poll().await, "");
    client
        .send("n2 NOTIFY SET (selected (MessageNew MessageExpunge))\r\n")
        .await;
    deliver(&client, &message("two"), Flags::default());
    let output = client.poll().await;
    assert!(output.contains(" EXISTS\r\n"), "{output}");
}

/// RFC 5465 §5.2: MessageNew's FETCH attributes come with each new message
/// of the selected mailbox (the §3.1 example's `uid body.peek[...]` shape).
#[tokio::test]
async fn message_new_fetch_attributes_follow_the_exists() {
    let (mut client, _other) = client_and_other().await;
    deliver(&client, &message("one"), Flags::default());
    client.send("s1 SELECT INBOX\r\n").await;
    let output = client
        .send(
            "n1 NOTIFY SET (selected (MessageNew (uid body.peek[header.fields (subject)]) \
             MessageExpunge))\r\n",
        )
        .await;
    assert_eq!(output, "n1 OK NOTIFY completed\r\n");
    deliver(&client, &message("two"), Flags::default());
    deliver(&client, &message("three"), Flags::default());
    let output = client.poll().await;
    assert_responses(&output);
    let exists = output.find("* 3 EXISTS\r\n").expect(&output);
    let second = output
        .find("* 2 FETCH (UID 2 BODY[HEADER.FIELDS (subject)] {")
        .expect(&output);
    assert!(exists < second, "{output}");
    assert!(output.contains("Subject: three\r\n"), "{output}");
    assert_eq!(client.poll().await, "", "each message once");
}

/// RFC 5465 §5.6-5.7: METADATA changes of watched mailboxes only (the
/// first matching group decides, so `NONE` silences `misc`), the server's
/// only with ServerMetadataChange, several entries on one line, nothing at
/// SET even with STATUS, and nothing at all without a METADATA event.
#[tokio::test]
async fn metadata_changes_of_watched_mailboxes_only() {
    let (mut client, mut other) = client_and_other().await;
    other.send("c1 CREATE box2\r\nc2 CREATE misc\r\n").await;
    set_metadata(&mut other, "box2", "/private/old \"before NOTIFY\"").await;
    let output = client
        .send("n1 NOTIFY SET (personal (MailboxName))\r\n")
        .await;
    assert_eq!(output, "n1 OK NOTIFY completed\r\n");
    set_metadata(&mut other, "box2", "/private/comment \"x\"").await;
    assert_eq!(client.poll().await, "", "no METADATA event asked for");
    let output = client
        .send("n2 NOTIFY SET STATUS (mailboxes misc NONE) (personal (MailboxMetadataChange))\r\n")
        .await;
    assert_eq!(output, "n2 OK NOTIFY completed\r\n");
    assert_eq!(client.poll().await, "", "earlier changes are not reported");
    set_metadata(&mut other, "misc", "/private/comment \"y\"").await;
    set_metadata(&mut other, "\"\"", "/shared/comment \"z\"").await;
    set_metadata(&mut other, "box2", "/shared/b \"2\" /private/a \"1\"").await;
    let output = client.poll().await;
    assert_eq!(output, "* METADATA box2 /private/a /shared/b\r\n");
    assert_responses(&output);
    set_metadata(&mut other, "box2", "/private/a NIL").await;
    assert_eq!(client.poll().await, "* METADATA box2 /private/a\r\n");
}

/// RFC 5465 §5: the session's own SETMETADATA is not reported back; when
/// another client changed METADATA since the last report, both changes
/// are.
#[tokio::test]
async fn own_metadata_changes_are_not_reported_back() {
    let (mut client, mut other) = client_and_other().await;
    client
        .send("n1 NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))\r\n")
        .await;
    set_metadata(&mut client, "INBOX", "/private/comment \"mine\"").await;
    set_metadata(&mut client, "\"\"", "/private/comment \"mine\"").await;
    assert_eq!(client.poll().await, "");
    set_metadata(&mut other, "\"\"", "/shared/comment \"theirs\"").await;
    set_metadata(&mut client, "INBOX", "/private/comment NIL").await;
    let output = client.poll().await;
    assert_eq!(
        output,
        "* METADATA \"\" /shared/comment\r\n* METADATA INBOX /private/comment\r\n"
    );
    assert_responses(&output);
    assert_eq!(client.poll().await, "");
}
