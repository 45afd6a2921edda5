//! COPY, MOVE and EXPUNGE protocol tests over `testing::MemoryBackend`.

use crate::backend::MailBackend;
use crate::session::tests::support::{
    assert_responses, expunge_elsewhere, inbox_with, message_count,
};
use crate::testing::TestClient;

async fn five_messages() -> TestClient {
    inbox_with(&["a", "b", "c", "d", "e"]).await
}

async fn uidvalidity(client: &TestClient, mailbox: &str) -> u32 {
    let status = client
        .backend
        .mailbox_status(&client.principal, mailbox)
        .await;
    status.unwrap().mailbox.uidvalidity
}

#[tokio::test]
async fn copy_answers_copyuid_and_trycreate() {
    let mut client = five_messages().await;
    let validity = uidvalidity(&client, "Archive").await;
    let output = client.send("c1 COPY 2:3,5 Archive\r\n").await;
    assert_eq!(
        output,
        format!("c1 OK [COPYUID {validity} 2:3,5 1:3] COPY completed\r\n")
    );
    assert_responses(&output);
    assert_eq!(message_count(&client, "Archive"), 3);

    let output = client.send("c2 UID COPY 4 Archive\r\n").await;
    assert_eq!(
        output,
        format!("c2 OK [COPYUID {validity} 4 4] COPY completed\r\n")
    );
    let output = client.send("c3 COPY 1 Nowhere\r\n").await;
    assert_eq!(
        output,
        "c3 NO [TRYCREATE] destination mailbox does not exist\r\n"
    );
    let output = client.send("c4 COPY 6 Archive\r\n").await;
    assert!(output.starts_with("c4 BAD "), "{output}");

    client.backend.set_quota(&client.principal, Some(1));
    let output = client.send("c5 COPY 1 Archive\r\n").await;
    assert!(output.starts_with("c5 NO [OVERQUOTA] "), "{output}");
}

#[tokio::test]
async fn move_sends_copyuid_then_expunges_and_updates_the_view() {
    let mut client = five_messages().await;
    let validity = uidvalidity(&client, "Trash").await;
    let output = client.send("m1 MOVE 2,4 Trash\r\n").await;
    assert_eq!(
        output,
        format!(
            "* OK [COPYUID {validity} 2,4 1:2] moved\r\n* 4 EXPUNGE\r\n* 2 EXPUNGE\r\n\
             m1 OK MOVE completed\r\n"
        )
    );
    assert_responses(&output);
    let output = client.send("m2 UID MOVE 5 Trash\r\n").await;
    assert_eq!(
        output,
        format!("* OK [COPYUID {validity} 5 3] moved\r\n* 3 EXPUNGE\r\nm2 OK MOVE completed\r\n")
    );
    let output = client.send("m3 FETCH 1:* UID\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\nm3 OK FETCH completed\r\n"
    );
    // Moving within the mailbox: the copy arrives as a new message.
    let output = client.send("m4 MOVE 1 INBOX\r\n").await;
    assert!(
        output.contains("* 1 EXPUNGE\r\n* 2 EXISTS\r\n* 2 RECENT\r\nm4 OK MOVE completed\r\n"),
        "{output}"
    );
    client.send("m5 EXAMINE INBOX\r\n").await;
    assert_eq!(
        client.send("m6 MOVE 1 Trash\r\n").await,
        "m6 NO [READ-ONLY] mailbox is read-only\r\n"
    );
}

#[tokio::test]
async fn expunge_numbers_are_right_as_each_is_applied() {
    let mut client = five_messages().await;
    client
        .send("e1 STORE 2,4:5 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let output = client.send("e2 EXPUNGE\r\n").await;
    assert_eq!(
        output,
        "* 5 EXPUNGE\r\n* 4 EXPUNGE\r\n* 2 EXPUNGE\r\ne2 OK EXPUNGE completed\r\n"
    );
    assert_responses(&output);
    // Nothing is reported twice.
    assert_eq!(client.send("e3 NOOP\r\n").await, "e3 OK NOOP completed\r\n");
    let output = client.send("e4 FETCH 1:* UID\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (UID 1)\r\n* 2 FETCH (UID 3)\r\ne4 OK FETCH completed\r\n"
    );
}

#[tokio::test]
async fn uid_expunge_only_touches_the_given_uids() {
    let mut client = five_messages().await;
    client
        .send("u1 STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let output = client.send("u2 UID EXPUNGE 2:3,9\r\n").await;
    assert_eq!(
        output,
        "* 3 EXPUNGE\r\n* 2 EXPUNGE\r\nu2 OK EXPUNGE completed\r\n"
    );
    let output = client.send("u3 UID EXPUNGE 7\r\n").await;
    assert_eq!(output, "u3 OK EXPUNGE completed\r\n");
    assert_eq!(message_count(&client, "INBOX"), 3);
    client.send("u4 EXAMINE INBOX\r\n").await;
    assert_eq!(
        client.send("u5 EXPUNGE\r\n").await,
        "u5 NO [READ-ONLY] mailbox is read-only\r\n"
    );
}

#[tokio::test]
async fn expunge_after_a_concurrent_expunge_keeps_numbers_consistent() {
    let mut client = five_messages().await;
    // Another session deletes and expunges UID 1; it is not reported yet.
    expunge_elsewhere(&client, &[(1, 1)]).await;

    let output = client
        .send("x1 STORE 3 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    assert_eq!(output, "x1 OK STORE completed\r\n");
    let output = client.send("x2 EXPUNGE\r\n").await;
    assert_eq!(
        output,
        "* 3 EXPUNGE\r\n* 1 EXPUNGE\r\nx2 OK EXPUNGE completed\r\n"
    );
    let output = client.send("x3 FETCH 1:* UID\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (UID 2)\r\n* 2 FETCH (UID 4)\r\n* 3 FETCH (UID 5)\r\nx3 OK FETCH completed\r\n"
    );
}
