//! The logs pane driven through `update`: filter forms, views, wrap and time toggles, compact
//! labels, colours as styles, trace links, and `l` from an alert.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
mod kit;
use kit::{am, clock, loki};
use onwatch::app::msg::{ClusterSnapshot, LogWindow};
use onwatch::app::state::{AlertTemplate, LogPane, LogView, Setup};
use onwatch::app::{Clock, Effect, Payload, State, update};
use onwatch::domain::alerts::{Alert, Observation};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::keymap::{Key, KeyCode};
use onwatch::domain::log_query::Escape;
use onwatch::domain::logs::{AnsiMode, Level, LogLine, SanitiseOptions, sanitise_styled};
use onwatch::ui::Theme;
use ratatui::style::Color;
use std::sync::Arc;

fn cmd() -> SourceId {
    SourceId::new(SourceKind::Command, "journal")
}
fn state() -> State {
    let setup = Setup {
        sources: vec![am(), loki(), cmd()],
        log_max_lines: 1000,
        log_max_bytes: 1 << 20,
        ..kit::setup()
    };
    let pane = LogPane {
        views: vec![
            LogView::all(),
            LogView {
                name: "journal errors".into(),
                sources: vec!["journal".into()],
                filter: "re:err(or)?".into(),
                ..Default::default()
            },
        ],
        templates: vec![
            AlertTemplate {
                source: loki(),
                template: r#"{app="$service"} |= "error""#.into(),
                escape: Escape::LogQl,
            },
            AlertTemplate {
                source: cmd(),
                template: "$service".into(),
                escape: Escape::Filter,
            },
        ],
        trace_pattern: Some(regex::Regex::new(onwatch::config::DEFAULT_TRACE_ID_PATTERN).unwrap()),
        trace_url: Some("https://jaeger.example/trace/$trace_id".into()),
        ..Default::default()
    };
    kit::state(Setup { log: pane, ..setup })
}

