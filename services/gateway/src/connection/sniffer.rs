//! [`CommandSniffer`]: follows the client's byte stream just enough to see
//! where each command starts and ends, for metrics, traces and the drain.
//! It keeps the first [`HEAD_BYTES`] of a command's first line and skips
//! literals (RFC 9051 §4.3: `{N}` or `{N+}` at the end of a line announces N
//! bytes that belong to the same command), without buffering their bytes:
//! the session core does the real framing.

/// How much of a command's first line is kept (tag, verb, UID sub-verb).
pub(super) const HEAD_BYTES: usize = 64;
/// How much of a line's end is kept to find a literal announcement.
const TAIL_BYTES: usize = 24;

/// Where the sniffer is in the client's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Between commands: nothing of the next one has arrived.
    BetweenCommands,
    /// Inside a line of a command.
    InLine,
    /// Inside a literal, with this many bytes still to come.
    InLiteral(u64),
}

/// Follows command boundaries in the client's input.
#[derive(Debug)]
pub(super) struct CommandSniffer {
    position: Position,
    /// The start of the current command's first line.
    head: Vec<u8>,
    /// Whether the current line is the command's first.
    first_line: bool,
    /// The last bytes of the current line.
    tail: Vec<u8>,
}

impl CommandSniffer {
    pub(super) fn new() -> Self {
        Self {
            position: Position::BetweenCommands,
            head: Vec::with_capacity(HEAD_BYTES),
            first_line: true,
            tail: Vec::with_capacity(TAIL_BYTES),
        }
    }

    /// Feeds client bytes; calls `complete` with the first-line head of
    /// every command whose last line ended in them.
    pub(super) fn feed(&mut self, mut input: &[u8], mut complete: impl FnMut(&[u8])) {
        while !input.is_empty() {
            if let Position::InLiteral(remaining) = self.position {
                let skipped =
                    usize::try_from(remaining).map_or(input.len(), |r| r.min(input.len()));
                input = &input[skipped..];
                let left = remaining - skipped as u64;
                self.position = if left == 0 {
                    Position::InLine
                } else {
                    Position::InLiteral(left)
                };
                continue;
            }
            let byte = input[0];
            input = &input[1..];
            self.position = Position::InLine;
            if self.first_line && self.head.len() < HEAD_BYTES {
                self.head.push(byte);
            }
            if self.tail.len() == TAIL_BYTES {
                self.tail.remove(0);
            }
            self.tail.push(byte);
            if byte == b'\n' {
                self.end_of_line(&mut complete);
            }
        }
    }

    fn end_of_line(&mut self, complete: &mut impl FnMut(&[u8])) {
        let literal = announced_literal(&self.tail);
        self.tail.clear();
        self.first_line = false;
        match literal {
            Some(0) => self.position = Position::InLine,
            Some(length) => self.position = Position::InLiteral(length),
            None => {
                complete(&self.head);
                self.head.clear();
                self.first_line = true;
                self.position = Position::BetweenCommands;
            }
        }
    }

    /// Whether part of a command has arrived but not all of it.
    pub(super) fn mid_command(&self) -> bool {
        self.position != Position::BetweenCommands
    }

    /// The tag of the command being received, if any has arrived.
    pub(super) fn pending_tag(&self) -> Option<&[u8]> {
        self.mid_command()
            .then(|| self.head.split(|byte| *byte == b' ').next())
            .flatten()
    }

    /// Forgets the command being received: the server refused it before its
    /// literal arrived (e.g. `NO [TOOBIG]` instead of a continuation), so
    /// the client sends the next command instead.
    pub(super) fn abandon_command(&mut self) {
        self.position = Position::BetweenCommands;
        self.head.clear();
        self.tail.clear();
        self.first_line = true;
    }
}

/// The length of the literal a line ending in `tail` announces:
/// `{N}\r\n`, `{N+}\r\n` (or with a bare `\n`).
fn announced_literal(tail: &[u8]) -> Option<u64> {
    let line = tail.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_suffix(b"}")?;
    let line = line.strip_suffix(b"+").unwrap_or(line);
    let open = line.iter().rposition(|byte| *byte == b'{')?;
    let digits = &line[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(chunks: &[&[u8]]) -> (Vec<String>, CommandSniffer) {
        let mut sniffer = CommandSniffer::new();
        let mut heads = Vec::new();
        for chunk in chunks {
            sniffer.feed(chunk, |head| {
                heads.push(String::from_utf8_lossy(head).into_owned());
            });
        }
        (heads, sniffer)
    }

    #[test]
    fn commands_split_anywhere_are_seen_once_complete() {
        let (heads, sniffer) = sniff(&[b"A1 LO", b"GIN a b\r", b"\nA2 NOOP\r\nA3 SEL"]);
        assert_eq!(heads, ["A1 LOGIN a b\r\n", "A2 NOOP\r\n"]);
        assert!(sniffer.mid_command());
        assert_eq!(sniffer.pending_tag(), Some(&b"A3"[..]));
    }

    #[test]
    fn literals_belong_to_their_command_even_when_they_hold_line_breaks() {
        let (heads, sniffer) = sniff(&[
            b"A1 APPEND INBOX {12}\r\n",
            b"A9 NOOP\r\nxx",
            b"\r\nA2 LOGIN {1+}\r\nu p\r\n",
        ]);
        assert_eq!(heads, ["A1 APPEND INBOX {12}\r\n", "A2 LOGIN {1+}\r\n"]);
        assert!(!sniffer.mid_command());
    }

    #[test]
    fn a_large_literal_in_flight_keeps_the_command_open() {
        let (heads, mut sniffer) = sniff(&[b"A1 APPEND INBOX {1000000}\r\n", &[b'x'; 4096]]);
        assert!(heads.is_empty());
        assert!(sniffer.mid_command());
        sniffer.abandon_command();
        assert!(!sniffer.mid_command());
        assert_eq!(sniffer.pending_tag(), None);
    }

    #[test]
    fn only_well_formed_announcements_are_literals() {
        assert_eq!(announced_literal(b"{12}\r\n"), Some(12));
        assert_eq!(announced_literal(b"{7+}\n"), Some(7));
        assert_eq!(announced_literal(b"{}\r\n"), None);
        assert_eq!(announced_literal(b"{1x}\r\n"), None);
        assert_eq!(announced_literal(b"plain\r\n"), None);
        assert_eq!(announced_literal(b"{99999999999999999999999}\r\n"), None);
    }

    #[test]
    fn the_head_is_bounded() {
        let long = [b"A1 SEARCH ".as_slice(), &[b'x'; 500], b"\r\n"].concat();
        let (heads, _) = sniff(&[&long]);
        assert_eq!(heads[0].len(), HEAD_BYTES);
    }
}
