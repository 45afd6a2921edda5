//! UTF8=ACCEPT (RFC 6855) and the UTF-8 mailbox names of IMAP4rev2 (RFC
//! 9051 §5.1) over the memory backend: what ENABLE switches on, how names
//! are read and written before and after, the NFC form of names (§3, RFC
//! 5198 §2), the CHARSET conflicts of RFC 6855 §3 (with erratum 4029),
//! `APPEND ... UTF8 (~{n})` (§4), the `\NonExistent` rules of RFC 9051
//! §7.3.1, BAD for invalid UTF-8 in a quoted string (§3) and NO for 8-bit
//! header fields in an APPEND before ENABLE (§4). RFC 6855 has no C:/S:
//! example exchange (checked against its full text); these tests follow
//! its normative text section by section.

use super::support::{append_command, assert_responses, deliver, logged_in, message};
use crate::backend::Flags;
use crate::testing::TestClient;

/// A logged-in client that has enabled UTF8=ACCEPT.
async fn utf8_client() -> TestClient {
    let mut client = logged_in().await;
    let output = client.send("e1 ENABLE UTF8=ACCEPT\r\n").await;
    assert_eq!(
        output,
        "* ENABLED UTF8=ACCEPT\r\ne1 OK ENABLE completed\r\n"
    );
    client
}

#[tokio::test]
async fn both_capabilities_are_advertised_and_enabled() {
    let mut client = logged_in().await;
    let output = client.send("c1 CAPABILITY\r\n").await;
    assert!(
        output.starts_with("* CAPABILITY IMAP4rev1 IMAP4rev2 "),
        "{output}"
    );
    assert!(output.contains(" UTF8=ACCEPT "), "{output}");
    assert_responses(&output);
    let output = client
        .send("e1 ENABLE IMAP4rev2 UTF8=ACCEPT\r\ne2 ENABLE UTF8=ACCEPT\r\n")
        .await;
    assert_eq!(
        output,
        "* ENABLED IMAP4rev2 UTF8=ACCEPT\r\ne1 OK ENABLE completed\r\n\
         * ENABLED\r\ne2 OK ENABLE completed\r\n"
    );
    assert!(client.session.enabled.utf8_accept && client.session.enabled.imap4rev2);
}

#[tokio::test]
async fn names_are_utf8_after_enable_and_mutf7_before() {
    let mut client = logged_in().await;
    // Before ENABLE: modified UTF-7 in and out (RFC 3501 §5.1.3).
    let output = client.send("c1 CREATE ~peter/mail/&U,BTFw-\r\n").await;
    assert!(output.starts_with("c1 OK "), "{output}");
    let output = client.send("l1 LIST \"\" ~peter/*\r\n").await;
    assert!(
        output.contains(" \"/\" ~peter/mail/&U,BTFw-\r\n"),
        "{output}"
    );

    let output = client.send("e1 ENABLE UTF8=ACCEPT\r\n").await;
    assert!(output.starts_with("* ENABLED UTF8=ACCEPT\r\n"), "{output}");
    // After: the same mailbox is listed and addressed in UTF-8.
    let output = client.send("l2 LIST \"\" \"~peter/*\"\r\n").await;
    assert!(
        output.contains(" \"/\" \"~peter/mail/台北\"\r\n"),
        "{output}"
    );
    assert_responses(&output);
    let output = client
        .send("s1 STATUS \"~peter/mail/台北\" (MESSAGES)\r\n")
        .await;
    assert_eq!(
        output,
        "* STATUS \"~peter/mail/台北\" (MESSAGES 0)\r\ns1 OK STATUS completed\r\n"
    );
    assert_responses(&output);
    // A literal carries UTF-8 too; `&` is now an ordinary character.
    let name = "日本語 & more";
    let output = client
        .send(&format!("c2 CREATE {{{}+}}\r\n{name}\r\n", name.len()))
        .await;
    assert!(output.starts_with("c2 OK "), "{output}");
    let output = client.send("l3 LIST \"\" \"日本語*\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" \"日本語 & more\"\r\nl3 OK LIST completed\r\n"
    );
    // A modified UTF-7 spelling is now just a name with `&` in it.
    let output = client.send("s2 SELECT &U,BTFw-\r\n").await;
    assert!(output.starts_with("s2 NO "), "{output}");
}

#[tokio::test]
async fn imap4rev2_also_switches_names_to_utf8() {
    let mut client = logged_in().await;
    client.send("c1 CREATE &ZeVnLIqe-\r\n").await;
    client.send("e1 ENABLE IMAP4rev2\r\n").await;
    let output = client.send("l1 LIST \"\" %\r\n").await;
    assert!(output.contains(" \"/\" \"日本語\"\r\n"), "{output}");
    assert_responses(&output);
}

