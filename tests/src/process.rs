//! One `mailkeep` child process: spawned with a clean `MAILKEEP_*`
//! environment, its stdout read for the `<name> listening on <addr>` and
//! `admin token: <token>` announcements, its stderr kept (the last
//! [`STDERR_KEEP`] bytes) for failure messages. Invariant: a
//! [`RoleProcess`] that exists is running or has been reaped; dropping it
//! kills and reaps the child, so a failing test leaves no process behind.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

/// How long a role may take to announce its listeners.
const STARTUP_LIMIT: Duration = Duration::from_secs(30);
/// How much of a child's stderr is kept for diagnostics.
const STDERR_KEEP: usize = 64 * 1024;

/// The `mailkeep` binary built beside the running executable: a test runs
/// from `target/<profile>/deps/`, a harness tool from `target/<profile>/`,
/// and the binary is in `target/<profile>/`.
pub fn mailkeep_binary() -> anyhow::Result<PathBuf> {
    let executable = std::env::current_exe().context("cannot locate the running executable")?;
    let name = format!("mailkeep{}", std::env::consts::EXE_SUFFIX);
    let own_dir = executable
        .parent()
        .context("the running executable has no parent directory")?;
    let candidates = [Some(own_dir), own_dir.parent()];
    if let Some(binary) = candidates
        .into_iter()
        .flatten()
        .map(|dir| dir.join(&name))
        .find(|binary| binary.is_file())
    {
        return Ok(binary);
    }
    bail!(
        "{name} is missing beside {}: run scripts/test, which builds it (or `cargo build -p mailkeep`)",
        executable.display()
    );
}

/// A `mailkeep` command for `args` with no inherited `MAILKEEP_*` variable
/// and logs at `warn` unless `MAILKEEP_TEST_LOG` asks for more.
pub fn mailkeep_command(args: &[&str]) -> anyhow::Result<Command> {
    let mut command = Command::new(mailkeep_binary()?);
    command.args(args);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("MAILKEEP_") {
            command.env_remove(name);
        }
    }
    let level = std::env::var("MAILKEEP_TEST_LOG").unwrap_or_else(|_| "warn".to_owned());
    command.env("MAILKEEP_LOG", level);
    Ok(command)
}

/// A running role and what it announced.
pub struct RoleProcess {
    name: String,
    child: Child,
    addresses: HashMap<String, SocketAddr>,
    admin_token: Option<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
}

impl RoleProcess {
    /// Spawns `command` and waits until it has announced every listener in
    /// `listeners` (and an admin token when `want_token`).
    pub fn start(
        name: &str,
        mut command: Command,
        listeners: &[&str],
        want_token: bool,
    ) -> anyhow::Result<Self> {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start the {name} process"))?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let stderr_pipe = child.stderr.take().context("no stderr pipe")?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || keep_tail(stderr_pipe, &sink));
        let (lines_tx, lines_rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut process = Self {
            name: name.to_owned(),
            child,
            addresses: HashMap::new(),
            admin_token: None,
            stderr,
        };
        let started = Instant::now();
        while !listeners
            .iter()
            .all(|listener| process.addresses.contains_key(*listener))
            || (want_token && process.admin_token.is_none())
        {
            let remaining = STARTUP_LIMIT.saturating_sub(started.elapsed());
            match lines_rx.recv_timeout(remaining) {
                Ok(line) => process.announce(&line)?,
                Err(RecvTimeoutError::Timeout) => bail!(
                    "{name} announced only {:?} within {STARTUP_LIMIT:?}\n{}",
                    process.addresses,
                    process.diagnostics()
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    // Stdout closed: the process ended; give stderr a moment to drain.
                    let status = process.child.wait()?;
                    std::thread::sleep(Duration::from_millis(100));
                    bail!(
                        "{name} exited with {status} during start-up\n{}",
                        process.diagnostics()
                    )
                }
            }
        }
        Ok(process)
    }

    fn announce(&mut self, line: &str) -> anyhow::Result<()> {
        if let Some(token) = line.strip_prefix("admin token: ") {
            self.admin_token = Some(token.trim().to_owned());
        } else if let Some((listener, address)) = line.split_once(" listening on ") {
            let address = address
                .trim()
                .parse()
                .with_context(|| format!("{}: bad announced address in {line:?}", self.name))?;
            self.addresses.insert(listener.trim().to_owned(), address);
        }
        Ok(())
    }

    /// The address announced for `listener`.
    pub fn address(&self, listener: &str) -> anyhow::Result<SocketAddr> {
        self.addresses
            .get(listener)
            .copied()
            .with_context(|| format!("{} announced no {listener} listener", self.name))
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    /// The child's process id (to send it a signal).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the child to exit; its exit status.
    pub fn wait_exit(&mut self, limit: Duration) -> anyhow::Result<std::process::ExitStatus> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            if started.elapsed() > limit {
                bail!(
                    "{} still runs after {limit:?}\n{}",
                    self.name,
                    self.diagnostics()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The role's name, whether it still runs, and the tail of its stderr.
    pub fn diagnostics(&self) -> String {
        let stderr = self
            .stderr
            .lock()
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        format!(
            "--- {} stderr (last {STDERR_KEEP} bytes) ---\n{stderr}",
            self.name
        )
    }
}

impl Drop for RoleProcess {
    fn drop(&mut self) {
        // Killing an exited child fails harmlessly; wait() reaps it either way.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Copies `pipe` into `sink`, keeping only its last [`STDERR_KEEP`] bytes.
fn keep_tail(mut pipe: impl Read, sink: &Mutex<Vec<u8>>) {
    let mut buffer = [0u8; 8192];
    while let Ok(read) = pipe.read(&mut buffer) {
        if read == 0 {
            break;
        }
        let Ok(mut kept) = sink.lock() else { break };
        kept.extend_from_slice(&buffer[..read]);
        if kept.len() > STDERR_KEEP {
            let excess = kept.len() - STDERR_KEEP;
            kept.drain(..excess);
        }
    }
}
