//! Wire-level extensions: FETCH BINARY (RFC 3516) and COMPRESS (RFC 4978);
//! LITERAL+ (RFC 7888) and APPENDLIMIT (RFC 7889) are in `rfc_7888.rs` and
//! `rfc_7889.rs`.

use super::support::{assert_responses, deliver, logged_in, select_inbox};
use crate::backend::Flags;
use crate::session::Flow;
use crate::testing::TestClient;

/// The imaptest fetch-binary-mime-base64 fixture: five base64 parts, the
/// last decoding to bare CR and LF line ends.
const BASE64_PARTS: &str = "From: user@domain.org\r\n\
Date: Sat, 24 Mar 2007 23:00:00 +0200\r\n\
Mime-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"foo\r\n bar\"\r\n\
\r\n\
Root MIME prologue\r\n\
\r\n\
--foo bar\r\n\
Content-Type: text/x-myown; charset=us-ascii\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
\r\n\
aGVs\r\n\
bG8gd29y\r\n\
bGQ=\r\n\
\r\n\
--foo bar\r\n\
Content-Type: text/x-myown; charset=us-ascii\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
  aGVs    \r\n\
 bG8g  \r\n\
   d29y  \t \r\n\
    bGQ= \r\n\
\r\n\
\r\n\
--foo bar\r\n\
Content-Type: text/x-myown; charset=us-ascii\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
aGVsbG8g\r\n\
dG8geW91IHRv\r\n\
bw==\r\n\
\r\n\
--foo bar\r\n\
Content-Type: text/x-myown; charset=us-ascii\r\n\
Content-Transfer-Encoding: x-unknown\r\n\
\r\n\
aGVsbG8gdG8gZXZlcnlvbmUh\r\n\
--foo bar\r\n\
Content-Type: text/x-myown; charset=us-ascii\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
YWJjZGVmZw1oaWprbA0KbW5vCnBxcnN0dXZxeHl6\r\n\
\r\n\
--foo bar--\r\n\
Root MIME epilogue\r\n";

/// A single-part message whose base64 body decodes to `a NUL b`.
const NUL_BODY: &str = "Subject: nul\r\nContent-Transfer-Encoding: base64\r\n\r\nYQBi\r\n";

async fn client_with(messages: &[&str]) -> TestClient {
    let mut client = logged_in().await;
    for raw in messages {
        deliver(&client, raw, Flags::default());
    }
    select_inbox(&mut client).await;
    client
}

#[tokio::test]
async fn binary_decodes_base64_parts() {
    let mut client = client_with(&[BASE64_PARTS]).await;
    let output = client
        .send("b1 FETCH 1 (BINARY.SIZE[1] BINARY.SIZE[5] BINARY.PEEK[1] BINARY.PEEK[3])\r\n")
        .await;
    assert_eq!(
        output,
        "* 1 FETCH (BINARY.SIZE[1] 11 BINARY.SIZE[5] 30 BINARY[1] {11}\r\nhello world \
         BINARY[3] {16}\r\nhello to you too)\r\nb1 OK FETCH completed\r\n"
    );
    assert_responses(&output);
    let output = client.send("b2 FETCH 1 (BINARY.PEEK[5]<15.100>)\r\n").await;
    assert_eq!(
        output,
        "* 1 FETCH (BINARY[5]<15> {15}\r\nmno\npqrstuvqxyz)\r\nb2 OK FETCH completed\r\n"
    );
    let output = client.send("b3 FETCH 1 (BINARY.PEEK[2] FLAGS)\r\n").await;
    assert!(
        output.contains("BINARY[2] {11}\r\nhello world FLAGS (\\Recent)"),
        "{output}"
    );
}

#[tokio::test]
async fn binary_refuses_unknown_encodings_and_answers_nil_for_missing_parts() {
    let mut client = client_with(&[BASE64_PARTS]).await;
    let output = client.send("u1 FETCH 1 BINARY.PEEK[4]\r\n").await;
    assert_eq!(
        output,
        "u1 NO [UNKNOWN-CTE] unknown content-transfer-encoding\r\n"
    );
    let output = client
        .send("u2 FETCH 1 (BINARY.PEEK[9] BINARY.SIZE[9])\r\n")
        .await;
    assert_eq!(
        output,
        "* 1 FETCH (BINARY[9] NIL BINARY.SIZE[9] 0)\r\nu2 OK FETCH completed\r\n"
    );
    assert_responses(&output);
}

#[tokio::test]
async fn binary_sends_nul_as_literal8_and_sets_seen() {
    let mut client = client_with(&[NUL_BODY]).await;
    let output = client
        .send("n1 FETCH 1 (BINARY[1] BINARY.SIZE[])\r\n")
        .await;
    let size = NUL_BODY.len();
    assert_eq!(
        output,
        format!(
            "* 1 FETCH (BINARY[1] ~{{3}}\r\na\0b BINARY.SIZE[] {size} FLAGS (\\Seen \\Recent))\r\n\
             n1 OK FETCH completed\r\n"
        )
    );
    assert_responses(&output);
    let output = client.send("n2 FETCH 1 BINARY.PEEK[]\r\n").await;
    assert!(
        output.starts_with(&format!("* 1 FETCH (BINARY[] {{{size}}}\r\n{NUL_BODY})")),
        "{output}"
    );
}

#[tokio::test]
async fn compress_deflate_starts_once_after_authentication() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client.send("c0 COMPRESS DEFLATE\r\n").await;
    assert!(output.starts_with("c0 BAD "), "{output}");
    client.login().await;
    let output = client.send("c1 COMPRESS LZW\r\n").await;
    assert!(output.starts_with("c1 BAD "), "{output}");
    assert_eq!(client.flow, Flow::Continue);
    // RFC 4978 §3 example, with a pipelined command that must not survive.
    let output = client.send("a COMPRESS DEFLATE\r\nx NOOP\r\n").await;
    assert_eq!(output, "a OK DEFLATE active\r\n");
    assert_eq!(client.flow, Flow::Compress);
    let output = client.send("b COMPRESS DEFLATE\r\n").await;
    assert_eq!(output, "b BAD COMPRESS is already active\r\n");
    assert_responses(&output);
}
