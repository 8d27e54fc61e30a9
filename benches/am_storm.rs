//! An alert storm measured the way a user meets it: the release binary's `onwatch snapshot`
//! (both replicas of a real two-replica Alertmanager 0.25, alerts and silences, parsed,
//! de-duplicated, grouped and printed) against `curl` fetching the same four endpoints in
//! parallel and `amtool alert query`, interleaved run by run, each process timed whole by
//! `/usr/bin/time` (wall seconds and peak RSS).
//!
//! Alerts are seeded as an HA Prometheus pair sends them: every alert twice, once per
//! Prometheus replica (`replica` label), to both Alertmanagers; one alert name in ten is
//! silenced.
//!
//! Run: `cargo bench --bench am_storm` (needs `.ci/install`), with `STORM_ALERTS=50000` for
//! another size (default 10000), `STORM_RUNS` (default 5), `STORM_FORMAT=text` for the text
//! snapshot, `STORM_BASELINE=path/to/onwatch` to time another build in the same run, and
//! `STORM_HOLD=1` to keep the pair up after the table and print the commands (each
//! Alertmanager lives 15 minutes unless `AM_LIFETIME_SECS` says otherwise),
//! for timing them with another tool until stdin closes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measurement harness: failures are fatal

#[path = "../tests/am_support/mod.rs"]
mod am_support;
#[path = "../tests/kit/mod.rs"]
mod kit;

use std::path::Path;
use std::process::Command;

const QUERY: &str = "api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One whole-process run under `/usr/bin/time`: wall seconds and peak RSS in MiB.
fn timed(argv: &[String], out: &Path) -> (f64, f64) {
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%e %M", "-o"])
        .arg(out)
        .args(argv)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("/usr/bin/time runs");
    // Every source answers here: any other exit is a broken run, not a figure.
    assert_eq!(status.code(), Some(0), "{argv:?} failed: {status}");
    let text = std::fs::read_to_string(out).unwrap();
    let mut fields = text.split_whitespace();
    let wall: f64 = fields.next().unwrap().parse().unwrap();
    let kib: f64 = fields.next().unwrap().parse().unwrap();
    (wall, kib / 1024.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"am_storm".contains(&a))
    {
        return;
    }
    let n = env_or("STORM_ALERTS", 10_000);
    let runs = env_or("STORM_RUNS", 5);
    let format = std::env::var("STORM_FORMAT").unwrap_or_else(|_| "json".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let pair = rt.block_on(am_support::AmPair::start());
    rt.block_on(seed(&pair, n));
    let urls: Vec<String> = pair.replicas.iter().map(|r| r.url()).collect();

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("storm.toml");
    std::fs::write(
        &config,
        format!(
            "[general]\ntimeout = \"300s\"\n{}\n[[alertmanager]]\nname = \"prod\"\nurls = [{}]\n",
            // Past about 100,000 alerts an answer outgrows the default 64 MiB cap: a user with
            // such storms raises it, as the bench does.
            if n > 50_000 {
                "max_response = \"4GiB\"\n"
            } else {
                ""
            },
            urls.iter()
                .map(|u| format!("\"{u}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
    .unwrap();
    let snapshot = |bin: &str| {
        vec![
            bin.to_string(),
            "--config".into(),
            config.display().to_string(),
            "snapshot".into(),
            "--format".into(),
            format.clone(),
        ]
    };
    let onwatch = snapshot(env!("CARGO_BIN_EXE_onwatch"));
    // Another build of onwatch (an earlier commit's) in the same interleaved run.
    let baseline = std::env::var("STORM_BASELINE").ok().map(|b| snapshot(&b));
    let mut curl = vec!["curl".to_string(), "-sf".into(), "--parallel".into()];
    for u in &urls {
        for path in [QUERY, "api/v2/silences"] {
            curl.extend(["-o".into(), "/dev/null".into(), format!("{u}/{path}")]);
        }
    }
    let amtool = vec![
        "amtool".to_string(),
        format!("--alertmanager.url={}", urls[0]),
        "alert".into(),
        "query".into(),
        "-a".into(),
        "-s".into(),
        "-i".into(),
        "-o".into(),
        "json".into(),
    ];
    let mut commands = vec![
        ("onwatch", &onwatch),
        ("curl x4", &curl),
        ("amtool", &amtool),
    ];
    if let Some(b) = &baseline {
        commands.push(("baseline", b));
    }
    let out = home.path().join("time.txt");
    let mut figures: Vec<(Vec<f64>, Vec<f64>)> = vec![(vec![], vec![]); commands.len()];
    for run in 0..=runs {
        for (i, (_, argv)) in commands.iter().enumerate() {
            let (wall, rss) = timed(&isolated(argv, home.path()), &out);
            if run > 0 {
                // run 0 warms every path (the server's first serialisation, the page cache)
                figures[i].0.push(wall);
                figures[i].1.push(rss);
            }
        }
    }
    println!(
        "{n} alerts (x2 HA copies) on 2 replicas, snapshot --format {format}, medians of {runs} interleaved runs"
    );
    println!(
        "{:<10} {:>8} {:>10} {:>10}",
        "command", "wall s", "peak MiB", "vs curl"
    );
    let curl_wall = median(figures[1].0.clone());
    for ((name, _), (walls, rss)) in commands.iter().zip(&figures) {
        let wall = median(walls.clone());
        println!(
            "{name:<10} {wall:>8.3} {:>10.1} {:>9.2}x",
            median(rss.clone()),
            wall / curl_wall
        );
    }
    if std::env::var("STORM_HOLD").is_ok() {
        println!("\nholding the pair; close stdin to stop. Commands:");
        for (name, argv) in &commands {
            println!("{name}: {}", argv.join(" "));
        }
        println!("(onwatch with XDG_STATE_HOME={})", home.path().display());
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
    }
}

/// `env` in front, so the measured onwatch reads and writes only the bench's home.
fn isolated(argv: &[String], home: &Path) -> Vec<String> {
    let mut v = vec![
        "env".to_string(),
        format!("HOME={}", home.display()),
        format!("XDG_STATE_HOME={}", home.join("state").display()),
        format!("XDG_CONFIG_HOME={}", home.join("config").display()),
    ];
    v.extend(argv.iter().cloned());
    v
}

async fn seed(pair: &am_support::AmPair, n: usize) {
    let posted = am_support::storm(n, &["prom-a", "prom-b"]);
    pair.post_alerts(&posted).await;
    for i in 0..5 {
        pair.silence(
            &[("alertname", &format!("Alert{i}"))],
            "bench",
            "maintenance window",
        )
        .await;
    }
    // Counted with a client whose cap fits any storm (the snapshot's own is configured below).
    let http = kit::http(std::time::Duration::from_secs(300)).with_max_body(u64::MAX);
    let client =
        onwatch::sources::alertmanager::AlertmanagerClient::new(&pair.replicas[0].url(), http)
            .unwrap();
    let got = client.alerts().await.unwrap();
    assert_eq!(got.len(), 2 * n, "every alert seeded");
}
