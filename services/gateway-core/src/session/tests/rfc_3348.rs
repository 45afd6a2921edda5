//! RFC 3348 (CHILDREN): its one example, "Example 3.1" of §3, over the
//! RFC's hierarchy INBOX, ITEM_1, ITEM_1/ITEM_1A, ITEM_2 (the account's
//! special-use mailboxes are listed too and not asserted). In the RFC,
//! ITEM_2 has a child TOP_SECRET the user may not see, and that server
//! answers `\HasChildren` as a hint; §3 says servers SHOULD answer
//! `\HasNoChildren` then, and this one has no hidden mailboxes at all, so
//! ITEM_2 without a visible child is `\HasNoChildren`.

use super::support::{assert_responses, logged_in};

// RFC 3348 §3, Example 3.1: `A001 LIST "" *`.
#[tokio::test]
async fn rfc3348_example_3_1() {
    let mut client = logged_in().await;
    client
        .send("c1 CREATE ITEM_1\r\nc2 CREATE ITEM_1/ITEM_1A\r\nc3 CREATE ITEM_2\r\n")
        .await;
    let output = client.send("A001 LIST \"\" *\r\n").await;
    let lines: Vec<&str> = output.split_inclusive("\r\n").collect();
    let position = |line: &str| {
        lines
            .iter()
            .position(|candidate| *candidate == line)
            .unwrap_or_else(|| panic!("no {line:?} in {output}"))
    };
    let listed = [
        position("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"),
        position("* LIST (\\HasChildren) \"/\" ITEM_1\r\n"),
        position("* LIST (\\HasNoChildren) \"/\" ITEM_1/ITEM_1A\r\n"),
        position("* LIST (\\HasNoChildren) \"/\" ITEM_2\r\n"),
    ];
    assert!(listed.is_sorted(), "{output}");
    assert_eq!(lines.last(), Some(&"A001 OK LIST completed\r\n"));
    assert_responses(&output);
}

// RFC 3348 §3: `\HasChildren` means the mailbox has children now; once
// the last child is deleted the mailbox is `\HasNoChildren`.
#[tokio::test]
async fn rfc3348_attribute_follows_the_children() {
    let mut client = logged_in().await;
    client
        .send("c1 CREATE ITEM_1\r\nc2 CREATE ITEM_1/ITEM_1A\r\n")
        .await;
    let output = client
        .send("d DELETE ITEM_1/ITEM_1A\r\nA002 LIST \"\" ITEM_1\r\n")
        .await;
    assert!(
        output.ends_with("* LIST (\\HasNoChildren) \"/\" ITEM_1\r\nA002 OK LIST completed\r\n"),
        "{output}"
    );
}
