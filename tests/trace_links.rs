//! Trace links driven through `update`: the open_trace key (`o`) opens the trace URL of the
//! newest log line shown at the pane's position, with the runbook opener's rules; over SSH it
//! copies the URL (OSC 52) and the pane's trace line is written as a hyperlink (OSC 8).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
mod kit;
use kit::{clock, loki};
use onwatch::actions::osc;
use onwatch::app::msg::LogWindow;
use onwatch::app::state::{LogPane, Setup};
use onwatch::app::{Clock, Effect, Payload, State, update};
use onwatch::domain::keymap::{Key, KeyCode};
use onwatch::domain::logs::{LogLine, SanitiseOptions, detect_level, sanitise};
use onwatch::ui::{self, Theme};
use ratatui::layout::Rect;
use std::sync::Arc;

const OLD: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const NEW: &str = "00f067aa0ba902b7";

fn state(pattern: &str, url: &str) -> State {
    let setup = Setup {
        sources: vec![loki()],
        log_max_lines: 1000,
        log_max_bytes: 1 << 20,
        ..kit::setup()
    };
    let pane = LogPane {
        trace_pattern: Some(regex::Regex::new(pattern).unwrap()),
        trace_url: Some(url.into()),
        ..Default::default()
    };
    kit::state(Setup { log: pane, ..setup })
}

fn jaeger() -> State {
    state(
        onwatch::config::DEFAULT_TRACE_ID_PATTERN,
        "https://jaeger.example/trace/$trace_id",
    )
}

