//! Running the Python side of the end-to-end tests: the interpreter from
//! `MAILKEEP_TEST_PYTHON` (a virtualenv with `imapclient`, which
//! scripts/test prepares), scripts from `tests/e2e/`, each under a time
//! limit with stdout and stderr captured. A missing interpreter is an
//! error that says to run scripts/test: these tests never skip.

use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};

use crate::provision::Account;

/// The Python interpreter the end-to-end tests use.
pub fn interpreter() -> anyhow::Result<PathBuf> {
    let python = std::env::var_os("MAILKEEP_TEST_PYTHON").context(
        "MAILKEEP_TEST_PYTHON is not set: run scripts/test, which prepares a Python with imapclient",
    )?;
    Ok(PathBuf::from(python))
}

/// `tests/e2e/`, where the scenario and its oracle live.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("e2e")
}

/// What a finished script printed.
#[derive(Debug)]
pub struct ScriptOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl ScriptOutput {
    /// Both streams, for failure messages.
    pub fn describe(&self) -> String {
        format!(
            "--- python stdout ---\n{}\n--- python stderr ---\n{}",
            self.stdout, self.stderr
        )
    }
}

/// Runs `python args...` in `tests/e2e/` with `env`, killing it after `limit`.
pub fn run(args: &[&str], env: &[(&str, &str)], limit: Duration) -> anyhow::Result<ScriptOutput> {
    let python = interpreter()?;
    let mut command = Command::new(&python);
    command
        .args(args)
        .current_dir(scripts_dir())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot run {}", python.display()))?;
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "python {args:?} did not finish within {limit:?}\n{}",
                collect(stdout, stderr, false).describe()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Ok(collect(stdout, stderr, status.success()))
}

/// Runs `script args...` like [`run`] and parses the JSON it prints;
/// a failure or output that is not JSON is an error naming the command.
pub fn run_json(script: &str, args: &[&str], limit: Duration) -> anyhow::Result<serde_json::Value> {
    let mut all = vec![script];
    all.extend_from_slice(args);
    let output = run(&all, &[], limit)?;
    let command = args.first().copied().unwrap_or_default();
    ensure!(
        output.success,
        "{script} {command} failed\n{}",
        output.describe()
    );
    serde_json::from_str(&output.stdout)
        .with_context(|| format!("{script} printed no JSON\n{}", output.describe()))
}

/// Runs `script command HOST PORT LOGIN PASSWORD extra...`, the layout of
/// the checkers that work on one account over IMAP, like [`run_json`].
pub fn run_json_on_account(
    script: &str,
    command: &str,
    imap: SocketAddr,
    account: &Account,
    extra: &[&str],
    limit: Duration,
) -> anyhow::Result<serde_json::Value> {
    let (host, port) = (imap.ip().to_string(), imap.port().to_string());
    let mut args = vec![command, &host, &port, &account.login, &account.password];
    args.extend_from_slice(extra);
    run_json(script, &args, limit)
}

type Reader = Option<std::thread::JoinHandle<String>>;

fn reader(pipe: Option<impl Read + Send + 'static>) -> Reader {
    pipe.map(|mut pipe| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    })
}

fn collect(stdout: Reader, stderr: Reader, success: bool) -> ScriptOutput {
    let join = |reader: Reader| {
        reader
            .and_then(|handle| handle.join().ok())
            .unwrap_or_default()
    };
    ScriptOutput {
        success,
        stdout: join(stdout),
        stderr: join(stderr),
    }
}
