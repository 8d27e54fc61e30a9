//! Command and file log sources against real processes and real files.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
mod kit;
use onwatch::app::msg::SourceUpdate;
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::logs::{AnsiMode, LogLine, SanitiseOptions};
use onwatch::poll::command::CommandTail;
use onwatch::poll::file::FileTail;
use onwatch::poll::stream::{StreamPublisher, spawn_stream};
use onwatch::sources::file::FileFollower;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

const DEADLINE: Duration = Duration::from_secs(20);

fn publisher(
    kind: SourceKind,
    max_lines: usize,
    max_bytes: usize,
) -> (StreamPublisher, watch::Receiver<Option<SourceUpdate>>) {
    StreamPublisher::new(
        SourceId::new(kind, "t"),
        max_lines,
        max_bytes,
        Arc::new(Notify::new()),
    )
}

fn assert_clean(l: &LogLine) {
    for c in l.line.chars() {
        assert!(!c.is_control(), "control {c:?} in {:?}", l.line);
    }
}

const HOSTILE: &str = r#"
import sys
o = sys.stdout.buffer
o.write(b"\x1b[31mred\x1b[0m plain\n")
o.write(b"clear\x1b[2Jscreen \x1b]0;title\x07\n")
o.write(b"nul\x00tab\tcr\rend\n")
o.write(b"bad \xff\xfe utf8\n")
o.write(b"crlf line\r\n")
o.write(b"x" * 1000000 + b"\n")
o.flush()
sys.stderr.buffer.write(b"ERROR on stderr\n")
sys.stderr.flush()
"#;

#[tokio::test]
async fn command_source_sanitises_a_hostile_process() {
    let (p, mut rx) = publisher(SourceKind::Command, 1000, 64 << 20);
    let opts = SanitiseOptions {
        ansi: AnsiMode::Keep,
        max_line_bytes: 4096,
        ..Default::default()
    };
    let mut tail = CommandTail::new(vec!["python3".into(), "-c".into(), HOSTILE.into()], opts);
    tail.backoff_start = Duration::from_secs(3600);
    let handle = spawn_stream(p, rx.clone(), |p| tail.run(p));
    let w = kit::until(&mut rx, DEADLINE, |w| {
        w.lines.iter().any(|l| l.line.contains("exited"))
    })
    .await;
    drop(handle);
    let t = kit::texts(&w);
    let stdout: Vec<&LogLine> = w.lines.iter().filter(|l| l.labels.is_empty()).collect();
    assert_eq!(stdout[0].line, "red plain");
    assert_eq!(stdout[0].styles.len(), 1, "the colour kept as a style");
    assert_eq!(stdout[1].line, "clear^[[2Jscreen ^[]0;title^G");
    assert_eq!(stdout[2].line, "nul^@tab        cr^Mend");
    assert_eq!(stdout[3].line, "bad \u{fffd}\u{fffd} utf8");
    assert_eq!(
        stdout[4].line, "crlf line",
        "a CRLF ending is a line ending"
    );
    let long = stdout[5];
    assert!(long.line.starts_with(&"x".repeat(4096)));
    assert!(
        long.line
            .ends_with(&format!("…[cut {} bytes]", 1_000_000 - 4096)),
        "{}",
        &long.line[4090..]
    );
    let err = w
        .lines
        .iter()
        .find(|l| l.line == "ERROR on stderr")
        .unwrap();
    assert_eq!(
        err.labels.as_slice(),
        [("stream".to_string(), "stderr".to_string())]
    );
    assert_eq!(err.level, onwatch::domain::logs::Level::Error);
    assert!(
        t.last().unwrap().contains("python3 exited; restarting in"),
        "{t:?}"
    );
    w.lines.iter().for_each(assert_clean);
}

