//! Whole-screen renders on TestBackend of a state built through `update`, plus per-cell styles.
// Helpers outside #[test] fns unwrap fixture values too: a failure there is a broken test.
#![allow(clippy::unwrap_used)]

mod kit;
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use kit::{am, labels, loki, prom, render, rows};
use onwatch::app::line_edit::INPUT_KEYS;
use onwatch::app::msg::{ClusterSnapshot, LogWindow, ReplicaStatus, SloSample};
use onwatch::app::state::{Overlay, Setup};
use onwatch::app::{Action, FixedClock, Key, Keymap, Msg, Payload, State, update};
use onwatch::domain::alerts::{Alert, AmState, Observation, Silence, SilenceState};
use onwatch::domain::health::{SourceError, SourceId};
use onwatch::domain::keymap::KeyCode;
use onwatch::domain::logs::{Level, LogLine};
use onwatch::domain::slo::SloDef;
use onwatch::domain::slo::{SloMeasurement, default_rules, windows_for};
use onwatch::ui::{self, MIN_HEIGHT, MIN_WIDTH, Role, Theme, load_theme};
use ratatui::buffer::Buffer;
use ratatui::style::Modifier;
use std::collections::BTreeMap;
use std::sync::Arc;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 58, 30).unwrap()
}

fn setup(keymap: Keymap) -> Setup {
    let day = std::time::Duration::from_secs(86_400);
    let slo = |name: &str, objective: f64| SloDef {
        name: name.into(),
        source: "prod".into(),
        objective,
        period: 30 * day,
    };
    Setup {
        keymap,
        sources: vec![prom(), am(), loki()],
        slos: vec![
            slo("login-availability", 0.9995),
            slo("checkout-availability", 0.999),
            slo("search-latency", 0.99),
            slo("payments-availability", 0.999),
        ],
        burn_rules: default_rules(),
        dedup_labels: vec!["replica".into(), "prometheus_replica".into()],
        log_max_lines: 1000,
        log_max_bytes: 1 << 20,
        theme_names: ui::BUILTIN_THEMES.iter().map(|s| s.to_string()).collect(),
        local_offset: FixedOffset::east_opt(3600).unwrap(),
        ..kit::setup()
    }
}

/// Error ratios per window label, in the order of `windows_for(default_rules())`:
/// 5m, 30m, 1h, 2h, 6h, 1d, 3d.
fn measurement(ratios: [f64; 7], period: f64) -> SloMeasurement {
    SloMeasurement {
        error_ratios: windows_for(&default_rules())
            .into_iter()
            .zip(ratios)
            .map(|(w, r)| (w, Some(r)))
            .collect(),
        period_ratio: Some(period),
    }
}

fn slo_samples() -> Vec<SloSample> {
    let sample = |name: &str, m: SloMeasurement| SloSample {
        name: name.into(),
        measurement: m,
        error: None,
        ..Default::default()
    };
    vec![
        // 14.4x+ on 1h and 5m: pages; 142% of the budget spent.
        sample(
            "checkout-availability",
            measurement([0.02, 0.018, 0.016, 0.01, 0.005, 0.002, 0.0012], 0.00142),
        ),
        // 3x+ on 1d and 2h: a ticket.
        sample(
            "search-latency",
            measurement([0.02, 0.03, 0.03, 0.04, 0.032, 0.035, 0.02], 0.006),
        ),
        sample(
            "login-availability",
            measurement(
                [0.0001, 0.0001, 0.0001, 0.0002, 0.0001, 0.0001, 0.0001],
                0.0001,
            ),
        ),
        sample(
            "payments-availability",
            SloMeasurement {
                error_ratios: windows_for(&default_rules())
                    .into_iter()
                    .map(|w| (w, None))
                    .collect(),
                period_ratio: None,
            },
        ),
    ]
}

fn alert(pairs: &[(&str, &str)], started_min_ago: i64) -> Alert {
    Alert {
        starts_at: now() - Duration::minutes(started_min_ago),
        updated_at: now() - Duration::seconds(20),
        receivers: vec!["oncall".into()].into(),
        ..kit::alert(pairs, now())
    }
}

