//! LMTP (RFC 2033) from the client side, for end-to-end tests and the
//! delivery benchmark: [`LmtpClient`] sends each transaction PIPELINED
//! (RFC 2920: `MAIL`, every `RCPT` and `DATA` in one write) and reads one
//! reply per accepted recipient after the data, and [`mbox_messages`] turns
//! an mbox (the reference corpus) into the CRLF messages an MTA would send.
//! Every read is bounded, so a missing reply fails instead of hanging.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail, ensure};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Bound on one awaited reply.
const READ_LIMIT: Duration = Duration::from_secs(60);

/// One (possibly multi-line) reply: its code and the text of its last line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub text: String,
}

impl Reply {
    pub fn is_positive(&self) -> bool {
        (200..300).contains(&self.code)
    }
}

/// The replies of one pipelined transaction.
#[derive(Debug, Clone)]
pub struct Transaction {
    pub mail: Reply,
    /// One per `RCPT TO`, in order.
    pub rcpt: Vec<Reply>,
    /// One per accepted recipient, in order (empty when DATA was refused).
    pub data: Vec<Reply>,
}

pub struct LmtpClient {
    stream: BufReader<TcpStream>,
}

impl LmtpClient {
    /// Connects, reads the greeting and says LHLO.
    pub async fn connect(address: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(address)
            .await
            .with_context(|| format!("cannot connect to LMTP at {address}"))?;
        stream.set_nodelay(true)?;
        let mut client = Self {
            stream: BufReader::new(stream),
        };
        let greeting = client.reply().await?;
        ensure!(greeting.code == 220, "LMTP greeting {greeting:?}");
        client.stream.write_all(b"LHLO bench.example\r\n").await?;
        let hello = client.reply().await?;
        ensure!(hello.code == 250, "LHLO answered {hello:?}");
        Ok(client)
    }

    /// Reads one reply, following `NNN-` continuation lines.
    async fn reply(&mut self) -> anyhow::Result<Reply> {
        loop {
            let mut line = String::new();
            let read = tokio::time::timeout(READ_LIMIT, self.stream.read_line(&mut line))
                .await
                .context("no LMTP reply in time")??;
            ensure!(read > 0, "the LMTP server closed the connection");
            let line = line.trim_end();
            ensure!(line.len() >= 3, "malformed LMTP reply {line:?}");
            let code: u16 = line[..3]
                .parse()
                .with_context(|| format!("malformed LMTP reply {line:?}"))?;
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok(Reply {
                    code,
                    text: line.get(4..).unwrap_or_default().to_owned(),
                });
            }
        }
    }

    /// One transaction: `MAIL FROM`, every `RCPT TO` and `DATA` in one
    /// write, then the dot-stuffed message.
    pub async fn deliver(
        &mut self,
        from: &str,
        recipients: &[String],
        message: &[u8],
    ) -> anyhow::Result<Transaction> {
        let mut commands = format!("MAIL FROM:<{from}>\r\n");
        for recipient in recipients {
            commands.push_str(&format!("RCPT TO:<{recipient}>\r\n"));
        }
        commands.push_str("DATA\r\n");
        self.stream.write_all(commands.as_bytes()).await?;
        let mail = self.reply().await?;
        let mut rcpt = Vec::with_capacity(recipients.len());
        for _ in recipients {
            rcpt.push(self.reply().await?);
        }
        let go_ahead = self.reply().await?;
        if go_ahead.code != 354 {
            return Ok(Transaction {
                mail,
                rcpt,
                data: Vec::new(),
            });
        }
        self.stream.write_all(&dot_stuffed(message)).await?;
        let accepted = rcpt.iter().filter(|reply| reply.is_positive()).count();
        let mut data = Vec::with_capacity(accepted);
        for _ in 0..accepted {
            data.push(self.reply().await?);
        }
        Ok(Transaction { mail, rcpt, data })
    }

    pub async fn quit(mut self) -> anyhow::Result<()> {
        self.stream.write_all(b"QUIT\r\n").await?;
        let bye = self.reply().await?;
        ensure!(bye.code == 221, "QUIT answered {bye:?}");
        Ok(())
    }
}

/// The DATA payload of `message` (CRLF lines): leading dots doubled
/// (RFC 5321 §4.5.2), a final CRLF if missing, then `.` CRLF.
pub fn dot_stuffed(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 64);
    let mut at_line_start = true;
    for &byte in message {
        if at_line_start && byte == b'.' {
            out.push(b'.');
        }
        out.push(byte);
        at_line_start = byte == b'\n';
    }
    if !message.is_empty() && !message.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// The messages of an mbox as an MTA sends them: split on `From ` lines,
/// the separating blank line dropped, `>From ` quoting undone the mboxrd
/// way, and LF line ends made CRLF.
pub fn mbox_messages(path: &Path) -> anyhow::Result<Vec<Vec<u8>>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !bytes.starts_with(b"From ") {
        bail!("{} is not an mbox", path.display());
    }
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut previous_blank = true;
    for line in bytes.split_inclusive(|&byte| byte == b'\n') {
        if previous_blank && line.starts_with(b"From ") {
            messages.extend(current.take().map(finish_message));
            current = Some(Vec::new());
            previous_blank = false;
            continue;
        }
        previous_blank = line == b"\n";
        let Some(message) = current.as_mut() else {
            continue;
        };
        let unquoted = match line.iter().position(|&byte| byte != b'>') {
            Some(index) if index > 0 && line[index..].starts_with(b"From ") => &line[1..],
            _ => line,
        };
        let content = unquoted.strip_suffix(b"\n").unwrap_or(unquoted);
        let content = content.strip_suffix(b"\r").unwrap_or(content);
        message.extend_from_slice(content);
        if unquoted.ends_with(b"\n") {
            message.extend_from_slice(b"\r\n");
        }
    }
    messages.extend(current.map(finish_message));
    Ok(messages)
}

/// Drops the blank line mbox puts between messages.
fn finish_message(mut message: Vec<u8>) -> Vec<u8> {
    if message.ends_with(b"\r\n\r\n") {
        message.truncate(message.len() - 2);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_dot_stuffed_and_terminated() {
        assert_eq!(
            dot_stuffed(b"a\r\n.b\r\n..c\r\n"),
            b"a\r\n..b\r\n...c\r\n.\r\n"
        );
        assert_eq!(dot_stuffed(b"no end"), b"no end\r\n.\r\n");
    }

    #[test]
    fn mbox_splits_unquotes_and_uses_crlf() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("box.mbox");
        std::fs::write(
            &path,
            b"From a@b Sat Jun  1 10:00:00 2024\nSubject: one\n\n>From here\n\n\
              From c@d Sat Jun  1 10:00:00 2024\nSubject: two\n\nbody\n\n",
        )
        .unwrap();
        let messages = mbox_messages(&path).unwrap();
        assert_eq!(
            messages,
            vec![
                b"Subject: one\r\n\r\nFrom here\r\n".to_vec(),
                b"Subject: two\r\n\r\nbody\r\n".to_vec(),
            ]
        );
    }
}
