//! Bounded input framing for LMTP: command lines ([`take_line`]), the
//! dot-stuffed `DATA` body ([`DotBody`], RFC 5321 §4.5.2) and `BDAT`
//! chunks of a counted size ([`Chunk`], RFC 3030 §2).
//!
//! Invariants: no reader keeps more than its bound in memory — a command
//! line over its limit is dropped as it arrives and reported once its line
//! ends; a message over its size or line limit is consumed to its end but
//! no longer stored, so the client's next command is found where it
//! expects it. Readers accept input split anywhere, one byte at a time.

/// Why a message body was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyOverflow {
    /// More bytes than the maximum message size.
    TooBig,
    /// A line longer than the line bound.
    LineTooLong,
}

/// One command line from the input.
#[derive(Debug, PartialEq, Eq)]
pub enum LineEvent {
    /// The line without its CRLF (or bare LF).
    Line(Vec<u8>),
    /// A line longer than the bound ended; its bytes are gone.
    TooLong,
}

/// Reads command lines of at most `max_bytes` from `buffer`.
#[derive(Debug, Default)]
pub struct LineReader {
    /// Dropping the rest of an over-long line.
    discarding: bool,
}

impl LineReader {
    /// Takes the next complete line off the front of `buffer`, if any.
    pub fn take_line(&mut self, buffer: &mut Vec<u8>, max_bytes: usize) -> Option<LineEvent> {
        let Some(newline) = buffer.iter().position(|&byte| byte == b'\n') else {
            if buffer.len() > max_bytes {
                buffer.clear();
                self.discarding = true;
            }
            return None;
        };
        let mut line: Vec<u8> = buffer.drain(..=newline).collect();
        if std::mem::take(&mut self.discarding) || line.len() > max_bytes + 2 {
            return Some(LineEvent::TooLong);
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Some(LineEvent::Line(line))
    }
}

/// The message being received, whichever way it arrives, with its bounds.
#[derive(Debug)]
pub struct MessageBuffer {
    pub bytes: Vec<u8>,
    pub overflow: Option<BodyOverflow>,
    max_bytes: u64,
}

impl MessageBuffer {
    pub fn new(max_bytes: u64) -> Self {
        Self {
            bytes: Vec::new(),
            overflow: None,
            max_bytes,
        }
    }

    /// Stores `data` while the message stays within its bounds.
    fn append(&mut self, data: &[u8]) {
        if self.overflow.is_some() {
            return;
        }
        if (self.bytes.len() + data.len()) as u64 > self.max_bytes {
            self.overflow = Some(BodyOverflow::TooBig);
            self.bytes = Vec::new();
            return;
        }
        self.bytes.extend_from_slice(data);
    }

    fn reject(&mut self, overflow: BodyOverflow) {
        if self.overflow.is_none() {
            self.overflow = Some(overflow);
            self.bytes = Vec::new();
        }
    }
}

/// A `DATA` body in transit: lines until `.` alone on a line, with one
/// leading dot removed from every other line that starts with one.
#[derive(Debug)]
pub struct DotBody {
    pub message: MessageBuffer,
    max_line_bytes: usize,
    at_line_start: bool,
    line_bytes: usize,
}

impl DotBody {
    pub fn new(max_message_bytes: u64, max_line_bytes: usize) -> Self {
        Self {
            message: MessageBuffer::new(max_message_bytes),
            max_line_bytes,
            at_line_start: true,
            line_bytes: 0,
        }
    }

    /// Consumes what it can of `input`; returns how many bytes it used and
    /// whether the end-of-data line was among them.
    pub fn feed(&mut self, input: &[u8]) -> (usize, bool) {
        let mut used = 0;
        while used < input.len() {
            let rest = &input[used..];
            let line_end = rest.iter().position(|&byte| byte == b'\n');
            if self.at_line_start {
                let candidate = line_end.map_or(rest, |end| &rest[..=end]);
                if candidate == b".\r\n" || candidate == b".\n" {
                    return (used + candidate.len(), true);
                }
                // `.` or `.\r` may still become the end of data.
                if line_end.is_none() && (rest == b"." || rest == b".\r") {
                    return (used, false);
                }
            }
            let piece = line_end.map_or(rest, |end| &rest[..=end]);
            // RFC 5321 §4.5.2: drop the transparency dot.
            let unstuffed = match piece.first() {
                Some(b'.') if self.at_line_start => &piece[1..],
                _ => piece,
            };
            self.line_bytes += piece.len();
            if self.line_bytes > self.max_line_bytes + 2 {
                self.message.reject(BodyOverflow::LineTooLong);
            }
            self.message.append(unstuffed);
            used += piece.len();
            self.at_line_start = line_end.is_some();
            if self.at_line_start {
                self.line_bytes = 0;
            }
        }
        (used, false)
    }
}

/// The rest of one `BDAT` chunk: exactly `remaining` more bytes, taken
/// as they are (RFC 3030 §2: no dot transparency).
#[derive(Debug)]
pub struct Chunk {
    pub remaining: u64,
    pub last: bool,
}

impl Chunk {
    /// Moves up to `remaining` bytes of `input` into `message` (or, with
    /// no transaction, nowhere); returns how many it took.
    pub fn feed(&mut self, input: &[u8], message: Option<&mut MessageBuffer>) -> usize {
        let take =
            usize::try_from(self.remaining).map_or(input.len(), |left| left.min(input.len()));
        if let Some(message) = message {
            message.append(&input[..take]);
        }
        self.remaining -= take as u64;
        take
    }