#[tokio::test]
async fn forbidden_characters_are_refused_in_utf8_names() {
    let mut client = utf8_client().await;
    // RFC 6855 §3: no C0/C1 controls, DEL, U+2028 or U+2029.
    for name in ["a\u{7f}b", "a\u{85}b", "a\u{2028}b", "a\u{2029}b"] {
        let output = client.send(&format!("c1 CREATE \"{name}\"\r\n")).await;
        assert!(output.starts_with("c1 NO [CANNOT] "), "{name:?}: {output}");
    }
    let output = client.send("c2 CREATE {2+}\r\n\u{e9}\r\n").await;
    assert!(output.starts_with("c2 OK "), "{output}");
    let output = client
        .send_fragments(&[b"c3 CREATE {1+}\r\n\xff\r\n"])
        .await;
    assert!(output.starts_with("c3 NO [CANNOT] "), "{output}");
}

#[tokio::test]
async fn charset_conflicts_are_bad_after_utf8_accept() {
    let mut client = utf8_client().await;
    deliver(&client, &message("caf\u{e9}"), Flags::default());
    client.send("s0 SELECT INBOX\r\n").await;
    // RFC 6855 §3: no CHARSET on SEARCH at all.
    let output = client.send("t1 SEARCH CHARSET UTF-8 ALL\r\n").await;
    assert!(output.starts_with("t1 BAD "), "{output}");
    let output = client.send("t2 SEARCH SUBJECT \"caf\u{e9}\"\r\n").await;
    assert_eq!(output, "* SEARCH 1\r\nt2 OK SEARCH completed\r\n");
    // Erratum 4029: SORT and THREAD take only UTF-8.
    let output = client.send("t3 SORT (SUBJECT) US-ASCII ALL\r\n").await;
    assert!(output.starts_with("t3 BAD "), "{output}");
    let output = client.send("t4 SORT (SUBJECT) UTF-8 ALL\r\n").await;
    assert_eq!(output, "* SORT 1\r\nt4 OK SORT completed\r\n");
    let output = client
        .send("t5 THREAD ORDEREDSUBJECT US-ASCII ALL\r\n")
        .await;
    assert!(output.starts_with("t5 BAD "), "{output}");
}

#[tokio::test]
async fn imap4rev2_alone_keeps_search_charset() {
    let mut client = logged_in().await;
    client.send("e1 ENABLE IMAP4rev2\r\n").await;
    client.send("s0 SELECT INBOX\r\n").await;
    let output = client.send("t1 SEARCH CHARSET UTF-8 ALL\r\n").await;
    assert!(output.ends_with("t1 OK SEARCH completed\r\n"), "{output}");
}

#[tokio::test]
async fn enable_comes_before_select() {
    let mut client = logged_in().await;
    client.send("s0 SELECT INBOX\r\n").await;
    let output = client.send("e1 ENABLE UTF8=ACCEPT\r\n").await;
    assert!(output.starts_with("e1 BAD "), "{output}");
    assert!(!client.session.enabled.utf8_accept);
}

#[tokio::test]
async fn append_takes_the_utf8_data_item() {
    let mut client = utf8_client().await;
    // RFC 6855 §4: `UTF8 (literal8)` carries a message with UTF-8 headers.
    let body =
        "From: J\u{f6}rg <j\u{f6}rg@b\u{fc}cher.example>\r\nSubject: gr\u{fc}\u{df}e\r\n\r\nhi\r\n";
    let output = client
        .send(&format!(
            "a1 APPEND \"B\u{fc}cher\" UTF8 (~{{{}}}\r\n{body})\r\n",
            body.len()
        ))
        .await;
    assert!(output.contains("a1 NO [TRYCREATE]"), "{output}");
    client.send("c1 CREATE \"B\u{fc}cher\"\r\n").await;
    let output = client
        .send(&format!(
            "a2 APPEND \"B\u{fc}cher\" UTF8 (~{{{}}}\r\n{body})\r\n",
            body.len()
        ))
        .await;
    assert!(output.contains("a2 OK [APPENDUID "), "{output}");
    client.send("s1 SELECT \"B\u{fc}cher\"\r\n").await;
    // The headers come back as stored.
    let output = client
        .send("f1 FETCH 1 BODY[HEADER.FIELDS (SUBJECT)]\r\n")
        .await;
    assert!(output.contains("Subject: gr\u{fc}\u{df}e\r\n"), "{output}");
}

