//! The shared test kit: fixtures every test binary builds the same way, defined once. Each
//! binary (and bench, through `#[path]`) uses a part, so what it leaves unused is not a warning.
#![allow(dead_code, unused_imports)]
#![allow(clippy::unwrap_used)] // a fixture that cannot be built is a broken test

pub mod acts;
pub mod alerts;
pub mod amtool;
pub mod binary;
pub mod clients;
pub mod cockpit;
pub mod hostile;
pub mod http;
pub mod logs;
pub mod pty;
pub mod screen;

pub use acts::escalation;
pub use alerts::{alert, alerts_msg, labels, obs, replica, silenced, snapshot, source_msg};
pub use clients::{am_client, http, loki_client, prom_client};
pub use cockpit::Cockpit;
pub use http::{refused_url, serve};
pub use logs::{logs_msg, texts, until};
pub use screen::{render, rows, screen};

use onwatch::app::{Effect, Msg, State, update};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::keymap::Key;

/// The moment every reducer test starts at: 2026-11-22 03:00 UTC, a night shift.
pub fn t0() -> chrono::DateTime<chrono::Utc> {
    at(3, 0, 0)
}

/// A time of day on t0's date, for tests that start earlier or later.
pub fn at(h: u32, m: u32, s: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .with_ymd_and_hms(2026, 11, 22, h, m, s)
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

/// The cockpit's State built from `setup` at t0, as the cockpit builds it.
pub fn state(setup: onwatch::app::state::Setup) -> State {
    State::new(setup, t0())
}

/// A key pressed at t0.
pub fn press(state: &mut State, key: Key) -> Vec<Effect> {
    update(state, Msg::Key(key), &clock())
}

/// Each character typed at t0, in order.
pub fn type_text(state: &mut State, text: &str) {
    for c in text.chars() {
        press(state, Key::char(c));
    }
}

/// The keys that replace the pane's filter with `text`: `/`, the old text erased, `text`, Enter.
pub fn filter_keys(text: &str) -> Vec<Key> {
    use onwatch::domain::keymap::KeyCode;
    let erase = std::iter::repeat_n(Key::plain(KeyCode::Backspace), 80);
    std::iter::once(Key::char('/'))
        .chain(erase)
        .chain(text.chars().map(Key::char))
        .chain(std::iter::once(Key::plain(KeyCode::Enter)))
        .collect()
}