fn line(source: &str, raw: &str, labels: &[(&str, &str)]) -> LogLine {
    let s = sanitise_styled(
        raw.as_bytes(),
        SanitiseOptions {
            ansi: AnsiMode::Keep,
            ..Default::default()
        },
    );
    LogLine {
        timestamp: clock().now(),
        source: source.into(),
        level: onwatch::domain::logs::detect_level(&s.text),
        line: s.text,
        styles: s.styles,
        labels: Arc::new(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
    }
}

fn logs(s: &mut State, id: SourceId, generation: u64, first_seq: u64, lines: Vec<LogLine>) {
    let c = clock();
    update(
        s,
        kit::source_msg(
            id,
            generation,
            c.now(),
            Ok(Payload::Logs(Arc::new(LogWindow {
                first_seq,
                lines,
                ..Default::default()
            }))),
        ),
        &c,
    );
}

fn type_filter(s: &mut State, text: &str) {
    kit::press(s, Key::char('/'));
    // Clear what the input starts with (the current filter).
    for _ in 0..64 {
        kit::press(s, Key::plain(KeyCode::Backspace));
    }
    for c in text.chars() {
        kit::press(s, Key::char(c));
    }
    kit::press(s, Key::plain(KeyCode::Enter));
}

fn filled(s: &mut State) {
    logs(
        s,
        loki(),
        1,
        0,
        vec![
            line("prod", "GET /healthz 200", &[("app", "api")]),
            line(
                "prod",
                "\x1b[31mERROR\x1b[0m payment failed trace_id=4bf92f3577b34da6",
                &[("app", "api")],
            ),
        ],
    );
    logs(
        s,
        cmd(),
        1,
        0,
        vec![line(
            "journal",
            "disk error on sda",
            &[("stream", "stderr")],
        )],
    );
}

#[test]
fn filter_text_regex_and_inverse_select_lines() {
    let mut s = state();
    filled(&mut s);
    kit::press(&mut s, Key::char('3'));
    let shown = |s: &State| -> Vec<String> {
        onwatch::ui::logs_pane::visible(s, 50)
            .iter()
            .map(|l| l.line.clone())
            .collect()
    };
    type_filter(&mut s, "ERROR");
    assert_eq!(shown(&s).len(), 2, "case-insensitive: ERROR and error");
    type_filter(&mut s, "/pay.*fail/");
    assert_eq!(
        shown(&s),
        ["ERROR payment failed trace_id=4bf92f3577b34da6"]
    );
    type_filter(&mut s, "!healthz");
    assert_eq!(shown(&s).len(), 2);
    assert!(shown(&s).iter().all(|l| !l.contains("healthz")));
    type_filter(&mut s, "re:(");
    assert!(
        s.status
            .as_deref()
            .unwrap()
            .starts_with("log filter not changed: bad regex")
    );
    assert_eq!(
        s.log_filter, "!healthz",
        "a bad regex keeps the previous filter"
    );
}

#[test]
fn views_switch_with_v_and_wrap_and_time_toggle() {
    let mut s = state();
    filled(&mut s);
    kit::press(&mut s, Key::char('3'));
    kit::press(&mut s, Key::char('v'));
    assert_eq!(s.log.current_view().name, "journal errors");
    let shown: Vec<&str> = onwatch::ui::logs_pane::visible(&s, 50)
        .iter()
        .map(|l| l.line.as_str())
        .collect();
    assert_eq!(shown, ["disk error on sda"]);
    let text = kit::screen(&s, 120, 30);
    assert!(text.contains("view: journal errors"), "{text}");
    kit::press(&mut s, Key::char('V'));
    assert_eq!(s.log.view, 0);
    assert_eq!(s.log_filter, "");

    let text = kit::screen(&s, 120, 30);
    assert!(text.contains("03:00:00 ERR"), "{text}");
    assert!(text.contains("stderr disk error"), "compact labels: {text}");
    kit::press(&mut s, Key::char('T'));
    let text = kit::screen(&s, 120, 30);
    assert!(!text.contains("03:00:00 ERR"), "{text}");

    // Wrap: a long line spreads over several rows, its end visible.
    let long = format!("start {} end-of-long-line", "x".repeat(300));
    logs(&mut s, cmd(), 2, 1, vec![line("journal", &long, &[])]);
    let text = kit::screen(&s, 120, 30);
    assert!(!text.contains("end-of-long-line"), "cut at the edge");
    kit::press(&mut s, Key::char('w'));
    let text = kit::screen(&s, 120, 30);
    assert!(text.contains("end-of-long-line"), "{text}");
}

#[test]
fn colours_are_drawn_as_styles_and_the_trace_link_is_shown() {
    let mut s = state();
    filled(&mut s);
    let t = kit::render(&s, &Theme::default(), 160, 40);
    let text = t.backend().to_string();
    assert!(
        text.contains("trace: https://jaeger.example/trace/4bf92f3577b34da6"),
        "{text}"
    );
    let buf = t.backend().buffer();
    let (x, y) = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .find(|&(x, y)| {
            buf[(x, y)].symbol() == "E"
                && buf[(x + 1, y)].symbol() == "R"
                && buf[(x + 4, y)].symbol() == "R"
                && buf[(x + 6, y)].symbol() == "p"
        })
        .unwrap();
    assert_eq!(buf[(x, y)].fg, Color::Indexed(1), "the line's red kept");
    assert_ne!(buf[(x + 6, y)].fg, Color::Indexed(1), "reset after ERROR");
}

#[test]
fn l_opens_the_selected_alerts_logs() {
    let mut s = state();
    filled(&mut s);
    let c = clock();
    let pairs = [("alertname", "CheckoutErrors"), ("service", "checkout")];
    let alert = Alert {
        starts_at: c.now() - chrono::Duration::minutes(30),
        fingerprint: "f".into(),
        ..kit::alert(&pairs, c.now())
    };
    update(
        &mut s,
        kit::source_msg(
            am(),
            1,
            c.now(),
            Ok(Payload::Alerts(Arc::new(ClusterSnapshot {
                replicas: vec![],
                observations: vec![Observation {
                    cluster: "am".into(),
                    replica: "r0".into(),
                    alert: Arc::new(alert),
                }],
                silences: vec![],
            }))),
        ),
        &c,
    );
    kit::press(&mut s, Key::char('2'));
    let effects = kit::press(&mut s, Key::char('l'));
    assert_eq!(
        effects,
        [Effect::OpenAlertLogs {
            queries: vec![(loki(), r#"{app="checkout"} |= "error""#.into())],
            since: c.now() - chrono::Duration::minutes(35),
        }]
    );
    assert_eq!(s.log.current_view().name, "alert: CheckoutErrors");
    assert_eq!(s.focus, onwatch::app::state::Pane::Logs);
    assert!(
        s.logs.is_empty(),
        "the restarted sources' old lines are gone"
    );
    // The restarted Loki counts from sequence 0 and generation 1 again: applied.
    logs(
        &mut s,
        loki(),
        1,
        0,
        vec![line("prod", "checkout error", &[])],
    );
    // The command's lines pass only with the alert's filter.
    logs(
        &mut s,
        cmd(),
        2,
        1,
        vec![
            line("journal", "checkout: slow", &[]),
            line("journal", "other unit", &[]),
        ],
    );
    let shown: Vec<&str> = onwatch::ui::logs_pane::visible(&s, 50)
        .iter()
        .map(|l| l.line.as_str())
        .collect();
    assert_eq!(shown, ["checkout error", "checkout: slow"]);
    assert!(matches!(
        s.logs.iter().next().unwrap().level,
        Level::Error | Level::Unknown
    ));
}

#[test]
fn a_view_keeps_the_filter_typed_and_adds_its_own() {
    let mut s = state();
    filled(&mut s);
    kit::press(&mut s, Key::char('3'));
    for k in kit::filter_keys("sda") {
        kit::press(&mut s, k);
    }
    kit::press(&mut s, Key::char('v'));
    assert_eq!(s.log.current_view().name, "journal errors");
    assert_eq!(s.log_filter, "sda", "the typed filter stays");
    assert_eq!(
        s.status.as_deref(),
        Some("log view: journal errors, filter sda kept")
    );
    let shown = |s: &State| -> Vec<String> {
        onwatch::ui::logs_pane::visible(s, 50)
            .iter()
            .map(|l| l.line.clone())
            .collect()
    };
    assert_eq!(shown(&s), ["disk error on sda"]);
    // The view's own filter applies too: a filter the view's lines do not match shows none.
    for k in kit::filter_keys("payment") {
        kit::press(&mut s, k);
    }
    assert!(shown(&s).is_empty(), "{:?}", shown(&s));
    kit::press(&mut s, Key::char('V'));
    assert_eq!(shown(&s).len(), 1, "back on all, only the typed filter");
}

#[test]
fn a_quiet_stream_is_marked_with_how_long_it_has_said_nothing() {
    let mut s = state();
    logs(&mut s, cmd(), 1, 0, vec![line("journal", "started", &[])]);
    assert!(
        !kit::screen(&s, 120, 30).contains("no data for"),
        "not before its window"
    );
    let c = clock();
    let quiet = LogWindow {
        first_seq: 0,
        lines: vec![line("journal", "started", &[])],
        quiet_since: Some(c.now() - chrono::Duration::minutes(6)),
        ..Default::default()
    };
    update(
        &mut s,
        kit::source_msg(cmd(), 2, c.now(), Ok(Payload::Logs(Arc::new(quiet)))),
        &c,
    );
    let text = kit::screen(&s, 120, 30);
    assert!(text.contains("no data for 6m"), "{text}");
    assert!(
        text.contains("◐ journal"),
        "marked degraded, not failed: {text}"
    );
    assert!(text.contains("started"), "its lines still shown: {text}");
}
