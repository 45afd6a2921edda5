//! The streaming mbox reader: splits on `From ` lines that start the file or
//! follow a blank line, one message in memory at a time, each bounded. Per
//! message it drops the `From ` separator line and the blank line before the
//! next one, undoes `>From ` quoting the mboxrd way (one `>` off any line
//! matching `^>+From `, which also reads mboxo files right), takes the
//! internal date from the `From ` line (ctime form, read as UTC), and takes
//! the flags from the `Status` and `X-Status` headers. Those two headers are
//! removed from the stored bytes: they are the mail reader's local state,
//! which an IMAP client sees as flags, never as headers (Dovecot does the
//! same). Lines end in CRLF ([`super::source`]).

use std::io::{self, BufRead, Read};

use chrono::NaiveDateTime;

use super::flags;
use super::source::{Failure, SourceItem, SourceMessage, push_crlf_line};

const SEPARATOR: &[u8] = b"From ";

/// Reads messages from an mbox stream.
pub struct MboxReader<R> {
    input: R,
    label: String,
    max_bytes: usize,
    line_no: u64,
    index: u64,
    /// The `From ` line of the next message and its line number.
    next_from: Option<(Vec<u8>, u64)>,
    started: bool,
    finished: bool,
}

/// One message being assembled.
#[derive(Default)]
struct Draft {
    raw: Vec<u8>,
    in_header: bool,
    skipping_header: bool,
    status: String,
    x_status: String,
    oversized: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// `label` names the source in failures; a message over `max_bytes` fails.
    pub fn new(input: R, label: &str, max_bytes: usize) -> Self {
        Self {
            input,
            label: label.to_owned(),
            max_bytes,
            line_no: 0,
            index: 0,
            next_from: None,
            started: false,
            finished: false,
        }
    }

    /// Reads one line into `line`; `Ok(false)` at the end of the input. A
    /// line longer than the message bound is cut there (its rest skipped)
    /// and reported by a `line` longer than `max_bytes`.
    fn read_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        line.clear();
        let limit = self.max_bytes as u64 + 1;
        let read = (&mut self.input).take(limit).read_until(b'\n', line)?;
        if read == 0 {
            return Ok(false);
        }
        self.line_no += 1;
        if !line.ends_with(b"\n") && line.len() as u64 == limit {
            let mut rest = Vec::new();
            while (&mut self.input)
                .take(64 * 1024)
                .read_until(b'\n', &mut rest)?
                > 0
            {
                if rest.ends_with(b"\n") {
                    break;
                }
                rest.clear();
            }
        }
        Ok(true)
    }

    fn failure(&self, line: u64, reason: impl Into<String>) -> Failure {
        Failure {
            origin: format!("{} message {} (line {line})", self.label, self.index),
            reason: reason.into(),
        }
    }

    fn start(&mut self) -> Option<SourceItem> {
        self.started = true;
        let mut line = Vec::new();
        match self.read_line(&mut line) {
            Ok(true) if line.starts_with(SEPARATOR) => {
                self.next_from = Some((line, self.line_no));
                None
            }
            Ok(true) => Some(Err(Failure {
                origin: self.label.clone(),
                reason: "not an mbox file: the first line is not a `From ` line".to_owned(),
            })),
            Ok(false) => None,
            Err(error) => Some(Err(Failure {
                origin: self.label.clone(),
                reason: format!("read error: {error}"),
            })),
        }
    }

    /// Reads the message whose `From ` line was `from`, up to the next separator.
    fn read_message(&mut self, from: &[u8], from_line: u64) -> SourceItem {
        self.index += 1;
        let mut draft = Draft {
            in_header: true,
            ..Draft::default()
        };
        let mut pending_blank = false;
        let mut line = Vec::new();
        loop {
            match self.read_line(&mut line) {
                Ok(true) => {}
                Ok(false) => break,
                Err(error) => {
                    self.finished = true;
                    return Err(self.failure(from_line, format!("read error: {error}")));
                }
            }
            let blank = line == b"\n" || line == b"\r\n";
            if pending_blank && line.starts_with(SEPARATOR) {
                self.next_from = Some((std::mem::take(&mut line), self.line_no));
                return self.finish(draft, from, from_line);
            }
            if pending_blank {
                draft.push(b"\n", self.max_bytes);
            }
            pending_blank = blank;
            if !blank {
                draft.push(&line, self.max_bytes);
            }
        }
        self.finished = true;
        self.finish(draft, from, from_line)
    }

    fn finish(&self, draft: Draft, from: &[u8], from_line: u64) -> SourceItem {
        if draft.oversized {
            return Err(self.failure(
                from_line,
                format!("larger than the {} byte limit", self.max_bytes),
            ));
        }
        Ok(SourceMessage {
            origin: format!("{} message {} (line {from_line})", self.label, self.index),
            raw: draft.raw,
            internal_date: from_line_date(from),
            internal_date_offset: 0,
            flags: flags::from_mbox_status(&draft.status, &draft.x_status),
        })
    }
}

