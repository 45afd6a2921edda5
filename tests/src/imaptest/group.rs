//! Runs one group of a test (FORMAT.md §3, §7, §8): expands and sends its
//! commands (fixture APPENDs included), reads only its connection until
//! every tagged reply is in or the deadline passes, matches untagged
//! responses against `*`/`!`/`?` expectations and tagged replies against
//! their expected status, and keeps EXISTS/EXPUNGE bookkeeping for `$N`.
//! Invariant: a failure is recorded with the script line, what was
//! expected and what came back; the test goes on with the next group.

use super::conn::Response;
use super::matcher::match_line;
use super::run::{Test, quote, word_at};
use super::script::{Command, ExpectKind, Group, Part, Reply, expects_bad};
use super::token::{Token, tokenize};

/// A sent command waiting for its tagged reply.
struct Pending<'g> {
    tag: String,
    command: &'g Command,
    sent: String,
}

struct GroupState<'g> {
    group: &'g Group,
    pending: Vec<Pending<'g>>,
    first_tag: Option<String>,
    satisfied: Vec<bool>,
    extras: Vec<String>,
}

impl Test<'_> {
    pub(super) async fn run_group(&mut self, group: &Group) {
        let index = group.conn;
        if self.conns[index].closed {
            let line = group.commands.first().map_or(0, |c| c.line);
            self.fail(format!(
                "line {line}: connection {} is already closed",
                index + 1
            ));
            return;
        }
        let count = self.conns[index].count;
        self.scope.seq = (1..=count).map(Some).collect();
        let deadline = self.deadline();
        let mut state = GroupState {
            group,
            pending: Vec::new(),
            first_tag: None,
            satisfied: vec![false; group.expects.len()],
            extras: Vec::new(),
        };
        for command in &group.commands {
            let parts = match self.prepare(index, command) {
                Ok(parts) => parts,
                Err(e) => {
                    self.fail(format!("line {}: {e}", command.line));
                    continue;
                }
            };
            let tag = self.conns[index].next_tag();
            state.first_tag.get_or_insert_with(|| tag.clone());
            let sent = String::from_utf8_lossy(&super::lines::flatten(&parts))
                .chars()
                .take(200)
                .collect();
            state.pending.push(Pending {
                tag: tag.clone(),
                command,
                sent,
            });
            self.commands += 1;
            let mut early = Vec::new();
            let result = self.conns[index]
                .send(&tag, &parts, deadline, &mut early)
                .await;
            for response in early {
                self.handle(&mut state, &response);
            }
            if let Err(e) = result {
                self.fail(format!("line {}: sending failed: {e:#}", command.line));
                return;
            }
        }
        while !state.pending.is_empty() {
            match self.conns[index].read(deadline).await {
                Ok(Some(response)) => self.handle(&mut state, &response),
                Ok(None) => {
                    self.disconnected(&state);
                    break;
                }
                Err(e) => {
                    let waiting: Vec<String> = state
                        .pending
                        .iter()
                        .map(|p| format!("`{}`", p.sent))
                        .collect();
                    self.fail(format!(
                        "line {}: {e:#} (waiting for {})",
                        line_of(&state),
                        waiting.join(", ")
                    ));
                    self.conns[index].closed = true;
                    break;
                }
            }
        }
        self.judge(&state);
        for output in &group.outputs {
            match self.scope.expand(output) {
                Ok(text) => println!("    output: {}", String::from_utf8_lossy(&text)),
                Err(e) => self.fail(format!("!output: {e}")),
            }
        }
        if let Some(sleep) = group.sleep {
            tokio::time::sleep(sleep).await;
        }
    }

    /// Expands a command and applies the fixture-APPEND rules.
    fn prepare(&mut self, index: usize, command: &Command) -> Result<Vec<Part>, String> {
        let mut parts = Vec::with_capacity(command.parts.len());
        for part in &command.parts {
            parts.push(match part {
                Part::Text(text) => Part::Text(self.scope.expand(text)?),
                Part::Literal { .. } => part.clone(),
            });
        }
        let [Part::Text(text)] = parts.as_slice() else {
            return Ok(parts);
        };
        let tokens = tokenize(text);
        let verb = word_at(&tokens, 0).to_ascii_lowercase();
        let conn = &mut self.conns[index];
        if verb == "select" || verb == "examine" {
            let mailbox = word_at(&tokens, 1);
            if mailbox != conn.mailbox {
                conn.count = 0;
            }
            conn.mailbox = mailbox;
        }
        let catenate = tokens
            .iter()
            .filter_map(Token::text)
            .any(|t| t.eq_ignore_ascii_case(b"catenate"));
        if verb != "append" || catenate {
            return Ok(parts);
        }
        let prefix = if tokens.len() == 1 {
            format!("APPEND {} ", quote(&conn.mailbox))
        } else {
            format!("{} ", String::from_utf8_lossy(text))
        };
        let message = self
            .next_message()
            .ok_or("the fixture has no messages to append")?;
        let prefix = if tokens.len() == 1 {
            format!("{prefix}\"{}\" ", message.date)
        } else {
            prefix
        };
        Ok(vec![
            Part::Text(prefix.into_bytes()),
            Part::Literal {
                data: message.body,
                binary: false,
            },
            Part::Text(Vec::new()),
        ])
    }

    fn handle(&mut self, state: &mut GroupState<'_>, response: &Response) {
        if response.starts_with(b"+") {
            return;
        }
        if let Some(untagged) = response.strip_prefix(b"* ") {
            self.untagged(state, untagged);
            return;
        }
        let tokens = tokenize(response);
        let tag = word_at(&tokens, 0);
        let text = String::from_utf8_lossy(response).into_owned();
        let Some(at) = state.pending.iter().position(|p| p.tag == tag) else {
            self.fail(format!(
                "line {}: reply with an unknown tag: {text}",
                line_of(state)
            ));
            return;
        };
        let pending = state.pending.remove(at);
        let command = pending.command;
        self.scope.tag = Some(tag);
        let status = word_at(&tokens, 1).to_ascii_uppercase();
        let reply = command.reply.as_ref().unwrap_or(&Reply::Any);
        let matched = match reply {
            Reply::Any => true,
            Reply::Tokens(pats) => match_line(pats, &tokens[1..], true, &mut self.scope),
        };
        if status == "BAD" && !expects_bad(reply) {
            self.fail(format!(
                "line {}: `{}` answered BAD: {text}",
                command.line, pending.sent
            ));
        } else if !matched {
            self.fail(format!(
                "line {}: `{}` expected `{}`, got `{text}`",
                command.line, pending.sent, command.reply_text
            ));
        }
        let verb = pending
            .sent
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if status == "OK" && (verb == "close" || verb == "unselect") {
            self.conns[state.group.conn].count = 0;
        }
    }

    fn untagged(&mut self, state: &mut GroupState<'_>, untagged: &[u8]) {
        let group = state.group;
        let tokens = tokenize(untagged);
        let text = String::from_utf8_lossy(untagged).into_owned();
        let first_pending = state
            .first_tag
            .as_ref()
            .filter(|t| state.pending.iter().any(|p| &p.tag == *t));
        self.scope.tag = first_pending.cloned();
        let ignore_all =
            group.expects.is_empty() && (self.script.ignore_extra_untagged || group.logout);
        if !ignore_all {
            let first = word_at(&tokens, 0).to_ascii_uppercase();
            let prefix = matches!(first.as_str(), "OK" | "NO" | "BAD" | "BYE");
            let mut matched = false;
            for (i, expect) in group.expects.iter().enumerate() {
                if state.satisfied[i] || !match_line(&expect.pats, &tokens, prefix, &mut self.scope)
                {
                    continue;
                }
                matched = true;
                if expect.kind == ExpectKind::MustNot {
                    self.fail(format!(
                        "line {}: forbidden `{}` arrived: `* {text}`",
                        line_of(state),
                        expect.text
                    ));
                } else {
                    state.satisfied[i] = true;
                }
            }
            if !matched {
                state.extras.push(text);
            }
        }
        self.track(state, &tokens);
    }

    /// EXISTS and EXPUNGE bookkeeping (FORMAT.md §6, `$N`).
    fn track(&mut self, state: &GroupState<'_>, tokens: &[Token]) {
        let conn = &mut self.conns[state.group.conn];
        let Ok(number) = word_at(tokens, 0).parse::<u32>() else {
            return;
        };
        match word_at(tokens, 1).to_ascii_uppercase().as_str() {
            "EXISTS" => conn.count = number,
            "EXPUNGE" => {
                conn.count = conn.count.saturating_sub(1);
                for entry in &mut self.scope.seq {
                    *entry = match *entry {
                        Some(v) if v == number => None,
                        Some(v) if v > number => Some(v - 1),
                        other => other,
                    };
                }
            }
            _ => {}
        }
    }

    fn disconnected(&mut self, state: &GroupState<'_>) {
        let unanswered: Vec<&Pending<'_>> = state.pending.iter().collect();
        let all_any = unanswered
            .iter()
            .all(|p| matches!(p.command.reply, Some(Reply::Any)));
        if !(state.group.logout && all_any) {
            let sent: Vec<String> = unanswered.iter().map(|p| format!("`{}`", p.sent)).collect();
            self.fail(format!(
                "line {}: the server closed the connection before answering {}",
                line_of(state),
                sent.join(", ")
            ));
        }
    }

    fn judge(&mut self, state: &GroupState<'_>) {
        let line = state.group.commands.first().map_or(0, |c| c.line);
        for (i, expect) in state.group.expects.iter().enumerate() {
            if expect.kind == ExpectKind::Must && !state.satisfied[i] {
                let seen = if state.extras.is_empty() {
                    "nothing unmatched".to_owned()
                } else {
                    state.extras.join(" | ")
                };
                self.fail(format!(
                    "line {line}: missing `{}`; unmatched responses: {}",
                    expect.text,
                    clip(&seen)
                ));
            }
        }
        if !self.script.ignore_extra_untagged && !state.group.logout {
            for extra in &state.extras {
                self.fail(format!("line {line}: unexpected `* {}`", clip(extra)));
            }
        }
    }
}

fn line_of(state: &GroupState<'_>) -> usize {
    state.group.commands.first().map_or(0, |c| c.line)
}

fn clip(text: &str) -> String {
    const LIMIT: usize = 400;
    if text.chars().count() <= LIMIT {
        return text.to_owned();
    }
    format!("{}...", text.chars().take(LIMIT).collect::<String>())
}
