//! CREATE, DELETE, RENAME, SUBSCRIBE, LIST/LSUB patterns and attributes,
//! and STATUS, against the memory backend.

use super::support::{append_command, assert_responses, logged_in, message};

#[tokio::test]
async fn list_patterns_and_attributes() {
    let mut client = logged_in().await;
    let output = client
        .send("c1 CREATE Work/Projects/\r\nc2 CREATE &U,BTFw-\r\n")
        .await;
    // RFC 8474 §4: each new mailbox's id.
    assert_eq!(
        output,
        "c1 OK [MAILBOXID (00000000000000000000000000000009)] CREATE completed\r\n\
         c2 OK [MAILBOXID (0000000000000000000000000000000a)] CREATE completed\r\n"
    );

    let output = client.send("l1 LIST \"\" \"\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\Noselect) \"/\" \"\"\r\nl1 OK LIST completed\r\n"
    );

    let output = client.send("l2 LIST \"\" *\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n\
         * LIST (\\HasNoChildren \\Archive) \"/\" Archive\r\n\
         * LIST (\\HasNoChildren \\Drafts) \"/\" Drafts\r\n\
         * LIST (\\HasNoChildren \\Junk) \"/\" Junk\r\n\
         * LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n\
         * LIST (\\HasNoChildren \\Trash) \"/\" Trash\r\n\
         * LIST (\\HasChildren) \"/\" Work\r\n\
         * LIST (\\HasNoChildren) \"/\" Work/Projects\r\n\
         * LIST (\\HasNoChildren) \"/\" &U,BTFw-\r\n\
         l2 OK LIST completed\r\n"
    );
    assert_responses(&output);

    let output = client.send("l3 LIST \"\" %\r\n").await;
    assert!(output.contains("\"/\" Work\r\n"), "{output}");
    assert!(!output.contains("Work/Projects"), "{output}");

    let output = client.send("l4 LIST Work/ %\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" Work/Projects\r\nl4 OK LIST completed\r\n"
    );
    let output = client
        .send("l5 LIST \"\" inbox\r\nl6 LIST \"\" W*s\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\nl5 OK LIST completed\r\n\
         * LIST (\\HasNoChildren) \"/\" Work/Projects\r\nl6 OK LIST completed\r\n"
    );
}

#[tokio::test]
async fn lsub_shows_unsubscribed_parents_as_noselect() {
    let mut client = logged_in().await;
    let output = client
        .send("c1 CREATE Work/Projects\r\nc2 SUBSCRIBE Work/Projects\r\nc3 UNSUBSCRIBE Junk\r\n")
        .await;
    assert_eq!(
        output,
        "c1 OK [MAILBOXID (00000000000000000000000000000009)] CREATE completed\r\n\
         c2 OK SUBSCRIBE completed\r\nc3 OK UNSUBSCRIBE completed\r\n"
    );
    let output = client.send("s1 LSUB \"\" %\r\n").await;
    assert!(output.contains("* LSUB () \"/\" INBOX\r\n"), "{output}");
    assert!(
        output.contains("* LSUB (\\Noselect) \"/\" Work\r\n"),
        "{output}"
    );
    assert!(!output.contains("Junk"), "{output}");
    assert!(!output.contains("Projects"), "{output}");
    assert_responses(&output);
    let output = client.send("s2 LSUB \"\" Work*\r\n").await;
    assert_eq!(
        output,
        "* LSUB () \"/\" Work/Projects\r\ns2 OK LSUB completed\r\n"
    );
    let output = client.send("s3 SUBSCRIBE Nowhere\r\n").await;
    assert_eq!(output, "s3 NO [NONEXISTENT] mailbox not found\r\n");
}

#[tokio::test]
async fn create_delete_rename_codes() {
    let mut client = logged_in().await;
    let cases = [
        (
            "m1 CREATE inbox\r\n",
            "m1 NO [ALREADYEXISTS] INBOX always exists\r\n",
        ),
        (
            "m2 CREATE A/B\r\n",
            "m2 OK [MAILBOXID (00000000000000000000000000000009)] CREATE completed\r\n",
        ),
        (
            "m3 CREATE A\r\n",
            "m3 NO [ALREADYEXISTS] mailbox exists\r\n",
        ),
        (
            "m4 CREATE \"A//C\"\r\n",
            "m4 NO [CANNOT] invalid mailbox name\r\n",
        ),
        (
            "m5 DELETE A\r\n",
            "m5 NO [HASCHILDREN] mailbox has children\r\n",
        ),
        (
            "m6 DELETE Nope\r\n",
            "m6 NO [NONEXISTENT] mailbox not found\r\n",
        ),
        (
            "m7 DELETE INBOX\r\n",
            "m7 NO [CANNOT] INBOX cannot be deleted\r\n",
        ),
        ("m8 RENAME A Z\r\n", "m8 OK RENAME completed\r\n"),
        (
            "m9 RENAME Nope Y\r\n",
            "m9 NO [NONEXISTENT] mailbox not found\r\n",
        ),
        (
            "n1 RENAME Z Sent\r\n",
            "n1 NO [ALREADYEXISTS] target exists\r\n",
        ),
        ("n2 DELETE Z/B\r\n", "n2 OK DELETE completed\r\n"),
    ];
    for (input, expected) in cases {
        let output = client.send(input).await;
        assert_eq!(output, expected, "{input:?}");
        assert_responses(&output);
    }
    let output = client.send("l1 LIST \"\" Z*\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" Z\r\nl1 OK LIST completed\r\n"
    );
}

#[tokio::test]
async fn renaming_and_deleting_the_selected_mailbox() {
    let mut client = logged_in().await;
    client.send("c1 CREATE Old\r\ns1 SELECT Old\r\n").await;
    assert_eq!(
        client.send("r1 RENAME Old New\r\n").await,
        "r1 OK RENAME completed\r\n"
    );
    let body = message("x");
    let output = client.send(&append_command("a1", "New", &body)).await;
    // The selected mailbox followed its new name: the append is announced.
    assert!(
        output.starts_with("* 1 EXISTS\r\n* 1 RECENT\r\na1 OK [APPENDUID "),
        "{output}"
    );
    assert_eq!(
        client.send("d1 DELETE New\r\n").await,
        "d1 OK DELETE completed\r\n"
    );
    assert_eq!(
        client.send("d2 CHECK\r\n").await,
        "d2 BAD command not valid in the authenticated state\r\n"
    );
    assert_eq!(client.send("d3 NOOP\r\n").await, "d3 OK NOOP completed\r\n");
}

#[tokio::test]
async fn status_items_in_the_order_asked() {
    let mut client = logged_in().await;
    let body = message("s");
    client
        .send(&append_command("a1", "INBOX (\\Seen)", &body))
        .await;
    let output = client
        .send("s1 STATUS INBOX (UIDVALIDITY MESSAGES RECENT UNSEEN UIDNEXT HIGHESTMODSEQ SIZE)\r\n")
        .await;
    assert_eq!(
        output,
        format!(
            "* STATUS INBOX (UIDVALIDITY 1002 MESSAGES 1 RECENT 1 UNSEEN 0 UIDNEXT 2 HIGHESTMODSEQ 2 SIZE {})\r\n\
             s1 OK STATUS completed\r\n",
            body.len()
        )
    );
    assert_responses(&output);
    let output = client.send("s2 STATUS Nope (MESSAGES)\r\n").await;
    assert_eq!(output, "s2 NO [NONEXISTENT] mailbox not found\r\n");
}
