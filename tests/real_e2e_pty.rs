//! End to end in a real pseudo-terminal: `onwatch demo` starts, draws its three panes with data
//! from the simulator, and leaves the terminal exactly as it found it on `q` and on SIGHUP.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod am_support;
mod kit;

use am_support::{AmPair, prom_alert};
use chrono::Utc;
use kit::pty::{DEADLINE, Session, assert_restored};
use std::time::{Duration, Instant};

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
    let urls: Vec<String> = am.replicas.iter().map(|r| r.url()).collect();
    let (_dir, path) = kit::pty::cockpit_config(&urls, "");
    let mut s = Session::start(&["--config", &path]);
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
