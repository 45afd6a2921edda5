//! The imaptest script parser (FORMAT.md §1-§5): header keys, `{{{`
//! literal blocks, comments, `!ifenv` conditionals, command, reply and
//! expectation lines, grouping (pipelining with `tagN` labels), and the
//! automatic final LOGOUT. Invariant: a parsed [`Script`] has at least one
//! group, every command has its expected reply, and every connection
//! number is within [`Script::connections`].

use std::time::Duration;

use super::lines::{
    flatten, is_conn, is_label, is_status, logical_line, parse_header, parse_interval,
};
use super::matcher::{Pat, compile_line};
use super::token::{Token, tokenize};
use super::vars::Seg;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    NonAuth,
    Auth,
    Created,
    Appended,
    Selected,
}

/// A piece of a command: text (variables expanded) or literal data (sent
/// verbatim as `{N}` or, for literal8, `~{N}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Text(Vec<u8>),
    Literal { data: Vec<u8>, binary: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `""`: any status.
    Any,
    Tokens(Vec<Pat>),
}

#[derive(Debug, Clone)]
pub struct Command {
    pub label: Option<String>,
    pub parts: Vec<Part>,
    pub reply: Option<Reply>,
    /// The reply as written, for reports.
    pub reply_text: String,
    pub line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectKind {
    /// `* R`: must arrive.
    Must,
    /// `! R`: must not arrive.
    MustNot,
    /// `? R`: may arrive.
    May,
}

#[derive(Debug, Clone)]
pub struct Expect {
    pub kind: ExpectKind,
    pub pats: Vec<Pat>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Group {
    /// 0-based connection index.
    pub conn: usize,
    pub commands: Vec<Command>,
    pub expects: Vec<Expect>,
    pub outputs: Vec<Vec<u8>>,
    pub sleep: Option<Duration>,
    pub logout: bool,
}

#[derive(Debug, Clone)]
pub struct Script {
    pub capabilities: Vec<String>,
    pub connections: usize,
    pub state: State,
    /// `None`: the whole fixture.
    pub messages: Option<usize>,
    pub ignore_extra_untagged: bool,
    /// `(connection index, login)` overrides from `user N` keys.
    pub users: Vec<(usize, String)>,
    pub groups: Vec<Group>,
}

/// Parses a whole script file; `env` answers `!ifenv`.
pub fn parse(source: &[u8], env: &dyn Fn(&str) -> bool) -> Result<Script, String> {
    if !source.is_empty() && !source.ends_with(b"\n") {
        return Err("file does not end with LF".to_owned());
    }
    let lines: Vec<&[u8]> = source.split(|b| *b == b'\n').collect();
    let lines = &lines[..lines.len().saturating_sub(1)];
    let header_end = lines
        .iter()
        .position(|l| l.is_empty())
        .unwrap_or(lines.len());
    let mut script = parse_header(&lines[..header_end])?;
    let mut builder = Builder {
        script: &mut script,
        group: None,
        header_connections: 0,
    };
    builder.header_connections = builder.script.connections;
    let mut conditions: Vec<bool> = Vec::new();
    let mut index = header_end;
    while index < lines.len() {
        let line_no = index + 1;
        let (parts, next) = logical_line(lines, index)?;
        index = next;
        let first = match parts.first() {
            Some(Part::Text(text)) => text.clone(),
            _ => Vec::new(),
        };
        if parts.len() == 1 && (first.is_empty() || first.starts_with(b"#")) {
            continue;
        }
        let text = String::from_utf8_lossy(&first).into_owned();
        let word = text.split(' ').next().unwrap_or_default();
        let arg = text
            .split_once(' ')
            .map(|(_, a)| a.trim())
            .unwrap_or_default();
        match word {
            "!ifenv" => conditions.push(env(arg)),
            "!ifnenv" => conditions.push(!env(arg)),
            "!else" => match conditions.last_mut() {
                Some(c) => *c = !*c,
                None => return Err(format!("line {line_no}: !else without !ifenv")),
            },
            "!endif" => {
                conditions
                    .pop()
                    .ok_or_else(|| format!("line {line_no}: !endif without !ifenv"))?;
            }
            _ if conditions.iter().all(|c| *c) => builder
                .line(parts, line_no)
                .map_err(|e| format!("line {line_no}: {e}"))?,
            _ => {}
        }
    }
    if !conditions.is_empty() {
        return Err("unterminated !ifenv".to_owned());
    }
    builder.finish()?;
    Ok(script)
}

struct Builder<'a> {
    script: &'a mut Script,
    group: Option<Group>,
    header_connections: usize,
}

impl Builder<'_> {
    fn pending(&self) -> bool {
        self.group
            .as_ref()
            .is_some_and(|g| g.commands.iter().any(|c| c.reply.is_none()))
    }