impl Draft {
    /// Adds one source line: header bookkeeping, unquoting, CRLF, the bound.
    fn push(&mut self, line: &[u8], max_bytes: usize) {
        if self.oversized {
            return;
        }
        if self.in_header && self.keep_header_line(line) == HeaderLine::Drop {
            return;
        }
        let unquoted = match line.iter().position(|byte| *byte != b'>') {
            Some(quotes) if quotes > 0 && line[quotes..].starts_with(SEPARATOR) => &line[1..],
            _ => line,
        };
        if self.raw.len() + unquoted.len() + 1 > max_bytes {
            self.oversized = true;
            self.raw = Vec::new();
            return;
        }
        push_crlf_line(&mut self.raw, unquoted);
    }

    /// Tracks the header block; `Status` and `X-Status` (with their
    /// continuation lines) are read and dropped.
    fn keep_header_line(&mut self, line: &[u8]) -> HeaderLine {
        if line == b"\n" || line == b"\r\n" {
            self.in_header = false;
            return HeaderLine::Keep;
        }
        let text = String::from_utf8_lossy(line);
        if text.starts_with([' ', '\t']) {
            if self.skipping_header {
                return HeaderLine::Drop;
            }
            return HeaderLine::Keep;
        }
        self.skipping_header = false;
        let Some((name, value)) = text.split_once(':') else {
            return HeaderLine::Keep;
        };
        let target = if name.eq_ignore_ascii_case("Status") {
            &mut self.status
        } else if name.eq_ignore_ascii_case("X-Status") {
            &mut self.x_status
        } else {
            return HeaderLine::Keep;
        };
        target.push_str(value.trim());
        self.skipping_header = true;
        HeaderLine::Drop
    }
}

#[derive(Debug, PartialEq, Eq)]
enum HeaderLine {
    Keep,
    Drop,
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = SourceItem;

    fn next(&mut self) -> Option<SourceItem> {
        if self.finished {
            return None;
        }
        if !self.started
            && let Some(failure) = self.start()
        {
            self.finished = true;
            return Some(failure);
        }
        let Some((from, from_line)) = self.next_from.take() else {
            self.finished = true;
            return None;
        };
        Some(self.read_message(&from, from_line))
    }
}

