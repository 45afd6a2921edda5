//! RFC 5957 (SORT=DISPLAY) against a session. The RFC has no C:/S:
//! example (checked against its full text); its §3 and §4 rules are tested
//! in that shape instead: DISPLAYTO and DISPLAYFROM sort on the decoded
//! display name of the first address, or on `mailbox@host` when there is
//! none, a missing header sorting as the empty string, ignoring case
//! (i;ascii-casemap, RFC 5256's default collation, §7).

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

// RFC 5957 §3 and §4 for DISPLAYFROM: an RFC 2047 encoded display name is
// decoded before comparing ("decode any [RFC2047] encoded-words"), an
// address without one sorts as `mailbox@host`, and a message without From
// (derived-addr NIL) has the empty string, which sorts first.
#[tokio::test]
async fn rfc5957_displayfrom_decodes_names_and_sorts_missing_first() {
    let with_from = |from: &str| format!("{from}To: a@x\r\nSubject: s\r\n\r\nbody\r\n");
    let encoded = with_from("From: =?UTF-8?Q?Zo=C3=AB?= <a@x>\r\n");
    let bare = with_from("From: mary@example.test\r\n");
    let named = with_from("From: \"Bob\" <z@x>\r\n");
    let missing = with_from("");
    let mut client = selected_client(&[&encoded, &bare, &named, &missing]).await;
    let output = client.send("A1 SORT (DISPLAYFROM) UTF-8 ALL\r\n").await;
    assert_eq!(output, "* SORT 4 3 2 1\r\nA1 OK SORT completed\r\n");
    assert_responses(&output);
}