/// What `journalctl -f -o json` prints: one JSON object a line, binary messages as byte arrays.
const JOURNAL: &str = r#"
import sys
o = sys.stdout
o.write('{"__REALTIME_TIMESTAMP":"1795834800123456","PRIORITY":"3","_SYSTEMD_UNIT":"checkout.service","MESSAGE":"payment failed"}\n')
o.write('{"__REALTIME_TIMESTAMP":"1795834801000000","PRIORITY":"6","MESSAGE":[27,93,48,59,120,7,111,107]}\n')
o.flush()
"#;

#[tokio::test]
async fn a_journald_json_command_is_read_for_time_message_and_priority() {
    let (p, mut rx) = publisher(SourceKind::Command, 1000, 1 << 20);
    let mut tail = CommandTail::new(
        vec!["python3".into(), "-c".into(), JOURNAL.into()],
        SanitiseOptions::default(),
    );
    tail.backoff_start = Duration::from_secs(3600);
    let handle = spawn_stream(p, rx.clone(), |p| tail.run(p));
    let w = kit::until(&mut rx, DEADLINE, |w| {
        w.lines.iter().any(|l| l.line.contains("exited"))
    })
    .await;
    drop(handle);
    let (first, second) = (&w.lines[0], &w.lines[1]);
    assert_eq!(first.line, "payment failed");
    assert_eq!(first.level, onwatch::domain::logs::Level::Error);
    assert_eq!(
        first.timestamp.to_rfc3339(),
        "2026-11-28T03:00:00.123456+00:00"
    );
    assert_eq!(
        first.labels.as_slice(),
        [("unit".to_string(), "checkout.service".to_string())]
    );
    assert_eq!(second.line, "^[]0;x^Gok", "a binary MESSAGE is sanitised");
    assert_eq!(second.level, onwatch::domain::logs::Level::Info);
    w.lines.iter().for_each(assert_clean);
}

#[tokio::test]
async fn a_command_that_exits_is_restarted_with_backoff() {
    let (p, mut rx) = publisher(SourceKind::Command, 1000, 1 << 20);
    let mut tail = CommandTail::new(
        vec!["sh".into(), "-c".into(), "echo run; exit 3".into()],
        SanitiseOptions::default(),
    );
    tail.backoff_start = Duration::from_millis(10);
    tail.backoff_max = Duration::from_millis(40);
    let _handle = spawn_stream(p, rx.clone(), |p| tail.run(p));
    // Four runs, each ended by its note (a run's line comes before its exit is seen).
    let w = kit::until(&mut rx, DEADLINE, |w| {
        w.lines
            .iter()
            .filter(|l| l.line.starts_with("onwatch:"))
            .count()
            >= 4
    })
    .await;
    assert!(kit::texts(&w).iter().filter(|t| **t == "run").count() >= 4);
    let notes: Vec<&str> = kit::texts(&w)
        .into_iter()
        .filter(|t| t.starts_with("onwatch:"))
        .collect();
    assert!(
        notes[0].contains("exit status: 3; restarting in 10ms"),
        "{notes:?}"
    );
    assert!(notes[1].contains("restarting in 20ms"), "{notes:?}");
    assert!(notes[2].contains("restarting in 40ms"), "{notes:?}");
    assert!(notes[3].contains("restarting in 40ms"), "capped: {notes:?}");
}

fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // A zombie has exited; only its parent's wait is missing.
        Ok(stat) => !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[tokio::test]
async fn dropping_the_source_kills_the_command_and_its_children() {
    let (p, mut rx) = publisher(SourceKind::Command, 100, 1 << 20);
    let tail = CommandTail::new(
        vec![
            "sh".into(),
            "-c".into(),
            "sleep 600 & echo \"pids $$ $!\"; wait".into(),
        ],
        SanitiseOptions::default(),
    );
    let handle = spawn_stream(p, rx.clone(), |p| tail.run(p));
    let w = kit::until(&mut rx, DEADLINE, |w| {
        w.lines.iter().any(|l| l.line.starts_with("pids "))
    })
    .await;
    let pids: Vec<u32> = w
        .lines
        .iter()
        .find(|l| l.line.starts_with("pids "))
        .unwrap()
        .line
        .split(' ')
        .skip(1)
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(pids.iter().all(|p| alive(*p)));
    drop(handle);
    let gone = async {
        while pids.iter().any(|p| alive(*p)) {
            tokio::time::sleep(Duration::from_millis(20)).await; // polling /proc, bounded below
        }
    };
    tokio::time::timeout(DEADLINE, gone)
        .await
        .expect("the shell and its background sleep are killed");
}

