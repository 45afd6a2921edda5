//! NOTIFY over the memory backend: the imaptest `notify` script's initial
//! STATUS answers, `[BADEVENT]` and the selected-mailbox rule (RFC 5465
//! §5), and reports at a wakeup between commands for new messages,
//! mailbox names and subscriptions made by another connection.

use crate::backend::Flags;
use crate::session::tests::support::{assert_responses, deliver, logged_in, message};
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
    assert!(output.starts_with("n1 NO [BADEVENT ("), "{output}");
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
    assert_responses(&output[output.find("* LIST (\\NonExistent)").unwrap_or(0)..]);
    assert!(
        output.contains("* LIST () \"/\" Old (\"OLDNAME\" (Projects))\r\n"),
        "{output}"
    );
    assert!(
        output.contains("* LIST (\\NonExistent) \"/\" Lists/rust\r\n"),
        "{output}"
    );
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
