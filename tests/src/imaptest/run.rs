//! Plays one test (FORMAT.md §8-§10): opens its connections, brings them
//! to the script's `state` (login, capability check, cleanup, CREATE,
//! fixture APPENDs, SELECT), runs its groups ([`super::group`]) and judges
//! it passed, failed (every failure kept), skipped or empty. Invariant: a
//! test that sent no script command is never reported as passed.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;

use super::conn::Conn;
use super::mbox::{self, Message};
use super::script::{self, Part, Script, State};
use super::token::{Token, tokenize};
use super::vars::Scope;

/// Where and as whom to run.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub host: String,
    /// `(login, password)`: the main user, then an optional second one.
    pub users: Vec<(String, String)>,
    pub mailbox: String,
    /// Bound on each setup step and each group.
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed {
        commands: usize,
    },
    /// Every failure, in order; never empty.
    Failed {
        commands: usize,
        failures: Vec<String>,
    },
    Skipped(String),
    /// Nothing of the script ran (so it cannot count as passed).
    NoCommands,
}

/// The tests of a directory (FORMAT.md §1), in byte-wise name order.
pub fn list_tests(dir: &Path) -> std::io::Result<Vec<String>> {
    const NOT_TESTS: [&str; 4] = ["AUTHORS", "COPYING", "COPYING.MIT", "FORMAT.md"];
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_file()
            && !name.starts_with('.')
            && !name.ends_with(".mbox")
            && !NOT_TESTS.contains(&name.as_str())
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// Parses and plays the test `name` of `dir`.
pub async fn run_test(config: &Config, dir: &Path, name: &str) -> Outcome {
    let failed = |first: String| Outcome::Failed {
        commands: 0,
        failures: vec![first],
    };
    let source = match std::fs::read(dir.join(name)) {
        Ok(source) => source,
        Err(e) => return failed(format!("cannot read the script: {e}")),
    };
    let script = match script::parse(&source, &|var| std::env::var_os(var).is_some()) {
        Ok(script) => script,
        Err(e) => return failed(format!("script error: {e}")),
    };
    let fixture_path = dir.join(format!("{name}.mbox"));
    let fixture_path = if fixture_path.exists() {
        fixture_path
    } else {
        dir.join("default.mbox")
    };
    let fixture = std::fs::read(&fixture_path)
        .map(|s| mbox::parse(&s))
        .unwrap_or_default();
    let mut test = Test::new(config, script, fixture);
    match test.setup().await {
        Ok(Some(skip)) => {
            test.logout_all().await;
            return Outcome::Skipped(skip);
        }
        Ok(None) => {}
        Err(e) => return failed(format!("initialization failure: {e:#}")),
    }
    let groups = std::mem::take(&mut test.script.groups);
    for group in &groups {
        test.run_group(group).await;
    }
    if !test.failures.is_empty() {
        return Outcome::Failed {
            commands: test.commands,
            failures: test.failures,
        };
    }
    if test.commands == 0 {
        Outcome::NoCommands
    } else {
        Outcome::Passed {
            commands: test.commands,
        }
    }
}

/// One test in flight.
pub(super) struct Test<'a> {
    pub(super) config: &'a Config,
    pub(super) script: Script,
    pub(super) conns: Vec<Conn>,
    pub(super) scope: Scope,
    pub(super) fixture: Vec<Message>,
    pub(super) cursor: usize,
    pub(super) commands: usize,
    pub(super) failures: Vec<String>,
}

impl<'a> Test<'a> {
    fn new(config: &'a Config, script: Script, fixture: Vec<Message>) -> Self {
        Self {
            config,
            script,
            conns: Vec::new(),
            scope: Scope::default(),
            fixture,
            cursor: 0,
            commands: 0,
            failures: Vec::new(),
        }
    }

    pub(super) fn fail(&mut self, reason: String) {
        self.failures.push(reason);
    }

    /// The next fixture message (the cursor wraps).
    pub(super) fn next_message(&mut self) -> Option<Message> {
        if self.fixture.is_empty() {
            return None;
        }
        let message = self.fixture[self.cursor % self.fixture.len()].clone();
        self.cursor += 1;
        Some(message)
    }

    pub(super) fn deadline(&self) -> Instant {
        Instant::now() + self.config.timeout
    }

    /// Logins per connection, or the reason to skip.
    fn logins(&self) -> Result<Vec<(String, String)>, String> {
        let main = self.config.users[0].clone();
        let mut logins = vec![main.clone(); self.script.connections];
        for (index, value) in &self.script.users {
            let Some(slot) = logins.get_mut(*index) else {
                continue;
            };
            *slot = if value == "$user2" || value == "${user2}" {
                self.config
                    .users
                    .get(1)
                    .cloned()
                    .ok_or("no second user is configured")?
            } else {
                (value.clone(), main.1.clone())
            };
        }
        Ok(logins)
    }

