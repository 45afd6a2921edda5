//! [`CommandObserver`]: per-command metrics and traces of one connection,
//! seen from outside the sans-IO session. Client input goes through a
//! [`CommandSniffer`]; each complete command waits (with its normalised name
//! and arrival time) for its tagged answer, which [`ObservedSink`] spots in
//! the session's output. Metrics: `mailkeep_imap_commands_total{command,
//! result}`, `mailkeep_imap_command_duration_seconds{command}` (not for
//! IDLE, whose length is the client's choice), `mailkeep_imap_logins_total
//! {result}` and the `mailkeep_imap_idle_sessions` gauge. Labels never carry
//! user data: unknown verbs are `OTHER`.

use std::collections::VecDeque;
use std::io;

use async_trait::async_trait;
use mailkeep_gateway_core::session::ResponseSink;
use tokio::time::Instant;

use super::sniffer::CommandSniffer;

/// Most commands kept waiting for an answer (pipelining beyond this is
/// not measured).
const MAX_PENDING: usize = 64;

/// The IMAP verbs counted by name (RFC 9051 and the extensions served).
const VERBS: [&str; 32] = [
    "APPEND",
    "AUTHENTICATE",
    "CAPABILITY",
    "CHECK",
    "CLOSE",
    "COMPRESS",
    "COPY",
    "CREATE",
    "DELETE",
    "ENABLE",
    "EXAMINE",
    "EXPUNGE",
    "FETCH",
    "GETQUOTA",
    "GETQUOTAROOT",
    "ID",
    "IDLE",
    "LIST",
    "LOGIN",
    "LOGOUT",
    "LSUB",
    "MOVE",
    "NAMESPACE",
    "NOOP",
    "RENAME",
    "SEARCH",
    "SELECT",
    "STARTTLS",
    "STATUS",
    "STORE",
    "SUBSCRIBE",
    "UNSELECT",
];
/// The verbs the `UID` prefix applies to (RFC 9051 §6.4.9).
const UID_VERBS: [&str; 6] = [
    "UID COPY",
    "UID EXPUNGE",
    "UID FETCH",
    "UID MOVE",
    "UID SEARCH",
    "UID STORE",
];

/// The metric name of the command whose first line starts with `head`:
/// the upper-case verb (`UID FETCH` for UID forms), `UNSUBSCRIBE` too, or
/// `OTHER`. `None` when the line has no verb (an IDLE `DONE`, an
/// AUTHENTICATE response): it is not a command.
pub(super) fn command_name(head: &[u8]) -> Option<&'static str> {
    let line = head
        .strip_suffix(b"\n")
        .map_or(head, |line| line.strip_suffix(b"\r").unwrap_or(line));
    let mut words = line.split(|byte| *byte == b' ');
    let _tag = words.next()?;
    let verb = words.next().filter(|verb| !verb.is_empty())?;
    let upper = |word: &[u8]| String::from_utf8_lossy(word).to_ascii_uppercase();
    let verb = upper(verb);
    if verb == "UID" {
        let full = format!("UID {}", upper(words.next().unwrap_or_default()));
        return Some(
            UID_VERBS
                .iter()
                .find(|known| **known == full)
                .map_or("OTHER", |k| k),
        );
    }
    if verb == "UNSUBSCRIBE" {
        return Some("UNSUBSCRIBE");
    }
    Some(
        VERBS
            .iter()
            .find(|known| **known == verb)
            .map_or("OTHER", |k| k),
    )
}

/// A command that has fully arrived and awaits its tagged answer.
#[derive(Debug)]
struct Pending {
    tag: Vec<u8>,
    name: &'static str,
    arrived: Instant,
}

/// The metrics and trace view of one connection's commands.
#[derive(Debug)]
pub(crate) struct CommandObserver {
    sniffer: CommandSniffer,
    pending: VecDeque<Pending>,
    idling: bool,
}

impl CommandObserver {
    pub(crate) fn new() -> Self {
        Self {
            sniffer: CommandSniffer::new(),
            pending: VecDeque::new(),
            idling: false,
        }
    }

    /// Notes client input; returns the name of the first command it
    /// completes, if any (the name of the trace this input starts).
    pub(crate) fn input(&mut self, bytes: &[u8]) -> Option<&'static str> {
        let arrived = Instant::now();
        let mut first = None;
        let pending = &mut self.pending;
        self.sniffer.feed(bytes, |head| {
            let Some(name) = command_name(head) else {
                return;
            };
            first.get_or_insert(name);
            if pending.len() == MAX_PENDING {
                pending.pop_front();
            }
            let tag = head.split(|byte| *byte == b' ').next().unwrap_or_default();
            pending.push_back(Pending {
                tag: tag.to_vec(),
                name,
                arrived,
            });
        });
        first
    }

    /// Whether a command is partly received (e.g. an APPEND literal in
    /// flight): the drain lets it finish before saying `* BYE`.
    pub(crate) fn command_in_progress(&self) -> bool {
        self.sniffer.mid_command()
    }

    /// Keeps `mailkeep_imap_idle_sessions` in step with the session.
    pub(crate) fn set_idling(&mut self, idling: bool) {
        if idling != self.idling {
            let delta = if idling { 1.0 } else { -1.0 };
            metrics::gauge!("mailkeep_imap_idle_sessions").increment(delta);
            self.idling = idling;
        }
    }

    /// Notes one response; a tagged completion ends its command.
    fn output(&mut self, bytes: &[u8]) {
        let Some((tag, result)) = tagged_result(bytes) else {
            return;
        };
        if self.sniffer.pending_tag() == Some(tag) {
            // Answered before its literal came: the client will not send it.
            self.sniffer.abandon_command();
        }
        let Some(index) = self.pending.iter().position(|pending| pending.tag == tag) else {
            return;
        };
        // Earlier entries were answered in a way not seen here; drop them.
        let Some(command) = self.pending.drain(..=index).next_back() else {
            return;
        };
        record(&command, result, bytes);
    }
}

