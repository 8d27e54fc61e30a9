//! The shared test kit: fixtures every test binary builds the same way, defined once. Each
//! binary uses a part, so what it leaves unused is not a warning.
#![allow(dead_code)]

use onwatch::domain::alerts::Labels;
use onwatch::domain::health::{SourceId, SourceKind};

/// A label set from pairs: `labels(&[("alertname", "X"), ("severity", "critical")])`.
pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// The moment every reducer test starts at: 2026-11-22 03:00 UTC, a night shift.
pub fn t0() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .expect("a valid time")
}

/// A clock standing at `t0`, moved only by the test.
pub fn clock() -> onwatch::app::FixedClock {
    onwatch::app::FixedClock::new(t0())
}

/// The `prod` sources most tests configure, one of each kind they poll.
pub fn prom() -> SourceId {
    SourceId::new(SourceKind::Prometheus, "prod")
}

pub fn am() -> SourceId {
    SourceId::new(SourceKind::Alertmanager, "prod")
}

pub fn loki() -> SourceId {
    SourceId::new(SourceKind::Loki, "prod")
}

/// The cockpit's starting setup as most tests want it: `alice`, default keys, grouped by
/// `alertname`, no sources, no SLOs, no dedup labels, a small log buffer, the default theme,
/// UTC. A test names only what it changes: `Setup { sources: vec![am()], ..kit::setup() }`.
pub fn setup() -> onwatch::app::state::Setup {
    onwatch::app::state::Setup {
        user: "alice".into(),
        read_only: false,
        wall: false,
        keymap: onwatch::domain::keymap::Keymap::default(),
        sources: vec![],
        slos: vec![],
        burn_rules: vec![],
        group_by: vec!["alertname".into()],
        dedup_labels: vec![],
        log_max_lines: 100,
        log_max_bytes: 1 << 16,
        theme_names: vec!["default".into()],
        theme_index: 0,
        local_offset: chrono::Offset::fix(&chrono::Utc),
        ..Default::default()
    }
}