    fn define_variables(&mut self, logins: &[(String, String)]) {
        for (i, (login, password)) in logins.iter().enumerate() {
            let suffix = if i == 0 {
                String::new()
            } else {
                (i + 1).to_string()
            };
            let (username, domain) = match login.split_once('@') {
                Some((u, d)) => (u.to_owned(), d.to_owned()),
                None => (login.clone(), self.config.host.clone()),
            };
            let vars = &mut self.scope.vars;
            vars.insert(format!("user{suffix}"), login.clone().into_bytes());
            vars.insert(format!("username{suffix}"), username.into_bytes());
            vars.insert(format!("domain{suffix}"), domain.into_bytes());
            vars.insert(format!("password{suffix}"), password.clone().into_bytes());
        }
        let mailbox = self.config.mailbox.clone();
        self.scope
            .vars
            .insert("mailbox_url".into(), percent_encode(&mailbox).into_bytes());
        self.scope
            .vars
            .insert("mailbox".into(), mailbox.into_bytes());
    }

    /// Brings every connection to the script's state; `Ok(Some(reason))`
    /// means skip.
    async fn setup(&mut self) -> anyhow::Result<Option<String>> {
        let logins = match self.logins() {
            Ok(logins) => logins,
            Err(reason) => return Ok(Some(reason)),
        };
        self.define_variables(&logins);
        let mut preauth = Vec::new();
        for serial in 1..=self.script.connections {
            let deadline = self.deadline();
            let mut conn = Conn::connect(self.config.addr, serial, deadline).await?;
            let greeting = conn
                .read(deadline)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no greeting"))?;
            let tokens = tokenize(&greeting);
            conn.capabilities = bracket_capabilities(&tokens);
            if conn.capabilities.is_empty() {
                refresh_capabilities(&mut conn, deadline).await?;
            }
            preauth.push(word_at(&tokens, 1).eq_ignore_ascii_case("PREAUTH"));
            conn.mailbox = self.config.mailbox.clone();
            self.conns.push(conn);
        }
        if self.script.state == State::NonAuth {
            return Ok(self.missing_capability());
        }
        for (i, (login, password)) in logins.iter().enumerate() {
            if preauth[i] {
                continue;
            }
            let deadline = self.deadline();
            let command = format!("LOGIN {} {}", quote(login), quote(password));
            let conn = &mut self.conns[i];
            let (_, tagged) = conn
                .simple(&[Part::Text(command.into_bytes())], deadline)
                .await?;
            let tokens = tokenize(&tagged);
            if !word_at(&tokens, 1).eq_ignore_ascii_case("OK") {
                anyhow::bail!(
                    "LOGIN as {login} answered {}",
                    String::from_utf8_lossy(&tagged)
                );
            }
            let capabilities = bracket_capabilities(&tokens);
            if capabilities.is_empty() {
                refresh_capabilities(conn, deadline).await?;
            } else {
                conn.capabilities = capabilities;
            }
        }
        if let Some(skip) = self.missing_capability() {
            return Ok(Some(skip));
        }
        self.prepare_mailbox().await?;
        Ok(None)
    }

    fn missing_capability(&self) -> Option<String> {
        let conn = self.conns.first()?;
        let missing: Vec<&str> = self
            .script
            .capabilities
            .iter()
            .filter(|c| !conn.has_capability(c))
            .map(String::as_str)
            .collect();
        (!missing.is_empty()).then(|| format!("server lacks {}", missing.join(" ")))
    }

