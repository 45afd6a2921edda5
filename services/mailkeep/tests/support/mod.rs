//! Shared by the smoke tests: run the `mailkeep` binary, collect the
//! `<name> listening on <addr>` lines (and `admin token: ...`) it prints,
//! stop it with SIGTERM, and speak just enough IMAP to log in.
#![allow(clippy::unwrap_used, dead_code)] // test helpers; not every test uses each one

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const STARTUP_LIMIT: Duration = Duration::from_secs(20);

/// A running `mailkeep` process; killed if the test fails half-way.
pub struct Mailkeep {
    child: Child,
    pub addresses: HashMap<String, String>,
    pub admin_token: Option<String>,
}

impl Drop for Mailkeep {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The binary with a clean `MAILKEEP_*` environment and quiet logs.
pub fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mailkeep"));
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("MAILKEEP_") {
            command.env_remove(name);
        }
    }
    command.env("MAILKEEP_LOG", "warn");
    command
}

impl Mailkeep {
    /// Spawns `command` and waits until it has announced every listener in
    /// `listeners` (and the admin token when `want_token`).
    pub fn start(mut command: Command, listeners: &[&str], want_token: bool) -> Self {
        let started = Instant::now();
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut process = Mailkeep {
            child,
            addresses: HashMap::new(),
            admin_token: None,
        };
        let done = |process: &Mailkeep| {
            listeners
                .iter()
                .all(|name| process.addresses.contains_key(*name))
                && (!want_token || process.admin_token.is_some())
        };
        while !done(&process) {
            let remaining = STARTUP_LIMIT.saturating_sub(started.elapsed());
            let line = lines_rx
                .recv_timeout(remaining)
                .unwrap_or_else(|_| panic!("only {:?} announced in time", process.addresses));
            if let Some(token) = line.strip_prefix("admin token: ") {
                process.admin_token = Some(token.to_owned());
            } else if let Some((name, address)) = line.split_once(" listening on ") {
                process
                    .addresses
                    .insert(name.to_owned(), address.to_owned());
            }
        }
        eprintln!("started in {:?}", started.elapsed());
        process
    }

    pub fn url(&self, listener: &str, path: &str) -> String {
        format!("http://{}{path}", self.addresses[listener])
    }

    /// Sends SIGTERM and asserts a clean exit.
    pub fn terminate(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                assert!(exit.success(), "mailkeep exited with {exit}");
                return;
            }
            assert!(
                Instant::now() < deadline,
                "mailkeep did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Logs in over plain IMAP (allowed: the peer is loopback) and logs out.
pub fn imap_login(address: &str, login: &str, password: &str) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut greeting = [0u8; 4];
    stream.read_exact(&mut greeting).unwrap();
    assert_eq!(&greeting, b"* OK");
    let answer = imap_command(&mut stream, "a1", &format!("LOGIN {login} {password}"));
    assert!(answer.contains("a1 OK"), "{answer}");
    let answer = imap_command(&mut stream, "a2", "LOGOUT");
    assert!(answer.contains("a2 OK"), "{answer}");
}

/// Sends one command and returns every line up to its tagged answer.
fn imap_command(stream: &mut TcpStream, tag: &str, command: &str) -> String {
    stream
        .write_all(format!("{tag} {command}\r\n").as_bytes())
        .unwrap();
    let tagged = format!("{tag} ");
    let mut answer = String::new();
    let mut byte = [0u8; 1];
    while !(answer.ends_with("\r\n") && answer.lines().any(|line| line.starts_with(&tagged))) {
        stream.read_exact(&mut byte).unwrap();
        answer.push(char::from(byte[0]));
    }
    answer
}