fn cluster() -> ClusterSnapshot {
    let obs = |replica: &str, a: Alert| Observation {
        cluster: "prod".into(),
        replica: replica.into(),
        alert: std::sync::Arc::new(a),
    };
    let mut checkout = alert(
        &[
            ("alertname", "HighErrorRate"),
            ("service", "checkout"),
            ("severity", "critical"),
        ],
        18,
    );
    checkout.annotations = Arc::new(
        labels(&[
            ("summary", "checkout 5xx above 2%"),
            ("runbook_url", "https://runbooks.example/high-error-rate"),
        ])
        .into(),
    );
    checkout.generator_url = Some("http://prometheus:9090/graph?g0.expr=x".into());
    let search = alert(
        &[
            ("alertname", "HighErrorRate"),
            ("service", "search"),
            ("severity", "critical"),
        ],
        5,
    );
    let mut acked = alert(
        &[
            ("alertname", "DiskFilling"),
            ("instance", "db-1:9100"),
            ("severity", "warning"),
        ],
        120,
    );
    acked.state = AmState::Suppressed;
    acked.silenced_by = vec!["s-ack".into()];
    let disk2 = alert(
        &[
            ("alertname", "DiskFilling"),
            ("instance", "db-2:9100"),
            ("severity", "warning"),
        ],
        40,
    );
    let crash = alert(
        &[
            ("alertname", "PodCrashLooping"),
            ("namespace", "checkout"),
            ("pod", "api-7f9c"),
            ("severity", "warning"),
        ],
        3,
    );
    ClusterSnapshot {
        replicas: ["am-0", "am-1"]
            .iter()
            .map(|n| ReplicaStatus {
                version: Some("0.28.1".into()),
                ..kit::replica(n, &format!("http://127.0.0.1:9093/{n}"))
            })
            .collect(),
        observations: vec![
            obs("am-0", checkout.clone()),
            obs("am-1", checkout),
            obs("am-0", search),
            obs("am-0", acked.clone()),
            obs("am-1", acked),
            obs("am-0", disk2.clone()),
            obs("am-1", disk2),
            obs("am-1", crash),
        ],
        silences: vec![Silence {
            id: "s-ack".into(),
            matchers: vec![],
            starts_at: now() - Duration::minutes(10),
            ends_at: now() + Duration::minutes(50),
            created_by: "bob".into(),
            comment: "ACK: resizing the volume".into(),
            state: SilenceState::Active,
        }],
    }
}

