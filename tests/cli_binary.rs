//! The binary itself: `init`, `check` and `snapshot` against `demo --serve`, config errors and
//! unreachable backends, through the real executable.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod kit;
use kit::binary::{onwatch, run};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// `onwatch demo --serve --write-config PATH`, stopped (SIGTERM) when dropped.
struct Simulator {
    child: Child,
    config: std::path::PathBuf,
}

impl Simulator {
    fn start(home: &Path) -> Simulator {
        let config = home.join("demo.toml");
        let mut child = onwatch(home)
            .args(["demo", "--serve", "--write-config"])
            .arg(&config)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut printed = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.starts_with("ready") => break,
                Ok(line) => printed.push(line),
                Err(e) => panic!("simulator not ready ({e}); it printed {printed:?}"),
            }
        }
        for url in printed.iter().filter_map(|l| {
            l.split_whitespace()
                .nth(1)
                .filter(|u| u.starts_with("http"))
        }) {
            assert!(url.starts_with("http://127.0.0.1:"), "only loopback: {url}");
        }
        assert_eq!(
            printed
                .iter()
                .filter(|l| l.starts_with("alertmanager"))
                .count(),
            2
        );
        Simulator { child, config }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

#[test]
fn check_and_snapshot_against_the_simulator() {
    let home = tempfile::tempdir().unwrap();
    let sim = Simulator::start(home.path());

    let (code, out, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&sim.config)
        .arg("check"));
    assert_eq!(code, 0, "check failed: {out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("  ok  ")).count(),
        4,
        "{out}"
    );
    assert!(out.contains("prometheus") && out.contains("alertmanager") && out.contains("loki"));

    let (code, out, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&sim.config)
        .args(["snapshot", "--format", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 3);
    assert!(
        sources
            .iter()
            .all(|s| s["ok"] == true && s["error"].is_null()),
        "{sources:?}"
    );
    let slos = v["slos"].as_array().unwrap();
    assert_eq!(slos.len(), 3);
    for slo in slos {
        assert!(slo["budget_remaining"].is_f64(), "{slo}");
        assert!(slo["burn_rates"]["1h"].is_f64(), "{slo}");
        assert!(
            ["page", "ticket", "ok"].contains(&slo["status"].as_str().unwrap()),
            "{slo}"
        );
    }
    assert!(
        slos.iter().any(|s| s["status"] == "ticket"),
        "the slow burn files a ticket"
    );
    let groups = v["alert_groups"].as_array().unwrap();
    assert!(!groups.is_empty());
    for alert in groups.iter().flat_map(|g| g["alerts"].as_array().unwrap()) {
        // Two Alertmanager replicas x two Prometheus replicas: one alert, four sources.
        assert_eq!(alert["sources"].as_array().unwrap().len(), 4, "{alert}");
        assert!(alert["labels"].get("prometheus_replica").is_some());
    }
    let logs = v["logs"].as_array().unwrap();
    assert!(!logs.is_empty());
    for l in logs {
        let line = l["line"].as_str().unwrap();
        assert!(
            !line.chars().any(|c| c.is_control()),
            "unsanitised: {line:?}"
        );
        assert!(l["timestamp"].is_string() && l["level"].is_string() && l["source"] == "demo");
    }

    let (code, out, _) = run(onwatch(home.path())
        .arg("--config")
        .arg(&sim.config)
        .args(["snapshot", "--size", "80x24"]));
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 24);
    assert!(out.lines().all(|l| l.chars().count() <= 80));
    for title in [
        "SLO burn",
        "Alerts",
        "Logs",
        "checkout-availability",
        "tester",
    ] {
        assert!(out.contains(title), "{title} missing:\n{out}");
    }
}

