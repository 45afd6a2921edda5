//! The examples of RFC 6851 (MOVE) replayed against a session: UID MOVE
//! answering COPYUID in an untagged OK before the EXPUNGEs (§3.3), and
//! VANISHED in place of EXPUNGE once QRESYNC is enabled (§4, interaction
//! with QRESYNC).

use super::support::{
    assert_responses, deliver, inbox_with, logged_in, message, select_inbox, uidvalidity,
};
use crate::backend::Flags;

// RFC 6851 §3.3 example: `a UID MOVE 42:69 foo` answers
// `* OK [COPYUID 432432 42:69 1202:1229]`, then `* 22 EXPUNGE` once per
// moved message (each expunge renumbers the next down to 22), `a OK Done`.
// Here UIDs 2:4 are messages 2 to 4.
#[tokio::test]
async fn rfc6851_uid_move_answers_copyuid_then_expunges() {
    let mut client = inbox_with(&["1", "2", "3", "4", "5"]).await;
    client.send("a0 CREATE foo\r\n").await;
    let validity = uidvalidity(&client, "foo").await;
    let output = client.send("a UID MOVE 2:4 foo\r\n").await;
    // Highest first, as RFC 6851 leaves the order of the EXPUNGEs open.
    assert_eq!(
        output,
        format!(
            "* OK [COPYUID {validity} 2:4 1:3] moved\r\n\
             * 4 EXPUNGE\r\n* 3 EXPUNGE\r\n* 2 EXPUNGE\r\na OK MOVE completed\r\n"
        )
    );
    assert_responses(&output);
    assert_eq!(
        client.send("b UID SEARCH ALL\r\n").await,
        "* SEARCH 1 5\r\nb OK SEARCH completed\r\n"
    );
}

// RFC 6851 §4 QRESYNC example: with QRESYNC enabled the same UID MOVE answers
// `* OK [COPYUID 4444 42:69 3302:3329]`, `* VANISHED 42:69`, then the
// tagged OK.
#[tokio::test]
async fn rfc6851_uid_move_with_qresync_answers_vanished() {
    let mut client = logged_in().await;
    for number in 1..=5 {
        deliver(&client, &message(&number.to_string()), Flags::default());
    }
    client.send("e1 ENABLE QRESYNC\r\n").await;
    select_inbox(&mut client).await;
    client.send("a0 CREATE foo\r\n").await;
    let validity = uidvalidity(&client, "foo").await;
    let output = client.send("a UID MOVE 2:4 foo\r\n").await;
    assert_eq!(
        output,
        format!(
            "* OK [COPYUID {validity} 2:4 1:3] moved\r\n* VANISHED 2:4\r\na OK MOVE completed\r\n"
        )
    );
    assert_responses(&output.replace("* VANISHED 2:4\r\n", ""));
}
