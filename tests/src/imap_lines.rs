//! A line-oriented IMAP client for tests and load tools: send a command,
//! read lines up to one that starts with a prefix. Every read is bounded,
//! so a missing response fails instead of hanging.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Bound on one awaited response.
const READ_LIMIT: Duration = Duration::from_secs(30);

pub struct ImapLines {
    stream: BufReader<TcpStream>,
}

impl ImapLines {
    /// Connects and reads the greeting.
    pub async fn connect(address: SocketAddr) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(address)
            .await
            .with_context(|| format!("cannot connect to {address}"))?;
        stream.set_nodelay(true)?;
        let mut client = Self {
            stream: BufReader::new(stream),
        };
        let greeting = client.line().await?;
        if !greeting.starts_with("* OK") {
            bail!("unexpected greeting {greeting:?}");
        }
        Ok(client)
    }

    /// Connects, logs in and selects INBOX.
    pub async fn logged_in(
        address: SocketAddr,
        login: &str,
        password: &str,
    ) -> anyhow::Result<Self> {
        let mut client = Self::connect(address).await?;
        client
            .ok("l1", &format!("LOGIN {login} \"{password}\""))
            .await?;
        client.ok("l2", "SELECT INBOX").await?;
        Ok(client)
    }

    /// One line, CRLF included.
    pub async fn line(&mut self) -> anyhow::Result<String> {
        self.line_within(READ_LIMIT).await
    }

    /// One line, CRLF included, if it comes within `limit`.
    pub async fn line_within(&mut self, limit: Duration) -> anyhow::Result<String> {
        let mut line = String::new();
        let read = tokio::time::timeout(limit, self.stream.read_line(&mut line))
            .await
            .context("no response in time")??;
        if read == 0 {
            bail!("connection closed");
        }
        Ok(line)
    }

    /// The buffered stream, for a load tool that reads without a bound
    /// (and bounds the wait elsewhere).
    pub fn into_stream(self) -> BufReader<TcpStream> {
        self.stream
    }

    pub async fn send(&mut self, text: &str) -> anyhow::Result<()> {
        self.stream.get_mut().write_all(text.as_bytes()).await?;
        Ok(())
    }

    /// The lines read up to and including the first starting with `prefix`.
    pub async fn until(&mut self, prefix: &str) -> anyhow::Result<Vec<String>> {
        let mut lines = Vec::new();
        loop {
            let line = self.line().await?;
            let done = line.starts_with(prefix);
            lines.push(line);
            if done {
                return Ok(lines);
            }
        }
    }

    /// Runs `command` under `tag`; fails unless it ends in `tag OK`.
    pub async fn ok(&mut self, tag: &str, command: &str) -> anyhow::Result<Vec<String>> {
        self.send(&format!("{tag} {command}\r\n")).await?;
        let lines = self.until(&format!("{tag} ")).await?;
        match lines.last() {
            Some(last) if last.starts_with(&format!("{tag} OK")) => Ok(lines),
            _ => bail!("{command} failed: {lines:?}"),
        }
    }

    /// APPENDs `raw` to INBOX (synchronising literal); returns when tagged OK.
    pub async fn append(&mut self, tag: &str, raw: &str) -> anyhow::Result<()> {
        self.send(&format!("{tag} APPEND INBOX {{{}}}\r\n", raw.len()))
            .await?;
        let ready = self.line().await?;
        if !ready.starts_with('+') {
            bail!("APPEND not accepted: {ready:?}");
        }
        self.send(&format!("{raw}\r\n")).await?;
        let lines = self.until(&format!("{tag} ")).await?;
        match lines.last() {
            Some(last) if last.starts_with(&format!("{tag} OK")) => Ok(()),
            _ => bail!("APPEND failed: {lines:?}"),
        }
    }

    /// Starts IDLE and waits for the continuation.
    pub async fn idle(&mut self, tag: &str) -> anyhow::Result<()> {
        self.send(&format!("{tag} IDLE\r\n")).await?;
        let ready = self.line().await?;
        if !ready.starts_with('+') {
            bail!("IDLE not accepted: {ready:?}");
        }
        Ok(())
    }
}
