//! One backend process: found on PATH (or the test fails saying to run `.ci/install`), wrapped
//! in `timeout` so nothing outlives a crashed run, ready when its health endpoint says so,
//! stopped by PID when dropped.

use super::http;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// No test run keeps a daemon longer than this, even if the test process is killed.
const LIFETIME: &str = "900";
const READY_DEADLINE: Duration = Duration::from_secs(30);

/// The path of a binary the real-backend tests need; panics (fails the test) when missing.
pub fn require(binary: &str) -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = Path::new(dir).join(binary);
        if p.is_file() {
            return p;
        }
    }
    panic!("`{binary}` is not installed: run `.ci/install` (as root) to install the real backends");
}

#[path = "../common/ports.rs"]
mod ports;

/// A port free on 127.0.0.1 right now, outside the ephemeral range (see `common/ports.rs`).
pub fn free_port() -> u16 {
    ports::free_port(false)
}

pub struct Daemon {
    pub name: &'static str,
    pub port: u16,
    child: Child,
    log: PathBuf,
}

impl Daemon {
    /// Starts `binary args…` under `timeout`, stdout and stderr to `log`.
    pub fn start(
        name: &'static str,
        binary: &Path,
        args: &[String],
        port: u16,
        log: PathBuf,
    ) -> Self {
        let out = std::fs::File::create(&log).unwrap();
        let err = out.try_clone().unwrap();
        let child = Command::new("timeout")
            .arg("--kill-after=5")
            .arg(LIFETIME)
            .arg(binary)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        Daemon {
            name,
            port,
            child,
            log,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Polls `path` until it answers 200 (or the process dies, or the deadline passes).
    pub fn wait_ready(&mut self, path: &str) {
        let deadline = Instant::now() + READY_DEADLINE;
        loop {
            if let Ok((200, _)) = http::get(self.port, path) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before ready:\n{}",
                    self.name,
                    self.log_tail()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} not ready within {READY_DEADLINE:?}:\n{}",
                self.name,
                self.log_tail()
            );
            // Readiness is polled; this only paces the polling.
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Stops the daemon now (SIGTERM through `timeout`, then SIGKILL) and waits for it.
    pub fn stop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = self.child.id().to_string();
        // `timeout` forwards TERM to the daemon and exits when it does.
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.stop();
    }
}