/// The unix time of a `From sender Tue Jan  3 04:37:00 2023` line, read as
/// UTC; the weekday is skipped, not checked.
pub fn from_line_date(line: &[u8]) -> Option<i64> {
    let text = String::from_utf8_lossy(line);
    let words: Vec<&str> = text.split_ascii_whitespace().skip(3).take(4).collect();
    let date = NaiveDateTime::parse_from_str(&words.join(" "), "%b %e %H:%M:%S %Y").ok()?;
    Some(date.and_utc().timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mailkeep_gateway_core::backend::SystemFlags;

    fn read_all(text: &str) -> Vec<SourceItem> {
        MboxReader::new(text.as_bytes(), "box", 1024).collect()
    }

    fn raws(text: &str) -> Vec<String> {
        read_all(text)
            .into_iter()
            .map(|item| String::from_utf8(item.unwrap().raw).unwrap())
            .collect()
    }

    #[test]
    fn splits_on_from_lines_after_blank_lines_and_drops_the_separators() {
        let text = "From a@b Tue Jan  3 04:37:00 2023\nSubject: one\n\nbody\n\n\
                    From c@d Wed Jan  4 15:20:00 2023\nSubject: two\n\nbody two\n\n";
        assert_eq!(
            raws(text),
            [
                "Subject: one\r\n\r\nbody\r\n",
                "Subject: two\r\n\r\nbody two\r\n"
            ]
        );
    }

    #[test]
    fn a_from_line_without_a_blank_line_before_is_body() {
        let text = "From a@b Tue Jan  3 04:37:00 2023\nS: x\n\nline\nFrom here on\n";
        assert_eq!(raws(text), ["S: x\r\n\r\nline\r\nFrom here on\r\n"]);
    }

    #[test]
    fn blank_lines_inside_a_message_are_kept() {
        let text = "From a Tue Jan  3 04:37:00 2023\nS: x\n\na\n\n\nb\n\n";
        assert_eq!(raws(text), ["S: x\r\n\r\na\r\n\r\n\r\nb\r\n"]);
    }

    #[test]
    fn from_quoting_is_undone_the_mboxrd_way() {
        let text =
            "From a Tue Jan  3 04:37:00 2023\nS: x\n\n>From me\n>>From you\n>Fromage\n> From\n";
        assert_eq!(
            raws(text),
            ["S: x\r\n\r\nFrom me\r\n>From you\r\n>Fromage\r\n> From\r\n"]
        );
    }

    #[test]
    fn status_headers_become_flags_and_leave_the_bytes() {
        let text = "From a Tue Jan  3 04:37:00 2023\nSubject: s\nStatus: RO\nX-Status: AF\n \
                    continued\nTo: t\n\nStatus: body stays\n";
        let message = read_all(text).remove(0).unwrap();
        assert_eq!(
            String::from_utf8(message.raw).unwrap(),
            "Subject: s\r\nTo: t\r\n\r\nStatus: body stays\r\n"
        );
        assert_eq!(
            message.flags.system.0,
            SystemFlags::SEEN | SystemFlags::ANSWERED | SystemFlags::FLAGGED
        );
    }

    #[test]
    fn the_internal_date_comes_from_the_from_line() {
        assert_eq!(
            from_line_date(b"From emile@example.fr Tue Jan  3 04:37:00 2023\n"),
            Some(1_672_720_620)
        );
        assert_eq!(
            from_line_date(b"From x Sat Jan 14 15:20:00 2023 remote from y"),
            Some(1_673_709_600)
        );
        // The weekday is not checked: some writers get it wrong.
        assert_eq!(
            from_line_date(b"From x Mon Jan 14 15:20:00 2023"),
            Some(1_673_709_600)
        );
        assert_eq!(from_line_date(b"From x yesterday"), None);
        let message = read_all("From a Tue Jan  3 04:37:00 2023\n\nx\n")
            .remove(0)
            .unwrap();
        assert_eq!(message.internal_date, Some(1_672_720_620));
        assert_eq!(message.origin, "box message 1 (line 1)");
    }

    #[test]
    fn a_file_that_is_not_an_mbox_fails_once() {
        let items = read_all("Subject: x\n\nbody\n");
        assert_eq!(items.len(), 1);
        assert!(
            items[0]
                .as_ref()
                .unwrap_err()
                .reason
                .contains("not an mbox")
        );
        assert!(read_all("").is_empty());
    }

    #[test]
    fn an_oversized_message_fails_and_the_next_one_is_read() {
        let big = "y".repeat(3000);
        let text = format!(
            "From a Tue Jan  3 04:37:00 2023\nS: x\n\n{big}\n\nFrom b Tue Jan  3 04:37:00 2023\nS: y\n\nz\n"
        );
        let items = read_all(&text);
        assert_eq!(items.len(), 2);
        let failure = items[0].as_ref().unwrap_err();
        assert!(failure.reason.contains("1024 byte limit"), "{failure:?}");
        assert_eq!(items[1].as_ref().unwrap().raw, b"S: y\r\n\r\nz\r\n");
    }
}
