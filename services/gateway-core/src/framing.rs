//! Bounded command framing (RFC 3501 §2.2, §4.3; RFC 7888 LITERAL+ or
//! LITERAL-; RFC 3516 literal8): cuts the client's byte stream into complete
//! commands (lines plus literal payloads) before anything is parsed, however
//! the bytes were split by the network.
//!
//! Invariants: the text of one command (every byte that is not literal
//! payload, line ends included) never exceeds `max_line_bytes`, and the sum
//! of its literal payloads never exceeds `max_literal_bytes`, so the command
//! under assembly holds at most their sum. A bound crossed is reported once
//! as [`FrameEvent::TooBig`]; the rest of that command is then read and
//! dropped without being kept, so the connection goes on serving. A refused
//! synchronising literal ends the command at once (the client has sent
//! nothing yet and waits for `+`). Under LITERAL- a non-synchronising
//! literal (or literal8, RFC 7888 §6) over 4096 bytes is refused the same
//! way: its octets are read and dropped (RFC 7888 §4, choice 1).

use bytes::{Buf, BytesMut};
use mailkeep_common::ErrorCode;

use crate::parser::leading_tag;

/// The bounds a [`Framer`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramingLimits {
    /// The most non-literal bytes in one command (or one raw line), CRLF
    /// included.
    pub max_line_bytes: usize,
    /// The most literal payload bytes in one command, all literals summed.
    pub max_literal_bytes: u64,
    /// Which non-synchronising literals are allowed.
    pub literal_extension: LiteralExtension,
}

/// The RFC 7888 extension a server advertises; never both (§5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LiteralExtension {
    /// Non-synchronising literals of any allowed size (§3).
    #[default]
    Plus,
    /// Non-synchronising literals of at most
    /// [`LiteralExtension::MINUS_MAX_BYTES`] (§5).
    Minus,
}

impl LiteralExtension {
    /// RFC 7888 §5: "non-synchronizing literals used in any command MUST NOT
    /// be larger than 4096 bytes" under LITERAL-.
    pub const MINUS_MAX_BYTES: u64 = 4096;

    /// The capability name.
    pub const fn capability(self) -> &'static str {
        match self {
            LiteralExtension::Plus => "LITERAL+",
            LiteralExtension::Minus => "LITERAL-",
        }
    }

    /// Whether a non-synchronising literal of `length` bytes is allowed.
    const fn allows_non_synchronising(self, length: u64) -> bool {
        match self {
            LiteralExtension::Plus => true,
            LiteralExtension::Minus => length <= Self::MINUS_MAX_BYTES,
        }
    }
}

/// What the framer found in the buffered input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameEvent {
    /// A complete command: its exact raw bytes, lines and literal payloads,
    /// final CRLF included.
    Command(Vec<u8>),
    /// The client announced a synchronising literal `{n}` and waits: the
    /// session must send `+ ...` (RFC 3501 §7.5).
    ContinuationNeeded,
    /// A bound was crossed and the command is discarded; `tag` when the line
    /// began with a valid tag.
    TooBig { tag: Option<String>, limit: Limit },
}

/// Which bound a discarded command crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Line,
    Literal {
        announced: u64,
    },
    /// A non-synchronising literal LITERAL- forbids (RFC 7888 §5).
    NonSynchronisingLiteral {
        announced: u64,
    },
}

/// A raw line (see [`Framer::next_line`]) longer than `max_line_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("line too long")]
pub struct LineTooLong;

impl LineTooLong {
    pub fn code(&self) -> ErrorCode {
        ErrorCode::Limit
    }
}

/// How many bytes of a discarded line are kept to spot a literal
/// announcement at its end: `~{` + 20 digits + `+}` + CRLF fits.
const TAIL_BYTES: usize = 32;

/// How far into a command a tag is looked for.
const TAG_WINDOW: usize = 1024;

#[derive(Debug)]
enum State {
    /// Reading command text up to the next LF.
    Text,
    /// Copying literal payload into the command.
    Literal { remaining: u64 },
    /// Dropping a line up to its LF. `tail` keeps its last bytes; when
    /// `in_command`, a literal announced at its end is dropped too.
    SkipLine { tail: Vec<u8>, in_command: bool },
    /// Dropping the payload of a refused non-synchronising literal.
    SkipLiteral { remaining: u64 },
}

/// What one step of reading command text produced.
enum Step {
    Event(FrameEvent),
    NeedInput,
    Continue,
}

