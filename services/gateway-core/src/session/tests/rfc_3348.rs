//! RFC 3348 (CHILDREN) examples: `\HasChildren` and `\HasNoChildren` on LIST
//! over the RFC 5258 Fruit hierarchy.

use super::list_ext::fruit_client;

// RFC 3348, the `LIST "" %` example: a mailbox with children is
// \HasChildren, one without is \HasNoChildren; the attribute follows the
// children as they are deleted.
#[tokio::test]
async fn rfc3348_children_examples() {
    let mut client = fruit_client().await;
    let output = client.send("A001 LIST \"\" %\r\n").await;
    assert!(
        output.contains("* LIST (\\HasChildren) \"/\" Fruit\r\n"),
        "{output}"
    );
    assert!(
        output.contains("* LIST (\\HasNoChildren) \"/\" Tofu\r\n"),
        "{output}"
    );
    assert!(output.ends_with("A001 OK LIST completed\r\n"), "{output}");
    // Deleting the last child turns \HasChildren into \HasNoChildren.
    let output = client
        .send("d DELETE Fruit/Apple\r\nd DELETE Fruit/Banana\r\nA002 LIST \"\" Fruit\r\n")
        .await;
    assert!(
        output.ends_with("* LIST (\\HasNoChildren) \"/\" Fruit\r\nA002 OK LIST completed\r\n"),
        "{output}"
    );
}