    fn line(&mut self, parts: Vec<Part>, line_no: usize) -> Result<(), String> {
        let first = match parts.first() {
            Some(Part::Text(text)) => String::from_utf8_lossy(text).into_owned(),
            _ => String::new(),
        };
        let has_command = self.group.is_some();
        if has_command && let Some(value) = first.strip_prefix("!sleep ") {
            let group = self.current()?;
            group.sleep = Some(parse_interval(value.trim())?);
            return Ok(());
        }
        if has_command && let Some(value) = first.strip_prefix("!output ") {
            self.current()?.outputs.push(value.as_bytes().to_vec());
            return Ok(());
        }
        let kind = match first.get(..2) {
            Some("* ") => Some(ExpectKind::Must),
            Some("! ") => Some(ExpectKind::MustNot),
            Some("? ") => Some(ExpectKind::May),
            _ => None,
        };
        if let Some(kind) = kind {
            let flat = flatten(&parts);
            let pats = compile_line(&tokenize(&flat[2..]))?;
            if kind == ExpectKind::May && starts_with_word(&pats, b"bye") {
                return Err("`? bye` is not allowed".to_owned());
            }
            let text = String::from_utf8_lossy(&flat).into_owned();
            self.current()?.expects.push(Expect { kind, pats, text });
            return Ok(());
        }
        let mut words = first.split(' ');
        let mut word = words.next().unwrap_or_default();
        let mut rest_at = 0;
        if self.pending() {
            let mut label = None;
            let mut at = 0;
            if is_conn(word) && words.clone().next().is_some() {
                at += word.len() + 1;
                word = words.next().unwrap_or_default();
            }
            if is_label(word) {
                label = Some(word.to_ascii_lowercase());
                at += word.len() + 1;
                word = words.next().unwrap_or_default();
            }
            if is_status(word) {
                let mut reply_parts = parts;
                reply_parts[0] = Part::Text(first.as_bytes()[at.min(first.len())..].to_vec());
                return self.reply(label, &reply_parts);
            }
            words = first.split(' ');
            word = words.next().unwrap_or_default();
        }
        let mut conn = 0;
        if is_conn(word) {
            conn = word.parse::<usize>().map_err(|e| e.to_string())?;
            if conn == 0 {
                return Err("connection numbers start at 1".to_owned());
            }
            conn -= 1;
            rest_at += word.len() + 1;
            word = words.next().unwrap_or_default();
        } else if self.header_connections > 1 {
            return Err("a connection number is required".to_owned());
        }
        let mut label = None;
        if is_label(word) {
            label = Some(word.to_ascii_lowercase());
            rest_at += word.len() + 1;
            word = words.next().unwrap_or_default();
        }
        let mut reply = None;
        let mut reply_text = String::new();
        if is_status(word) && first.len() > rest_at + word.len() {
            reply = Some(status_reply(word)?);
            reply_text = word.to_owned();
            rest_at += word.len() + 1;
        }
        let mut parts = parts;
        parts[0] = Part::Text(first.as_bytes()[rest_at.min(first.len())..].to_vec());
        let command = Command {
            label,
            parts,
            reply,
            reply_text,
            line: line_no,
        };
        self.command(conn, command)
    }