impl Drop for CommandObserver {
    fn drop(&mut self) {
        self.set_idling(false);
    }
}

fn record(command: &Pending, result: &'static str, line: &[u8]) {
    let name = command.name;
    metrics::counter!("mailkeep_imap_commands_total", "command" => name, "result" => result)
        .increment(1);
    if name != "IDLE" {
        metrics::histogram!("mailkeep_imap_command_duration_seconds", "command" => name)
            .record(command.arrived.elapsed().as_secs_f64());
    }
    if matches!(name, "LOGIN" | "AUTHENTICATE") {
        let login = match result {
            "ok" => "success",
            _ if contains(line, b"[LIMIT]") => "throttled",
            _ => "failure",
        };
        metrics::counter!("mailkeep_imap_logins_total", "result" => login).increment(1);
    }
    let span = tracing::Span::current();
    span.record("imap.result", result);
}

/// `A1 OK ...` -> (`A1`, `ok`); untagged and continuation lines are none.
fn tagged_result(line: &[u8]) -> Option<(&[u8], &'static str)> {
    let mut words = line.splitn(3, |byte| *byte == b' ');
    let tag = words.next()?;
    if tag.is_empty() || tag == b"*" || tag == b"+" {
        return None;
    }
    let status = words.next()?;
    let status = status.strip_suffix(b"\r\n").unwrap_or(status);
    let result = match status {
        b"OK" => "ok",
        b"NO" => "no",
        b"BAD" => "bad",
        _ => return None,
    };
    Some((tag, result))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// A [`ResponseSink`] that shows every response to the observer on its way
/// to the socket.
pub(crate) struct ObservedSink<'a> {
    inner: &'a mut (dyn ResponseSink + 'a),
    observer: &'a mut CommandObserver,
}

impl<'a> ObservedSink<'a> {
    pub(crate) fn new(
        inner: &'a mut (dyn ResponseSink + 'a),
        observer: &'a mut CommandObserver,
    ) -> Self {
        Self { inner, observer }
    }
}

#[async_trait]
impl ResponseSink for ObservedSink<'_> {
    async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.observer.output(bytes);
        self.inner.send(bytes).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_names_are_normalised_and_bounded() {
        assert_eq!(command_name(b"a1 fetch 1 BODY[]\r\n"), Some("FETCH"));
        assert_eq!(
            command_name(b"a2 uid fetch 1:* FLAGS\r\n"),
            Some("UID FETCH")
        );
        assert_eq!(
            command_name(b"a3 UID Store 1 +FLAGS (x)\r\n"),
            Some("UID STORE")
        );
        assert_eq!(command_name(b"a4 UID NOPE\r\n"), Some("OTHER"));
        assert_eq!(command_name(b"a5 FROBNICATE\r\n"), Some("OTHER"));
        assert_eq!(command_name(b"a6 LOGOUT\r\n"), Some("LOGOUT"));
        assert_eq!(command_name(b"a7 unsubscribe x\r\n"), Some("UNSUBSCRIBE"));
        assert_eq!(command_name(b"DONE\r\n"), None);
        assert_eq!(command_name(b"dGVzdA==\r\n"), None);
        assert_eq!(command_name(b"a8 \r\n"), None);
    }

    #[test]
    fn tagged_results_are_recognised() {
        assert_eq!(tagged_result(b"A1 OK done\r\n"), Some((&b"A1"[..], "ok")));
        assert_eq!(
            tagged_result(b"A2 NO [LIMIT] x\r\n"),
            Some((&b"A2"[..], "no"))
        );
        assert_eq!(tagged_result(b"A3 BAD\r\n"), Some((&b"A3"[..], "bad")));
        assert_eq!(tagged_result(b"* OK still here\r\n"), None);
        assert_eq!(tagged_result(b"+ Ready\r\n"), None);
        assert_eq!(tagged_result(b"A4 FETCH\r\n"), None);
    }

    #[tokio::test]
    async fn answers_end_their_commands_and_refused_literals_reset_the_sniffer() {
        let mut observer = CommandObserver::new();
        assert_eq!(
            observer.input(b"A1 NOOP\r\nA2 APPEND INBOX {99}\r\n"),
            Some("NOOP")
        );
        assert!(observer.command_in_progress());
        let mut written = Vec::new();
        {
            let mut sink = ObservedSink::new(&mut written, &mut observer);
            sink.send(b"A1 OK NOOP completed\r\n").await.unwrap();
            sink.send(b"A2 NO [TOOBIG] literal too large\r\n")
                .await
                .unwrap();
        }
        assert!(!observer.command_in_progress());
        assert!(observer.pending.is_empty());
        assert_eq!(
            written,
            b"A1 OK NOOP completed\r\nA2 NO [TOOBIG] literal too large\r\n"
        );
        assert_eq!(observer.input(b"A3 LOGOUT\r\n"), Some("LOGOUT"));
    }
}