#[test]
fn unreachable_backends_still_give_a_snapshot_and_fail_check() {
    let home = tempfile::tempdir().unwrap();
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = home.path().join("down.toml");
    std::fs::write(
        &config,
        format!(
            "[general]\ntimeout = \"2s\"\n\n[[prometheus]]\nname = \"down\"\nurl = \"http://127.0.0.1:{port}\"\n\n\
             [[slo]]\nname = \"x\"\nsource = \"down\"\nobjective = 99.9\n\
             error_query = 'sum(rate(e[$window]))'\ntotal_query = 'sum(rate(t[$window]))'\n"
        ),
    )
    .unwrap();
    let (code, out, _) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .args(["snapshot", "--format", "json"]));
    assert_eq!(code, 2, "some source failed");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["sources"][0]["ok"], false);
    assert!(
        v["sources"][0]["error"]
            .as_str()
            .unwrap()
            .starts_with("unreachable"),
        "{}",
        v["sources"][0]
    );
    assert_eq!(v["slos"][0]["status"], "no_data");

    let (code, out, _) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .args(["snapshot", "--size", "80x24"]));
    assert_eq!(code, 2);
    assert!(
        out.contains("unreachable"),
        "the reason is on screen:\n{out}"
    );

    let (code, out, _) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .arg("check"));
    assert_eq!(code, 1);
    assert!(
        out.contains("FAILED") && out.contains("1 of 1 probes failed"),
        "{out}"
    );
}

#[test]
fn init_writes_the_example_once() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("sub/config.toml");
    let (code, out, _) = run(onwatch(home.path()).arg("init").arg(&path));
    assert_eq!(code, 0);
    assert!(out.contains("wrote"));
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written, include_str!("../config.example.toml"));
    std::fs::write(&path, "# mine\n").unwrap();
    let (code, _, err) = run(onwatch(home.path()).arg("init").arg(&path));
    assert_eq!(code, 1);
    assert!(err.contains("exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# mine\n",
        "never overwritten"
    );

    // With no PATH it goes to the platform config dir, and `check` finds it there by default.
    let (code, _, _) = run(onwatch(home.path()).arg("init"));
    assert_eq!(code, 0);
    assert!(home.path().join("config/onwatch/config.toml").exists());
}

#[test]
fn config_errors_name_file_line_and_key_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("bad.toml");
    std::fs::write(&path, "[general]\nrefesh = \"15s\"\n").unwrap();
    let (code, _, err) = run(onwatch(home.path()).arg("--config").arg(&path).arg("check"));
    assert_eq!(code, 2);
    assert!(err.contains(&format!("{}:2:", path.display())), "{err}");
    assert!(err.contains("refesh"), "{err}");

    let (code, _, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(home.path().join("missing.toml"))
        .arg("snapshot"));
    assert_eq!(code, 2);
    assert!(err.contains("missing.toml"), "{err}");
}

#[test]
fn no_config_points_at_demo_and_init() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&mut onwatch(home.path()));
    assert_eq!(code, 2);
    assert!(
        err.contains("onwatch demo") && err.contains("onwatch init"),
        "{err}"
    );
}

#[test]
fn help_lists_every_command_and_global_flag() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, _) = run(onwatch(home.path()).arg("--help"));
    assert_eq!(code, 0);
    for word in [
        "demo",
        "init",
        "check",
        "snapshot",
        "slo",
        "--config",
        "--read-only",
        "--theme",
        "--wall",
        "--log-file",
        "--no-color",
    ] {
        assert!(out.contains(word), "{word} missing from --help");
    }
    let (code, out, _) = run(onwatch(home.path()).args(["demo", "--help"]));
    assert_eq!(code, 0);
    for word in ["--serve", "--write-config", "--seed", "--speed"] {
        assert!(out.contains(word), "{word} missing from demo --help");
    }
    let (code, out, _) = run(onwatch(home.path()).args(["slo", "rules", "--help"]));
    assert_eq!(code, 0);
    for word in ["--format", "prometheus", "sloth"] {
        assert!(out.contains(word), "{word} missing from slo rules --help");
    }
}

/// A timeline file in `dir` holding one note, written `hours_ago`.
fn timeline_with_a_note(dir: &Path, hours_ago: i64, text: &str) -> std::path::PathBuf {
    use onwatch::domain::timeline::{Entry, Event};
    std::fs::create_dir_all(dir).unwrap();
    let entry = Entry {
        at: chrono::Utc::now() - chrono::Duration::hours(hours_ago),
        event: Event::Note {
            by: "tester".into(),
            text: text.into(),
        },
    };
    let path = dir.join("timeline.jsonl");
    std::fs::write(&path, serde_json::to_string(&entry).unwrap() + "\n").unwrap();
    path
}

