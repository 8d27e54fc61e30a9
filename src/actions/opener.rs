//! The system opener (`xdg-open`, `open` on macOS) for runbook and trace URLs: the URL is its one
//! argument, never a shell. Whether it worked is only known when it exits, so its failure is
//! told afterwards, as a phrase the footer can show ("no browser opener (xdg-open: not found)").

use std::ffi::OsString;
use std::process::Stdio;
use tokio::process::{Child, Command};

/// Which program opens URLs, and where it is looked up.
#[derive(Clone, Debug)]
pub struct Opener {
    pub program: String,
    /// The `PATH` the program is looked up on; `None`: the cockpit's own.
    pub path: Option<OsString>,
}

impl Opener {
    /// The platform's opener on the cockpit's `PATH`.
    pub fn system() -> Self {
        let program = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        Opener {
            program: program.to_string(),
            path: None,
        }
    }

    /// Starts the opener on `url`; `Err` says why it could not be started.
    pub fn spawn(&self, url: &str) -> Result<Child, String> {
        let mut cmd = Command::new(&self.program);
        // Set on the command, this PATH is also the one the program is looked up on.
        if let Some(path) = &self.path {
            cmd.env("PATH", path);
        }
        cmd.arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound => "not found".to_string(),
                    _ => e.to_string(),
                };
                format!("no browser opener ({}: {why})", self.program)
            })
    }

    /// Waits for a started opener; `Err` says how it failed (it exited non-zero, e.g. xdg-open
    /// finding no browser).
    pub async fn wait(&self, mut child: Child) -> Result<(), String> {
        match child.wait().await {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(format!(
                "the browser opener failed ({}: {status})",
                self.program
            )),
            Err(e) => Err(format!("the browser opener failed ({}: {e})", self.program)),
        }
    }

    /// Starts the opener and waits for it.
    pub async fn open(&self, url: &str) -> Result<(), String> {
        let child = self.spawn(url)?;
        self.wait(child).await
    }
}
