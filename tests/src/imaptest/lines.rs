//! The line level of a script (FORMAT.md §1, §2, §4): header keys with
//! their defaults, `{{{`/`~{{{` literal blocks assembled into one logical
//! line of [`Part`]s and flattened back to wire bytes, the words that
//! start command and reply lines, and `!sleep` intervals. Invariant: literal data is
//! kept byte-exact (CRLF-joined for `{{{`, LF-joined for `~{{{`).

use std::time::Duration;

use super::script::{Part, Script, State};

pub(super) fn parse_header(lines: &[&[u8]]) -> Result<Script, String> {
    let mut script = Script {
        capabilities: Vec::new(),
        connections: 1,
        state: State::Selected,
        messages: Some(0),
        ignore_extra_untagged: true,
        users: Vec::new(),
        groups: Vec::new(),
    };
    for raw in lines {
        let line = String::from_utf8_lossy(raw);
        if line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| format!("header line without a colon: {line}"))?;
        let key = key.trim_end().to_ascii_lowercase();
        let value = value.trim_start();
        match key.as_str() {
            "capabilities" => {
                script.capabilities = value.split_whitespace().map(str::to_owned).collect()
            }
            "connections" if value.eq_ignore_ascii_case("n") => script.connections = 2,
            "connections" => {
                script.connections = value
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or("bad connections")?;
            }
            "state" => {
                script.state = match value.to_ascii_lowercase().as_str() {
                    "nonauth" => State::NonAuth,
                    "auth" => State::Auth,
                    "created" => State::Created,
                    "appended" => State::Appended,
                    "selected" => State::Selected,
                    other => return Err(format!("unknown state {other}")),
                }
            }
            "messages" if value.eq_ignore_ascii_case("all") => script.messages = None,
            "messages" => script.messages = Some(value.parse().map_err(|_| "bad messages")?),
            "ignore_extra_untagged" => script.ignore_extra_untagged = value.starts_with(['y', 'Y']),
            _ => match key.strip_prefix("user ").map(|n| n.trim().parse::<usize>()) {
                Some(Ok(n)) if n >= 1 => script.users.push((n - 1, value.to_owned())),
                _ => return Err(format!("unknown header key {key}")),
            },
        }
    }
    Ok(script)
}

/// Assembles one logical line starting at `index`: `{{{` blocks become
/// literal parts. Returns the parts and the index after the line.
pub(super) fn logical_line(
    lines: &[&[u8]],
    mut index: usize,
) -> Result<(Vec<Part>, usize), String> {
    let mut parts = Vec::new();
    let mut current = lines[index].to_vec();
    index += 1;
    while let Some(before) = current.strip_suffix(b"{{{") {
        let (before, binary) = match before.strip_suffix(b"~") {
            Some(b) => (b, true),
            None => (before, false),
        };
        parts.push(Part::Text(before.to_vec()));
        let start = index;
        while index < lines.len() && !lines[index].starts_with(b"}}}") {
            index += 1;
        }
        if index == lines.len() {
            return Err(format!("line {start}: unterminated {{{{{{ block"));
        }
        let joiner: &[u8] = if binary { b"\n" } else { b"\r\n" };
        let data = lines[start..index].join(joiner);
        parts.push(Part::Literal { data, binary });
        current = lines[index][3..].to_vec();
        index += 1;
    }
    parts.push(Part::Text(current));
    Ok((parts, index))
}

pub(super) fn parse_interval(value: &str) -> Result<Duration, String> {
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("bad interval {value}"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(number)),
        "s" => Ok(Duration::from_secs(number)),
        "m" => Ok(Duration::from_secs(number * 60)),
        _ => Err(format!("interval {value} needs a unit (ms, s, m)")),
    }
}

/// Flattens parts into wire bytes (`{N}` CRLF data) for tokenizing.
pub fn flatten(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in parts {
        match part {
            Part::Text(text) => out.extend_from_slice(text),
            Part::Literal { data, binary } => {
                let tilde = if *binary { "~" } else { "" };
                out.extend_from_slice(format!("{tilde}{{{}}}\r\n", data.len()).as_bytes());
                out.extend_from_slice(data);
            }
        }
    }
    out
}

pub(super) fn is_status(word: &str) -> bool {
    ["ok", "no", "bad", "\"\""]
        .iter()
        .any(|s| word.eq_ignore_ascii_case(s))
}

pub(super) fn is_label(word: &str) -> bool {
    word.len() > 3
        && word[..3].eq_ignore_ascii_case("tag")
        && word[3..].bytes().all(|b| b.is_ascii_digit())
}

pub(super) fn is_conn(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())
}
