//! The reducer driven by `Msg` sequences with a fixed clock: no terminal, no network.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
mod kit;
use kit::{am, clock, loki, prom};
use onwatch::app::msg::{ClusterSnapshot, LogWindow, ReplicaStatus, SloSample};
use onwatch::app::state::{Overlay, Pane};
use onwatch::app::{Clock, Effect, FixedClock, Msg, Payload, State, update};
use onwatch::domain::alerts::{Alert, Observation, Silence, SilenceState};
use onwatch::domain::health::{SourceError, SourceId};
use onwatch::domain::keymap::{Key, KeyCode};
use onwatch::domain::logs::{Level, LogLine};
use onwatch::domain::slo::SloDef;
use onwatch::domain::slo::{self, SloMeasurement, SloStatus};
use std::sync::Arc;
use std::time::Duration;

fn state(read_only: bool) -> State {
    let setup = onwatch::app::state::Setup {
        read_only,
        sources: vec![prom(), am(), loki()],
        slos: vec![SloDef {
            name: "checkout".into(),
            source: "prod".into(),
            objective: 0.999,
            period: Duration::from_secs(30 * 86_400),
        }],
        burn_rules: slo::default_rules(),
        dedup_labels: vec!["replica".into()],
        log_max_lines: 3,
        log_max_bytes: 1 << 20,
        theme_names: vec!["default".into(), "mono".into()],
        ..kit::setup()
    };
    kit::state(setup)
}

fn source(
    id: SourceId,
    generation: u64,
    result: Result<Payload, SourceError>,
    c: &FixedClock,
) -> Msg {
    kit::source_msg(id, generation, c.now(), result)
}

fn slo_payload(ratio: f64) -> Payload {
    let windows = slo::windows_for(&slo::default_rules());
    Payload::Slo(Arc::new(
        vec![SloSample {
            name: "checkout".into(),
            measurement: SloMeasurement {
                error_ratios: windows.iter().map(|w| (*w, Some(ratio))).collect(),
                period_ratio: Some(ratio / 10.0),
            },
            error: None,
            ..Default::default()
        }]
        .into(),
    ))
}

fn alert(
    name: &str,
    severity: &str,
    replica: &str,
    silenced_by: &[&str],
    c: &FixedClock,
) -> Observation {
    let pairs = [
        ("alertname", name),
        ("severity", severity),
        ("replica", replica),
    ];
    let alert = Alert {
        starts_at: c.now() - chrono::Duration::minutes(10),
        ..kit::alert(&pairs, c.now())
    };
    kit::obs("prod", "am-0", kit::silenced(alert, silenced_by))
}

fn alerts_payload(observations: Vec<Observation>, silences: Vec<Silence>) -> Payload {
    Payload::Alerts(Arc::new(kit::snapshot(
        "http://127.0.0.1:1",
        observations,
        silences,
    )))
}

fn key(c: char) -> Msg {
    Msg::Key(Key::char(c))
}

#[test]
fn a_paging_slo_is_evaluated_and_survives_a_failed_poll() {
    let c = clock();
    let mut s = state(false);
    update(&mut s, source(prom(), 1, Ok(slo_payload(0.02)), &c), &c);
    let eval = s.slos[0].eval.clone().unwrap();
    assert_eq!(eval.status, SloStatus::Page);
    assert!((eval.burn_rates[&Duration::from_secs(3600)].unwrap() - 20.0).abs() < 1e-9);

    c.advance(chrono::Duration::seconds(15));
    update(
        &mut s,
        source(prom(), 2, Err(SourceError::Timeout("10s".into())), &c),
        &c,
    );
    // The last good data stays; the health says why it is stale and how old it is.
    assert_eq!(s.slos[0].eval.as_ref().unwrap().status, SloStatus::Page);
    let h = s.health(&prom()).unwrap();
    assert_eq!(h.last_error, Some(SourceError::Timeout("10s".into())));
    assert_eq!(h.age_seconds(s.now), Some(15));
}

#[test]
fn an_older_generation_never_overwrites_a_newer_one() {
    let c = clock();
    let mut s = state(false);
    update(&mut s, source(prom(), 5, Ok(slo_payload(0.02)), &c), &c);
    update(&mut s, source(prom(), 4, Ok(slo_payload(0.0)), &c), &c);
    assert_eq!(s.slos[0].eval.as_ref().unwrap().status, SloStatus::Page);
}