/// A literal announced at the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Announcement {
    /// Saturates at `u64::MAX` when the digits overflow.
    length: u64,
    synchronising: bool,
}

/// Sans-IO framer: [`push`](Framer::push) bytes in, take events out.
#[derive(Debug)]
pub struct Framer {
    limits: FramingLimits,
    input: BytesMut,
    command: Vec<u8>,
    /// Where the command's text after its last literal begins.
    segment_start: usize,
    text_bytes: usize,
    literal_bytes: u64,
    state: State,
}

impl Framer {
    pub fn new(limits: FramingLimits) -> Self {
        Self {
            limits,
            input: BytesMut::new(),
            command: Vec::new(),
            segment_start: 0,
            text_bytes: 0,
            literal_bytes: 0,
            state: State::Text,
        }
    }

    pub fn push(&mut self, input: &[u8]) {
        self.input.extend_from_slice(input);
    }

    /// The next event from buffered input; None when more bytes are needed.
    pub fn next_command(&mut self) -> Option<FrameEvent> {
        loop {
            match self.state {
                State::Text => match self.read_text() {
                    Step::Event(event) => return Some(event),
                    Step::NeedInput => return None,
                    Step::Continue => {}
                },
                State::Literal { remaining: 0 } => {
                    self.segment_start = self.command.len();
                    self.state = State::Text;
                }
                State::Literal { remaining } => {
                    let taken = self.take_input(remaining)?;
                    self.command.extend_from_slice(&taken);
                    self.state = State::Literal {
                        remaining: remaining - taken.len() as u64,
                    };
                }
                State::SkipLine { .. } | State::SkipLiteral { .. } => self.skip()?,
            }
        }
    }

