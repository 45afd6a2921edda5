//! RFC 7888 (LITERAL+ / LITERAL-) replayed against a session. The RFC has
//! one example exchange, in §3: `A001 LOGIN {11+}` / `FRED FOOBAR {7+}` /
//! `fat man`, and its quoted-string equivalent `A001 LOGIN "FRED FOOBAR"
//! "fat man"`; both are replayed with our test account. §5 forbids
//! advertising LITERAL+ and LITERAL- together; we advertise LITERAL+ by
//! default and apply its §4 rules to a literal that is too large. With
//! LITERAL- configured, §5's 4096-byte bound on non-synchronising literals
//! (and literal8, §6) is enforced with a tagged `BAD [TOOBIG]`.

use super::support::{append_command, assert_responses, loopback_client, message};
use crate::framing::LiteralExtension;
use crate::session::{ConnectionInfo, SessionConfig};
use crate::testing::{TEST_LOGIN, TEST_PASSWORD, TestClient};

// RFC 7888 §3: `A001 LOGIN {11+}`, `FRED FOOBAR {7+}`, `fat man` answers
// `A001 OK LOGIN completed` with no continuation request in between; our
// account's name and password stand in for the example's.
#[tokio::test]
async fn rfc7888_3_login_with_non_synchronising_literals() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client
        .send(&format!(
            "A001 LOGIN {{{}+}}\r\n{TEST_LOGIN} {{{}+}}\r\n{TEST_PASSWORD}\r\n",
            TEST_LOGIN.len(),
            TEST_PASSWORD.len()
        ))
        .await;
    assert!(output.starts_with("A001 OK [CAPABILITY "), "{output}");
    assert!(
        !output.contains("\r\n+"),
        "no continuation expected: {output}"
    );
    assert_responses(&output);
}

// RFC 7888 §3: the same LOGIN with quoted strings is "semantically
// equivalent" and answers the same.
#[tokio::test]
async fn rfc7888_3_login_with_quoted_strings() {
    let mut client = TestClient::trusted();
    client.greet().await;
    let output = client
        .send(&format!(
            "A001 LOGIN \"{TEST_LOGIN}\" \"{TEST_PASSWORD}\"\r\n"
        ))
        .await;
    assert!(output.starts_with("A001 OK [CAPABILITY "), "{output}");
    assert_responses(&output);
}

// RFC 7888 §5: "IMAP servers MUST NOT advertise both of these capabilities
// at the same time"; by default we advertise LITERAL+, so a non-synchronising literal
// over 4096 bytes is accepted. Over our literal limit, §4 lets the server
// "reject the command that included the literal anyway" after reading it:
// `NO [TOOBIG]`, the literal's bytes are skipped and the next command runs.
#[tokio::test]
async fn rfc7888_4_and_5_literal_plus_only_and_too_large_literals() {
    let config = SessionConfig {
        max_literal_bytes: 10_000,
        ..SessionConfig::default()
    };
    let untrusted = ConnectionInfo {
        tls_active: false,
        trusted_peer: false,
        starttls_available: true,
    };
    let mut client = TestClient::new(untrusted, config);
    let greeting = client.greet().await;
    assert!(greeting.contains(" LITERAL+ "), "{greeting}");
    assert!(!greeting.contains("LITERAL-"), "{greeting}");
    let body = "x".repeat(5_000);
    let output = client
        .send(&format!("a1 ID ({{{}+}}\r\n{body} NIL)\r\n", body.len()))
        .await;
    assert!(output.ends_with("a1 OK ID completed\r\n"), "{output}");
    let big = "y".repeat(10_001);
    let output = client
        .send(&format!("a2 ID ({{10001+}}\r\n{big} NIL)\r\na3 NOOP\r\n"))
        .await;
    assert_eq!(
        output,
        "a2 NO [TOOBIG] literal too large\r\na3 OK NOOP completed\r\n"
    );
    assert_responses(&output);
}

