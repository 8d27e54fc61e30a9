//! Every source kind against a local replaying server on 127.0.0.1 (`kit::hostile`, never a
//! real Prometheus, Alertmanager, Loki or Elasticsearch) that refuses, tarpits, trickles,
//! echoes the request's credentials into error pages, wrong-typed fields and shown ones, cuts
//! its bodies, nests them 100,000 deep, answers the wrong shape, mixes bad items among good
//! ones, or opens a tail and goes silent. Through the real binary (`snapshot` as JSON and as
//! the screen's text, `check`, `--log-file`, the cockpit in a pty): no form of a secret is
//! shown or logged, each failure is shown within its timeout and a second, good items beside
//! bad ones are shown, and a source recovers within a refresh once the fault clears.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod kit;

use kit::hostile::{
    ECHOED, Fault, GOOD_ALERTS, GOOD_ES_LINES, GOOD_LOKI_LINES, GOOD_TAIL_LINES, Hostile,
};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const TOKEN: &str = "tok/Hostile+5e=Backend";
const USER: &str = "ops";
const PASSWORD: &str = "pa55:w0rd/Hostile";
const TENANT: &str = "tenant-Hostile-2718";
/// Every source's own `timeout` ([general] keeps its 10s default, so this one must be used).
const TIMEOUT: Duration = Duration::from_secs(2);
/// The tail's `idle`: silent that long it pings; unanswered as long again, it fails.
const IDLE: Duration = Duration::from_secs(1);
/// Starting the binary, reading the config and the secrets, and exiting, on a loaded 2-core
/// machine: the process's own cost on top of the bound a source's failure must keep.
const PROCESS_START: Duration = Duration::from_secs(3);
/// The bound of any one failure: its timeout and a second.
const SHOWN_WITHIN: Duration = Duration::from_secs(TIMEOUT.as_secs() + 1);

/// Every form of every secret, and their common word: a part of one is a leak too.
fn forbidden() -> Vec<String> {
    let plain = [TOKEN, PASSWORD, TENANT, &format!("{USER}:{PASSWORD}")].map(String::from);
    let mut out = kit::hostile::forms(&plain);
    out.push("Hostile".into());
    out
}

#[track_caller]
fn assert_clean(text: &str, what: &str) {
    kit::hostile::assert_none_of(&forbidden(), text, what);
}