    /// A raw line without literal handling (AUTHENTICATE responses, IDLE's
    /// DONE), CRLF stripped (a bare LF is accepted too); Err when it exceeds
    /// `max_line_bytes`. Call it only between commands.
    pub fn next_line(&mut self) -> Option<Result<Vec<u8>, LineTooLong>> {
        while matches!(
            self.state,
            State::SkipLine { .. } | State::SkipLiteral { .. }
        ) {
            self.skip()?;
        }
        let Some(end) = self.input.iter().position(|&byte| byte == b'\n') else {
            if self.input.len() < self.limits.max_line_bytes {
                return None;
            }
            self.state = State::SkipLine {
                tail: Vec::new(),
                in_command: false,
            };
            self.input.clear();
            return Some(Err(LineTooLong));
        };
        let mut line = self.input.split_to(end + 1).to_vec();
        if line.len() > self.limits.max_line_bytes {
            return Some(Err(LineTooLong));
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        Some(Ok(line))
    }

    /// STARTTLS: drop every buffered byte (no plaintext injection survives
    /// the upgrade, RFC 3501 §6.2.1).
    pub fn clear(&mut self) {
        self.input.clear();
        self.reset_command();
        self.state = State::Text;
    }

    /// In [`State::Text`]: the rest of a line, then what its end announces.
    fn read_text(&mut self) -> Step {
        let Some(end) = self.input.iter().position(|&byte| byte == b'\n') else {
            if self.text_bytes + self.input.len() < self.limits.max_line_bytes {
                let partial = self.input.split();
                self.text_bytes += partial.len();
                self.command.extend_from_slice(&partial);
                return Step::NeedInput;
            }
            let tag = self.tag(&self.input);
            let tail = tail_of(&self.command[self.segment_start..], &self.input);
            self.input.clear();
            self.reset_command();
            self.state = State::SkipLine {
                tail,
                in_command: true,
            };
            return Step::Event(too_big(tag, Limit::Line));
        };
        let line = self.input.split_to(end + 1);
        let segment = &self.command[self.segment_start..];
        let announcement = literal_announcement(&tail_of(segment, &line));
        if self.text_bytes + line.len() > self.limits.max_line_bytes {
            let tag = self.tag(&line);
            self.reset_command();
            self.skip_announced(announcement);
            return Step::Event(too_big(tag, Limit::Line));
        }
        self.text_bytes += line.len();
        self.command.extend_from_slice(&line);
        let Some(announcement) = announcement else {
            let command = std::mem::take(&mut self.command);
            self.reset_command();
            return Step::Event(FrameEvent::Command(command));
        };
        let announced = announcement.length;
        let total = self.literal_bytes.checked_add(announced);
        let refusal = if !announcement.synchronising
            && !self
                .limits
                .literal_extension
                .allows_non_synchronising(announced)
        {
            Some(Limit::NonSynchronisingLiteral { announced })
        } else if total.is_none_or(|total| total > self.limits.max_literal_bytes) {
            Some(Limit::Literal { announced })
        } else {
            None
        };
        if let Some(limit) = refusal {
            let tag = self.tag(&[]);
            self.reset_command();
            self.skip_announced(Some(announcement));
            return Step::Event(too_big(tag, limit));
        }
        self.literal_bytes += announcement.length;
        self.state = State::Literal {
            remaining: announcement.length,
        };
        if announcement.synchronising {
            return Step::Event(FrameEvent::ContinuationNeeded);
        }
        Step::Continue
    }

    /// Drops buffered input as the skip states say; `None` when more input
    /// is needed before the skip is over.
    fn skip(&mut self) -> Option<()> {
        match &mut self.state {
            State::SkipLiteral { remaining } => {
                let remaining = *remaining;
                let dropped = match remaining {
                    0 => 0,
                    _ => self.take_input(remaining)?.len() as u64,
                };
                self.state = if dropped == remaining {
                    State::SkipLine {
                        tail: Vec::new(),
                        in_command: true,
                    }
                } else {
                    State::SkipLiteral {
                        remaining: remaining - dropped,
                    }
                };
                Some(())
            }
            State::SkipLine { tail, in_command } => {
                let Some(end) = self.input.iter().position(|&byte| byte == b'\n') else {
                    *tail = tail_of(tail, &self.input);
                    self.input.clear();
                    return None;
                };
                let tail = tail_of(tail, &self.input[..=end]);
                let in_command = *in_command;
                self.input.advance(end + 1);
                self.state = State::Text;
                if in_command {
                    self.skip_announced(literal_announcement(&tail));
                }
                Some(())
            }
            State::Text | State::Literal { .. } => Some(()),
        }
    }

    /// After a discarded line: a non-synchronising literal it announced is
    /// on its way and must be dropped; a synchronising one never comes.
    fn skip_announced(&mut self, announcement: Option<Announcement>) {
        self.state = match announcement {
            Some(announcement) if !announcement.synchronising => State::SkipLiteral {
                remaining: announcement.length,
            },
            _ => State::Text,
        };
    }

    /// Up to `limit` bytes of buffered input, or `None` if there are none.
    fn take_input(&mut self, limit: u64) -> Option<BytesMut> {
        if self.input.is_empty() {
            return None;
        }
        let length =
            usize::try_from(limit).map_or(self.input.len(), |limit| limit.min(self.input.len()));
        Some(self.input.split_to(length))
    }

    /// The tag of the command under assembly, continued by `more`.
    fn tag(&self, more: &[u8]) -> Option<String> {
        let mut head: Vec<u8> = self.command.iter().take(TAG_WINDOW).copied().collect();
        let wanted = TAG_WINDOW - head.len();
        head.extend(more.iter().take(wanted));
        leading_tag(&head).map(|tag| tag.0)
    }

    fn reset_command(&mut self) {
        self.command = Vec::new();
        self.segment_start = 0;
        self.text_bytes = 0;
        self.literal_bytes = 0;
    }
}

fn too_big(tag: Option<String>, limit: Limit) -> FrameEvent {
    FrameEvent::TooBig { tag, limit }
}

/// The last [`TAIL_BYTES`] of `kept` followed by `more`.
fn tail_of(kept: &[u8], more: &[u8]) -> Vec<u8> {
    let from_more = more.len().min(TAIL_BYTES);
    let from_kept = kept.len().min(TAIL_BYTES - from_more);
    [
        &kept[kept.len() - from_kept..],
        &more[more.len() - from_more..],
    ]
    .concat()
}

/// `{n}`, `{n+}`, `~{n}` or `~{n+}` right before the line's (CR)LF.
fn literal_announcement(line: &[u8]) -> Option<Announcement> {
    let line = line.strip_suffix(b"\n")?;
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let line = line.strip_suffix(b"}")?;
    let (line, synchronising) = match line.strip_suffix(b"+") {
        Some(line) => (line, false),
        None => (line, true),
    };
    let digit_count = line
        .iter()
        .rev()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    let (line, digits) = line.split_at(line.len() - digit_count);
    if digits.is_empty() || !line.ends_with(b"{") {
        return None;
    }
    let length = digits.iter().fold(0u64, |length, digit| {
        length
            .saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    });
    Some(Announcement {
        length,
        synchronising,
    })
}

#[cfg(test)]
mod tests;
