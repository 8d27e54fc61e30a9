//! A command whose output is a log: an argument vector run directly (never through a shell),
//! stdout and stderr read line by line as bytes, the whole process group stopped with it.

use super::lines::{LineSplitter, RawLine};
use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// A running command. Dropping it kills the process and every process of its group (an
/// `ssh … tail -F` or a `kubectl logs -f` must not outlive the cockpit).
#[derive(Debug)]
pub struct Running {
    child: Child,
    pgid: Option<i32>,
    readers: Vec<JoinHandle<()>>,
}

/// Starts `argv` with stdin closed, sending each line of its stdout and stderr to `tx`.
pub fn start(
    argv: &[String],
    cap: usize,
    tx: mpsc::Sender<(Stream, RawLine)>,
) -> io::Result<Running> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "empty argument vector"))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn()?;
    let pgid = child.id().and_then(|id| i32::try_from(id).ok());
    let mut readers = Vec::new();
    if let Some(out) = child.stdout.take() {
        readers.push(tokio::spawn(read_lines(
            out,
            Stream::Stdout,
            cap,
            tx.clone(),
        )));
    }
    if let Some(err) = child.stderr.take() {
        readers.push(tokio::spawn(read_lines(err, Stream::Stderr, cap, tx)));
    }
    Ok(Running {
        child,
        pgid,
        readers,
    })
}

async fn read_lines<R: AsyncRead + Unpin>(
    mut r: R,
    stream: Stream,
    cap: usize,
    tx: mpsc::Sender<(Stream, RawLine)>,
) {
    let mut splitter = LineSplitter::new(cap);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut lines = Vec::new();
        splitter.feed(&buf[..n], &mut |l| lines.push(l));
        for l in lines {
            if tx.send((stream, l)).await.is_err() {
                return; // nobody reads any more
            }
        }
    }
    let mut last = None;
    splitter.finish(&mut |l| last = Some(l));
    if let Some(l) = last {
        let _ = tx.send((stream, l)).await;
    }
}

impl Running {
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Waits for the command to exit, then (briefly) for its output to be read to the end.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        let status = self.child.wait().await?;
        // A background child of the command may hold the pipes open: stop the group, then
        // give the readers a moment to hand over what is buffered.
        self.kill_group();
        for r in &mut self.readers {
            let _ = tokio::time::timeout(Duration::from_secs(2), r).await;
        }
        Ok(status)
    }

    fn kill_group(&self) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid {
            use nix::sys::signal::{Signal, killpg};
            use nix::unistd::Pid;
            // ESRCH (the group is gone) is the usual case after a clean exit.
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.kill_group();
        for r in &self.readers {
            r.abort();
        }
    }
}
