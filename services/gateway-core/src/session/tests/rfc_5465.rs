//! RFC 5465 (NOTIFY) examples replayed against a session: the §3.1
//! session (`b notify set status ...` to `e notify set ...`), §5.1
//! FlagChange (`* 99 FETCH (UID 9999 FLAGS ($Junk))`, and STATUS with
//! HIGHESTMODSEQ and UIDVALIDITY for another mailbox), §5.2 MessageNew
//! (`* 444 EXISTS` / `* 444 FETCH (UID 9999)`, `* STATUS Lists/Lemonade
//! (UIDNEXT 10002 MESSAGES 503)`), §5.3 MessageExpunge (`* 444 EXPUNGE`,
//! `* VANISHED 5444`, `* STATUS misc (UIDNEXT 999 MESSAGES 554)`), §5.4
//! MailboxName and §5.5 SubscriptionChange LIST lines, §5.6
//! MailboxMetadataChange (`* METADATA "INBOX" /shared/comment`) and §5.7
//! ServerMetadataChange (`* METADATA "" /shared/comment`), and the two `a
//! notify set` commands of §6. Our STATUS lines carry more items than the
//! examples (MESSAGES, UIDNEXT and UIDVALIDITY together, §3.1's list for
//! MessageNew), and we write INBOX as an atom where §5.6 quotes it. Not
//! covered, as we do not implement them: §5.8 (overflow) and §7 (fetch
//! attributes in SEARCH RETURN UPDATE). `notify/tests.rs` has more NOTIFY
//! cases.

use super::support::{
    assert_responses, deliver, expunge_elsewhere, flag_elsewhere, logged_in, set_metadata,
    uidvalidity,
};
use crate::backend::{Flags, SystemFlags};
use crate::testing::TestClient;

/// §3.1's message to bob, whose three header fields are 75 octets.
const GOOD_MORNING: &str = "Subject: Re: good morning\r\nFrom: alice@example.org\r\n\
To: bob@example.org\r\n\r\nSee you.\r\n";

/// A logged-in client and a second connection of the same account that
/// has created `mailboxes`.
async fn client_and_other(mailboxes: &[&str]) -> (TestClient, TestClient) {
    let client = logged_in().await;
    let mut other = client.another_connection();
    other.greet().await;
    other.login().await;
    for name in mailboxes {
        let output = other.send(&format!("c CREATE {name}\r\n")).await;
        assert!(output.starts_with("c OK "), "{output}");
    }
    (client, other)
}

/// Appends a one-line message to `mailbox` from the other connection.
async fn append_elsewhere(other: &mut TestClient, mailbox: &str) {
    let output = other
        .send(&format!("a APPEND {mailbox} {{9+}}\r\nSubject: \r\n"))
        .await;
    assert!(output.starts_with("a OK "), "{output}");
}

