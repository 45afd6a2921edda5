//! RFC 5957 (SORT=DISPLAY) replayed against a session. The RFC has no
//! command/response example; its §3 rules are checked in that shape:
//! DISPLAYTO sorts on the display name of the first To address, or on the
//! address itself when there is none, ignoring case (i;ascii-casemap).

use super::support::{assert_responses, selected_client};

// RFC 5957 §3: `SORT (DISPLAYTO) UTF-8 ALL` orders "amy", "b@x" (no
// display name) and "Zed" case-insensitively; REVERSE turns it round.
#[tokio::test]
async fn rfc5957_displayto_uses_the_display_name_or_the_address() {
    let with_to =
        |to: &str| format!("From: bob@example.test\r\nTo: {to}\r\nSubject: s\r\n\r\nbody\r\n");
    let zed = with_to("Zed <a@x>");
    let amy = with_to("amy <z@x>");
    let bare = with_to("<b@x>");
    let mut client = selected_client(&[&zed, &amy, &bare]).await;
    let output = client.send("A1 SORT (DISPLAYTO) UTF-8 ALL\r\n").await;
    assert_eq!(output, "* SORT 2 3 1\r\nA1 OK SORT completed\r\n");
    assert_responses(&output);
    assert_eq!(
        client
            .send("A2 SORT (REVERSE DISPLAYTO) UTF-8 ALL\r\n")
            .await,
        "* SORT 1 3 2\r\nA2 OK SORT completed\r\n"
    );
    // Plain TO sorts on the mailbox part instead: a, b, z.
    assert_eq!(
        client.send("A3 SORT (TO) UTF-8 ALL\r\n").await,
        "* SORT 1 3 2\r\nA3 OK SORT completed\r\n"
    );
}