#[tokio::test]
async fn nonexistent_never_stands_alone_in_rev2() {
    let mut client = logged_in().await;
    client.send("e1 ENABLE IMAP4rev2\r\n").await;
    client
        .send(
            "c1 CREATE \"Obst/Äpfel\"\r\nc2 CREATE Obst/Birnen\r\n\
             c3 SUBSCRIBE Obst/Birnen\r\nc4 DELETE Obst/Birnen\r\n",
        )
        .await;
    // RFC 9051 §7.3.1: a name that does not exist is listed only with
    // `\Subscribed`, `\HasChildren` or CHILDINFO beside `\NonExistent`.
    for command in [
        "l1 LIST \"\" %\r\n",
        "l2 LIST (SUBSCRIBED) \"\" *\r\n",
        "l3 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %\r\n",
        "l4 LIST \"\" \"Obst/%\"\r\n",
    ] {
        let output = client.send(command).await;
        for line in output.lines().filter(|line| line.contains("\\NonExistent")) {
            assert!(
                line.contains("\\Subscribed")
                    || line.contains("\\HasChildren")
                    || line.contains("CHILDINFO"),
                "{command}: {line}"
            );
        }
        assert!(output.contains(" OK LIST completed"), "{command}: {output}");
    }
    let output = client
        .send("l5 LIST (SUBSCRIBED) \"\" \"Obst/*\"\r\n")
        .await;
    assert_eq!(
        output,
        "* LIST (\\NonExistent \\Subscribed) \"/\" Obst/Birnen\r\nl5 OK LIST completed\r\n"
    );
    let output = client.send("l6 LIST \"\" \"Obst/*\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" \"Obst/Äpfel\"\r\nl6 OK LIST completed\r\n"
    );
    assert_responses(&output);
}

#[tokio::test]
async fn raw_utf8_headers_go_out_as_stored() {
    let mut client = utf8_client().await;
    let raw = "From: J\u{f6}rg <j@example.test>\r\nSubject: gr\u{fc}\u{df}e\r\n\r\nhi\r\n";
    deliver(&client, raw, Flags::default());
    client.send("s0 SELECT INBOX\r\n").await;
    // RFC 6855 §3: 8-bit header text is sent unchanged; a literal is valid
    // whether or not the client enabled UTF-8.
    let output = client.send("f1 FETCH 1 ENVELOPE\r\n").await;
    let subject = "gr\u{fc}\u{df}e";
    assert!(
        output.contains(&format!("{{{}}}\r\n{subject}", subject.len())),
        "{output}"
    );
    assert_responses(&output);
}

// RFC 6855 §3: UTF-8 mailbox names comply with Net-Unicode (RFC 5198 §2),
// i.e. are in NFC. A decomposed name the client sends is composed, so the
// decomposed and the precomposed spelling address one mailbox, and LIST
// answers the NFC form.
#[tokio::test]
async fn utf8_names_are_normalized_to_nfc() {
    let mut client = utf8_client().await;
    let output = client.send("c1 CREATE \"Cafe\u{301}\"\r\n").await;
    assert!(output.starts_with("c1 OK "), "{output}");
    let output = client.send("c2 CREATE \"Caf\u{e9}\"\r\n").await;
    assert!(output.starts_with("c2 NO [ALREADYEXISTS] "), "{output}");
    let output = client.send("l1 LIST \"\" \"Cafe\u{301}*\"\r\n").await;
    assert_eq!(
        output,
        "* LIST (\\HasNoChildren) \"/\" \"Caf\u{e9}\"\r\nl1 OK LIST completed\r\n"
    );
    assert_responses(&output);
    let output = client
        .send("s1 STATUS \"Caf\u{e9}\" (MESSAGES)\r\ns2 SELECT \"Cafe\u{301}\"\r\n")
        .await;
    assert!(
        output.starts_with("* STATUS \"Caf\u{e9}\" (MESSAGES 0)\r\ns1 OK STATUS completed\r\n"),
        "{output}"
    );
    assert!(
        output.ends_with("s2 OK [READ-WRITE] SELECT completed\r\n"),
        "{output}"
    );
}

// RFC 6855 §4: "If an IMAP server supports "UTF8=ACCEPT" and the IMAP
// client has not issued the "ENABLE UTF8=ACCEPT" command, the server MUST
// reject, with a "NO" response, an "APPEND" command that includes any
// 8-bit character in message header fields." 8-bit body text is not
// concerned.
#[tokio::test]
async fn append_of_8bit_headers_needs_enable() {
    let mut client = logged_in().await;
    let header = "Subject: gr\u{fc}\u{df}e\r\n\r\nhi\r\n";
    let output = client.send(&append_command("a1", "INBOX", header)).await;
    assert!(output.starts_with("a1 NO "), "{output}");
    let body = "Subject: plain\r\n\r\ngr\u{fc}\u{df}e\r\n";
    let output = client.send(&append_command("a2", "INBOX", body)).await;
    assert!(output.starts_with("a2 OK [APPENDUID "), "{output}");
}

// RFC 6855 §3: with UTF-8 quoted strings "the server MUST reject, with a
// "BAD" response, any octet sequences with the high bit set that fail to
// comply with the formal syntax requirements of UTF-8".
#[tokio::test]
async fn invalid_utf8_in_a_quoted_string_is_bad() {
    let mut client = utf8_client().await;
    let output = client
        .send_fragments(&[b"c1 CREATE \"a\xc3\x28b\"\r\n"])
        .await;
    assert!(output.starts_with("c1 BAD "), "{output}");
}
