//! The real binary in a pseudo-terminal, alone or under an interactive bash: what it writes, the
//! bytes typed into it, the screen as a terminal emulator shows it, its exit, its process state.

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const DEADLINE: Duration = Duration::from_secs(60);
/// The terminal's size unless a test asks for another.
pub const ROWS: u16 = 30;
pub const COLS: u16 = 100;

pub struct Session {
    pub output: Vec<u8>,
    pub chunks: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    pub exited: mpsc::Receiver<portable_pty::ExitStatus>,
    /// The process the terminal was opened for: onwatch, or the shell.
    pub pid: Option<u32>,
    /// The terminal the output is played into, to read the screen as the user sees it.
    term: vt100::Parser,
    /// How much of `output` `term` has seen.
    played: usize,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    _home: tempfile::TempDir,
}

impl Session {
    /// `onwatch ARGS` as the terminal's only process (the leader of its own session).
    pub fn start(args: &[&str]) -> Session {
        Self::start_sized(args, COLS, ROWS)
    }

    /// `onwatch ARGS` in a terminal of `cols` x `rows`.
    pub fn start_sized(args: &[&str], cols: u16, rows: u16) -> Session {
        Self::spawn(env!("CARGO_BIN_EXE_onwatch"), args, cols, rows)
    }

    /// An interactive bash with job control, no startup files and the prompt `$ `; the binary
    /// is `"$ONWATCH"` in it.
    pub fn shell() -> Session {
        let mut s = Self::spawn("bash", &["--norc", "--noprofile", "-i"], COLS, ROWS);
        s.wait_for(&["$ "]);
        s
    }

    fn spawn(program: &str, args: &[&str], cols: u16, rows: u16) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let home = tempfile::tempdir().unwrap();
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env("XDG_STATE_HOME", home.path().join("state"));
        cmd.env("XDG_DATA_HOME", home.path().join("data"));
        cmd.env("ONWATCH", env!("CARGO_BIN_EXE_onwatch"));
        cmd.env("PS1", "$ ");
        cmd.env("INPUTRC", "/dev/null");
        cmd.env("HISTFILE", "/dev/null");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("ONWATCH_CONFIG");
        let mut child = pair.slave.spawn_command(cmd).expect("spawn");
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

    /// What was written from byte `from` of the output on.
    pub fn text_from(&self, from: usize) -> String {
        String::from_utf8_lossy(&self.output[from.min(self.output.len())..]).into_owned()
    }

    /// Reads until every needle has appeared in the output, or fails at the deadline.
    pub fn wait_for(&mut self, needles: &[&str]) {
        self.wait_for_from(0, needles);
    }

    /// Reads until every needle has appeared in what was written from byte `from` on (a mark
    /// taken with `output.len()` before the step that should write them).
    pub fn wait_for_from(&mut self, from: usize, needles: &[&str]) {
        let end = Instant::now() + DEADLINE;
        loop {
            let text = self.text_from(from);
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

    /// What the terminal shows now, row by row: the output played into a terminal emulator.
    pub fn screen(&mut self) -> String {
        while let Ok(chunk) = self.chunks.try_recv() {
            self.output.extend(chunk);
        }
        self.term.process(&self.output[self.played..]);
        self.played = self.output.len();
        self.term.screen().contents()
    }

    /// Reads until every needle is on the screen (see `screen`), or fails at the deadline. A
    /// frame is written as a diff, so words on the screen need not be whole in the output.
    pub fn wait_for_screen(&mut self, needles: &[&str]) {
        let end = Instant::now() + DEADLINE;
        loop {
            let screen = self.screen();
            if needles.iter().all(|n| screen.contains(n)) {
                return;
            }
            let left = end.saturating_duration_since(Instant::now());
            match self.chunks.recv_timeout(left) {
                Ok(chunk) => self.output.extend(chunk),
                Err(_) => panic!("timed out waiting for {needles:?} on the screen:\n{screen}"),
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
            .expect("the process did not exit");
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

/// Sends `signal` (a `kill` name: `INT`, `TSTP`, ...) to `pid`.
pub fn kill(signal: &str, pid: u32) {
    let sent = std::process::Command::new("kill")
        .args([format!("-{signal}"), pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -{signal} {pid}");
}

/// The process's `(state, ppid)` from `/proc/PID/stat`: `T` is stopped.
pub fn proc_stat(pid: u32) -> Option<(char, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut rest = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    let state = rest.next()?.chars().next()?;
    Some((state, rest.next()?.parse().ok()?))
}

/// The first child of `parent` that is running `onwatch`.
pub fn onwatch_child(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (proc_stat(pid)?.1 == parent && comm.trim() == "onwatch").then_some(pid)
    })
}

/// Polls `probe` until it answers, or fails at the deadline naming `what`.
pub fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
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