// RFC 5465 §3.1, the whole example. Its NOTIFY commands print the events
// without parentheses (`(selected MessageNew (uid ...) MessageExpunge)`,
// `(subtree Lists MessageNew)`); §8's ABNF requires them (`events = ( "("
// event *(SP event) ")" ) / "NONE"`), so they are added. Creating
// Lists/Lemonade creates its parent Lists too (RFC 3501 §6.3.3), which
// the subtree covers and so reports.
#[tokio::test]
async fn rfc5465_3_1_example() {
    let (mut client, mut other) =
        client_and_other(&["Lists/Lemonade", "Lists/Im2000", "misc"]).await;
    let mut validity = Vec::new();
    for name in ["Lists", "Lists/Lemonade", "Lists/Im2000", "misc"] {
        validity.push(uidvalidity(&client, name).await);
    }
    let output = client
        .send(
            "b notify set status (selected (MessageNew (uid body.peek[header.fields \
             (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew))\r\n",
        )
        .await;
    assert_eq!(
        output,
        format!(
            "* STATUS Lists (MESSAGES 0 UIDNEXT 1 UIDVALIDITY {})\r\n\
             * STATUS Lists/Lemonade (MESSAGES 0 UIDNEXT 1 UIDVALIDITY {})\r\n\
             * STATUS Lists/Im2000 (MESSAGES 0 UIDNEXT 1 UIDVALIDITY {})\r\n\
             b OK NOTIFY completed\r\n",
            validity[0], validity[1], validity[2]
        )
    );
    assert_responses(&output);
    let output = client.send("c select inbox\r\n").await;
    assert!(
        output.ends_with("c OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );

    append_elsewhere(&mut other, "Lists/Lemonade").await;
    assert_eq!(
        client.poll().await,
        format!(
            "* STATUS Lists/Lemonade (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {})\r\n",
            validity[1]
        )
    );
    deliver(&client, GOOD_MORNING, Flags::default());
    let output = client.poll().await;
    assert_eq!(
        output,
        "* 1 EXISTS\r\n* 1 RECENT\r\n\
         * 1 FETCH (UID 1 BODY[HEADER.FIELDS (from to subject)] {75}\r\n\
         Subject: Re: good morning\r\nFrom: alice@example.org\r\nTo: bob@example.org\r\n\r\n)\r\n"
    );
    assert_responses(&output);

    let output = client
        .send("d STATUS misc (UIDVALIDITY UIDNEXT MESSAGES)\r\n")
        .await;
    assert_eq!(
        output,
        format!(
            "* STATUS misc (UIDVALIDITY {} UIDNEXT 1 MESSAGES 0)\r\nd OK STATUS completed\r\n",
            validity[3]
        )
    );
    let output = client
        .send(
            "e notify set (selected (MessageNew (uid body.peek[header.fields \
             (from to subject)]) MessageExpunge)) (subtree Lists (MessageNew)) \
             (mailboxes misc (MessageNew))\r\n",
        )
        .await;
    assert_eq!(output, "e OK NOTIFY completed\r\n");
    append_elsewhere(&mut other, "misc").await;
    assert_eq!(
        client.poll().await,
        format!(
            "* STATUS misc (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {})\r\n",
            validity[3]
        )
    );
}

// RFC 5465 §5.1: a flag change in the selected mailbox is "an unsolicited
// FETCH response, which MUST include UID and FLAGS"; in another mailbox,
// with CONDSTORE, a STATUS with "at least HIGHESTMODSEQ and UIDVALIDITY".
#[tokio::test]
async fn rfc5465_5_1_flag_change() {
    let (mut client, mut other) = client_and_other(&["Lists/Lemonade"]).await;
    deliver(&client, GOOD_MORNING, Flags::default());
    append_elsewhere(&mut other, "Lists/Lemonade").await;
    client.send("s SELECT INBOX\r\n").await;
    let output = client
        .send(
            "n NOTIFY SET (selected (MessageNew MessageExpunge FlagChange)) \
             (mailboxes Lists/Lemonade (MessageNew MessageExpunge FlagChange))\r\n",
        )
        .await;
    assert_eq!(output, "n OK NOTIFY completed\r\n");
    flag_elsewhere(&client, &[(1, 1)], SystemFlags::FLAGGED).await;
    let output = client.poll().await;
    assert_eq!(output, "* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))\r\n");
    assert_responses(&output);
    other
        .send("s SELECT Lists/Lemonade\r\nf STORE 1 +FLAGS (\\Seen)\r\n")
        .await;
    let output = client.poll().await;
    let validity = uidvalidity(&client, "Lists/Lemonade").await;
    assert!(
        output.starts_with("* STATUS Lists/Lemonade (")
            && output.contains(&format!(" UIDVALIDITY {validity} "))
            && output.contains(" HIGHESTMODSEQ "),
        "{output}"
    );
    assert_responses(&output);
}

// RFC 5465 §5.2: a new message in the selected mailbox is an EXISTS
// followed by the FETCH asked for (`* 444 EXISTS`, `* 444 FETCH (UID
// 9999)`; §5.2 also allows the RECENT we send); in another mailbox a
// STATUS with UIDNEXT and MESSAGES, plus HIGHESTMODSEQ once CONDSTORE is
// enabled ("MUST be included").
#[tokio::test]
async fn rfc5465_5_2_message_new() {
    let (mut client, mut other) = client_and_other(&["Lists/Lemonade"]).await;
    client.send("s SELECT INBOX\r\n").await;
    let output = client
        .send(
            "n NOTIFY SET (selected (MessageNew (uid) MessageExpunge)) \
             (mailboxes Lists/Lemonade (MessageNew MessageExpunge))\r\n",
        )
        .await;
    assert_eq!(output, "n OK NOTIFY completed\r\n");
    deliver(&client, GOOD_MORNING, Flags::default());
    let output = client.poll().await;
    assert_eq!(output, "* 1 EXISTS\r\n* 1 RECENT\r\n* 1 FETCH (UID 1)\r\n");
    assert_responses(&output);
    let validity = uidvalidity(&client, "Lists/Lemonade").await;
    append_elsewhere(&mut other, "Lists/Lemonade").await;
    assert_eq!(
        client.poll().await,
        format!("* STATUS Lists/Lemonade (MESSAGES 1 UIDNEXT 2 UIDVALIDITY {validity})\r\n")
    );
    // FETCH MODSEQ enables CONDSTORE (RFC 7162 §3.1).
    client.send("m FETCH 1 (MODSEQ)\r\n").await;
    append_elsewhere(&mut other, "Lists/Lemonade").await;
    let output = client.poll().await;
    assert!(
        output.starts_with(&format!(
            "* STATUS Lists/Lemonade (MESSAGES 2 UIDNEXT 3 UIDVALIDITY {validity} HIGHESTMODSEQ "
        )),
        "{output}"
    );
    assert_responses(&output);
}

// RFC 5465 §5.3: an expunge in the selected mailbox is `* n EXPUNGE`, sent
// at once with SELECTED (§6.1.1: "immediate notifications"), or `*
// VANISHED uid` with QRESYNC; in another mailbox a STATUS with MESSAGES.
#[tokio::test]
async fn rfc5465_5_3_message_expunge() {
    let (mut client, mut other) = client_and_other(&["misc"]).await;
    deliver(&client, GOOD_MORNING, Flags::default());
    deliver(&client, GOOD_MORNING, Flags::default());
    append_elsewhere(&mut other, "misc").await;
    client.send("s SELECT INBOX\r\n").await;
    client
        .send(
            "n NOTIFY SET (selected (MessageNew MessageExpunge)) \
             (mailboxes misc (MessageNew MessageExpunge))\r\n",
        )
        .await;
    expunge_elsewhere(&client, &[(1, 1)]).await;
    assert_eq!(client.poll().await, "* 1 EXPUNGE\r\n");
    other
        .send("s SELECT misc\r\nf STORE 1 +FLAGS (\\Deleted)\r\ne EXPUNGE\r\n")
        .await;
    let validity = uidvalidity(&client, "misc").await;
    assert_eq!(
        client.poll().await,
        format!("* STATUS misc (MESSAGES 0 UIDNEXT 2 UIDVALIDITY {validity})\r\n")
    );
}

// RFC 5465 §5.3 with QRESYNC: `* VANISHED 5444`.
#[tokio::test]
async fn rfc5465_5_3_message_expunge_with_qresync() {
    let (mut client, _other) = client_and_other(&[]).await;
    deliver(&client, GOOD_MORNING, Flags::default());
    deliver(&client, GOOD_MORNING, Flags::default());
    client.send("e ENABLE QRESYNC\r\ns SELECT INBOX\r\n").await;
    client
        .send("n NOTIFY SET (selected (MessageNew MessageExpunge))\r\n")
        .await;
    expunge_elsewhere(&client, &[(2, 2)]).await;
    assert_eq!(client.poll().await, "* VANISHED 2\r\n");
}

// RFC 5465 §5.4 (`* LIST () "/" "NewMailbox"`, `* LIST (\NonExistent) "."
// "INBOX.DeletedMailbox"`, `* LIST () "/" "NewMailbox" ("OLDNAME"
// ("OldMailbox"))`) and §5.5 (`* LIST (\Subscribed) "/"
// "SubscribedMailbox"`), made by another connection.
#[tokio::test]
async fn rfc5465_5_4_and_5_5_mailbox_name_and_subscription_change() {
    let (mut client, mut other) = client_and_other(&[]).await;
    client
        .send("n NOTIFY SET (personal (MailboxName SubscriptionChange))\r\n")
        .await;
    other.send("c CREATE OldMailbox\r\n").await;
    assert_eq!(client.poll().await, "* LIST () \"/\" OldMailbox\r\n");
    other.send("r RENAME OldMailbox NewMailbox\r\n").await;
    assert_eq!(
        client.poll().await,
        "* LIST () \"/\" NewMailbox (\"OLDNAME\" (OldMailbox))\r\n"
    );
    other.send("s SUBSCRIBE NewMailbox\r\n").await;
    let output = client.poll().await;
    assert_eq!(output, "* LIST (\\Subscribed) \"/\" NewMailbox\r\n");
    assert_responses(&output);
    other.send("u UNSUBSCRIBE NewMailbox\r\n").await;
    assert_eq!(client.poll().await, "* LIST () \"/\" NewMailbox\r\n");
    other.send("d DELETE NewMailbox\r\n").await;
    let output = client.poll().await;
    assert_eq!(output, "* LIST (\\NonExistent) \"/\" NewMailbox\r\n");
    assert_responses(&output);
}

// RFC 5465 §5.6 (`S: * METADATA "INBOX" /shared/comment`) and §5.7 (`S: *
// METADATA "" /shared/comment`), after another client's SETMETADATA: the
// entry names only, and no ENABLE METADATA needed. Removing an entry
// (setting it to NIL) is a change too ("MUST always be included").
#[tokio::test]
async fn rfc5465_5_6_and_5_7_metadata_changes() {
    let (mut client, mut other) = client_and_other(&[]).await;
    let output = client
        .send(
            "n NOTIFY SET (inboxes (MailboxMetadataChange)) (personal (ServerMetadataChange))\r\n",
        )
        .await;
    assert_eq!(output, "n OK NOTIFY completed\r\n");
    set_metadata(&mut other, "INBOX", "/shared/comment \"Shared comment\"").await;
    let output = client.poll().await;
    assert_eq!(output, "* METADATA INBOX /shared/comment\r\n");
    assert_responses(&output);
    set_metadata(&mut other, "\"\"", "/shared/comment \"Shared comment\"").await;
    let output = client.poll().await;
    assert_eq!(output, "* METADATA \"\" /shared/comment\r\n");
    assert_responses(&output);
    set_metadata(&mut other, "INBOX", "/shared/comment NIL").await;
    assert_eq!(client.poll().await, "* METADATA INBOX /shared/comment\r\n");
    assert_eq!(client.poll().await, "", "reported once");
}

// RFC 5465 §6's two commands: `a notify set (mailboxes INBOX (Messagenew
// messageExpunge)) (personal (SubscriptionChange))` and `a notify set
// (selected (Messagenew (uid flags) messageExpunge)) (personal (MessageNew
// FlagChange MessageExpunge))`, event names in any case (§8).
#[tokio::test]
async fn rfc5465_6_examples() {
    let mut client = logged_in().await;
    let output = client
        .send(
            "a notify set (mailboxes INBOX (Messagenew messageExpunge)) \
             (personal (SubscriptionChange))\r\n",
        )
        .await;
    assert_eq!(output, "a OK NOTIFY completed\r\n");
    let output = client
        .send(
            "a notify set (selected (Messagenew (uid flags) messageExpunge)) \
             (personal (MessageNew FlagChange MessageExpunge))\r\n",
        )
        .await;
    assert_eq!(output, "a OK NOTIFY completed\r\n");
}