fn push(s: &mut State, generation: u64, first_seq: u64, raw: &[&str]) {
    let lines = raw
        .iter()
        .map(|r| {
            let text = sanitise(r.as_bytes(), SanitiseOptions::default());
            LogLine {
                timestamp: clock().now(),
                source: "prod".into(),
                level: detect_level(&text),
                line: text,
                ..Default::default()
            }
        })
        .collect();
    let c = clock();
    update(
        s,
        kit::source_msg(
            loki(),
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

fn status(s: &State) -> &str {
    s.status.as_deref().unwrap_or("")
}

#[test]
fn o_opens_the_trace_of_the_newest_line_at_the_panes_position() {
    let mut s = jaeger();
    assert_eq!(kit::press(&mut s, Key::char('O')), vec![]);
    assert_eq!(status(&s), "trace: no trace id in the log lines shown");

    push(
        &mut s,
        1,
        0,
        &[
            &format!("ERROR payment failed trace_id={OLD}"),
            "GET /healthz 200",
        ],
    );
    assert_eq!(
        kit::press(&mut s, Key::char('O')),
        vec![Effect::OpenUrl(format!(
            "https://jaeger.example/trace/{OLD}"
        ))]
    );
    assert_eq!(status(&s), format!("opening trace {OLD}"));

    // A newer line with a trace: that one is opened.
    push(
        &mut s,
        2,
        2,
        &[&format!(r#"{{"level":"warn","traceId":"{NEW}"}}"#), "idle"],
    );
    assert_eq!(
        kit::press(&mut s, Key::char('O')),
        vec![Effect::OpenUrl(format!(
            "https://jaeger.example/trace/{NEW}"
        ))]
    );

    // Scrolled up above the newer line: the older trace is the one at the pane's position.
    kit::press(&mut s, Key::char('3'));
    for _ in 0..3 {
        kit::press(&mut s, Key::char('k'));
    }
    assert_eq!(s.log_scroll, 3);
    assert_eq!(
        kit::press(&mut s, Key::char('O')),
        vec![Effect::OpenUrl(format!(
            "https://jaeger.example/trace/{OLD}"
        ))]
    );

    // A filter hiding both trace lines hides their traces too.
    kit::press(&mut s, Key::char('G'));
    kit::press(&mut s, Key::char('/'));
    for c in "healthz".chars() {
        kit::press(&mut s, Key::char(c));
    }
    kit::press(&mut s, Key::plain(KeyCode::Enter));
    assert_eq!(kit::press(&mut s, Key::char('O')), vec![]);
    assert_eq!(status(&s), "trace: no trace id in the log lines shown");
}

#[test]
fn an_id_that_could_leave_its_place_in_the_url_is_not_used() {
    // A pattern loose enough to capture anything after `trace=`.
    let mut s = state(r"trace=(\S+)", "https://tempo.example/trace/$trace_id");
    push(
        &mut s,
        1,
        0,
        &["trace=../../admin?x=1", "trace=abc#frag", "trace=a%2Fb"],
    );
    assert_eq!(kit::press(&mut s, Key::char('O')), vec![]);
    assert_eq!(status(&s), "trace: no trace id in the log lines shown");
    // An older line with a plain id is still found above them.
    push(&mut s, 2, 3, &["trace=00f067aa0ba902b7", "trace=;reboot"]);
    assert_eq!(
        kit::press(&mut s, Key::char('O')),
        vec![Effect::OpenUrl(
            "https://tempo.example/trace/00f067aa0ba902b7".into()
        )]
    );
}

#[test]
fn a_url_the_opener_rules_refuse_is_not_opened() {
    // The config refuses such a template at load; the key checks again before any opener runs.
    for (template, why) in [
        (
            "file:///etc/$trace_id",
            "scheme \"file\" (only http, https)",
        ),
        (
            "-https://t.example/$trace_id",
            "looks like a command-line flag",
        ),
        ("https://t.example/$(id)/$trace_id", "shell metacharacters"),
    ] {
        let mut s = state(onwatch::config::DEFAULT_TRACE_ID_PATTERN, template);
        push(&mut s, 1, 0, &[&format!("trace_id={OLD}")]);
        assert_eq!(kit::press(&mut s, Key::char('O')), vec![], "{template}");
        assert!(
            status(&s).starts_with("refused trace URL"),
            "{}",
            status(&s)
        );
        assert!(status(&s).contains(why), "{}", status(&s));
    }
    let mut s = jaeger();
    s.log.trace_url = None;
    push(&mut s, 1, 0, &[&format!("trace_id={OLD}")]);
    assert_eq!(kit::press(&mut s, Key::char('O')), vec![]);
    assert_eq!(status(&s), "trace: no [logs] trace_url configured");
}

#[test]
fn over_ssh_the_url_is_copied_and_the_trace_line_is_a_hyperlink() {
    let mut s = jaeger();
    s.acts.setup.over_ssh = true;
    push(&mut s, 1, 0, &[&format!("ERROR failed trace_id={OLD}")]);
    let url = format!("https://jaeger.example/trace/{OLD}");

    let effects = kit::press(&mut s, Key::char('O'));
    assert_eq!(effects, vec![Effect::Copy(url.clone())]);
    assert!(status(&s).contains("copied to the clipboard (OSC 52)"));
    // What the cockpit writes for Effect::Copy.
    let mut out = Vec::new();
    osc::write_osc52(&mut out, &url).unwrap();
    assert_eq!(
        out,
        format!("\x1b]52;c;{}\x07", osc::base64(url.as_bytes())).into_bytes()
    );

    // The hyperlink goes exactly over the URL the pane drew.
    let t = kit::render(&s, &Theme::default(), 120, 40);
    let area = Rect::new(0, 0, 120, 40);
    let (x, y, text) = ui::logs_pane::trace_anchor(area, &s).unwrap();
    assert_eq!(text, url);
    let buf = t.backend().buffer();
    let drawn: String = (x..x + url.len() as u16)
        .map(|cx| buf[(cx, y)].symbol())
        .collect();
    assert_eq!(drawn, url);
    let before: String = (x - 8..x).map(|cx| buf[(cx, y)].symbol()).collect();
    assert_eq!(before, " trace: ");
    let mut out = Vec::new();
    osc::write_osc8_at(&mut out, x, y, &text, &text).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!(
            "\x1b7\x1b[{};{}H\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\\x1b8",
            y + 1,
            x + 1
        )
    );

    // Nothing is linked where the URL is not drawn as it is: cut at a narrow pane, under help.
    assert_eq!(
        ui::logs_pane::trace_anchor(Rect::new(0, 0, 60, 24), &s),
        None
    );
    kit::press(&mut s, Key::char('?'));
    assert_eq!(ui::logs_pane::trace_anchor(area, &s), None);
    kit::press(&mut s, Key::plain(KeyCode::Esc));
    assert!(ui::logs_pane::trace_anchor(area, &s).is_some());
    // Nor a URL the opener's rules refuse (the config refuses such a template at load).
    s.log.trace_url = Some("file:///traces/$trace_id".into());
    assert_eq!(ui::logs_pane::trace_anchor(area, &s), None);
}
