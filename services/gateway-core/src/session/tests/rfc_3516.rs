//! RFC 3516 (BINARY) has no C:/S: examples; these tests exercise the forms
//! its §4 defines that `wire.rs` does not: APPEND of a `literal8` holding
//! NUL (§4.4, `literal8` of §7) and a partial BINARY.PEEK of a nested part
//! beside BINARY.SIZE (§4.2 command items, §4.3 response items).

use super::support::{NESTED, logged_in, selected_client};

// RFC 3516 §4.4: APPEND with a `literal8` (`~{5+}`) holding a NUL; the
// stored message keeps the octet, given back as `literal8` (§4.3).
#[tokio::test]
async fn rfc3516_append_literal8() {
    let mut client = logged_in().await;
    let output = client
        .send("A003 APPEND Drafts (\\Draft) ~{5+}\r\nhe\0lo\r\n")
        .await;
    assert!(output.starts_with("A003 OK [APPENDUID "), "{output}");
    let output = client
        .send("e EXAMINE Drafts\r\nf FETCH 1 (FLAGS BINARY.PEEK[])\r\n")
        .await;
    assert!(
        output.contains("* 1 FETCH (FLAGS (\\Draft \\Recent) BINARY[] ~{5}\r\nhe\0lo)\r\n"),
        "{output:?}"
    );
}

// RFC 3516 §4.2/§4.3: `FETCH 1 (BINARY.PEEK[1.2]<0.6> BINARY.SIZE[1.2])`
// on a nested multipart message; the answer names the origin `<0>`.
#[tokio::test]
async fn rfc3516_partial_binary_of_a_nested_part() {
    let mut client = selected_client(&[NESTED]).await;
    let output = client
        .send("a FETCH 1 (BINARY.PEEK[1.2]<0.6> BINARY.SIZE[1.2])\r\n")
        .await;
    assert_eq!(
        output,
        "* 1 FETCH (BINARY[1.2]<0> {6}\r\n<p>htm BINARY.SIZE[1.2] 16)\r\na OK FETCH completed\r\n"
    );
    // imap-codec follows the §7 ABNF, which leaves out the `<origin>` that
    // §4.3's text puts on a partial BINARY response: no oracle.
}
