//! Drawing a 200x50 screen whose logs pane shows a full buffer with a filter active.

#[path = "../tests/kit/mod.rs"]
mod kit;
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use onwatch::app::msg::LogWindow;
use onwatch::app::state::{Pane, Setup};
use onwatch::app::{Clock, FixedClock, Payload, State, update};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::logs::{AnsiMode, LogLine, SanitiseOptions, detect_level, sanitise_styled};
use onwatch::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::sync::Arc;

fn full_state() -> State {
    let clock = FixedClock::new(
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
            .single()
            .unwrap_or_default(),
    );
    let id = SourceId::new(SourceKind::Loki, "prod");
    let setup = Setup {
        user: "bench".into(),
        sources: vec![id.clone()],
        log_max_lines: 10_000,
        log_max_bytes: 16 << 20,
        ..kit::setup()
    };
    let mut state = State::new(setup, clock.now());
    let keep = SanitiseOptions {
        ansi: AnsiMode::Keep,
        ..Default::default()
    };
    let labels = Arc::new(vec![("app".to_string(), "api".to_string())]);
    let lines: Vec<LogLine> = (0..10_000)
        .map(|i| {
            let raw = match i % 3 {
                0 => format!("\x1b[31mERROR\x1b[0m payment {i} failed trace_id=4bf92f3577b34da6"),
                1 => format!("level=info msg=\"GET /api/checkout {i} 200\" duration=12ms"),
                _ => format!("WARN slow query {i} took 1200ms on payments-db"),
            };
            let s = sanitise_styled(raw.as_bytes(), keep);
            LogLine {
                timestamp: clock.now(),
                source: "prod".into(),
                level: detect_level(&s.text),
                line: s.text,
                styles: s.styles,
                labels: labels.clone(),
            }
        })
        .collect();
    update(
        &mut state,
        kit::source_msg(
            id,
            1,
            clock.now(),
            Ok(Payload::Logs(Arc::new(LogWindow {
                first_seq: 0,
                lines,
                ..Default::default()
            }))),
        ),
        &clock,
    );
    state.focus = Pane::Logs;
    // Trace links on: each frame also looks for the trace id of the newest line shown.
    state.log.trace_pattern = regex::Regex::new(onwatch::config::DEFAULT_TRACE_ID_PATTERN).ok();
    state.log.trace_url = Some("https://jaeger.example/trace/$trace_id".into());
    // A regex filter matching a third of the lines: the pane scans back through the buffer.
    onwatch::app::log_keys::set_log_filter(&mut state, "re:pay(ment)?s?".into());
    state
}

fn draw_logs(c: &mut Criterion) {
    let state = full_state();
    let theme = Theme::default();
    let mut terminal = match Terminal::new(TestBackend::new(200, 50)) {
        Ok(t) => t,
        Err(e) => panic!("test backend: {e}"),
    };
    c.bench_function("logs/draw_200x50_full_buffer_filtered", |b| {
        b.iter(|| {
            let _ = terminal.draw(|f| ui::draw(f, black_box(&state), &theme));
        })
    });
    c.bench_function("logs/pane_only_200x50_full_buffer_filtered", |b| {
        b.iter(|| {
            let _ = terminal.draw(|f| ui::logs_pane::draw(f, f.area(), black_box(&state), &theme));
        })
    });
}

criterion_group!(benches, draw_logs);
criterion_main!(benches);
