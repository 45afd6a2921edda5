//! LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE selection
//! and CREATE-SPECIAL-USE (RFC 6154), STATUS DELETED and SIZE, against the
//! memory backend, with the RFC examples adapted to the default mailboxes.

use mailkeep_common::mail::{Flags, SystemFlags};

use super::support::{assert_responses, deliver, logged_in, message};
use crate::testing::TestClient;

/// Fruit/Apple, Fruit/Banana, Tofu, Vegetable/Broccoli, Vegetable/Corn with
/// Fruit/Banana, Fruit/Peach (then deleted), Vegetable and
/// Vegetable/Broccoli subscribed (RFC 5258 §5 examples 1 to 6).
pub(super) async fn fruit_client() -> TestClient {
    let mut client = logged_in().await;
    let mut setup = String::new();
    for name in [
        "Fruit/Apple",
        "Fruit/Banana",
        "Fruit/Peach",
        "Tofu",
        "Vegetable/Broccoli",
        "Vegetable/Corn",
    ] {
        setup.push_str(&format!("c CREATE {name}\r\n"));
    }
    for name in [
        "Fruit/Banana",
        "Fruit/Peach",
        "Vegetable",
        "Vegetable/Broccoli",
    ] {
        setup.push_str(&format!("s SUBSCRIBE {name}\r\n"));
    }
    setup.push_str("d DELETE Fruit/Peach\r\n");
    let output = client.send(&setup).await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    client
}

#[tokio::test]
async fn rfc5258_subscribed_selection() {
    let mut client = fruit_client().await;
    let output = client.send("A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Archive) \"/\" Archive\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Drafts) \"/\" Drafts\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Banana\r\n\
         * LIST (\\NonExistent \\Subscribed) \"/\" Fruit/Peach\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Junk) \"/\" Junk\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent\r\n\
         * LIST (\\HasNoChildren \\Subscribed \\Trash) \"/\" Trash\r\n\
         * LIST (\\HasChildren \\Subscribed) \"/\" Vegetable\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" Vegetable/Broccoli\r\n\
         A02 OK LIST completed\r\n"
    );
    assert_responses(&output);
}

#[tokio::test]
async fn rfc5258_return_options_and_patterns() {
    let mut client = fruit_client().await;
    // Example 3: `A03 LIST () "" "%" RETURN (CHILDREN)`.
    let output = client
        .send("A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n")
        .await;
    assert!(
        output.contains("* LIST (\\HasChildren) \"/\" Fruit\r\n"),
        "{output}"
    );
    assert!(
        output.contains("* LIST (\\HasNoChildren) \"/\" Tofu\r\n"),
        "{output}"
    );
    assert!(output.ends_with("A03 OK LIST completed\r\n"), "{output}");
    // REMOTE changes nothing without remote mailboxes.
    let remote = client
        .send("A04 LIST (REMOTE) \"\" \"%\" RETURN (CHILDREN)\r\n")
        .await;
    assert_eq!(remote.replace("A04", "A03"), output);
    // Several patterns (as example 7), each name once.
    let output = client
        .send("A06 LIST \"\" (\"Fruit\" \"Fruit/*\" \"*ruit\") RETURN (SUBSCRIBED)\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasChildren) \"/\" Fruit\r\n\
         * LIST (\\HasNoChildren) \"/\" Fruit/Apple\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" Fruit/Banana\r\n\
         A06 OK LIST completed\r\n"
    );
    // The empty pattern of an extended LIST matches nothing (RFC 5258 §3;
    // see `rfc_5258.rs`).
    let output = client.send("A07 LIST \"\" (\"\")\r\n").await;
    assert_eq!(output, "A07 OK LIST completed\r\n");
}

