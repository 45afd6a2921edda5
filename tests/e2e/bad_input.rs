//! Bad input over a real socket (issue 2's acceptance, ARCHITECTURE.md §5):
//! each hostile or broken command gets a clear tagged or untagged answer
//! and the connection goes on serving (NOOP OK after each). Every byte the
//! server sent must also decode with imap-codec. LOGIN before TLS from a
//! non-loopback peer is a session-core test in gateway-core: a real socket
//! here is always loopback.

use std::time::Duration;

use anyhow::{Context, bail};
use mailkeep_tests::deployment::Deployment;
use mailkeep_tests::provision::AdminClient;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::codec_oracle::check_server_bytes;

const ANSWER_LIMIT: Duration = Duration::from_secs(10);

/// A raw IMAP connection that keeps every byte the server sent.
struct RawConnection {
    stream: TcpStream,
    received: Vec<u8>,
    /// Where the not yet returned part of `received` begins.
    consumed: usize,
}

impl RawConnection {
    async fn open(deployment: &Deployment) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(deployment.imap()).await?;
        let mut connection = Self {
            stream,
            received: Vec::new(),
            consumed: 0,
        };
        let greeting = connection.read_until("* ").await?;
        if !greeting.starts_with("* OK") {
            bail!("unexpected greeting {greeting:?}");
        }
        Ok(connection)
    }

    /// Sends `bytes` and returns the server's lines up to and including the
    /// first one starting with `last`.
    async fn send(&mut self, bytes: &[u8], last: &str) -> anyhow::Result<String> {
        self.stream.write_all(bytes).await?;
        self.read_until(last).await
    }

    async fn read_until(&mut self, last: &str) -> anyhow::Result<String> {
        let deadline = tokio::time::Instant::now() + ANSWER_LIMIT;
        loop {
            let pending = &self.received[self.consumed..];
            let mut start = 0;
            while let Some(end) = pending[start..].windows(2).position(|w| w == b"\r\n") {
                let line_end = start + end + 2;
                if pending[start..].starts_with(last.as_bytes()) {
                    let answer = String::from_utf8_lossy(&pending[..line_end]).into_owned();
                    self.consumed += line_end;
                    return Ok(answer);
                }
                start = line_end;
            }
            let mut buffer = [0u8; 16 * 1024];
            let read = tokio::time::timeout_at(deadline, self.stream.read(&mut buffer))
                .await
                .with_context(|| {
                    format!(
                        "no line starting {last:?}; got {:?}",
                        String::from_utf8_lossy(&self.received[self.consumed..])
                    )
                })??;
            if read == 0 {
                bail!("the server closed the connection while {last:?} was awaited");
            }
            self.received.extend_from_slice(&buffer[..read]);
        }
    }

    /// NOOP must still be served.
    async fn assert_serving(&mut self, tag: &str) -> anyhow::Result<()> {
        let answer = self.send(format!("{tag} NOOP\r\n").as_bytes(), tag).await?;
        if !answer.contains(&format!("{tag} OK")) {
            bail!("NOOP after bad input answered {answer:?}");
        }
        Ok(())
    }
}

/// One bad command and the answer it must get: a line starting with
/// `answer` (tag and status; `|` separates acceptable ones) that carries
/// `[code]` when given.
struct BadInput {
    what: &'static str,
    bytes: Vec<u8>,
    answer: &'static str,
    code: Option<&'static str>,
}

impl BadInput {
    fn new(
        what: &'static str,
        bytes: &[u8],
        answer: &'static str,
        code: Option<&'static str>,
    ) -> Self {
        Self {
            what,
            bytes: bytes.to_vec(),
            answer,
            code,
        }
    }
}

/// Asserts the last line of `answer` starts with one of the `|`-separated
/// `prefixes`, carries `code` when given, and has a human-readable text.
fn expect_answer(
    what: &str,
    answer: &str,
    prefixes: &str,
    code: Option<&str>,
) -> anyhow::Result<()> {
    let last = answer.lines().last().unwrap_or_default();
    let has_code = code.is_none_or(|code| last.contains(&format!("[{code}]")));
    let matched = prefixes.split('|').find(|prefix| last.starts_with(prefix));
    let has_text = matched.is_some_and(|prefix| last.trim_end().len() > prefix.len() + 1);
    if !has_code || !has_text {
        bail!("{what}: expected {prefixes:?} with {code:?} and a text, got {answer:?}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_a_clear_answer_and_the_connection_keeps_serving() -> anyhow::Result<()> {
    let deployment = Deployment::dev().await?;
    let outcome = exercise_bad_input(&deployment).await;
    outcome.and(deployment.finish().await)
}

async fn exercise_bad_input(deployment: &Deployment) -> anyhow::Result<()> {
    let admin = AdminClient::new(deployment.admin_url(), deployment.admin_token());
    let domain = admin.create_fresh_tenant().await?;
    let account = admin.create_account(&domain, "mallory").await?;
    let mut imap = RawConnection::open(deployment).await?;
    let login = format!("l LOGIN {} {}\r\n", account.login, account.password);
    expect_answer(
        "LOGIN",
        &imap.send(login.as_bytes(), "l ").await?,
        "l OK",
        None,
    )?;
    expect_answer(
        "SELECT",
        &imap.send(b"s SELECT INBOX\r\n", "s ").await?,
        "s OK",
        None,
    )?;

    let oversized_line = [b"b4 NOOP ".as_slice(), &[b'x'; 200 * 1024], b"\r\n"].concat();
    let cases = [
        BadInput::new("unknown command", b"b1 FROBNICATE\r\n", "b1 BAD", None),
        BadInput::new("missing tag", b" NOOP\r\n", "* BAD", None),
        BadInput::new("empty line", b"\r\n", "* BAD", None),
        BadInput::new(
            "unbalanced parenthesis",
            b"b3 FETCH 1 (FLAGS UID\r\n",
            "b3 BAD",
            None,
        ),
        BadInput::new("oversized line", &oversized_line, "b4 BAD", Some("TOOBIG")),
        BadInput::new(
            "literal over the limit",
            b"b5 APPEND INBOX {4294967295}\r\n",
            "b5 NO",
            Some("TOOBIG"),
        ),
        BadInput::new(
            "invalid modified UTF-7",
            b"b6 CREATE \"&Jjo\"\r\n",
            "b6 NO|b6 BAD",
            None,
        ),
    ];
    let mut failures = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let outcome = async {
            // Untagged answers are awaited whole; tagged ones by their tag.
            let first = case.answer.split('|').next().unwrap_or(case.answer);
            let awaited = match first.split_once(' ') {
                Some(("*", _)) | None => first.to_owned(),
                Some((tag, _)) => format!("{tag} "),
            };
            let answer = imap.send(&case.bytes, &awaited).await?;
            expect_answer(case.what, &answer, case.answer, case.code)?;
            imap.assert_serving(&format!("n{index}")).await
        }
        .await;
        if let Err(error) = outcome {
            failures.push(format!("{}: {error:#}", case.what));
        }
    }
    let answer = imap.send(b"z LOGOUT\r\n", "z ").await?;
    if !answer.contains("* BYE") {
        failures.push(format!("LOGOUT answered {answer:?}"));
    }
    if let Err(error) = check_server_bytes(&imap.received) {
        failures.push(format!("imap-codec oracle: {error}"));
    }
    if !failures.is_empty() {
        bail!("{}\n{}", failures.join("\n"), deployment.diagnostics());
    }
    Ok(())
}
