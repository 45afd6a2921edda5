//! RFC 5819 (LIST-STATUS) example: `LIST "" % RETURN (STATUS (MESSAGES
//! UNSEEN))`, each STATUS right after its LIST line and none for a name that
//! cannot be selected.

use mailkeep_common::mail::{Flags, SystemFlags};

use super::support::{assert_responses, deliver, logged_in, message};

// RFC 5819, the `A01 LIST "" % RETURN (STATUS ...)` example: INBOX and foo
// with messages answered with a STATUS right after their LIST line. The
// example's `\NoSelect` "bar" gets no STATUS; our mailboxes are never
// \Noselect, so a subscribed name that no longer exists (`\NonExistent`)
// stands in for it.
#[tokio::test]
async fn rfc5819_list_status_example() {
    let mut client = logged_in().await;
    let seen = Flags {
        system: SystemFlags(SystemFlags::SEEN),
        keywords: Vec::new(),
    };
    deliver(&client, &message("one"), Flags::default());
    deliver(&client, &message("two"), seen.clone());
    let output = client
        .send("c CREATE foo\r\nc CREATE bar\r\ns SUBSCRIBE bar\r\nd DELETE bar\r\n")
        .await;
    assert!(
        !output.contains(" NO ") && !output.contains(" BAD "),
        "{output}"
    );
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
    let output = client
        .send("A01 LIST \"\" (INBOX foo) RETURN (STATUS (MESSAGES UNSEEN))\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * STATUS INBOX (MESSAGES 2 UNSEEN 1)\r\n\
         * LIST (\\HasNoChildren) \"/\" foo\r\n\
         * STATUS foo (MESSAGES 1 UNSEEN 0)\r\n\
         A01 OK LIST completed\r\n"
    );
    assert_responses(&output);
    let output = client
        .send("A02 LIST (SUBSCRIBED) \"\" bar RETURN (STATUS (MESSAGES UNSEEN))\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\NonExistent \\Subscribed) \"/\" bar\r\nA02 OK LIST completed\r\n"
    );
    assert_responses(&output);
}