#[tokio::test]
async fn rfc5258_recursive_match() {
    let mut client = fruit_client().await;
    // RECURSIVEMATCH (examples 8 to 10), with the CHILDREN attributes
    // always sent.
    let output = client
        .send("A05 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (CHILDREN)\r\n")
        .await;
    assert!(
        output.contains("* LIST (\\HasChildren) \"/\" Fruit (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"),
        "{output}"
    );
    assert!(
        output.contains(
            "* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
        ),
        "{output}"
    );
    // imap-codec cannot parse CHILDINFO extended data, so no oracle here.
    assert!(!output.contains("Tofu"), "{output}");
    // A subscribed child the pattern matches itself earns its parent nothing.
    let output = client
        .send("A08 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (Vegetable Vegetable/Broccoli)\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasChildren \\Subscribed) \"/\" Vegetable\r\n\
         * LIST (\\HasNoChildren \\Subscribed) \"/\" Vegetable/Broccoli\r\n\
         A08 OK LIST completed\r\n"
    );
    let output = client.send("A09 LIST (RECURSIVEMATCH) \"\" %\r\n").await;
    assert!(output.starts_with("A09 BAD "), "{output}");
}

#[tokio::test]
async fn rfc5819_list_status() {
    let mut client = logged_in().await;
    deliver(&client, &message("one"), Flags::default());
    let seen = Flags {
        system: SystemFlags(SystemFlags::SEEN | SystemFlags::DELETED),
        keywords: Vec::new(),
    };
    deliver(&client, &message("two"), seen);
    let output = client
        .send("A01 LIST \"\" (INBOX Sent) RETURN (STATUS (MESSAGES UNSEEN DELETED))\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * STATUS INBOX (MESSAGES 2 UNSEEN 1 DELETED 1)\r\n\
         * LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n\
         * STATUS Sent (MESSAGES 0 UNSEEN 0 DELETED 0)\r\n\
         A01 OK LIST completed\r\n"
    );
    assert_responses(&output);
    // No STATUS for a name that does not exist.
    let output = client.send("s SUBSCRIBE Gone\r\nd DELETE Gone\r\n").await;
    assert!(output.contains("s NO"), "{output}");
    let output = client
        .send("A02 LIST (SUBSCRIBED) \"\" \"INBOX\" RETURN (STATUS (SIZE))\r\n")
        .await;
    let size = message("one").len() + message("two").len();
    assert_eq!(
        output,
        format!(
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n\
             * STATUS INBOX (SIZE {size})\r\n\
             A02 OK LIST completed\r\n"
        )
    );
}

#[tokio::test]
async fn rfc6154_special_use_selection_and_create() {
    let mut client = logged_in().await;
    // RFC 6154 §5.2, one use per mailbox.
    let output = client
        .send(
            "t1 CREATE MySpecial (USE (\\Drafts \\Sent))\r\n\
             t2 CREATE Foo (USE (\\Flagged))\r\n\
             t3 CREATE Foo (USE (\\Sent))\r\n\
             t4 DELETE Trash\r\n\
             t5 CREATE Bin (USE (\\trash))\r\n\
             t6 CREATE Plain (USE ())\r\n",
        )
        .await;
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "t1 NO [USEATTR] a mailbox takes one special use",
            "t2 NO [USEATTR] unsupported special use \\Flagged",
            "t3 NO [USEATTR] another mailbox already has \\Sent",
            "t4 OK DELETE completed",
        ]
    );
    assert!(
        lines[4].starts_with("t5 OK ") && lines[5].starts_with("t6 OK "),
        "{output}"
    );
    // RFC 6154 §5.1: the SPECIAL-USE selection option.
    let output = client
        .send("t7 LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE)\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n\
         * LIST (\\HasNoChildren \\Trash) \"/\" Bin\r\n\
         * LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n\
         * LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n\
         * LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n\
         t7 OK LIST completed\r\n"
    );
    assert_responses(&output);
    assert!(
        !client
            .send("t8 LIST \"\" MySpecial\r\n")
            .await
            .contains("* LIST")
    );
}