    pub fn is_complete(&self) -> bool {
        self.remaining == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(fragments: &[&[u8]], max: usize) -> Vec<LineEvent> {
        let mut reader = LineReader::default();
        let mut buffer = Vec::new();
        let mut events = Vec::new();
        for fragment in fragments {
            buffer.extend_from_slice(fragment);
            while let Some(event) = reader.take_line(&mut buffer, max) {
                events.push(event);
            }
        }
        events
    }

    #[test]
    fn lines_end_at_crlf_or_lf_and_may_arrive_split() {
        let events = lines(&[b"NO", b"OP\r", b"\nQUIT\n"], 64);
        assert_eq!(
            events,
            vec![
                LineEvent::Line(b"NOOP".to_vec()),
                LineEvent::Line(b"QUIT".to_vec())
            ]
        );
    }

    #[test]
    fn an_over_long_line_is_reported_once_it_ends_and_not_kept() {
        let long = vec![b'x'; 100];
        let mut reader = LineReader::default();
        let mut buffer = long.clone();
        assert_eq!(reader.take_line(&mut buffer, 10), None);
        assert!(buffer.is_empty());
        buffer.extend_from_slice(b"tail\r\nNOOP\r\n");
        assert_eq!(reader.take_line(&mut buffer, 10), Some(LineEvent::TooLong));
        assert_eq!(
            reader.take_line(&mut buffer, 10),
            Some(LineEvent::Line(b"NOOP".to_vec()))
        );
        assert_eq!(lines(&[b"0123456789AB\r\n"], 10), vec![LineEvent::TooLong]);
    }

    fn receive(fragments: &[&[u8]], max_bytes: u64, max_line: usize) -> (DotBody, Vec<u8>) {
        let mut body = DotBody::new(max_bytes, max_line);
        let mut pending = Vec::new();
        for (index, fragment) in fragments.iter().enumerate() {
            pending.extend_from_slice(fragment);
            let (used, done) = body.feed(&pending);
            pending.drain(..used);
            if done {
                // What follows the message is the client's next command.
                pending.extend(fragments[index + 1..].concat());
                return (body, pending);
            }
        }
        panic!("end of data not found");
    }

    #[test]
    fn dots_are_unstuffed_and_the_terminator_found_across_splits() {
        let (body, rest) = receive(
            &[b"Subject: x\r\n\r\n..dot\r\n.", b"", b"\r", b"\nQUIT\r\n"],
            1024,
            100,
        );
        assert_eq!(body.message.bytes, b"Subject: x\r\n\r\n.dot\r\n");
        assert_eq!(body.message.overflow, None);
        assert_eq!(rest, b"QUIT\r\n");
    }

    #[test]
    fn a_dot_inside_a_line_is_data() {
        let (body, _) = receive(&[b"a.\r\n.b\r\n", b".x.\r\n", b".\r\n"], 1024, 100);
        assert_eq!(body.message.bytes, b"a.\r\nb\r\nx.\r\n");
    }

    #[test]
    fn a_message_is_received_byte_by_byte() {
        let input = b"line one\r\n..\r\nline three\r\n.\r\nNOOP\r\n";
        let fragments: Vec<&[u8]> = input.chunks(1).collect();
        let (body, rest) = receive(&fragments, 1024, 100);
        assert_eq!(body.message.bytes, b"line one\r\n.\r\nline three\r\n");
        assert_eq!(rest, b"NOOP\r\n");
    }

    #[test]
    fn an_oversized_message_is_consumed_but_not_kept() {
        let (body, rest) = receive(
            &[&[b'y'; 50], b"\r\n", &[b'z'; 50], b"\r\n.\r\nRSET\r\n"],
            60,
            100,
        );
        assert_eq!(body.message.overflow, Some(BodyOverflow::TooBig));
        assert!(body.message.bytes.is_empty());
        assert_eq!(rest, b"RSET\r\n");
    }

    #[test]
    fn an_over_long_data_line_rejects_the_message() {
        let (body, _) = receive(&[&[b'w'; 30], &[b'w'; 30], b"\r\n.\r\n"], 1024, 40);
        assert_eq!(body.message.overflow, Some(BodyOverflow::LineTooLong));
    }

    #[test]
    fn chunks_take_exactly_their_size() {
        let mut message = MessageBuffer::new(100);
        let mut chunk = Chunk {
            remaining: 5,
            last: true,
        };
        assert_eq!(chunk.feed(b"ab", Some(&mut message)), 2);
        assert_eq!(chunk.feed(b"c.\r\nNOOP", Some(&mut message)), 3);
        assert!(chunk.is_complete());
        assert_eq!(message.bytes, b"abc.\r");
        let mut discarded = Chunk {
            remaining: 3,
            last: false,
        };
        assert_eq!(discarded.feed(b"xyzw", None), 3);
    }
}
