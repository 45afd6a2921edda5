//! RFC 5819 (LIST-STATUS) replayed against a session. §3 has the RFC's two
//! examples: `A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))`, where each
//! selectable mailbox's LIST is followed by its STATUS and the `\NoSelect`
//! "bar" has none (§2: "the STATUS response MUST NOT be returned"; a
//! `\NonExistent` name stands in for it), and
//! `A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (STATUS (MESSAGES))`,
//! where "foo" is listed only for its subscribed child and so gets no
//! STATUS. Our account also has the default special-use mailboxes, which
//! `%` lists too.

use mailkeep_common::mail::{Flags, SystemFlags};

use super::support::{assert_responses, defaults_with_status, deliver, logged_in, message};
use crate::testing::TestClient;

/// INBOX with 2 messages (1 unseen) and foo with 1 seen message.
async fn example_client() -> TestClient {
    let mut client = logged_in().await;
    let seen = Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: Vec::new(),
    };
    deliver(&client, &message("one"), Flags::default());
    deliver(&client, &message("two"), seen.clone());
    let output = client.send("c CREATE foo\r\n").await;
    assert!(output.starts_with("c OK "), "{output}");
    client
        .backend
        .deliver(
            &client.principal,
            "foo",
            message("three").as_bytes(),
            seen,
            0,
        )
        .unwrap();
    client
}

// RFC 5819 §3, first example: `A01 LIST "" % RETURN (STATUS (MESSAGES
// UNSEEN))` answers a STATUS right after the LIST of every selectable
// mailbox.
#[tokio::test]
async fn rfc5819_3_list_status_example() {
    let mut client = example_client().await;
    let output = client
        .send("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n")
        .await;
    assert_eq!(
        output,
        format!(
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
             * STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\n\
             {}\
             * LIST (\\HasNoChildren) \"/\" foo\r\n\
             * STATUS foo (MESSAGES 1 UNSEEN 0)\r\n\
             A01 OK LIST completed\r\n",
            defaults_with_status("", "MESSAGES 0 UNSEEN 0")
        )
    );
    assert_responses(&output);
}

// RFC 5819 §3, first example's "bar": a `\NoSelect` name gets no STATUS.
// Our mailboxes never become `\Noselect` (DELETE of a parent is refused
// with `NO [HASCHILDREN]`, which RFC 3501 §6.3.4 allows), so a subscribed
// name that no longer exists (`\NonExistent`, which implies `\NoSelect`,
// RFC 5258 §3) stands in for it.
#[tokio::test]
async fn rfc5819_3_no_status_for_an_unselectable_name() {
    let mut client = logged_in().await;
    let output = client
        .send("c CREATE bar\r\ns SUBSCRIBE bar\r\nd DELETE bar\r\n")
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    let output = client
        .send("A01 LIST (SUBSCRIBED) \"\" bar RETURN (STATUS (MESSAGES UNSEEN))\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\NonExistent \\Subscribed) \"/\" bar\r\nA01 OK LIST completed\r\n"
    );
    assert_responses(&output);
}

// RFC 5819 §3, second example: `A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" %
// RETURN (STATUS (MESSAGES))` (the RFC prints no space before `""`; the
// ABNF of RFC 5258 §6 requires one). "foo" is listed for its subscribed
// child with CHILDINFO, "but no STATUS reply is returned because "foo"
// itself doesn't match the selection criteria". Our default mailboxes are
// subscribed, so they are listed with their STATUS too.
#[tokio::test]
async fn rfc5819_3_subscribed_recursivematch_example() {
    let mut client = example_client().await;
    let output = client
        .send("c CREATE foo/child\r\ns SUBSCRIBE INBOX\r\ns SUBSCRIBE foo/child\r\n")
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
    let output = client
        .send("A02 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" % RETURN (STATUS (MESSAGES))\r\n")
        .await;
    let foo = "* LIST (\\HasChildren) \"/\" foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n";
    assert_eq!(
        output,
        format!(
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX\r\n\
             * STATUS INBOX (MESSAGES 2)\r\n\
             {}{foo}A02 OK LIST completed\r\n",
            defaults_with_status(" \\Subscribed", "MESSAGES 0")
        )
    );
    // imap-codec 2.0 does not parse the CHILDINFO extended data item.
    assert_responses(&output.replace(foo, ""));
}