#[tokio::test]
async fn file_follower_reads_across_rotation_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    let write = |text: &str| {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };
    let mut f = FileFollower::new(&path, 1024);
    assert!(f.poll().await.is_err(), "no file yet: an error");
    write("old 1\nold 2\n");
    let lines = |v: Vec<onwatch::sources::lines::RawLine>| {
        v.into_iter()
            .map(|l| String::from_utf8(l.bytes).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(lines(f.poll().await.unwrap()), ["old 1", "old 2"]);
    write("old 3\npart");
    assert_eq!(
        lines(f.poll().await.unwrap()),
        ["old 3"],
        "a partial line waits"
    );
    // Rotation: the writer still appends to the renamed file, then a new file appears.
    std::fs::rename(&path, dir.path().join("app.log.1")).unwrap();
    let mut old = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.path().join("app.log.1"))
        .unwrap();
    old.write_all(b"ial\nold 4\n").unwrap();
    assert_eq!(
        lines(f.poll().await.unwrap()),
        ["partial", "old 4"],
        "no new file yet: the old one is read"
    );
    old.write_all(b"old 5\n").unwrap();
    write("new 1\n");
    assert_eq!(lines(f.poll().await.unwrap()), ["old 5", "new 1"]);
    write("new 2\n");
    assert_eq!(lines(f.poll().await.unwrap()), ["new 2"]);
    // Truncation in place (copytruncate), then new lines from the start.
    std::fs::write(&path, b"").unwrap();
    assert!(f.poll().await.unwrap().is_empty());
    write("after truncate\n");
    assert_eq!(lines(f.poll().await.unwrap()), ["after truncate"]);
    assert!(f.poll().await.unwrap().is_empty(), "nothing twice");
}

#[tokio::test]
async fn file_source_publishes_lines_and_opens_on_the_recent_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.log");
    // 200 KB of old lines: the tail starts 64 KB before the end, on a whole line.
    let old: String = (0..20_000).map(|i| format!("old {i:06}\n")).collect();
    std::fs::write(&path, &old).unwrap();
    let (p, mut rx) = publisher(SourceKind::File, 100_000, 64 << 20);
    let tail = FileTail {
        path: path.clone(),
        every: Duration::from_millis(20),
        sanitise: SanitiseOptions::default(),
    };
    let _h = spawn_stream(p, rx.clone(), |p| tail.run(p));
    let w = kit::until(&mut rx, DEADLINE, |w| !w.lines.is_empty()).await;
    assert!(w.lines[0].line.starts_with("old "), "{}", w.lines[0].line);
    assert_eq!(w.lines[0].line.len(), 10, "a whole line");
    assert_eq!(w.lines.last().unwrap().line, "old 019999");
    assert!(w.lines.len() < 20_000);
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(b"\x1b[1mnew\x1b[0m\n")
        .unwrap();
    let w = kit::until(&mut rx, DEADLINE, |w| {
        w.lines.last().is_some_and(|l| l.line == "new")
    })
    .await;
    w.lines.iter().for_each(assert_clean);
}

fn state(max_lines: usize, max_bytes: usize) -> onwatch::app::State {
    let setup = onwatch::app::state::Setup {
        sources: vec![SourceId::new(SourceKind::Command, "t")],
        group_by: vec![],
        log_max_lines: max_lines,
        log_max_bytes: max_bytes,
        ..kit::setup()
    };
    onwatch::app::State::new(setup, chrono::Utc::now())
}

