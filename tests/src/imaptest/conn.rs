//! One IMAP client connection of a test: reads whole responses (a line
//! plus any `{N}` literals it announces, RFC 9051 §4.3), writes tagged
//! commands with LITERAL+ (RFC 7888) or synchronizing literals, and tracks
//! what FORMAT.md §6 needs per connection (message count, the mailbox last
//! selected). Invariant: every read is bounded by a deadline; expiry is an
//! error, never a hang.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::time::{Instant, timeout_at};

use super::script::Part;

/// Largest response line or literal accepted, so a broken server cannot
/// exhaust memory.
const MAX_RESPONSE: usize = 64 * 1024 * 1024;

pub struct Conn {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    serial: usize,
    counter: u32,
    pub capabilities: Vec<String>,
    /// Messages this connection believes exist (EXISTS / EXPUNGE).
    pub count: u32,
    /// The mailbox named by the last SELECT/EXAMINE sent.
    pub mailbox: String,
    pub closed: bool,
}

/// A response as read: the raw bytes (CRLF stripped from the end).
pub type Response = Vec<u8>;

impl Conn {
    pub async fn connect(
        addr: SocketAddr,
        serial: usize,
        deadline: Instant,
    ) -> anyhow::Result<Self> {
        let stream = timeout_at(deadline, TcpStream::connect(addr))
            .await
            .context("timed out connecting")?
            .with_context(|| format!("connecting to {addr}"))?;
        let (read, writer) = stream.into_split();
        Ok(Self {
            reader: BufReader::new(read),
            writer,
            serial,
            counter: 0,
            capabilities: Vec::new(),
            count: 0,
            mailbox: String::new(),
            closed: false,
        })
    }

    pub fn next_tag(&mut self) -> String {
        self.counter += 1;
        format!("{}.{}", self.serial, self.counter)
    }

    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
    }

    /// Reads one whole response; `None` when the server closed.
    pub async fn read(&mut self, deadline: Instant) -> anyhow::Result<Option<Response>> {
        if self.closed {
            bail!("the connection is closed");
        }
        let mut out = Vec::new();
        loop {
            let start = out.len();
            let read = timeout_at(deadline, self.reader.read_until(b'\n', &mut out))
                .await
                .context("timed out waiting for the server")??;
            if read == 0 {
                self.closed = true;
                if out.is_empty() {
                    return Ok(None);
                }
                bail!("the server closed in the middle of a response");
            }
            let Some(size) = literal_size(&out[start..]) else {
                break;
            };
            if out.len() + size > MAX_RESPONSE {
                bail!("a response exceeds {MAX_RESPONSE} bytes");
            }
            let mut data = vec![0; size];
            timeout_at(deadline, self.reader.read_exact(&mut data))
                .await
                .context("timed out reading a literal")??;
            out.extend_from_slice(&data);
        }
        while out.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            out.pop();
        }
        Ok(Some(out))
    }

    /// Sends `<tag> <parts>` CRLF. With LITERAL+ literals go as `{N+}`;
    /// otherwise each waits for a `+` continuation, and responses read
    /// meanwhile go to `early`. Returns false if a tagged reply came
    /// instead of a continuation (it is in `early`).
    pub async fn send(
        &mut self,
        tag: &str,
        parts: &[Part],
        deadline: Instant,
        early: &mut Vec<Response>,
    ) -> anyhow::Result<bool> {
        let plus = self.has_capability("LITERAL+");
        let mut buffer = format!("{tag} ").into_bytes();
        for part in parts {
            match part {
                Part::Text(text) => buffer.extend_from_slice(text),
                Part::Literal { data, binary } => {
                    let tilde = if *binary { "~" } else { "" };
                    let marker = if plus { "+" } else { "" };
                    buffer.extend_from_slice(
                        format!("{tilde}{{{}{marker}}}\r\n", data.len()).as_bytes(),
                    );
                    if !plus {
                        self.write(&buffer, deadline).await?;
                        buffer.clear();
                        if !self.wait_continuation(tag, deadline, early).await? {
                            return Ok(false);
                        }
                    }
                    buffer.extend_from_slice(data);
                }
            }
        }
        buffer.extend_from_slice(b"\r\n");
        self.write(&buffer, deadline).await?;
        Ok(true)
    }

    async fn wait_continuation(
        &mut self,
        tag: &str,
        deadline: Instant,
        early: &mut Vec<Response>,
    ) -> anyhow::Result<bool> {
        loop {
            let Some(response) = self.read(deadline).await? else {
                bail!("the server closed while a literal waited for `+`");
            };
            if response.starts_with(b"+") {
                return Ok(true);
            }
            let tagged = response.starts_with(format!("{tag} ").as_bytes());
            early.push(response);
            if tagged {
                return Ok(false);
            }
        }
    }

    async fn write(&mut self, bytes: &[u8], deadline: Instant) -> anyhow::Result<()> {
        timeout_at(deadline, self.writer.write_all(bytes))
            .await
            .context("timed out writing to the server")??;
        Ok(())
    }

    /// Sends a command and reads until its tagged reply: (untagged, tagged).
    pub async fn simple(
        &mut self,
        parts: &[Part],
        deadline: Instant,
    ) -> anyhow::Result<(Vec<Response>, Response)> {
        let tag = self.next_tag();
        let mut untagged = Vec::new();
        self.send(&tag, parts, deadline, &mut untagged).await?;
        let prefix = format!("{tag} ");
        if let Some(last) = untagged.last()
            && last.starts_with(prefix.as_bytes())
        {
            let tagged = untagged.pop().unwrap_or_default();
            return Ok((untagged, tagged));
        }
        loop {
            let Some(response) = self.read(deadline).await? else {
                bail!("the server closed before answering");
            };
            if response.starts_with(prefix.as_bytes()) {
                return Ok((untagged, response));
            }
            untagged.push(response);
        }
    }
}

/// The size of the literal a line announces at its end (`{N}`, `{N+}`,
/// `~{N}`), if any.
fn literal_size(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let inner = line.strip_suffix(b"}")?;
    let inner = inner.strip_suffix(b"+").unwrap_or(inner);
    let open = inner.iter().rposition(|b| *b == b'{')?;
    let digits = &inner[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_sizes() {
        assert_eq!(literal_size(b"* 1 FETCH (BODY[] {12}\r\n"), Some(12));
        assert_eq!(literal_size(b"* 1 FETCH (BINARY[] ~{3+}\n"), Some(3));
        assert_eq!(literal_size(b"* OK {x}\r\n"), None);
        assert_eq!(literal_size(b"* OK done\r\n"), None);
    }
}