#[test]
fn alerts_are_deduplicated_grouped_and_acks_read_from_silences() {
    let c = clock();
    let mut s = state(false);
    let ack = Silence {
        id: "s1".into(),
        matchers: vec![],
        starts_at: c.now(),
        ends_at: c.now() + chrono::Duration::hours(1),
        created_by: "bob".into(),
        comment: "ACK: on it".into(),
        state: SilenceState::Active,
    };
    let obs = vec![
        alert("HighErrorRate", "critical", "a", &[], &c),
        alert("HighErrorRate", "critical", "b", &[], &c),
        alert("DiskFull", "warning", "a", &["s1"], &c),
    ];
    update(
        &mut s,
        source(am(), 1, Ok(alerts_payload(obs, vec![ack])), &c),
        &c,
    );
    assert_eq!(s.groups.len(), 2);
    assert_eq!(s.groups[0].labels["alertname"], "HighErrorRate");
    assert_eq!(s.groups[0].alerts.len(), 1, "two HA replicas are one alert");
    assert_eq!(s.groups[0].alerts[0].sources.len(), 2);
    assert_eq!(s.groups[1].acked, 1);
    assert!(s.page_active());
}

#[test]
fn keys_move_expand_and_open_the_detail_then_escape_closes_it() {
    let c = clock();
    let mut s = state(false);
    let obs = vec![
        alert("A", "critical", "a", &[], &c),
        alert("B", "warning", "a", &[], &c),
    ];
    update(
        &mut s,
        source(am(), 1, Ok(alerts_payload(obs, vec![])), &c),
        &c,
    );
    assert_eq!(s.focus, Pane::Alerts);
    update(&mut s, key('j'), &c);
    assert_eq!(s.alert_cursor, 1);
    update(&mut s, key('j'), &c);
    assert_eq!(s.alert_cursor, 1, "the cursor stops at the last row");
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &c);
    assert_eq!(s.alert_rows().len(), 3, "group B expanded");
    update(&mut s, key('j'), &c);
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &c);
    assert!(
        matches!(s.overlay, Some(Overlay::AlertDetail(ref a)) if a.identity().get("alertname").unwrap_or_default() == "B")
    );
    update(&mut s, Msg::Key(Key::plain(KeyCode::Esc)), &c);
    assert_eq!(s.overlay, None);
    update(&mut s, key('g'), &c);
    assert_eq!(s.alert_cursor, 0);
}

#[test]
fn quit_asks_first_while_a_page_is_active() {
    let c = clock();
    let mut s = state(false);
    assert_eq!(
        update(&mut s, key('q'), &c),
        vec![Effect::Quit],
        "nothing active: quits at once"
    );

    let mut s = state(false);
    update(&mut s, source(prom(), 1, Ok(slo_payload(0.02)), &c), &c);
    assert!(update(&mut s, Msg::Key(Key::ctrl('c')), &c).is_empty());
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
    assert!(
        update(&mut s, key('n'), &c).is_empty(),
        "anything but y stays"
    );
    assert_eq!(s.overlay, None);
    update(&mut s, key('q'), &c);
    assert_eq!(update(&mut s, key('y'), &c), vec![Effect::Quit]);
}

#[test]
fn read_only_refuses_action_keys_and_sends_nothing() {
    let c = clock();
    let mut s = state(true);
    for k in ['a', 'u', 'e'] {
        assert!(update(&mut s, key(k), &c).is_empty());
        assert!(
            s.status.as_deref().unwrap_or("").starts_with("read-only"),
            "{k}: {:?}",
            s.status
        );
    }
}

#[test]
fn log_lines_are_appended_once_even_when_windows_overlap() {
    let c = clock();
    let mut s = state(false);
    let line = |t: &str| LogLine {
        timestamp: c.now(),
        source: "prod".into(),
        level: Level::Info,
        line: t.into(),
        ..Default::default()
    };
    let window = |first_seq, lines: Vec<LogLine>| {
        Ok(Payload::Logs(Arc::new(LogWindow {
            first_seq,
            lines,
            ..Default::default()
        })))
    };
    update(
        &mut s,
        source(loki(), 1, window(0, vec![line("a"), line("b")]), &c),
        &c,
    );
    // The poller's window slid: b is seen again, c and d are new.
    update(
        &mut s,
        source(
            loki(),
            2,
            window(1, vec![line("b"), line("c"), line("d")]),
            &c,
        ),
        &c,
    );
    let texts: Vec<&str> = s.logs.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(texts, ["b", "c", "d"], "bounded to 3 lines, no duplicate");
    assert_eq!(s.logs.dropped(), 1);
}

#[test]
fn scrolling_up_pauses_the_tail_and_f_resumes_it() {
    let c = clock();
    let mut s = state(false);
    let line = |t: &str| LogLine {
        timestamp: c.now(),
        source: "prod".into(),
        level: Level::Info,
        line: t.into(),
        ..Default::default()
    };
    let lines = vec![line("a"), line("b"), line("c")];
    update(
        &mut s,
        source(
            loki(),
            1,
            Ok(Payload::Logs(Arc::new(LogWindow {
                first_seq: 0,
                lines,
                ..Default::default()
            }))),
            &c,
        ),
        &c,
    );
    update(&mut s, key('3'), &c);
    update(&mut s, key('k'), &c);
    assert!(!s.follow);
    assert_eq!(s.log_scroll, 1);
    update(&mut s, key('f'), &c);
    assert!(s.follow);
    assert_eq!(s.log_scroll, 0);
}

