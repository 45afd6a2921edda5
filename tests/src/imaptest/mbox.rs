//! Fixture mailboxes (FORMAT.md §9): a message is every line between its
//! From_ line (`From <sender> <asctime date> [zone]`, zone optionally
//! before the year) and the next one, each line ending in CRLF, no
//! `>From` unescaping. The internal date comes from the From_ line, in
//! RFC 9051 `date-time` form, +0000 when no zone is given.

/// One fixture message and its APPEND date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub date: String,
    pub body: Vec<u8>,
}

/// Splits an mbox file into messages.
pub fn parse(source: &[u8]) -> Vec<Message> {
    let mut messages: Vec<Message> = Vec::new();
    let mut lines: Vec<&[u8]> = source.split(|b| *b == b'\n').collect();
    if source.ends_with(b"\n") {
        lines.pop();
    }
    for line in lines {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(date) = from_line_date(line) {
            messages.push(Message {
                date,
                body: Vec::new(),
            });
            continue;
        }
        if let Some(message) = messages.last_mut() {
            message.body.extend_from_slice(line);
            message.body.extend_from_slice(b"\r\n");
        }
    }
    messages
}

/// The `date-time` of a From_ line, or `None` if it is not one.
fn from_line_date(line: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(line.strip_prefix(b"From ")?).ok()?;
    let words: Vec<&str> = text.split_whitespace().collect();
    // Find "Www Mmm dd hh:mm:ss" anywhere after the sender.
    let at = (0..words.len()).find(|&i| {
        words.len() >= i + 5
            && month(words.get(i + 1).copied().unwrap_or_default()).is_some()
            && words[i + 3].matches(':').count() == 2
    })?;
    let (mon, day, time) = (words[at + 1], words[at + 2], words[at + 3]);
    let mut zone = "+0000";
    let mut rest = &words[at + 4..];
    if let Some(first) = rest.first()
        && is_zone(first)
    {
        zone = first;
        rest = &rest[1..];
    }
    let year = rest.first()?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(after) = rest.get(1)
        && is_zone(after)
    {
        zone = after;
    }
    month(mon)?;
    let day: u32 = day.parse().ok()?;
    Some(format!("{day:02}-{mon}-{year} {time} {zone}"))
}

fn is_zone(word: &str) -> bool {
    word.len() == 5
        && (word.starts_with('+') || word.starts_with('-'))
        && word[1..].bytes().all(|b| b.is_ascii_digit())
}

fn month(word: &str) -> Option<usize> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS.iter().position(|m| *m == word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_messages_and_reads_dates() {
        let source = b"From user@example.com  Fri Feb 22 17:06:23 2008\nSubject: a\n\nbody\n\nFrom x Sat Mar 24 23:00:00 2007 +0200\nb\n";
        let messages = parse(source);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].date, "22-Feb-2008 17:06:23 +0000");
        assert_eq!(messages[0].body, b"Subject: a\r\n\r\nbody\r\n\r\n".to_vec());
        assert_eq!(messages[1].date, "24-Mar-2007 23:00:00 +0200");
        assert_eq!(messages[1].body, b"b\r\n".to_vec());
    }

    #[test]
    fn first_default_message_is_87_bytes() {
        let source = std::fs::read("/work/shared/conformance/imaptest/default.mbox").unwrap();
        assert_eq!(parse(&source)[0].body.len(), 87);
    }
}