    fn current(&mut self) -> Result<&mut Group, String> {
        self.group
            .as_mut()
            .ok_or_else(|| "expectation before any command".to_owned())
    }

    fn command(&mut self, conn: usize, command: Command) -> Result<(), String> {
        if self.pending() {
            let group = self.current()?;
            if group.conn != conn {
                return Err("a pipelined command must use the group's connection".to_owned());
            }
            let label = command
                .label
                .as_ref()
                .ok_or("a pipelined command needs a tagN label")?;
            if group
                .commands
                .iter()
                .any(|c| c.label.as_ref() == Some(label))
            {
                return Err(format!("label {label} used twice in one group"));
            }
            group.commands.push(command);
            return Ok(());
        }
        self.close_group();
        self.group = Some(Group {
            conn,
            commands: vec![command],
            ..Group::default()
        });
        Ok(())
    }

    fn reply(&mut self, label: Option<String>, parts: &[Part]) -> Result<(), String> {
        let flat = flatten(parts);
        let tokens = tokenize(&flat);
        let reply = match tokens.first() {
            Some(Token::Str(first)) if first.is_empty() => Reply::Any,
            _ => Reply::Tokens(compile_line(&tokens)?),
        };
        let group = self.current()?;
        let command = group
            .commands
            .iter_mut()
            .find(|c| c.label == label && c.reply.is_none())
            .ok_or("reply for an unknown or answered command")?;
        command.reply = Some(reply);
        command.reply_text = String::from_utf8_lossy(&flat).into_owned();
        Ok(())
    }