/// A greeted client over TLS whose server advertises `extension`; returns
/// it with the greeting and the LOGIN answer.
async fn client_with(extension: LiteralExtension) -> (TestClient, String, String) {
    let config = SessionConfig {
        literal_extension: extension,
        ..SessionConfig::default()
    };
    let tls = ConnectionInfo {
        tls_active: true,
        trusted_peer: false,
        starttls_available: false,
    };
    let mut client = TestClient::new(tls, config);
    let greeting = client.greet().await;
    let login = client.login().await;
    (client, greeting, login)
}

/// An APPEND message of exactly `size` octets.
fn message_of(size: usize) -> String {
    let mut body = message("sized");
    body.push_str(&"x".repeat(size - body.len()));
    body
}

// RFC 7888 §5: "IMAP servers MUST NOT advertise both of these capabilities
// at the same time"; the configured one is named in the greeting, the
// CAPABILITY response before and after login and LOGIN's response code.
#[tokio::test]
async fn rfc7888_5_one_literal_capability_as_configured() {
    for (extension, wanted, unwanted) in [
        (LiteralExtension::Plus, " LITERAL+ ", "LITERAL-"),
        (LiteralExtension::Minus, " LITERAL- ", "LITERAL+"),
    ] {
        let mut client = loopback_client(SessionConfig {
            literal_extension: extension,
            ..SessionConfig::default()
        });
        let mut answers = vec![client.greet().await];
        answers.push(client.send("c1 CAPABILITY\r\n").await);
        answers.push(client.login().await);
        answers.push(client.send("c2 CAPABILITY\r\n").await);
        for answer in answers {
            assert!(answer.contains(wanted), "{answer}");
            assert!(!answer.contains(unwanted), "{answer}");
            assert_responses(&answer);
        }
    }
}

// RFC 7888 §5: under LITERAL- a non-synchronising literal "MUST NOT be
// larger than 4096 bytes"; a larger one in APPEND gets a tagged BAD that
// "MUST contain the TOOBIG response code". We take §4's first choice: its
// octets are read and dropped, so the next command runs. The same APPEND
// with a synchronising literal, and any size under LITERAL+, succeed.
#[tokio::test]
async fn rfc7888_5_literal_minus_bounds_non_synchronising_literals() {
    let (mut client, _, _) = client_with(LiteralExtension::Minus).await;
    let output = client
        .send(&append_command("a1", "INBOX", &message_of(4096)))
        .await;
    assert!(output.starts_with("a1 OK [APPENDUID "), "{output}");
    let refused = append_command("a2", "INBOX", &message_of(4097));
    let output = client.send(&format!("{refused}a3 NOOP\r\n")).await;
    assert_eq!(
        output,
        "a2 BAD [TOOBIG] non-synchronizing literal over 4096 bytes (LITERAL-)\r\n\
         a3 OK NOOP completed\r\n"
    );
    assert_responses(&output);
    let body = message_of(5000);
    let output = client
        .send(&format!("a4 APPEND INBOX {{5000}}\r\n{body}\r\n"))
        .await;
    assert!(output.starts_with("+ "), "{output}");
    assert!(output.contains("\r\na4 OK [APPENDUID "), "{output}");
    let (mut client, _, _) = client_with(LiteralExtension::Plus).await;
    let output = client
        .send(&append_command("a5", "INBOX", &message_of(4097)))
        .await;
    assert!(output.starts_with("a5 OK [APPENDUID "), "{output}");
}

// RFC 7888 §6: literal8 (`~{n+}`, RFC 3516 BINARY) follows the same rule.
#[tokio::test]
async fn rfc7888_6_literal_minus_bounds_non_synchronising_literal8() {
    let (mut client, _, _) = client_with(LiteralExtension::Minus).await;
    let accepted = message_of(4096);
    let output = client
        .send(&format!("b1 APPEND INBOX ~{{4096+}}\r\n{accepted}\r\n"))
        .await;
    assert!(output.starts_with("b1 OK [APPENDUID "), "{output}");
    let refused = message_of(4097);
    let output = client
        .send(&format!(
            "b2 APPEND INBOX ~{{4097+}}\r\n{refused}\r\nb3 NOOP\r\n"
        ))
        .await;
    assert!(output.starts_with("b2 BAD [TOOBIG] "), "{output}");
    assert!(output.ends_with("\r\nb3 OK NOOP completed\r\n"), "{output}");
}
