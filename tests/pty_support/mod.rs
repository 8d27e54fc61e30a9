//! The cockpit binary in a real pseudo-terminal: keys typed, output read back.
#![allow(dead_code)] // each test binary uses a part

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const DEADLINE: Duration = Duration::from_secs(60);

pub struct Session {
    pub output: Vec<u8>,
    pub chunks: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    pub exited: mpsc::Receiver<portable_pty::ExitStatus>,
    pub pid: Option<u32>,
    /// The terminal the output is played into, to read the screen as the user sees it.
    term: vt100::Parser,
    /// How much of `output` `term` has seen.
    played: usize,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    _home: tempfile::TempDir,
}

impl Session {
    /// `onwatch ARGS` in a 100x30 terminal with an empty home.
    pub fn start(args: &[&str]) -> Session {
        Self::start_sized(args, 100, 30)
    }

    pub fn start_sized(args: &[&str], cols: u16, rows: u16) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_onwatch"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("ONWATCH_CONFIG");
        let mut child = pair.slave.spawn_command(cmd).expect("spawn onwatch");
        let pid = child.process_id();
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().unwrap();
        let writer = pair.master.take_writer().unwrap();
        let (tx, chunks) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        let (etx, exited) = mpsc::channel();
        std::thread::spawn(move || {
            if let Ok(status) = child.wait() {
                let _ = etx.send(status);
            }
        });
        Session {
            output: Vec::new(),
            chunks,
            writer,
            exited,
            pid,
            term: vt100::Parser::new(rows, cols, 0),
            played: 0,
            _master: pair.master,
            _home: home,
        }
    }

    /// Everything written until `until`: a measurement window, not a wait for an event.
    pub fn collect_until(&mut self, until: Instant) {
        while let Ok(chunk) = self
            .chunks
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            self.output.extend(chunk);
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }

    /// What the terminal shows now, row by row (the output played into a terminal emulator).
    pub fn screen(&mut self) -> String {
        self.term.process(&self.output[self.played..]);
        self.played = self.output.len();
        self.term.screen().contents()
    }

    /// Reads until the screen shows every needle at once, or fails at the deadline.
    pub fn wait_screen(&mut self, needles: &[&str]) {
        let end = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            if needles.iter().all(|n| screen.contains(n)) {
                return;
            }
            let left = end.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(left) {
                Ok(chunk) => self.output.extend(chunk),
                Err(_) => panic!("timed out waiting for {needles:?} on screen:\n{screen}"),
            }
        }
    }

    /// Reads until every needle has appeared in the output, or fails at the deadline.
    pub fn wait_for(&mut self, needles: &[&str]) {
        self.wait_since(0, needles)
    }

    /// Reads until every needle has appeared in what was written after byte `mark` (an
    /// earlier `output.len()`), or fails at the deadline.
    pub fn wait_since(&mut self, mark: usize, needles: &[&str]) {
        let end = Instant::now() + DEADLINE;
        loop {
            let text =
                String::from_utf8_lossy(&self.output[mark.min(self.output.len())..]).into_owned();
            if needles.iter().all(|n| text.contains(n)) {
                return;
            }
            let left = end.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(left) {
                Ok(chunk) => self.output.extend(chunk),
                Err(_) => panic!(
                    "timed out waiting for {needles:?}; missing {:?}; output tail: {:?}",
                    needles
                        .iter()
                        .filter(|n| !text.contains(**n))
                        .collect::<Vec<_>>(),
                    &text[text.len().saturating_sub(2000)..]
                ),
            }
        }
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    pub fn wait_exit(&mut self) -> portable_pty::ExitStatus {
        let status = self
            .exited
            .recv_timeout(DEADLINE)
            .expect("onwatch did not exit");
        // Drain what it wrote while exiting.
        while let Ok(chunk) = self.chunks.recv_timeout(Duration::from_millis(500)) {
            self.output.extend(chunk);
        }
        status
    }
}

/// The sequences crossterm writes when leaving: alternate screen off, cursor shown, paste off.
pub fn assert_restored(text: &str) {
    let tail = &text[text.rfind("\x1b[?1049h").unwrap_or(0)..];
    assert!(tail.contains("\x1b[?1049l"), "alternate screen not left");
    assert!(tail.contains("\x1b[?25h"), "cursor not shown again");
    assert!(tail.contains("\x1b[?2004l"), "bracketed paste not disabled");
    assert!(
        !text.contains("\x1b[?1000h"),
        "mouse capture must be off by default"
    );
}

/// A config for user `pty` polling the Alertmanager cluster `prod` at `urls` every second,
/// with `extra` TOML tables; returns the directory holding it and the file's path.
pub fn cockpit_config(urls: &[String], extra: &str) -> (tempfile::TempDir, String) {
    let quoted: Vec<String> = urls.iter().map(|u| format!("{u:?}")).collect();
    let config = format!(
        "[general]\nuser = \"pty\"\nrefresh = \"1s\"\n\n{extra}\n\
         [[alertmanager]]\nname = \"prod\"\nurls = [{}]\n",
        quoted.join(", ")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}