    fn close_group(&mut self) {
        if let Some(mut group) = self.group.take() {
            group.logout = group.commands.iter().any(|c| is_logout(&c.parts))
                || group
                    .expects
                    .iter()
                    .any(|e| e.kind == ExpectKind::Must && starts_with_word(&e.pats, b"bye"));
            self.script.groups.push(group);
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        if self.pending() {
            return Err("end of file while a reply is pending".to_owned());
        }
        self.close_group();
        let groups = &mut self.script.groups;
        if groups.is_empty() {
            return Err("the script has no commands".to_owned());
        }
        if !groups.iter().any(|g| g.logout) {
            groups.push(Group {
                conn: 0,
                commands: vec![Command {
                    label: None,
                    parts: vec![Part::Text(b"logout".to_vec())],
                    reply: Some(status_reply("ok")?),
                    reply_text: "ok".to_owned(),
                    line: 0,
                }],
                logout: true,
                ..Group::default()
            });
        }
        let highest = groups.iter().map(|g| g.conn + 1).max().unwrap_or(1);
        self.script.connections = self.script.connections.max(highest);
        Ok(())
    }
}

fn status_reply(word: &str) -> Result<Reply, String> {
    if word == "\"\"" {
        return Ok(Reply::Any);
    }
    Ok(Reply::Tokens(compile_line(&tokenize(word.as_bytes()))?))
}

fn is_logout(parts: &[Part]) -> bool {
    matches!(parts, [Part::Text(text)] if text.eq_ignore_ascii_case(b"logout"))
}

/// Whether the first expected token is exactly `word` (any case).
fn starts_with_word(pats: &[Pat], word: &[u8]) -> bool {
    matches!(pats.first(), Some(Pat::Text(segs)) if matches!(segs.as_slice(), [Seg::Lit(l)] if l.eq_ignore_ascii_case(word)))
}

/// Whether a reply expectation allows BAD.
pub fn expects_bad(reply: &Reply) -> bool {
    match reply {
        Reply::Any => true,
        Reply::Tokens(pats) => starts_with_word(pats, b"bad"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Script, String> {
        parse(text.as_bytes(), &|name| name == "SET")
    }

    #[test]
    fn header_groups_and_automatic_logout() {
        let script = parse_str(
            "Capabilities : SORT  THREAD=REFERENCES\nconnections: n\nstate: Auth\nmessages: all\n\n\
             # comment\n1 ok create ${mailbox}\n* ok [uidvalidity $uv]\n\n2 tag1 ok noop\n",
        )
        .unwrap();
        assert_eq!(script.capabilities, vec!["SORT", "THREAD=REFERENCES"]);
        assert_eq!(
            (script.connections, script.state, script.messages),
            (2, State::Auth, None)
        );
        assert_eq!(script.groups.len(), 3);
        let first = &script.groups[0];
        assert_eq!(first.conn, 0);
        assert_eq!(
            first.commands[0].parts,
            vec![Part::Text(b"create ${mailbox}".to_vec())]
        );
        assert_eq!(first.expects.len(), 1);
        assert_eq!(script.groups[1].conn, 1);
        assert_eq!(script.groups[1].commands[0].label.as_deref(), Some("tag1"));
        assert!(script.groups[2].logout);
        assert!(!script.groups[0].logout);
    }

    #[test]
    fn pipelined_replies_attach_to_their_labels() {
        let script = parse_str(
            "state: auth\n\ntag1 status a (messages)\ntag2 status b (messages)\n\
             * status a (messages 0)\ntag2 no [nonexistent]\ntag1 ok\nlogout\nok\n",
        )
        .unwrap();
        assert_eq!(
            script.groups.len(),
            2,
            "an explicit logout suppresses the automatic one"
        );
        let group = &script.groups[0];
        assert_eq!(group.commands.len(), 2);
        assert_eq!(group.commands[1].reply_text, "no [nonexistent]");
        assert_eq!(group.commands[0].reply_text, "ok");
        assert!(script.groups[1].logout);
    }

    #[test]
    fn literal_blocks_chain_into_one_line() {
        let script = parse_str("\nok append $mailbox {{{\nA\n\n}}} {{{\nB\n}}}\nok fetch 1 binary[] ~{{{\nx\r\ny\n}}})\n").unwrap();
        let parts = &script.groups[0].commands[0].parts;
        assert_eq!(
            parts,
            &vec![
                Part::Text(b"append $mailbox ".to_vec()),
                Part::Literal {
                    data: b"A\r\n".to_vec(),
                    binary: false
                },
                Part::Text(b" ".to_vec()),
                Part::Literal {
                    data: b"B".to_vec(),
                    binary: false
                },
                Part::Text(Vec::new()),
            ]
        );
        let parts = &script.groups[1].commands[0].parts;
        assert_eq!(
            parts[1],
            Part::Literal {
                data: b"x\r\ny".to_vec(),
                binary: true
            }
        );
        assert_eq!(parts[2], Part::Text(b")".to_vec()));
    }

    #[test]
    fn conditionals_sleep_and_negated_expectations() {
        let script = parse_str(
            "\nok noop\n!ifenv SET\n! 1 expunge\n!else\n* 1 expunge\n!endif\n!ifnenv SET\n? x\n!endif\n!sleep 20ms\n",
        )
        .unwrap();
        let group = &script.groups[0];
        assert_eq!(group.expects.len(), 1);
        assert_eq!(group.expects[0].kind, ExpectKind::MustNot);
        assert_eq!(group.sleep, Some(Duration::from_millis(20)));
    }

    #[test]
    fn malformed_scripts_are_rejected() {
        assert!(
            parse_str("\n* ok\n").is_err(),
            "expectation before a command"
        );
        assert!(parse_str("\ntag1 noop\n").is_err(), "reply pending at EOF");
        assert!(
            parse_str("connections: 2\n\nok noop\n").is_err(),
            "connection number missing"
        );
        assert!(
            parse_str("bogus: 1\n\nok noop\n").is_err(),
            "unknown header key"
        );
        assert!(
            parse_str("\nok noop\n!sleep 5\n").is_err(),
            "interval without unit"
        );
        assert!(parse_str("\nok noop\n? bye\n").is_err(), "`? bye`");
        assert!(parse_str("\nok noop").is_err(), "no final LF");
        assert!(
            parse_str("\nok fetch 1 (x ($!sideways a))\n* 1 fetch (x ($!sideways a))\n").is_err()
        );
    }
}
