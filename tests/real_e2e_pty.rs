//! End to end in a real pseudo-terminal: `onwatch demo` starts, draws its three panes with data
//! from the simulator, and leaves the terminal exactly as it found it on `q` and on SIGHUP.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod am_support;
mod kit;

use am_support::{AmPair, prom_alert};
use chrono::Utc;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(60);

struct Session {
    output: Vec<u8>,
    chunks: mpsc::Receiver<Vec<u8>>,
    writer: Box<dyn Write + Send>,
    exited: mpsc::Receiver<portable_pty::ExitStatus>,
    pid: Option<u32>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
    _home: tempfile::TempDir,
}

impl Session {
    fn start(args: &[&str]) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 30,
                cols: 100,
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
            _master: pair.master,
            _home: home,
        }
    }

    /// Everything written until `until`: a measurement window, not a wait for an event.
    fn collect_until(&mut self, until: Instant) {
        while let Ok(chunk) = self
            .chunks
            .recv_timeout(until.saturating_duration_since(Instant::now()))
        {
            self.output.extend(chunk);
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.output).into_owned()
    }

    /// Reads until every needle has appeared in the output, or fails at the deadline.
    fn wait_for(&mut self, needles: &[&str]) {
        let end = Instant::now() + DEADLINE;
        loop {
            let text = self.text();
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

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    fn wait_exit(&mut self) -> portable_pty::ExitStatus {
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
fn assert_restored(text: &str) {
    let tail = &text[text.rfind("\x1b[?1049h").unwrap_or(0)..];
    assert!(tail.contains("\x1b[?1049l"), "alternate screen not left");
    assert!(tail.contains("\x1b[?25h"), "cursor not shown again");
    assert!(tail.contains("\x1b[?2004l"), "bracketed paste not disabled");
    assert!(
        !text.contains("\x1b[?1000h"),
        "mouse capture must be off by default"
    );
}

#[test]
fn demo_draws_three_panes_with_data_and_quits_cleanly() {
    // At 20x the scripted incident's critical alert fires about 5 s in.
    let mut s = Session::start(&["demo", "--speed", "20"]);
    s.wait_for(&["\x1b[?1049h", "SLO", "Alerts", "Logs"]);
    // Data from each of the simulator's APIs, through the real clients.
    s.wait_for(&[
        "checkout-availability",
        "CheckoutHighErrorRate",
        "level=error",
    ]);
    s.send(b"q");
    // During an active page, quitting asks first.
    let end = Instant::now() + DEADLINE;
    loop {
        if let Ok(status) = s.exited.try_recv() {
            assert!(status.success(), "exit status {status:?}");
            break;
        }
        if s.text().contains("Quit anyway") {
            s.send(b"y");
            let status = s.wait_exit();
            assert!(status.success(), "exit status {status:?}");
            break;
        }
        match s
            .chunks
            .recv_timeout(end.saturating_duration_since(Instant::now()))
        {
            Ok(c) => s.output.extend(c),
            Err(_) => panic!("neither exited nor asked to confirm"),
        }
    }
    while let Ok(chunk) = s.chunks.recv_timeout(Duration::from_millis(500)) {
        s.output.extend(chunk);
    }
    assert_restored(&s.text());
}

#[test]
fn sighup_restores_the_terminal() {
    let mut s = Session::start(&["demo"]);
    s.wait_for(&["\x1b[?1049h", "Alerts"]);
    let pid = s.pid.expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = s.wait_exit();
    assert_eq!(
        status.exit_code(),
        129,
        "SIGHUP exits like a shell: 128 + 1"
    );
    assert_restored(&s.text());
}

/// Slow links: with nothing changing (the simulator frozen at `--speed 0.001`), a minute of the
/// cockpit costs at most one redraw of the clock: well under 2 KiB.
#[test]
fn an_idle_minute_costs_under_2_kib() {
    let mut s = Session::start(&["demo", "--speed", "0.001"]);
    s.wait_for(&["\x1b[?1049h", "checkout-availability", "Logs"]);
    // Let the first polls of every source land, then measure a whole minute.
    s.collect_until(Instant::now() + Duration::from_secs(8));
    let start = s.output.len();
    s.collect_until(Instant::now() + Duration::from_secs(60));
    let idle = s.output.len() - start;
    assert!(idle < 2048, "{idle} bytes in an idle minute");
    s.send(b"q");
    s.send(b"y");
    s.wait_exit();
}

/// Slow links: one new alert on a real two-replica Alertmanager cluster, polled every second,
/// costs the rows that changed, not a repaint of the screen. The figure is printed for the README.
#[test]
fn one_new_alert_costs_a_partial_redraw() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let am = rt.block_on(AmPair::start());
    let started = Utc::now() - chrono::Duration::minutes(5);
    let alert = |name: &str, instance: &str| {
        prom_alert(
            &[
                ("alertname", name),
                ("severity", "warning"),
                ("instance", instance),
            ],
            "prom-a",
            started,
            None,
        )
    };
    rt.block_on(am.post_alerts(&[alert("DiskFilling", "db-1")]));
    let config = format!(
        "[general]\nuser = \"pty\"\nrefresh = \"1s\"\n\n\
         [[alertmanager]]\nname = \"prod\"\nurls = [\"{}\", \"{}\"]\n",
        am.replicas[0].url(),
        am.replicas[1].url()
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, config).unwrap();

    let mut s = Session::start(&["--config", path.to_str().unwrap()]);
    s.wait_for(&["\x1b[?1049h", "DiskFilling"]);
    let first_frames = s.output.len();
    // A few polls with nothing new: the baseline the change is measured against.
    s.collect_until(Instant::now() + Duration::from_secs(3));
    let before = s.output.len();
    let quiet = before - first_frames;

    rt.block_on(am.post_alerts(&[alert("CertExpiring", "web-1")]));
    s.wait_for(&["CertExpiring"]);
    // The polls after the change must add nothing more than the clock might.
    s.collect_until(Instant::now() + Duration::from_secs(3));
    let change = s.output.len() - before;
    eprintln!("first frames {first_frames} B; 3 quiet polls {quiet} B; one new alert {change} B");
    assert!(quiet < 256, "{quiet} bytes while nothing changed");
    assert!(
        change < 2048 && change * 2 < first_frames,
        "one new alert cost {change} bytes; the first frames {first_frames}"
    );
    s.send(b"q");
    s.wait_exit();
}
