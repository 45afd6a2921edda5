//! The IMAP4rev2 session switches (RFC 9051 Appendix E) over the memory
//! backend: once the session has enabled IMAP4rev2 there is no `\Recent`
//! and no RECENT or UNSEEN on SELECT, and SEARCH answers in ESEARCH form.
//! imap-codec does not know ESEARCH, so those answers skip the oracle.

use super::support::{assert_responses, deliver, logged_in, message};
use crate::backend::Flags;

#[tokio::test]
async fn rev2_drops_recent_and_unseen_and_answers_esearch() {
    let mut client = logged_in().await;
    for subject in ["one", "two"] {
        deliver(&client, &message(subject), Flags::default());
    }
    let output = client.send("e1 ENABLE IMAP4rev2\r\n").await;
    assert_eq!(output, "* ENABLED IMAP4rev2\r\ne1 OK ENABLE completed\r\n");
    let output = client.send("s1 SELECT INBOX\r\n").await;
    assert!(output.contains("* 2 EXISTS\r\n"), "{output}");
    assert!(!output.contains("RECENT"), "{output}");
    assert!(!output.contains("UNSEEN"), "{output}");
    assert_responses(&output);
    let output = client.send("f1 FETCH 1:2 FLAGS\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (FLAGS ())\r\n* 2 FETCH (FLAGS ())\r\nf1 OK FETCH completed\r\n"
    );
    // RFC 9051 §6.4.4: SEARCH without RETURN is ESEARCH ALL.
    let output = client.send("t1 UID SEARCH ALL\r\n").await;
    assert_eq!(
        output,
        "* ESEARCH (TAG \"t1\") UID ALL 1:2\r\nt1 OK SEARCH completed\r\n"
    );
    let output = client.send("t2 SEARCH DELETED\r\n").await;
    assert_eq!(
        output,
        "* ESEARCH (TAG \"t2\")\r\nt2 OK SEARCH completed\r\n"
    );
    // New mail: EXISTS, no RECENT.
    deliver(&client, &message("three"), Flags::default());
    assert_eq!(
        client.send("n1 NOOP\r\n").await,
        "* 3 EXISTS\r\nn1 OK NOOP completed\r\n"
    );
}