    /// Steps 5-8 of FORMAT.md §9.
    async fn prepare_mailbox(&mut self) -> anyhow::Result<()> {
        let mailbox = self.config.mailbox.clone();
        let pattern = quote(&format!("{mailbox}*"));
        let listed = self.names(&format!("LIST \"\" {pattern}")).await?;
        let subscribed = self.names(&format!("LSUB \"\" {pattern}")).await?;
        for (verb, names) in [("DELETE", listed), ("UNSUBSCRIBE", subscribed)] {
            for name in names {
                self.setup_command(&format!("{verb} {}", quote(&name)), true)
                    .await?;
            }
        }
        if self.script.state == State::Auth {
            return Ok(());
        }
        if !mailbox.eq_ignore_ascii_case("INBOX") {
            self.setup_command(&format!("CREATE {}", quote(&mailbox)), false)
                .await?;
        }
        if self.script.state == State::Created {
            return Ok(());
        }
        let count = self.script.messages.unwrap_or(self.fixture.len());
        for _ in 0..count {
            let Some(message) = self.next_message() else {
                break;
            };
            let parts = [
                Part::Text(
                    format!("APPEND {} \"{}\" ", quote(&mailbox), message.date).into_bytes(),
                ),
                Part::Literal {
                    data: message.body,
                    binary: false,
                },
                Part::Text(Vec::new()),
            ];
            self.setup_parts(0, &parts, false).await?;
        }
        if self.script.state == State::Appended {
            return Ok(());
        }
        for i in 0..self.conns.len() {
            let select = format!("SELECT {}", quote(&mailbox));
            let untagged = self
                .setup_parts(i, &[Part::Text(select.into_bytes())], false)
                .await?;
            let conn = &mut self.conns[i];
            for response in untagged {
                let tokens = tokenize(&response);
                if word_at(&tokens, 2).eq_ignore_ascii_case("EXISTS") {
                    conn.count = word_at(&tokens, 1).parse().unwrap_or(conn.count);
                }
            }
        }
        Ok(())
    }

    /// Mailbox names from a LIST/LSUB on connection 1, sorted descending
    /// case-insensitively (children first).
    async fn names(&mut self, command: &str) -> anyhow::Result<Vec<String>> {
        let untagged = self.setup_command(command, false).await?;
        let mut names: Vec<String> = untagged
            .iter()
            .filter_map(|r| {
                tokenize(r)
                    .get(4)
                    .and_then(Token::text)
                    .map(|n| String::from_utf8_lossy(n).into_owned())
            })
            .collect();
        names.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
        Ok(names)
    }

    async fn setup_command(
        &mut self,
        command: &str,
        allow_no: bool,
    ) -> anyhow::Result<Vec<Vec<u8>>> {
        self.setup_parts(0, &[Part::Text(command.as_bytes().to_vec())], allow_no)
            .await
    }

    async fn setup_parts(
        &mut self,
        conn: usize,
        parts: &[Part],
        allow_no: bool,
    ) -> anyhow::Result<Vec<Vec<u8>>> {
        let deadline = self.deadline();
        let (untagged, tagged) = self.conns[conn].simple(parts, deadline).await?;
        let status = word_at(&tokenize(&tagged), 1).to_ascii_uppercase();
        if status != "OK" && !(allow_no && status == "NO") {
            let sent = String::from_utf8_lossy(&super::lines::flatten(parts))
                .chars()
                .take(120)
                .collect::<String>();
            anyhow::bail!("`{sent}` answered {}", String::from_utf8_lossy(&tagged));
        }
        Ok(untagged)
    }

    async fn logout_all(&mut self) {
        for i in 0..self.conns.len() {
            let deadline = self.deadline();
            let conn = &mut self.conns[i];
            if !conn.closed {
                // Best effort: the test is skipped whatever LOGOUT answers.
                let _ = conn
                    .simple(&[Part::Text(b"LOGOUT".to_vec())], deadline)
                    .await;
            }
        }
    }
}

async fn refresh_capabilities(conn: &mut Conn, deadline: Instant) -> anyhow::Result<()> {
    let (untagged, _) = conn
        .simple(&[Part::Text(b"CAPABILITY".to_vec())], deadline)
        .await?;
    for response in untagged {
        let tokens = tokenize(&response);
        if word_at(&tokens, 1).eq_ignore_ascii_case("CAPABILITY") {
            conn.capabilities = tokens[2..]
                .iter()
                .filter_map(Token::text)
                .map(|t| String::from_utf8_lossy(t).into_owned())
                .collect();
        }
    }
    Ok(())
}

/// The atoms of a `[CAPABILITY ...]` response code.
fn bracket_capabilities(tokens: &[Token]) -> Vec<String> {
    let words: Vec<String> = tokens
        .iter()
        .filter_map(Token::text)
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .collect();
    let Some(start) = words
        .iter()
        .position(|w| w.eq_ignore_ascii_case("[CAPABILITY"))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for word in &words[start + 1..] {
        match word.strip_suffix(']') {
            Some(last) => {
                out.push(last.to_owned());
                break;
            }
            None => out.push(word.clone()),
        }
    }
    out
}

pub(super) fn word_at(tokens: &[Token], index: usize) -> String {
    tokens
        .get(index)
        .and_then(Token::text)
        .map(|t| String::from_utf8_lossy(t).into_owned())
        .unwrap_or_default()
}

/// An IMAP quoted string (RFC 9051 §4.3).
pub(super) fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Percent-encodes a URL path segment (RFC 3986 §2.3 unreserved kept).
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
