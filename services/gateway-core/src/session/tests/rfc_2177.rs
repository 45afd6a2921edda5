//! RFC 2177 (IDLE) replayed against a session. The RFC has one example,
//! in §3 (A001 to A006), replayed whole: IDLE reports new mail, DONE ends
//! it, an expunge made by another session while the client is not idling
//! waits for the next command that may carry it (not FETCH), and expunges
//! and new mail while idling are reported as they happen. §3's rule that
//! only DONE ends IDLE has a test of its own.
//! Beside the RFC's EXISTS we also send `* n RECENT` (the number of
//! messages with `\Recent`), which RFC 3501 §7.3.2 requires whenever that
//! number changes.

use super::support::{
    assert_responses, deliver, expunge_elsewhere, logged_in, message, select_inbox,
};
use crate::backend::Flags;

// RFC 2177 §3, the whole example (the RFC's only one): `A001 SELECT INBOX`
// of a mailbox with `* 3 EXISTS` (our three deliveries are recent, the
// RFC's were not); `A002 IDLE`, `+ idling`, new mail gives `* 4 EXISTS`,
// `DONE` ends with `A002 OK IDLE terminated`; another client expunges
// message 2; `A003 FETCH 4 ALL` still addresses message 4 and reports no
// expunge (RFC 3501 §7.4.1 forbids EXPUNGE during FETCH); `A004 IDLE`
// reports `* 2 EXPUNGE` (the RFC's following `* 3 EXISTS` is implied by
// it, RFC 3501 §7.4.1, and we do not repeat it) and `+ idling`; another
// client expunges message 3 (`* 3 EXPUNGE`), new mail arrives (`* 3
// EXISTS`), `DONE` ends with `A004 OK IDLE terminated`, `A005 FETCH 3 ALL`
// answers message 3 and `A006 IDLE` idles again.
#[tokio::test]
async fn rfc2177_idle_example() {
    let mut client = logged_in().await;
    for subject in ["1", "2", "3"] {
        deliver(&client, &message(subject), Flags::default());
    }
    let output = client.send("A001 SELECT INBOX\r\n").await;
    assert!(output.contains("* 3 EXISTS\r\n"), "{output}");
    assert!(
        output.ends_with("A001 OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );

    let output = client.send("A002 IDLE\r\n").await;
    assert_eq!(output, "+ idling\r\n");
    deliver(&client, &message("4"), Flags::default());
    assert_eq!(client.poll().await, "* 4 EXISTS\r\n* 4 RECENT\r\n");
    let output = client.send("DONE\r\n").await;
    assert_eq!(output, "A002 OK IDLE terminated\r\n");

    expunge_elsewhere(&client, &[(2, 2)]).await;
    let output = client.send("A003 FETCH 4 ALL\r\n").await;
    assert!(output.starts_with("* 4 FETCH (FLAGS ("), "{output}");
    assert!(!output.contains("EXPUNGE"), "{output}");
    assert!(output.ends_with("A003 OK FETCH completed\r\n"), "{output}");
    assert_responses(&output);

    let mut output = client.send("A004 IDLE\r\n").await;
    output.push_str(&client.poll().await);
    assert!(output.contains("+ idling\r\n"), "{output}");
    assert!(output.contains("* 2 EXPUNGE\r\n"), "{output}");
    // Message 3 is now the one delivered fourth (UID 4).
    expunge_elsewhere(&client, &[(4, 4)]).await;
    assert_eq!(client.poll().await, "* 3 EXPUNGE\r\n");
    deliver(&client, &message("5"), Flags::default());
    assert_eq!(client.poll().await, "* 3 EXISTS\r\n* 3 RECENT\r\n");
    let output = client.send("DONE\r\n").await;
    assert_eq!(output, "A004 OK IDLE terminated\r\n");

    let output = client.send("A005 FETCH 3 ALL\r\n").await;
    assert!(output.starts_with("* 3 FETCH (FLAGS ("), "{output}");
    assert!(output.ends_with("A005 OK FETCH completed\r\n"), "{output}");
    assert_responses(&output);
    assert_eq!(client.send("A006 IDLE\r\n").await, "+ idling\r\n");
    assert!(client.session.is_idling());
}

// RFC 2177 §3: IDLE is ended by the untagged line DONE; another line in
// its place ends IDLE with a BAD for the IDLE command (the RFC names no
// answer for it), and the commands after it run as usual.
#[tokio::test]
async fn rfc2177_only_done_ends_idle() {
    let mut client = logged_in().await;
    select_inbox(&mut client).await;
    let output = client.send("A1 IDLE\r\nA2 NOOP\r\nA3 NOOP\r\n").await;
    assert_eq!(
        output,
        "+ idling\r\nA1 BAD expected DONE\r\nA3 OK NOOP completed\r\n"
    );
    assert!(!client.session.is_idling());
}
