//! METADATA (RFC 5464) against the memory backend: the §4 examples, server
//! and mailbox entries, DEPTH and MAXSIZE, the read-only `/shared/admin`,
//! the limits and what DELETE and RENAME do to a mailbox's entries.

use mailkeep_common::mail::{MAX_METADATA_ENTRIES, MAX_METADATA_VALUE_BYTES};

use super::support::logged_in;
use crate::session::{ConnectionInfo, SessionConfig};
use crate::testing::TestClient;

#[tokio::test]
async fn rfc5464_set_and_get_examples() {
    let mut client = logged_in().await;
    // §4.3 examples: a server comment, then a two-line mailbox comment.
    let output = client
        .send(
            "a SETMETADATA \"\" (/shared/comment \"Shared comment\")\r\n\
             b SETMETADATA INBOX (/private/comment {33+}\r\nMy new comment across\r\ntwo lines.)\r\n",
        )
        .await;
    assert_eq!(
        output,
        "a OK SETMETADATA completed\r\nb OK SETMETADATA completed\r\n"
    );
    // §4.2 examples.
    let output = client.send("c GETMETADATA \"\" /shared/comment\r\n").await;
    assert_eq!(
        output,
        "* METADATA \"\" (/shared/comment \"Shared comment\")\r\nc OK GETMETADATA completed\r\n"
    );
    // imap-codec has no METADATA response, so no oracle check here.
    let output = client
        .send("d GETMETADATA INBOX (/shared/comment /private/comment)\r\n")
        .await;
    assert_eq!(
        output,
        "* METADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines. \
         /shared/comment NIL)\r\nd OK GETMETADATA completed\r\n"
    );
    // §4.2.1: MAXSIZE leaves the long value out and says how long it is.
    let output = client
        .send("e GETMETADATA (MAXSIZE 10) INBOX /private/comment\r\n")
        .await;
    assert_eq!(
        output,
        "e OK [METADATA LONGENTRIES 33] GETMETADATA completed\r\n"
    );
    // §4.3: NIL removes an entry; names are case-insensitive.
    let output = client
        .send("f SETMETADATA INBOX (/PRIVATE/Comment NIL)\r\ng GETMETADATA INBOX /private/comment\r\n")
        .await;
    assert_eq!(
        output,
        "f OK SETMETADATA completed\r\n* METADATA INBOX (/private/comment NIL)\r\n\
         g OK GETMETADATA completed\r\n"
    );
}

#[tokio::test]
async fn rfc5464_depth_example() {
    let mut client = logged_in().await;
    let output = client
        .send(
            "a SETMETADATA INBOX (/private/filters/values/small \"SMALLER 5000\" \
             /private/filters/values/big \"LARGER 500000\" /private/filters/values/big/more \"x\")\r\n",
        )
        .await;
    assert_eq!(output, "a OK SETMETADATA completed\r\n");
    let output = client
        .send("b GETMETADATA (DEPTH 1) INBOX (/private/filters/values)\r\n")
        .await;
    assert_eq!(
        output,
        "* METADATA INBOX (/private/filters/values/big \"LARGER 500000\" \
         /private/filters/values/small \"SMALLER 5000\")\r\nb OK GETMETADATA completed\r\n"
    );
    let output = client
        .send("c GETMETADATA (DEPTH infinity) INBOX /private\r\n")
        .await;
    assert!(
        output.contains("/private/filters/values/big/more \"x\""),
        "{output}"
    );
}

#[tokio::test]
async fn errors_limits_and_mailbox_lifecycle() {
    let mut client = logged_in().await;
    let too_large = "x".repeat(MAX_METADATA_VALUE_BYTES + 1);
    let output = client
        .send(&format!(
            "a SETMETADATA INBOX (/shared/x {{{}+}}\r\n{too_large})\r\n\
             b SETMETADATA INBOX (/other/x \"v\")\r\n\
             c GETMETADATA INBOX \"/shared/*\"\r\n\
             d GETMETADATA Nowhere /shared/comment\r\n\
             e SETMETADATA \"\" (/shared/admin \"me\")\r\n",
            too_large.len()
        ))
        .await;
    assert_eq!(
        output,
        format!(
            "a NO [METADATA MAXSIZE {MAX_METADATA_VALUE_BYTES}] metadata value too large\r\n\
             b BAD invalid metadata entry name\r\n\
             c BAD invalid metadata entry name\r\n\
             d NO [NONEXISTENT] mailbox not found\r\n\
             e NO [NOPERM] /shared/admin is read-only\r\n"
        )
    );
    let mut many = String::from("f SETMETADATA INBOX (");
    for index in 0..=MAX_METADATA_ENTRIES {
        many.push_str(&format!("/private/e{index} \"v\" "));
    }
    many.pop();
    many.push_str(")\r\n");
    let output = client.send(&many).await;
    assert_eq!(
        output,
        "f NO [METADATA TOOMANY] too many metadata entries\r\n"
    );
    // Entries follow RENAME and go with DELETE.
    let output = client
        .send(
            "g CREATE Work\r\nh SETMETADATA Work (/private/color \"red\")\r\n\
             i RENAME Work Jobs\r\nj GETMETADATA Jobs /private/color\r\n\
             k DELETE Jobs\r\nl CREATE Jobs\r\nm GETMETADATA Jobs /private/color\r\n",
        )
        .await;
    assert!(
        output.contains("* METADATA Jobs (/private/color \"red\")\r\nj OK"),
        "{output}"
    );
    assert!(
        output.contains("* METADATA Jobs (/private/color NIL)\r\nm OK"),
        "{output}"
    );
}

#[tokio::test]
async fn shared_admin_comes_from_the_configuration() {
    let config = SessionConfig {
        admin_contact: Some("mailto:postmaster@example.test".to_owned()),
        ..SessionConfig::default()
    };
    let connection = ConnectionInfo {
        tls_active: true,
        trusted_peer: true,
        starttls_available: false,
    };
    let mut client = TestClient::new(connection, config);
    client.greet().await;
    client.login().await;
    let output = client
        .send("a GETMETADATA \"\" (/shared/admin /shared/comment)\r\n")
        .await;
    assert_eq!(
        output,
        "* METADATA \"\" (/shared/admin \"mailto:postmaster@example.test\" /shared/comment NIL)\r\n\
         a OK GETMETADATA completed\r\n"
    );
}