#[test]
fn the_filter_input_applies_on_enter_and_esc_cancels() {
    let c = clock();
    let mut s = state(false);
    let obs = vec![
        alert("HighErrorRate", "critical", "a", &[], &c),
        alert("DiskFull", "warning", "a", &[], &c),
    ];
    update(
        &mut s,
        source(am(), 1, Ok(alerts_payload(obs, vec![])), &c),
        &c,
    );
    update(&mut s, key('/'), &c);
    for ch in "alertname=~\"Disk.*\"".chars() {
        update(&mut s, key(ch), &c);
    }
    assert_eq!(s.groups.len(), 2, "nothing applied while typing");
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &c);
    assert!(s.input.is_none());
    assert_eq!(s.groups.len(), 1);
    assert_eq!(s.groups[0].labels["alertname"], "DiskFull");

    update(&mut s, key('/'), &c);
    update(&mut s, key('x'), &c);
    update(&mut s, Msg::Key(Key::plain(KeyCode::Esc)), &c);
    assert!(s.input.is_none());
    assert_eq!(
        s.alert_filter, "alertname=~\"Disk.*\"",
        "Esc keeps the previous filter"
    );

    // A filter that does not parse keeps the input open with the reason; nothing crashes.
    update(&mut s, key('/'), &c);
    for ch in "{severity=".chars() {
        update(&mut s, key(ch), &c);
    }
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &c);
    assert!(s.input.is_some());
    assert!(s.input_error.is_some());
}

#[test]
fn theme_key_cycles_and_commands_select_by_name() {
    let c = clock();
    let mut s = state(false);
    update(&mut s, key('t'), &c);
    assert_eq!(s.theme_name(), "mono");
    update(&mut s, key('t'), &c);
    assert_eq!(s.theme_name(), "default");
    update(&mut s, key(':'), &c);
    for ch in "theme mono".chars() {
        update(&mut s, key(ch), &c);
    }
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &c);
    assert_eq!(s.theme_name(), "mono");
    update(&mut s, key(':'), &c);
    for ch in "frobnicate".chars() {
        update(&mut s, key(ch), &c);
    }
    update(&mut s, Msg::Key(Key::plain(KeyCode::Enter)), &c);
    assert!(
        s.status
            .as_deref()
            .unwrap()
            .starts_with("unknown command ':frobnicate'")
    );
}

#[test]
fn refresh_asks_for_every_source() {
    let c = clock();
    let mut s = state(false);
    assert_eq!(update(&mut s, key('R'), &c), vec![Effect::Refresh(vec![])]);
}

#[test]
fn a_replica_down_degrades_the_cluster_without_emptying_it() {
    let c = clock();
    let mut s = state(false);
    let mut payload = ClusterSnapshot {
        replicas: vec![
            kit::replica("am-0", "u0"),
            ReplicaStatus {
                error: Some(SourceError::Unreachable("connection refused".into())),
                ..kit::replica("am-1", "u1")
            },
        ],
        observations: vec![alert("A", "critical", "a", &[], &c)],
        silences: vec![],
    };
    update(
        &mut s,
        source(am(), 1, Ok(Payload::Alerts(Arc::new(payload.clone()))), &c),
        &c,
    );
    let h = s.health(&am()).unwrap();
    assert!(h.is_ok());
    assert_eq!(h.degraded, ["am-1: unreachable: connection refused"]);
    assert_eq!(s.groups.len(), 1);
    payload.replicas[1].error = None;
    update(
        &mut s,
        source(am(), 2, Ok(Payload::Alerts(Arc::new(payload))), &c),
        &c,
    );
    assert!(s.health(&am()).unwrap().degraded.is_empty());
}

#[test]
fn wall_command_is_read_only_while_it_lasts() {
    let c = clock();
    let mut s = state(false);
    let command = |s: &mut State, text: &str| {
        update(s, key(':'), &c);
        for ch in text.chars() {
            update(s, key(ch), &c);
        }
        update(s, Msg::Key(Key::plain(KeyCode::Enter)), &c);
    };
    command(&mut s, "wall");
    assert!(s.wall && s.read_only);
    assert!(update(&mut s, key('a'), &c).is_empty());
    assert!(s.status.as_deref().unwrap().starts_with("read-only"));
    command(&mut s, "wall");
    assert!(
        !s.wall && !s.read_only,
        "back to the dashboard, and to acting"
    );

    // Started read-only: leaving the wall keeps it read-only.
    let mut s = state(true);
    command(&mut s, "wall");
    command(&mut s, "wall");
    assert!(!s.wall && s.read_only);
}
