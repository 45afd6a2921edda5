//! A private `redis-server` for one test, on a free loopback port and
//! without persistence, so the test may stop and restart it (issue 4: an
//! outage of Redis delays updates, never loses them). The shared Redis on
//! 6379 is never touched. Invariant: dropping it kills and reaps the
//! server.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

const READY_LIMIT: Duration = Duration::from_secs(10);

pub struct PrivateRedis {
    port: u16,
    server: Option<Child>,
}

impl PrivateRedis {
    /// Starts `redis-server` on a port that was free a moment ago.
    pub fn start() -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut redis = Self { port, server: None };
        redis.restart()?;
        Ok(redis)
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Kills the server (as a crash would) and waits until it is gone.
    pub fn stop(&mut self) {
        if let Some(mut server) = self.server.take() {
            // Killing an exited child fails harmlessly; wait() reaps it.
            let _ = server.kill();
            let _ = server.wait();
        }
    }

    /// Starts the server again on the same port; returns once it answers.
    pub fn restart(&mut self) -> anyhow::Result<()> {
        self.stop();
        let port = self.port.to_string();
        let server = Command::new("redis-server")
            .args([
                "--port",
                &port,
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start redis-server (is it installed?)")?;
        self.server = Some(server);
        let address = SocketAddr::from(([127, 0, 0, 1], self.port));
        let started = Instant::now();
        while !answers_ping(address) {
            if started.elapsed() > READY_LIMIT {
                bail!("redis-server on {address} did not answer PING within {READY_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(())
    }
}

fn answers_ping(address: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let mut answer = [0u8; 7];
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .is_ok()
        && stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}