/// A config with one source of each kind (and a tailed Loki) at `base`, each with a credential
/// (the token and the password from files) and the tenant header, each with its own timeout;
/// an SLO on the Prometheus (9 queries a poll, 4 at a time).
fn config(base: &str, dir: &Path) -> PathBuf {
    let secret = |name: &str, value: &str| {
        let path = dir.join(name);
        std::fs::write(&path, format!("{value}\n")).unwrap();
        path.display().to_string()
    };
    let bearer = format!("bearer_token = {{ file = {:?} }}", secret("token", TOKEN));
    let basic = format!(
        "basic_auth = {{ username = \"{USER}\", password = {{ file = {:?} }} }}",
        secret("password", PASSWORD)
    );
    let common = format!(
        "timeout = \"{}s\"\nheaders = {{ \"X-Scope-OrgID\" = \"{TENANT}\" }}",
        TIMEOUT.as_secs()
    );
    let text = format!(
        "[general]\nuser = \"tester\"\nrefresh = \"1s\"\n\n\
         [[prometheus]]\nname = \"prom\"\nurl = \"{base}\"\n{bearer}\n{common}\n\n\
         [[alertmanager]]\nname = \"am\"\nurls = [\"{base}\"]\n{basic}\n{common}\n\n\
         [[loki]]\nname = \"loki\"\nurl = \"{base}\"\nquery = '{{app=\"api\"}}'\n{bearer}\n{common}\n\n\
         [[loki]]\nname = \"tail\"\nurl = \"{base}\"\nquery = '{{app=\"api\"}}'\nmode = \"tail\"\nidle = \"{}s\"\n{basic}\n{common}\n\n\
         [[elasticsearch]]\nname = \"es\"\nurl = \"{base}\"\nindex = \"{}\"\n{basic}\n{common}\n\n\
         [[slo]]\nname = \"checkout\"\nsource = \"prom\"\nobjective = 99.9\n\
         error_query = 'sum(rate(errors[$window]))'\ntotal_query = 'sum(rate(total[$window]))'\n",
        IDLE.as_secs(),
        kit::hostile::INDEX
    );
    let path = dir.join("onwatch.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// One command of the binary: what it printed and how long it ran.
struct Ran {
    code: i32,
    out: String,
    err: String,
    took: Duration,
}

fn run(home: &Path, config: &Path, log: &Path, args: &[&str]) -> Ran {
    let started = Instant::now();
    let (code, out, err) = kit::binary::run(
        kit::binary::onwatch(home)
            .arg("--config")
            .arg(config)
            .arg("--log-file")
            .arg(log)
            .args(args),
    );
    Ran {
        code,
        out,
        err,
        took: started.elapsed(),
    }
}

/// A fault as the binary shows it: the snapshot's JSON, its sources by name, and `check`'s
/// table, each already checked for secrets (stdout, stderr, the log file).
struct Seen {
    fault: Fault,
    snapshot: Ran,
    /// The screen `snapshot --format text` drew.
    text: Ran,
    logged: String,
    json: Value,
    sources: BTreeMap<String, Value>,
    check: Ran,
}

impl Seen {
    fn source(&self, name: &str) -> &Value {
        self.sources
            .get(name)
            .unwrap_or_else(|| panic!("{:?}: no source {name}: {}", self.fault, self.json))
    }

    fn error(&self, name: &str) -> String {
        let s = self.source(name);
        assert_eq!(
            s["ok"], false,
            "{:?}: {name} is not failed: {s}",
            self.fault
        );
        s["error"].as_str().unwrap_or_default().to_string()
    }

    /// `check`'s row of `kind` (the tail is probed as the `tail` Loki).
    fn check_row(&self, kind: &str, name: &str) -> String {
        self.check
            .out
            .lines()
            .find(|l| {
                let mut cols = l.split_whitespace();
                cols.next() == Some(kind) && cols.next() == Some(name)
            })
            .unwrap_or_else(|| {
                panic!(
                    "{:?}: no check row {kind} {name}:\n{}",
                    self.fault, self.check.out
                )
            })
            .to_string()
    }
}

/// `snapshot --format json`, `snapshot --format text` (the screen) and `check` against a server
/// with `fault`, each bounded by `within` plus the process start, nothing of a secret in what
/// any printed or logged.
fn exercise(fault: Fault, within: Duration) -> Seen {
    let server = Hostile::start(fault);
    let home = tempfile::tempdir().unwrap();
    let config = config(&server.url, home.path());
    let log = home.path().join("onwatch.log");
    // A settle far past every bound: a tail that hung would show as a snapshot over its bound.
    let snapshot = run(
        home.path(),
        &config,
        &log,
        &["snapshot", "--format", "json", "--settle", "20s"],
    );
    let text = run(
        home.path(),
        &config,
        &log,
        &[
            "snapshot", "--format", "text", "--size", "220x60", "--settle", "20s",
        ],
    );
    let check = run(home.path(), &config, &log, &["check"]);
    for (what, ran) in [
        ("snapshot", &snapshot),
        ("the screen", &text),
        ("check", &check),
    ] {
        assert_clean(&ran.out, &format!("{fault:?}: {what}'s stdout"));
        assert_clean(&ran.err, &format!("{fault:?}: {what}'s stderr"));
        assert!(
            ran.took <= within + PROCESS_START,
            "{fault:?}: {what} took {:?}, over {within:?} + {PROCESS_START:?}:\n{}\n{}",
            ran.took,
            ran.out,
            ran.err
        );
    }
    let logged = std::fs::read_to_string(&log).unwrap_or_default();
    assert_clean(&logged, &format!("{fault:?}: the log file"));
    let json: Value = serde_json::from_str(&snapshot.out)
        .unwrap_or_else(|e| panic!("{fault:?}: snapshot is not JSON ({e}):\n{}", snapshot.out));
    let sources = json["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s.clone()))
        .collect();
    eprintln!(
        "{fault:?}: snapshot {:?} (exit {}), text {:?}, check {:?} (exit {})",
        snapshot.took, snapshot.code, text.took, check.took, check.code
    );
    Seen {
        fault,
        snapshot,
        text,
        logged,
        json,
        sources,
        check,
    }
}

/// Each fault on its own server, all at once (the waits overlap, the CPU is barely used).
fn exercise_all(faults: &[Fault], within: Duration) -> Vec<Seen> {
    let runs: Vec<_> = faults
        .iter()
        .map(|&f| std::thread::spawn(move || exercise(f, within)))
        .collect();
    runs.into_iter().map(|r| r.join().unwrap()).collect()
}

/// Every source failed with an error saying `gist` (one per source), both commands exited
/// non-zero, every `check` row of a polled source FAILED.
#[track_caller]
fn assert_all_failed(seen: &Seen, gist: impl Fn(&str) -> Vec<&'static str>) {
    let f = seen.fault;
    assert_eq!(
        seen.snapshot.code, 2,
        "{f:?}: snapshot exits 2 when sources failed"
    );
    assert_eq!(
        seen.check.code, 1,
        "{f:?}: check fails:\n{}",
        seen.check.out
    );
    for name in seen.sources.keys() {
        let error = seen.error(name);
        assert!(
            gist(name).iter().any(|g| error.contains(g)),
            "{f:?}: {name} says {error:?}, not one of {:?}",
            gist(name)
        );
    }
    for (kind, name) in [
        ("prometheus", "prom"),
        ("alertmanager", "am"),
        ("loki", "loki"),
        ("loki", "tail"),
        ("elasticsearch", "es"),
    ] {
        let row = seen.check_row(kind, name);
        assert!(row.contains("FAILED"), "{f:?}: {row}");
    }
    assert_eq!(seen.text.code, 2, "{f:?}: {}", seen.text.out);
    // Each pane's title names its failed sources (the logs pane's first: long errors cut it).
    let titled = ["prom", "am", "loki"];
    for name in seen.sources.keys().filter(|n| titled.contains(&n.as_str())) {
        let mark = format!("✗ {name}: ");
        assert!(
            seen.text.out.contains(&mark),
            "{f:?}: no {mark}:\n{}",
            seen.text.out
        );
    }
    // The failures were logged (masked), or the log file's check proved nothing.
    let logged = &seen.logged;
    assert!(
        logged.contains("snapshot: poll failed") && logged.contains("check: probe failed"),
        "{f:?}: {logged}"
    );
}

#[test]
fn refused_tarpitted_and_trickling_backends_fail_in_time_against_a_local_replaying_server() {
    let seen = exercise_all(
        &[Fault::Refuse, Fault::TarpitHeaders, Fault::TrickleBody],
        SHOWN_WITHIN,
    );
    for s in &seen {
        let timed_out = vec!["timed out after 2s"];
        match s.fault {
            Fault::Refuse => assert_all_failed(s, |_| vec!["unreachable"]),
            // The tail's trickled frame never completes: its ping goes unanswered.
            Fault::TrickleBody => assert_all_failed(s, |n| {
                if n == "tail" {
                    vec!["no data for 2s"]
                } else {
                    timed_out.clone()
                }
            }),
            _ => assert_all_failed(s, |_| timed_out.clone()),
        }
        let check = &s.check.out;
        assert!(
            check.contains("timed out after 2s") || s.fault == Fault::Refuse,
            "{check}"
        );
    }
}

#[test]
fn echoing_error_pages_show_their_status_masked_against_a_local_replaying_server() {
    let statuses = [401, 403, 429, 500];
    let seen = exercise_all(&statuses.map(Fault::EchoStatus), SHOWN_WITHIN);
    for (s, status) in seen.iter().zip(statuses) {
        let http = format!("HTTP {status}");
        let gist: &'static str = Box::leak(http.clone().into_boxed_str());
        assert_all_failed(s, |_| vec![gist]);
        assert!(
            s.snapshot.out.contains("***") && s.check.out.contains("***"),
            "{status}: the echoed credentials were shown, masked:\n{}\n{}",
            s.snapshot.out,
            s.check.out
        );
        assert!(s.check.out.contains(&http), "{}", s.check.out);
    }
}

#[test]
fn wrong_typed_cut_nested_and_misshapen_answers_fail_by_name_against_a_local_replaying_server() {
    let faults = [
        Fault::EchoIntoWrongField,
        Fault::Truncated,
        Fault::DeeplyNested,
        Fault::WrongShape,
    ];
    for mut s in exercise_all(&faults, SHOWN_WITHIN) {
        if s.fault == Fault::EchoIntoWrongField {
            // A tail message whose stream is the echo costs that stream: counted in the pane,
            // the tail still open (its check, a query_range, fails).
            let tail = s.source("tail");
            assert_eq!(tail["ok"], true, "{tail}");
            let noted = s.json["logs"].as_array().unwrap().iter().any(|l| {
                l["source"] == "tail"
                    && l["line"]
                        .as_str()
                        .unwrap()
                        .starts_with("onwatch: 1 log entry unreadable")
            });
            assert!(noted, "{}", s.json);
            s.sources.remove("tail");
        }
        if s.fault == Fault::DeeplyNested {
            // Alertmanager's lists are read item by item: the nested one is one item, left out
            // and counted, the replica still answering.
            let am = s.source("am");
            assert_eq!(am["ok"], true, "{am}");
            let notes = am["degraded"].to_string();
            assert!(notes.contains("1 alert unreadable: wrong type"), "{notes}");
            s.sources.remove("am");
        }
        match s.fault {
            // The tail's poll (a query_range) or its half frame, whichever came last.
            Fault::Truncated => assert_all_failed(&s, |_| {
                vec!["body cut short", "truncated JSON", "unreachable"]
            }),
            _ => assert_all_failed(&s, |_| vec!["bad response", "expected"]),
        }
    }
}

#[test]
fn good_items_beside_bad_ones_are_shown_and_the_bad_counted_against_a_local_replaying_server() {
    let seen = exercise_all(&[Fault::Healthy, Fault::BadItemsAmongGood], SHOWN_WITHIN);
    for s in &seen {
        let f = s.fault;
        let text = s.json.to_string();
        assert_eq!(
            s.snapshot.code, 0,
            "{f:?}: every source answered:\n{text}\n{}",
            s.snapshot.err
        );
        assert_eq!(s.check.code, 0, "{f:?}:\n{}", s.check.out);
        for name in ["prom", "am", "loki", "tail", "es"] {
            assert_eq!(
                s.source(name)["ok"],
                true,
                "{f:?}: {name}: {}",
                s.source(name)
            );
        }
        for item in GOOD_ALERTS
            .iter()
            .chain(&GOOD_LOKI_LINES)
            .chain(&GOOD_ES_LINES)
        {
            assert!(text.contains(item), "{f:?}: {item} is not shown:\n{text}");
        }
        // The tail is read by its tail alone (no query_range as well: its lines would come
        // twice); the polled Loki by its query.
        let lines_of = |source: &str| -> Vec<String> {
            s.json["logs"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["source"] == source)
                .map(|l| l["line"].as_str().unwrap().to_string())
                .collect()
        };
        for (source, good) in [("loki", &GOOD_LOKI_LINES), ("tail", &GOOD_TAIL_LINES)] {
            let lines = lines_of(source);
            assert!(
                good.iter().all(|g| lines.iter().any(|l| l == g)),
                "{f:?}: {source}: {lines:?}"
            );
            // Notes onwatch adds ("onwatch: 1 log entry unreadable") are not backend lines.
            let from_backend = lines.iter().filter(|l| !l.starts_with("onwatch: ")).count();
            assert_eq!(
                from_backend,
                good.len(),
                "{f:?}: {source}, once each: {lines:?}"
            );
        }
        assert!(!text.contains("BadStartsAt"), "{text}");
        let slo = &s.json["slos"][0];
        assert_eq!(slo["error"], Value::Null, "{f:?}: {slo}");
        // Every query answers 0.001 against an objective of 99.9%: a burn of 1.
        let burn = slo["burn_rates"]["1h"].as_f64().unwrap();
        assert!((burn - 1.0).abs() < 1e-6, "{f:?}: {slo}");
        let alerts: usize = s.json["alert_groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["alerts"].as_array().map_or(0, Vec::len))
            .sum();
        assert_eq!(alerts, 2, "{f:?}: {text}");
        let notes = |name: &str| s.source(name)["degraded"].to_string();
        if f == Fault::BadItemsAmongGood {
            let loki = notes("loki");
            assert!(
                loki.contains("1 log entry unreadable: not [time, line]"),
                "{loki}"
            );
            let es = notes("es");
            assert!(
                es.contains("1 search hit unreadable: not an object"),
                "{es}"
            );
            // The screen says it too, in the alerts pane's title.
            assert!(s.text.out.contains("◐ am <1m degraded: "), "{}", s.text.out);
            assert!(
                notes("am").contains("1 alert unreadable: bad startsAt"),
                "{}",
                notes("am")
            );
            let check = &s.check.out;
            assert!(
                check.contains("1 alert unreadable: bad startsAt"),
                "{check}"
            );
            assert!(
                check.contains("1 rule unreadable: group missing name"),
                "{check}"
            );
            assert!(check.contains("1 log entry unreadable"), "{check}");
        } else {
            assert_eq!(notes("am"), "[]", "{text}");
        }
    }
}

#[test]
fn echoes_where_data_is_shown_are_masked_against_a_local_replaying_server() {
    let s = exercise(Fault::EchoIntoShownFields, SHOWN_WITHIN);
    let text = s.json.to_string();
    assert_eq!(s.snapshot.code, 0, "{text}\n{}", s.snapshot.err);
    assert_eq!(s.check.code, 0, "{}", s.check.out);
    // The echo reached an alert's annotation and label and a line of each log source, masked.
    let echoed = s.json["alert_groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["alerts"].as_array().unwrap())
        .find(|a| a["labels"]["alertname"] == ECHOED)
        .unwrap_or_else(|| panic!("no {ECHOED}: {text}"));
    for shown in [&echoed["annotations"]["summary"], &echoed["labels"]["sent"]] {
        let shown = shown.as_str().unwrap();
        assert!(
            shown.contains("authorization: ") && shown.contains("***"),
            "{shown}"
        );
    }
    for source in ["loki", "tail", "es"] {
        let masked = s.json["logs"].as_array().unwrap().iter().any(|l| {
            let line = l["line"].as_str().unwrap();
            l["source"] == source && line.contains("authorization: ") && line.contains("***")
        });
        assert!(masked, "{source}: no echoed line: {text}");
    }
    assert!(s.text.out.contains(ECHOED), "{}", s.text.out);
    // `check` prints the versions and the cluster the backends name: the echo, masked.
    for (kind, name) in [("prometheus", "prom"), ("alertmanager", "am")] {
        let row = s.check_row(kind, name);
        assert!(row.contains(" ok ") && row.contains("***"), "{row}");
    }
}

#[test]
fn a_loki_tail_whose_stream_goes_silent_fails_in_time_against_a_local_replaying_server() {
    // Open, then silent: a ping after IDLE, unanswered for IDLE again.
    let within = IDLE * 2 + Duration::from_secs(1);
    let s = exercise(Fault::SilentStream, within);
    let error = s.error("tail");
    assert!(
        error.contains("no data for 2s (a ping went unanswered)"),
        "{error}"
    );
    for name in ["prom", "am", "loki", "es"] {
        assert_eq!(s.source(name)["ok"], true, "{name}: {}", s.source(name));
    }
}

/// The general refresh of `config`: a recovered source is shown within it and its timeout.
const REFRESH: Duration = Duration::from_secs(1);
/// Between a poll's answer and the frame that shows it, on a loaded machine.
const DRAWN_WITHIN: Duration = Duration::from_secs(1);

#[test]
fn the_cockpit_shows_each_failure_then_recovers_within_a_refresh_against_a_local_replaying_server()
{
    let server = Hostile::start(Fault::TarpitHeaders);
    let home = tempfile::tempdir().unwrap();
    let config = config(&server.url, home.path());
    let log = home.path().join("onwatch.log");
    let (config, log_arg) = (config.to_str().unwrap(), log.to_str().unwrap());
    let started = Instant::now();
    let mut s =
        kit::pty::Session::start_sized(&["--config", config, "--log-file", log_arg], 200, 50);
    let failed = [
        "✗ prom:prom",
        "✗ am:am",
        "✗ loki:loki",
        "✗ loki:tail",
        "✗ es:es",
    ];
    s.wait_for_screen(&failed);
    let took = started.elapsed();
    eprintln!("tarpit: every source shown failed {took:?} after start");
    assert!(took <= SHOWN_WITHIN + PROCESS_START, "{took:?}");
    assert_clean(&s.screen(), "the screen, tarpitted");
    // Held until the tail failed four times in a row: its reconnect backoff has grown.
    kit::pty::eventually("four tail connections", || {
        (server.tail_connections() >= 4).then_some(())
    });
    server.set(Fault::Healthy);
    let cleared = Instant::now();
    let good = [
        "● prom:prom",
        "● am:am",
        "● es:es",
        GOOD_ALERTS[0],
        GOOD_ALERTS[1],
        GOOD_LOKI_LINES[1],
        GOOD_ES_LINES[1],
    ];
    s.wait_for_screen(&good);
    let polled = cleared.elapsed();
    s.wait_for_screen(&["● loki:tail", GOOD_TAIL_LINES[1]]);
    let tailed = cleared.elapsed();
    eprintln!("recovery: the polled sources in {polled:?}, the tail in {tailed:?}");
    let bound = REFRESH + TIMEOUT + DRAWN_WITHIN;
    assert!(polled <= bound, "polled sources recovered in {polled:?}");
    assert!(tailed <= bound, "the tail recovered in {tailed:?}");
    assert_clean(&s.screen(), "the screen, recovered");
    // Healthy answers carrying the echoed credentials where they are shown: masked on screen.
    server.set(Fault::EchoIntoShownFields);
    s.wait_for_screen(&[ECHOED, "authorization: "]);
    assert_clean(&s.screen(), "the screen, echoes in shown fields");
    // An echoing 401 on a running cockpit: shown at the next poll, masked.
    server.set(Fault::EchoStatus(401));
    let echoed = Instant::now();
    s.wait_for_screen(&["✗ prom:prom", "✗ am:am", "✗ loki:loki", "✗ es:es"]);
    let took = echoed.elapsed();
    eprintln!("401: the polled sources shown failed {took:?} after the fault");
    assert!(took <= REFRESH + DRAWN_WITHIN, "{took:?}");
    let screen = s.screen();
    assert!(screen.contains("HTTP 401"), "{screen}");
    assert_clean(&screen, "the screen, echoed 401");
    assert_clean(&s.text(), "everything written to the terminal");
    // The good alerts are critical pages: quitting asks first.
    s.send(b"q");
    s.wait_for_screen(&["Quit anyway"]);
    s.send(b"y");
    assert!(s.wait_exit().success());
    kit::pty::assert_restored(&s.text());
    let logged = std::fs::read_to_string(&log).unwrap();
    assert_clean(&logged, "the cockpit's log file");
}