#[test]
fn timeline_export_reads_the_state_dir_it_is_given_and_names_the_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("elsewhere");
    let path = timeline_with_a_note(&dir, 1, "restarted the payments pods");
    let (code, out, err) = run(onwatch(home.path())
        .args(["timeline", "export", "--state-dir"])
        .arg(&dir));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("restarted the payments pods"), "{out}");
    assert!(err.is_empty(), "{err}");

    // Nothing in the window: the file read is named, with what it holds outside the window.
    let (code, out, err) = run(onwatch(home.path())
        .args(["timeline", "export", "--since", "30m", "--state-dir"])
        .arg(&dir));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("No events in this window."), "{out}");
    assert!(
        err.contains(&format!(
            "no events in the last 30m in {} (1 in all)",
            path.display()
        )),
        "{err}"
    );
}

#[test]
fn timeline_export_reads_the_demo_timeline_with_demo() {
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state").join("onwatch");
    timeline_with_a_note(&state.join("demo"), 1, "demo note");

    // Without --demo the default state dir is read; it has no timeline, and says so.
    let (code, out, err) = run(onwatch(home.path()).args(["timeline", "export"]));
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("demo note"), "{out}");
    let default = state.join("timeline.jsonl");
    assert!(
        err.contains(&format!("{} does not exist", default.display())) && err.contains("--demo"),
        "{err}"
    );

    let (code, out, err) = run(onwatch(home.path()).args(["timeline", "export", "--demo"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("demo note"), "{out}");

    let (code, _, err) = run(onwatch(home.path())
        .args(["timeline", "export", "--demo", "--state-dir"])
        .arg(home.path()));
    assert_eq!(code, 2, "one state dir or the other: {err}");
}

#[test]
fn init_names_the_next_command_and_check_fails_a_config_without_sources() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("elsewhere.toml");
    let (code, out, _) = run(onwatch(home.path()).arg("init").arg(&path));
    assert_eq!(code, 0);
    let next = format!("onwatch --config {} check", path.display());
    assert!(out.contains(&next), "{out}");

    let empty = home.path().join("empty.toml");
    std::fs::write(&empty, "[general]\nuser = \"x\"\n").unwrap();
    let (code, out, _) = run(onwatch(home.path())
        .arg("--config")
        .arg(&empty)
        .arg("check"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no sources configured"), "{out}");
}

#[test]
fn snapshot_waits_for_streaming_sources_and_names_the_silent_one() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("logs.toml");
    std::fs::write(
        &config,
        "[[command]]\nname = \"hello\"\nargv = [\"sh\", \"-c\", \"echo hello-from-the-command; sleep 30\"]\n",
    )
    .unwrap();
    let (code, out, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .args(["snapshot", "--format", "json", "--settle", "10s"]));
    assert_eq!(code, 0, "the command answered: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let lines: Vec<&str> = v["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["line"].as_str())
        .collect();
    assert!(
        lines.iter().any(|l| l.contains("hello-from-the-command")),
        "{lines:?}"
    );
    assert_eq!(v["sources"][0]["ok"], true, "{}", v["sources"][0]);

    std::fs::write(
        &config,
        "[[command]]\nname = \"quiet\"\nargv = [\"sleep\", \"30\"]\n",
    )
    .unwrap();
    let started = std::time::Instant::now();
    let (code, _, err) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .args(["snapshot", "--format", "json", "--settle", "300ms"]));
    assert_eq!(code, 0, "a quiet command that started has answered: {err}");
    assert!(
        err.contains("command quiet gave no line within 300ms"),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the settle bounds the wait, the sleeping command does not: {:?}",
        started.elapsed()
    );
}

#[test]
fn snapshot_fails_a_command_that_cannot_start() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("logs.toml");
    std::fs::write(
        &config,
        "[[command]]\nname = \"gone\"\nargv = [\"/nonexistent/onwatch-no-such-program\"]\n",
    )
    .unwrap();
    let (code, out, _) = run(onwatch(home.path())
        .arg("--config")
        .arg(&config)
        .args(["snapshot", "--format", "json", "--settle", "10s"]));
    assert_eq!(code, 2, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["sources"][0]["ok"], false, "{}", v["sources"][0]);
}
