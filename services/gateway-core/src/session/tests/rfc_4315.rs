//! The examples of RFC 4315 (UIDPLUS) replayed against a session: UID
//! EXPUNGE (§2.1), APPENDUID (§3) and COPYUID (§3), with this backend's
//! UIDVALIDITY and UIDs in place of the RFC's.

use super::support::{
    append_command, assert_responses, expunge_elsewhere, inbox_with, message, message_count,
    uidvalidity,
};

// RFC 4315 §2.1 example: `A003 UID EXPUNGE 3000:3002` expunges only the
// \Deleted messages among those UIDs (here UIDs 3:5, sequence 3 to 5; 1 is
// \Deleted too and stays), answering one EXPUNGE per message.
#[tokio::test]
async fn rfc4315_2_1_uid_expunge() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
    client
        .send("A001 STORE 1,3:5 +FLAGS.SILENT (\\Deleted)\r\n")
        .await;
    let output = client.send("A003 UID EXPUNGE 3:5\r\n").await;
    // Each EXPUNGE renumbers the messages above it, so the server may
    // answer `* 3 EXPUNGE` three times as the RFC does or, as here,
    // highest first.
    assert_eq!(
        output,
        "* 5 EXPUNGE\r\n* 4 EXPUNGE\r\n* 3 EXPUNGE\r\nA003 OK EXPUNGE completed\r\n"
    );
    assert_responses(&output);
    assert_eq!(
        client.send("A004 UID SEARCH ALL\r\n").await,
        "* SEARCH 1 2\r\nA004 OK SEARCH completed\r\n"
    );
}

// RFC 4315 §3 APPENDUID example: `A003 APPEND saved-messages (\Seen) {310}`
// answers `OK [APPENDUID 38505 3955]`: the UIDVALIDITY of the target and
// the UID the message got.
#[tokio::test]
async fn rfc4315_3_appenduid() {
    let mut client = inbox_with(&[]).await;
    client.send("A001 CREATE saved-messages\r\n").await;
    let validity = uidvalidity(&client, "saved-messages").await;
    let output = client
        .send(&append_command(
            "A003",
            "saved-messages (\\Seen)",
            &message("afternoon meeting"),
        ))
        .await;
    assert_eq!(
        output,
        format!("A003 OK [APPENDUID {validity} 1] APPEND completed\r\n")
    );
    assert_responses(&output);
}

// RFC 4315 §3 COPYUID examples: `A004 COPY 2:4 meeting` answers
// `OK [COPYUID 38505 304,319:320 3956:3958]` (source UIDs with a gap, in
// the order of the destination UIDs); `A005 UID COPY 305:310 meeting`
// names no message and answers a plain OK without COPYUID.
#[tokio::test]
async fn rfc4315_3_copyuid() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
    expunge_elsewhere(&client, &[(3, 3)]).await;
    client.send("A001 NOOP\r\n").await;
    client.send("A002 CREATE meeting\r\n").await;
    let validity = uidvalidity(&client, "meeting").await;
    let output = client.send("A004 COPY 2:4 meeting\r\n").await;
    assert_eq!(
        output,
        format!("A004 OK [COPYUID {validity} 2,4:5 1:3] COPY completed\r\n")
    );
    assert_responses(&output);
    let output = client.send("A005 UID COPY 6:10 meeting\r\n").await;
    assert_eq!(output, "A005 OK COPY completed, no messages\r\n");
    assert_eq!(message_count(&client, "meeting"), 3);
}