#[tokio::test]
async fn a_million_line_storm_stays_within_the_memory_bound() {
    const MAX_BYTES: usize = 2 << 20;
    const MAX_LINES: usize = 10_000;
    let (p, mut rx) = publisher(SourceKind::Command, MAX_LINES, MAX_BYTES);
    let mut tail = CommandTail::new(
        vec!["seq".into(), "1".into(), "1000000".into()],
        SanitiseOptions::default(),
    );
    tail.backoff_start = Duration::from_secs(3600);
    let _h = spawn_stream(p, rx.clone(), |p| tail.run(p));
    let mut s = state(MAX_LINES, MAX_BYTES);
    let clock = onwatch::app::SystemClock;
    let mut peak = 0;
    let storm = async {
        loop {
            rx.changed().await.unwrap();
            let u = rx.borrow_and_update().clone().unwrap();
            onwatch::app::update(&mut s, onwatch::app::Msg::Source(u), &clock);
            peak = peak.max(s.logs.bytes());
            if s.logs
                .iter()
                .last()
                .is_some_and(|l| l.line.contains("seq exited"))
            {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(120), storm)
        .await
        .expect("the storm is read within two minutes");
    assert!(peak <= MAX_BYTES, "peak {peak} over {MAX_BYTES}");
    assert!(s.logs.len() <= MAX_LINES);
    // Every line is either shown or counted as dropped: 1,000,000 from seq and the exit note.
    assert_eq!(s.logs.dropped() + s.logs.len() as u64, 1_000_001);
    let last: Vec<&str> = s
        .logs
        .iter()
        .rev()
        .skip(1)
        .take(2)
        .map(|l| l.line.as_str())
        .collect();
    assert_eq!(last, ["1000000", "999999"]);
}

#[tokio::test]
async fn a_silent_command_reads_quiet_after_its_idle_window() {
    let (mut p, mut rx) = publisher(SourceKind::Command, 100, 1 << 20);
    p.set_idle(Some(Duration::from_millis(300)));
    // One line, then the process lives on saying nothing: a hung `kubectl logs -f`.
    let argv = ["sh", "-c", "echo one; exec sleep 30"].map(String::from);
    let tail = CommandTail::new(argv.to_vec(), SanitiseOptions::default());
    let _h = spawn_stream(p, rx.clone(), |p| tail.run(p));
    let began = tokio::time::Instant::now();
    let first = kit::until(&mut rx, DEADLINE, |w| kit::texts(w) == ["one"]).await;
    assert_eq!(first.quiet_since, None, "not quiet while lines come");
    let quiet = kit::until(&mut rx, DEADLINE, |w| w.quiet_since.is_some()).await;
    assert!(began.elapsed() >= Duration::from_millis(300));
    assert_eq!(kit::texts(&quiet), ["one"], "the lines are kept");
    let line_at = first.lines[0].timestamp;
    let since = quiet.quiet_since.unwrap();
    assert!(
        (since - line_at).num_seconds().abs() < 2,
        "quiet since its last line"
    );
}

#[tokio::test]
async fn a_quiet_file_is_said_once_and_cleared_by_its_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.log");
    std::fs::write(&path, "first\n").unwrap();
    let (mut p, mut rx) = publisher(SourceKind::File, 100, 1 << 20);
    p.set_idle(Some(Duration::from_millis(200)));
    let tail = FileTail {
        path: path.clone(),
        every: Duration::from_millis(20),
        sanitise: SanitiseOptions::default(),
    };
    let _h = spawn_stream(p, rx.clone(), |p| tail.run(p));
    kit::until(&mut rx, DEADLINE, |w| w.quiet_since.is_some()).await;
    let quiet_generation = rx.borrow().as_ref().unwrap().generation;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    writeln!(f, "second").unwrap();
    let w = kit::until(&mut rx, DEADLINE, |w| kit::texts(w).contains(&"second")).await;
    assert_eq!(w.quiet_since, None, "a line ends the quiet");
    assert_eq!(
        rx.borrow().as_ref().unwrap().generation,
        quiet_generation + 1,
        "quiet is published once, not every poll"
    );
}