fn log_window() -> LogWindow {
    let lines = [
        (Level::Info, "GET /api/cart 200 12ms"),
        (Level::Debug, "cache hit ratio=0.93"),
        (Level::Warn, "slow query: SELECT * FROM orders took 1.8s"),
        (Level::Error, "upstream payments timeout after 5s"),
        (Level::Info, "GET /api/checkout 502 5003ms"),
        (Level::Error, "Timeout talking to payments-db:5432"),
        (Level::Info, "retrying payment id=8812 attempt=2"),
        (Level::Unknown, "plain line without a level"),
        (Level::Fatal, "worker 3 crashed: out of memory"),
        (Level::Info, "GET /healthz 200 1ms"),
    ];
    LogWindow {
        first_seq: 0,
        lines: lines
            .iter()
            .enumerate()
            .map(|(i, (level, line))| LogLine {
                timestamp: now() - Duration::seconds(30 - 2 * i as i64),
                source: "prod".into(),
                level: *level,
                line: line.to_string(),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn source(
    id: SourceId,
    generation: u64,
    secs_ago: i64,
    result: Result<Payload, SourceError>,
) -> Msg {
    kit::source_msg(id, generation, now() - Duration::seconds(secs_ago), result)
}

fn key(k: Key) -> Msg {
    Msg::Key(k)
}

/// The realistic state: every source answered, two groups expanded, cursor on DiskFilling.
fn realistic(keymap: Keymap) -> (State, FixedClock) {
    let clock = FixedClock::new(now());
    let mut state = State::new(setup(keymap), now());
    for msg in [
        source(
            prom(),
            1,
            12,
            Ok(Payload::Slo(Arc::new(slo_samples().into()))),
        ),
        source(am(), 1, 3, Ok(Payload::Alerts(Arc::new(cluster())))),
        source(loki(), 1, 1, Ok(Payload::Logs(Arc::new(log_window())))),
        // Expand HighErrorRate, go down to DiskFilling, expand it.
        key(Key::plain(KeyCode::Enter)),
        key(Key::char('j')),
        key(Key::char('j')),
        key(Key::char('j')),
        key(Key::plain(KeyCode::Enter)),
    ] {
        update(&mut state, msg, &clock);
    }
    (state, clock)
}

/// The screen as `TestBackend` prints it (each row quoted), the form the snapshots keep.
fn printed(state: &State, theme: &Theme, w: u16, h: u16) -> String {
    render(state, theme, w, h).backend().to_string()
}

/// Position of the first cell where `needle` starts (counted in cells).
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    for y in 0..buf.area.height {
        let cells: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let n: Vec<String> = needle.chars().map(|c| c.to_string()).collect();
        for x in 0..cells.len().saturating_sub(n.len() - 1) {
            if cells[x..x + n.len()].iter().zip(&n).all(|(a, b)| *a == b) {
                return Some((x as u16, y));
            }
        }
    }
    None
}

#[test]
fn screen_80x24() {
    let (state, _) = realistic(Keymap::default());
    insta::assert_snapshot!(printed(&state, &Theme::default(), 80, 24));
}

#[test]
fn screen_200x50() {
    let (state, _) = realistic(Keymap::default());
    insta::assert_snapshot!(printed(&state, &Theme::default(), 200, 50));
}

#[test]
fn screen_80x24_logs_paused_and_filtered() {
    let (mut state, clock) = realistic(Keymap::default());
    update(&mut state, key(Key::char('3')), &clock);
    for c in "/timeout".chars() {
        update(&mut state, key(Key::char(c)), &clock);
    }
    update(&mut state, key(Key::plain(KeyCode::Enter)), &clock);
    update(&mut state, key(Key::char('k')), &clock);
    assert!(!state.follow);
    insta::assert_snapshot!(printed(&state, &Theme::default(), 80, 24));
    // The match is drawn in the match style, case-insensitively ("Timeout" and "timeout").
    let term = render(&state, &Theme::default(), 80, 24);
    let buf = term.backend().buffer();
    let theme = Theme::default();
    let (x, y) = find(buf, "Timeout").expect("the matching line is shown");
    assert_eq!(buf[(x, y)].fg, theme.style(Role::Match).fg.unwrap());
    assert_eq!(buf[(x, y)].bg, theme.style(Role::Match).bg.unwrap());
}

#[test]
fn input_line_shows_the_filter_being_typed() {
    let (mut state, clock) = realistic(Keymap::default());
    for c in "/disk".chars() {
        update(&mut state, key(Key::char(c)), &clock);
    }
    let s = printed(&state, &Theme::default(), 80, 24);
    let last = s.lines().last().unwrap().to_string();
    assert!(last.starts_with("\"/ disk"), "{last}");
}

fn assert_role(buf: &Buffer, needle: &str, theme: &Theme, role: Role) {
    let (x, y) = find(buf, needle).unwrap_or_else(|| panic!("{needle} not on screen"));
    let want = theme.style(role);
    for i in 0..needle.chars().count() as u16 {
        let cell = &buf[(x + i, y)];
        if let Some(fg) = want.fg {
            assert_eq!(cell.fg, fg, "{needle} fg in {}", theme.name);
        }
        if let Some(bg) = want.bg {
            assert_eq!(cell.bg, bg, "{needle} bg in {}", theme.name);
        }
        assert!(
            cell.modifier.contains(want.add_modifier),
            "{needle} modifiers {:?} lack {:?} in {}",
            cell.modifier,
            want.add_modifier,
            theme.name
        );
    }
}

#[test]
fn severity_and_status_cells_use_their_roles() {
    let (state, _) = realistic(Keymap::default());
    for name in ["default", "high-contrast"] {
        let theme = load_theme(name, None).unwrap();
        assert_ne!(
            theme.style(Role::SeverityCritical),
            theme.style(Role::SeverityWarning)
        );
        for (w, h) in [(80, 24), (200, 50)] {
            let term = render(&state, &theme, w, h);
            let buf = term.backend().buffer();
            assert_role(buf, "CRIT", &theme, Role::SeverityCritical);
            assert_role(buf, "PAGE", &theme, Role::StatusPage);
            assert_role(buf, "TICKET", &theme, Role::StatusTicket);
            assert_role(buf, "NO DATA", &theme, Role::StatusNoData);
        }
    }
    // Every built-in theme, at every colour depth, draws them with its roles.
    for name in ui::BUILTIN_THEMES {
        for depth in [
            ui::ColorDepth::TrueColor,
            ui::ColorDepth::Ansi256,
            ui::ColorDepth::Ansi16,
            ui::ColorDepth::None,
        ] {
            let theme = load_theme(name, None).unwrap().downgraded(depth);
            let term = render(&state, &theme, 80, 24);
            let buf = term.backend().buffer();
            assert_role(buf, "CRIT", &theme, Role::SeverityCritical);
            assert_role(buf, "PAGE", &theme, Role::StatusPage);
        }
    }
    // The default theme tells them apart by colour too (and always by text).
    let d = Theme::default();
    assert_eq!(
        d.style(Role::SeverityCritical).fg,
        Some(ratatui::style::Color::Red)
    );
}

#[test]
fn help_lists_every_action_with_its_live_key() {
    let overrides: BTreeMap<Action, Vec<Key>> =
        [(Action::Ack, vec![Key::char('A')])].into_iter().collect();
    let (mut state, clock) = realistic(Keymap::with_overrides(&overrides).unwrap());
    update(&mut state, key(Key::char('?')), &clock);
    assert_eq!(state.overlay, Some(Overlay::Help));
    let term = render(&state, &Theme::default(), 200, 50);
    let lines = rows(term.backend().buffer());
    for a in Action::ALL {
        let line = lines
            .iter()
            .find(|l| l.contains(a.description()))
            .unwrap_or_else(|| panic!("{a:?} missing from help"));
        let keys = state.keymap.keys_label(*a);
        assert!(line.contains(&format!(" {keys} ")), "{a:?}: {line}");
        assert!(line.contains(a.name()), "{a:?}: {line}");
    }
    // The input lines' keys follow, under their own title.
    let title = lines
        .iter()
        .position(|l| l.contains("in an input line"))
        .expect("the input keys' title");
    assert!(
        lines[title].contains("ctrl-z suspends (fg resumes)"),
        "{}",
        lines[title]
    );
    for (keys, desc) in INPUT_KEYS {
        let at = lines
            .iter()
            .position(|l| l.contains(&format!(" {keys} ")) && l.contains(desc))
            .unwrap_or_else(|| panic!("{keys} missing from help"));
        assert!(at > title, "{keys}");
    }
    let ack = lines
        .iter()
        .find(|l| l.contains(Action::Ack.description()))
        .unwrap();
    assert!(ack.contains("│ A ") && !ack.contains(" a "), "{ack}");
    // The footer hints come from the same keymap.
    update(&mut state, key(Key::plain(KeyCode::Esc)), &clock);
    let s = printed(&state, &Theme::default(), 200, 50);
    let footer = s.lines().last().unwrap();
    assert!(footer.contains(" A ack "), "{footer}");
    assert!(!footer.contains(" a ack "), "{footer}");
}

#[test]
fn help_at_80x24_shows_every_key() {
    let (mut state, clock) = realistic(Keymap::default());
    update(&mut state, key(Key::char('?')), &clock);
    let s = printed(&state, &Theme::default(), 80, 24);
    insta::assert_snapshot!(s);
    for a in Action::ALL {
        assert!(
            s.contains(&format!(" {} ", state.keymap.keys_label(*a))),
            "{a:?}"
        );
    }
    for (keys, desc) in INPUT_KEYS {
        assert!(
            s.contains(&format!(" {keys} ")) && s.contains(desc),
            "{keys}"
        );
    }
}

#[test]
fn alert_detail_and_confirm_quit_overlays() {
    let (mut state, clock) = realistic(Keymap::default());
    // Sorted by severity then age, the oldest HighErrorRate alert is first: open it.
    update(&mut state, key(Key::char('o')), &clock);
    update(&mut state, key(Key::plain(KeyCode::Esc)), &clock);
    update(&mut state, key(Key::char('g')), &clock);
    update(&mut state, key(Key::char('j')), &clock);
    update(&mut state, key(Key::plain(KeyCode::Enter)), &clock);
    assert!(matches!(state.overlay, Some(Overlay::AlertDetail(_))));
    insta::assert_snapshot!(
        "alert_detail_80x24",
        printed(&state, &Theme::default(), 80, 24)
    );
    update(&mut state, key(Key::plain(KeyCode::Esc)), &clock);
    update(&mut state, key(Key::char('q')), &clock);
    assert_eq!(state.overlay, Some(Overlay::ConfirmQuit));
    let s = printed(&state, &Theme::default(), 80, 24);
    assert!(s.contains("A page is active."), "{s}");
    assert!(s.contains("Quit anyway? y/N"), "{s}");
}

#[test]
fn too_small_view_names_both_sizes() {
    let (state, _) = realistic(Keymap::default());
    let s = printed(&state, &Theme::default(), 50, 10);
    assert!(
        s.contains("terminal too small: need 60x16, have 50x10"),
        "{s}"
    );
    let s = printed(&state, &Theme::default(), MIN_WIDTH, MIN_HEIGHT);
    assert!(!s.contains("too small"), "{s}");
    assert!(s.contains("SLO burn") && s.contains("Alerts") && s.contains("Logs"));
}

#[test]
fn tiny_and_odd_sizes_never_panic() {
    let (mut state, clock) = realistic(Keymap::default());
    let theme = Theme::default();
    let overlays = [
        None,
        Some(Overlay::Help),
        Some(Overlay::ConfirmQuit),
        Some(Overlay::AlertDetail(Box::new(
            state.groups[0].alerts[0].clone(),
        ))),
    ];
    for overlay in overlays {
        state.overlay = overlay;
        for (w, h) in [
            (0, 0),
            (1, 1),
            (10, 3),
            (0, 10),
            (10, 0),
            (59, 16),
            (60, 16),
        ] {
            render(&state, &theme, w, h);
        }
        for w in (0..=130).step_by(13) {
            for h in (0..=45).step_by(5) {
                render(&state, &theme, w, h);
            }
        }
    }
    state.overlay = None;
    update(&mut state, key(Key::char(':')), &clock);
    for (w, h) in [(1, 1), (60, 16), (200, 50)] {
        render(&state, &theme, w, h);
    }
}

#[test]
fn a_failed_source_shows_its_error_and_dims_its_data() {
    let (mut state, clock) = realistic(Keymap::default());
    clock.advance(Duration::minutes(3));
    let err = SourceError::Unreachable("connection refused".into());
    update(&mut state, source(prom(), 2, 0, Err(err)), &clock);
    let theme = Theme::default();
    let term = render(&state, &theme, 200, 50);
    let buf = term.backend().buffer();
    let text = rows(buf).join("\n");
    assert!(text.contains("unreachable: connection refused"), "{text}");
    assert!(text.contains("✗"), "{text}");
    // Wide enough: the reason is in the header too.
    assert!(
        rows(buf)[0].contains("✗ prom:prod 3m unreachable: connection refused"),
        "{}",
        rows(buf)[0]
    );
    // The last good rows are still there, in the stale style.
    let stale = theme.style(Role::Stale);
    let (x, y) = find(buf, "checkout-availability").unwrap();
    assert_eq!(buf[(x, y)].fg, stale.fg.unwrap());
    assert!(buf[(x, y)].modifier.contains(Modifier::DIM));
    // Alerts from the healthy Alertmanager are not dimmed.
    let (x, y) = find(buf, "HighErrorRate").unwrap();
    assert!(!buf[(x, y)].modifier.contains(Modifier::DIM));
    insta::assert_snapshot!(printed(&state, &theme, 80, 24));
}

#[test]
fn empty_alerts_say_waiting_then_no_alerts() {
    let clock = FixedClock::new(now());
    let mut state = State::new(setup(Keymap::default()), now());
    let s = printed(&state, &Theme::default(), 80, 24);
    assert!(s.contains("waiting for first poll"), "{s}");
    assert!(s.contains("NO DATA") && !s.contains("0.0%"), "{s}");
    update(
        &mut state,
        source(
            am(),
            1,
            0,
            Ok(Payload::Alerts(Arc::new(ClusterSnapshot::default()))),
        ),
        &clock,
    );
    let s = printed(&state, &Theme::default(), 80, 24);
    assert!(s.contains("no alerts firing"), "{s}");
}

#[test]
fn degraded_cluster_has_its_own_mark() {
    let (mut state, clock) = realistic(Keymap::default());
    let mut snap = cluster();
    snap.replicas[1].error = Some(SourceError::Timeout("5s".into()));
    update(
        &mut state,
        source(am(), 2, 0, Ok(Payload::Alerts(Arc::new(snap)))),
        &clock,
    );
    let s = printed(&state, &Theme::default(), 200, 50);
    assert!(s.contains("◐ am:prod"), "{s}");
    assert!(s.contains("am-1: timed out after 5s"), "{s}");
}

#[test]
fn read_only_and_wall_modes_are_shown() {
    let mut setup = setup(Keymap::default());
    setup.wall = true;
    let state = State::new(setup, now());
    let s = printed(&state, &Theme::default(), 80, 24);
    assert!(
        s.lines().nth(1).unwrap().contains(" WALL · READ-ONLY"),
        "{s}"
    );
    let mut setup = self::setup(Keymap::default());
    setup.read_only = true;
    let state = State::new(setup, now());
    let s = printed(&state, &Theme::default(), 80, 24);
    assert!(s.lines().next().unwrap().contains("READ-ONLY"), "{s}");
    // Mutating keys get no hint in read-only mode.
    assert!(!s.lines().last().unwrap().contains(" ack "), "{s}");
}

#[test]
fn minimum_size_with_a_failed_source() {
    let (mut state, clock) = realistic(Keymap::default());
    let err = SourceError::Unreachable("connection refused by 127.0.0.1:9090".into());
    update(&mut state, source(prom(), 2, 0, Err(err)), &clock);
    let s = printed(&state, &Theme::default(), MIN_WIDTH, MIN_HEIGHT);
    insta::assert_snapshot!(s);
    assert!(s.contains("✗"), "{s}");
    assert!(s.contains("PAGE") && s.contains("CRIT"), "{s}");
}

#[test]
fn dropped_log_lines_are_counted_in_the_title() {
    let clock = FixedClock::new(now());
    let mut setup = setup(Keymap::default());
    setup.log_max_lines = 4;
    let mut state = State::new(setup, now());
    update(
        &mut state,
        source(loki(), 1, 0, Ok(Payload::Logs(Arc::new(log_window())))),
        &clock,
    );
    assert_eq!(state.logs.dropped(), 6);
    let s = printed(&state, &Theme::default(), 80, 24);
    assert!(s.contains("6 dropped"), "{s}");
    assert!(
        s.contains("GET /healthz") && !s.contains("GET /api/cart"),
        "{s}"
    );
}

#[test]
fn control_characters_never_reach_the_buffer() {
    let (mut state, clock) = realistic(Keymap::default());
    let mut window = log_window();
    window.first_seq = 100;
    window.lines[0].line = "evil \x1b]0;pwned\x07 \x1b[2J line".to_string();
    update(
        &mut state,
        source(loki(), 2, 0, Ok(Payload::Logs(Arc::new(window)))),
        &clock,
    );
    state.status = Some("status with \u{1b}[31m escape".into());
    let term = render(&state, &Theme::default(), 200, 50);
    let buf = term.backend().buffer();
    for cell in buf.content() {
        assert!(
            !cell.symbol().chars().any(char::is_control),
            "control character in {:?}",
            cell.symbol()
        );
    }
    assert!(
        rows(buf)
            .join("\n")
            .contains("evil ^[]0;pwned^G ^[[2J line")
    );
}

fn wall_state() -> (State, FixedClock) {
    let (mut state, clock) = realistic(Keymap::default());
    state.wall = true;
    state.read_only = true;
    state.wall_options = onwatch::app::state::WallOptions {
        environment: Some("PROD".into()),
        color: Some("red".into()),
        rotate: None,
    };
    (state, clock)
}

#[test]
fn wall_80x24() {
    let (state, _) = wall_state();
    insta::assert_snapshot!(printed(
        &state,
        &load_theme("high-contrast", None).unwrap(),
        80,
        24
    ));
}

#[test]
fn wall_120x40() {
    let (state, _) = wall_state();
    insta::assert_snapshot!(printed(
        &state,
        &load_theme("high-contrast", None).unwrap(),
        120,
        40
    ));
}

#[test]
fn wall_banner_is_coloured_and_counts_are_big() {
    let (state, _) = wall_state();
    let t = render(&state, &load_theme("high-contrast", None).unwrap(), 120, 40);
    let buf = t.backend().buffer();
    let (x, y) = find(buf, "PROD").unwrap();
    assert_eq!(buf[(x, y)].bg, ratatui::style::Color::Red);
    assert_eq!(
        buf[(0, 0)].fg,
        ratatui::style::Color::Red,
        "a red frame for prod"
    );
    // The realistic state has 2 critical alerts firing; the caption says so, in the critical role.
    let (cx, cy) = find(buf, "2 CRIT firing").unwrap();
    let theme = load_theme("high-contrast", None).unwrap();
    assert_eq!(
        buf[(cx, cy)].fg,
        theme.style(Role::SeverityCritical).fg.unwrap_or_default()
    );
    for name in ["checkout-availability", "search-latency", "PAGE", "TICKET"] {
        assert!(find(buf, name).is_some(), "{name} tile missing");
    }
}

#[test]
fn wall_rotates_between_alerts_and_logs() {
    let (mut state, _) = wall_state();
    state.wall_options.rotate = Some(std::time::Duration::from_secs(30));
    // now() is 03:58:30: period 30 s number 2*... decides; one period later shows the other half.
    let first = onwatch::ui::wall::shows_logs(&state);
    state.now += Duration::seconds(30);
    assert_ne!(onwatch::ui::wall::shows_logs(&state), first);
    let s = printed(&state, &Theme::default(), 120, 40);
    let logs_shown = onwatch::ui::wall::shows_logs(&state);
    assert_eq!(s.contains("Logs [3]"), logs_shown, "{s}");
    assert_eq!(s.contains("Alerts [2]"), !logs_shown, "{s}");
}

#[test]
fn screens_at_120x40_and_250x70_in_both_themes() {
    let (state, _) = realistic(Keymap::default());
    let hc = load_theme("high-contrast", None).unwrap();
    insta::assert_snapshot!(
        "dashboard_120x40",
        printed(&state, &Theme::default(), 120, 40)
    );
    insta::assert_snapshot!(
        "dashboard_250x70",
        printed(&state, &Theme::default(), 250, 70)
    );
    // The same cells in high contrast: the text is identical, the styles differ.
    assert_eq!(
        printed(&state, &hc, 120, 40),
        printed(&state, &Theme::default(), 120, 40)
    );
    let (wall, _) = wall_state();
    insta::assert_snapshot!("wall_250x70", printed(&wall, &hc, 250, 70));
    assert_eq!(
        printed(&wall, &Theme::default(), 250, 70),
        printed(&wall, &hc, 250, 70)
    );
    for (w, h) in [(120, 40), (250, 70)] {
        for theme in [&Theme::default(), &hc] {
            let t = render(&state, theme, w, h);
            assert_role(t.backend().buffer(), "CRIT", theme, Role::SeverityCritical);
            assert_role(t.backend().buffer(), "PAGE", theme, Role::StatusPage);
        }
    }
}

#[test]
fn wall_says_a_refused_key_and_shows_the_command_line() {
    let (mut state, clock) = wall_state();
    update(&mut state, key(Key::char('a')), &clock);
    let theme = load_theme("high-contrast", None).unwrap();
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let s = rows(render(&state, &theme, w, h).backend().buffer());
        // The notice row is the last one inside the frame.
        let notice = &s[h as usize - 2];
        assert!(notice.contains("read-only: ack is disabled"), "{notice}");
    }
    insta::assert_snapshot!("wall_refused_key_80x24", printed(&state, &theme, 80, 24));
    insta::assert_snapshot!("wall_refused_key_120x40", printed(&state, &theme, 120, 40));
    update(&mut state, key(Key::char(':')), &clock);
    for c in "wal".chars() {
        update(&mut state, key(Key::char(c)), &clock);
    }
    let s = rows(render(&state, &theme, 80, 24).backend().buffer());
    assert!(s[22].starts_with("│: wal"), "{}", s[22]);
    assert!(!s[22].contains("read-only"), "{}", s[22]);
}

#[test]
fn empty_panes_say_what_to_configure() {
    let state = State::new(kit::setup(), now());
    let theme = Theme::default();
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let s = rows(render(&state, &theme, w, h).backend().buffer()).join("\n");
        for text in [
            "no SLOs: add a [[prometheus]] and an [[slo]] to the config",
            "no Alertmanager: add an [[alertmanager]] to the config",
            "no log sources",
            "add [[loki]], [[elasticsearch]], [[command]] or [[file]] to the config",
        ] {
            assert!(s.contains(text), "{w}x{h}: {text}\n{s}");
        }
        assert!(!s.contains("waiting for first poll"), "{s}");
    }
    insta::assert_snapshot!("empty_unconfigured_80x24", printed(&state, &theme, 80, 24));
    insta::assert_snapshot!(
        "empty_unconfigured_120x40",
        printed(&state, &theme, 120, 40)
    );
}

#[test]
fn empty_panes_say_nothing_fires_once_the_sources_answered() {
    let clock = FixedClock::new(now());
    let setup = Setup {
        slos: vec![],
        ..setup(Keymap::default())
    };
    let mut state = State::new(setup, now());
    let s = printed(&state, &Theme::default(), 80, 24);
    assert_eq!(s.matches("waiting for first poll").count(), 3, "{s}");
    for msg in [
        source(prom(), 1, 2, Ok(Payload::Slo(Arc::new(Vec::new().into())))),
        source(am(), 1, 2, Ok(Payload::Alerts(Arc::default()))),
        kit::logs_msg(loki(), 1, now(), 0, vec![]),
    ] {
        update(&mut state, msg, &clock);
    }
    let s = printed(&state, &Theme::default(), 120, 40);
    for text in [
        "no SLOs: add an [[slo]] to the config, or discover = true on a [[prometheus]]",
        "no alerts firing",
        "no log lines: the sources answered, nothing logged",
    ] {
        assert!(s.contains(text), "{text}\n{s}");
    }
    insta::assert_snapshot!("empty_answered_120x40", s);
    insta::assert_snapshot!(
        "empty_answered_80x24",
        printed(&state, &Theme::default(), 80, 24)
    );
}

#[test]
fn the_demo_banner_is_cut_before_help_and_quit() {
    let banner = "demo on http://127.0.0.1:41234: simulated incident, seed 42, speed 1x";
    let setup = Setup {
        banner: Some(banner.into()),
        ..setup(Keymap::default())
    };
    let state = State::new(setup, now());
    for (w, h) in [(80u16, 24u16), (120, 40)] {
        let s = rows(render(&state, &Theme::default(), w, h).backend().buffer());
        let footer = &s[h as usize - 1];
        assert!(footer.contains(" ? help "), "{w}x{h}: {footer}");
        assert!(footer.contains("q quit "), "{w}x{h}: {footer}");
        assert!(
            footer.contains("demo on http://127.0.0.1:41234"),
            "{footer}"
        );
    }
    let footer = &rows(render(&state, &Theme::default(), 80, 24).backend().buffer())[23];
    assert!(
        footer.contains('…') && !footer.contains("speed 1x"),
        "{footer}"
    );
    let footer = &rows(
        render(&state, &Theme::default(), 120, 40)
            .backend()
            .buffer(),
    )[39];
    assert!(
        footer.contains(banner),
        "room for all of it at 120: {footer}"
    );
    insta::assert_snapshot!(
        "demo_banner_80x24",
        printed(&state, &Theme::default(), 80, 24)
    );
    insta::assert_snapshot!(
        "demo_banner_120x40",
        printed(&state, &Theme::default(), 120, 40)
    );
}
