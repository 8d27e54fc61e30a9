//! Hot paths of the pure core: SLO evaluation, alert dedup and grouping, log ingest.

#[path = "../tests/kit/mod.rs"]
mod kit;
use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onwatch::app::msg::ClusterSnapshot;
use onwatch::app::state::Setup;
use onwatch::app::{self, Clock, FixedClock, Key, Msg, Payload, State};
use onwatch::domain::alerts::{self, Alert, Labels, Observation};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::keymap::KeyCode;
use onwatch::domain::log_filter::LogFilter;
use onwatch::domain::logs::{self, AnsiMode, LogBuffer, LogLine, SanitiseOptions};
use onwatch::domain::slo::{self, SloMeasurement};
use onwatch::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

fn slo_eval(c: &mut Criterion) {
    let rules = slo::default_rules();
    let windows = slo::windows_for(&rules);
    let measurements: Vec<SloMeasurement> = (0..500)
        .map(|i| SloMeasurement {
            error_ratios: windows
                .iter()
                .map(|w| (*w, Some(0.0001 * (i % 40) as f64)))
                .collect(),
            period_ratio: Some(0.0005),
        })
        .collect();
    let period = Duration::from_secs(30 * 86_400);
    c.bench_function("slo_evaluate_500", |b| {
        b.iter(|| {
            for m in &measurements {
                black_box(slo::evaluate(0.999, period, m, &rules));
            }
        })
    });
}

fn observations(n: usize) -> Vec<Observation> {
    let t = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .unwrap_or_default();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut labels = Labels::new();
        labels.insert("alertname".into(), format!("Alert{}", i % 200));
        labels.insert("instance".into(), format!("host-{}:9100", i / 4));
        labels.insert(
            "severity".into(),
            ["critical", "warning", "info"][i % 3].into(),
        );
        labels.insert("prometheus_replica".into(), ["a", "b"][i % 2].into());
        let alert = Alert {
            labels: std::sync::Arc::new(labels.into()),
            fingerprint: format!("{i:016x}"),
            ..kit::alert(&[], t)
        };
        out.push(kit::obs("prod", ["am-0", "am-1"][(i / 2) % 2], alert));
    }
    out
}

fn dedup_group(c: &mut Criterion) {
    let obs = observations(50_000);
    let dedup_labels = vec!["replica".to_string(), "prometheus_replica".to_string()];
    let by = vec!["alertname".to_string()];
    let silences = BTreeMap::new();
    let mut g = c.benchmark_group("alerts");
    g.sample_size(10);
    g.bench_function("dedup_and_group_50000", |b| {
        b.iter(|| {
            let deduped = alerts::dedup(obs.clone(), &dedup_labels, &silences, &Default::default());
            black_box(alerts::group(deduped, &by))
        })
    });
    // The path the state takes: borrowed snapshots, one clone per identity.
    g.bench_function("dedup_refs_and_group_50000", |b| {
        b.iter(|| {
            let deduped = alerts::dedup_refs(&obs, &dedup_labels, |_| &[], &Default::default());
            black_box(alerts::group(deduped, &by))
        })
    });
    g.finish();
}

fn alerts_state(n: usize) -> (State, FixedClock, Arc<ClusterSnapshot>) {
    let t = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .unwrap_or_default();
    let source = SourceId::new(SourceKind::Alertmanager, "prod");
    let setup = Setup {
        user: "bench".into(),
        sources: vec![source],
        dedup_labels: vec!["replica".into(), "prometheus_replica".into()],
        ..kit::setup()
    };
    let snapshot = Arc::new(ClusterSnapshot {
        replicas: vec![],
        // n alerts, each reported by both Alertmanagers
        observations: observations(n * 2)
            .into_iter()
            .enumerate()
            .map(|(i, mut o)| {
                let alert = Arc::make_mut(&mut o.alert);
                let labels = Arc::make_mut(&mut alert.labels);
                labels.remove("prometheus_replica");
                labels.insert("instance", &format!("host-{}:9100", i / 2));
                o.replica = ["am-0", "am-1"][i % 2].into();
                o
            })
            .collect(),
        silences: vec![],
    });
    (State::new(setup, t), FixedClock::new(t), snapshot)
}

fn apply(state: &mut State, clock: &FixedClock, snapshot: &Arc<ClusterSnapshot>, generation: u64) {
    let msg = kit::source_msg(
        SourceId::new(SourceKind::Alertmanager, "prod"),
        generation,
        clock.now(),
        Ok(Payload::Alerts(snapshot.clone())),
    );
    black_box(app::update(state, msg, clock));
}

/// A poll of 10,000 alerts (from two replicas) applied by the reducer: the time keys wait.
fn state_apply(c: &mut Criterion) {
    let (mut state, clock, snapshot) = alerts_state(10_000);
    let mut generation = 0;
    let mut g = c.benchmark_group("alerts");
    g.sample_size(10);
    g.bench_function("update_apply_10000", |b| {
        b.iter(|| {
            generation += 1;
            apply(&mut state, &clock, &snapshot, generation);
        })
    });
    g.bench_function("key_move_10000", |b| {
        b.iter(|| black_box(app::update(&mut state, Msg::Key(Key::char('j')), &clock)))
    });
    g.finish();
}

/// The whole screen at 200x50 with 10,000 alerts, one group expanded under the cursor.
fn draw_alerts(c: &mut Criterion) {
    let (mut state, clock, snapshot) = alerts_state(10_000);
    apply(&mut state, &clock, &snapshot, 1);
    app::update(
        &mut state,
        Msg::Resize {
            width: 200,
            height: 50,
        },
        &clock,
    );
    app::update(&mut state, Msg::Key(Key::plain(KeyCode::Enter)), &clock);
    app::update(&mut state, Msg::Key(Key::char('j')), &clock);
    let theme = ui::load_theme("default", None).unwrap_or_else(|_| unreachable!());
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap_or_else(|_| unreachable!());
    let mut g = c.benchmark_group("ui");
    g.bench_function("draw_alerts_10000_200x50", |b| {
        b.iter(|| {
            terminal
                .draw(|f| ui::draw(f, &state, &theme))
                .unwrap_or_else(|_| unreachable!());
        })
    });
    g.finish();
}

fn log_ingest(c: &mut Criterion) {
    let lines: Vec<Vec<u8>> = (0..10_000)
        .map(|i| match i % 4 {
            0 => format!(r#"{{"ts":"2026-11-22T03:00:00Z","level":"error","msg":"payment {i} failed","trace_id":"abc"}}"#).into_bytes(),
            1 => format!("ts=2026-11-22T03:00:00Z level=info msg=\"request {i} ok\" duration=12ms").into_bytes(),
            2 => format!("\x1b[31mERROR\x1b[0m upstream connect error {i}\tretrying").into_bytes(),
            _ => format!("2026-11-22 03:00:00 WARN slow query {i} took 1200ms").into_bytes(),
        })
        .collect();
    let t = Utc
        .with_ymd_and_hms(2026, 11, 22, 3, 0, 0)
        .single()
        .unwrap_or_default();
    let mut g = c.benchmark_group("logs");
    g.throughput(Throughput::Elements(lines.len() as u64));
    let keep = SanitiseOptions {
        ansi: AnsiMode::Keep,
        ..Default::default()
    };
    let filter = LogFilter::parse("payment").unwrap_or_default();
    g.bench_function("ingest_10000_lines", |b| {
        b.iter(|| {
            let mut buffer = LogBuffer::new(10_000, 16 << 20);
            for raw in &lines {
                let clean = logs::sanitise_styled(raw, keep);
                let level = logs::detect_level(&clean.text);
                buffer.push(LogLine {
                    timestamp: t,
                    source: "demo".into(),
                    level,
                    line: clean.text,
                    styles: clean.styles,
                    ..Default::default()
                });
            }
            black_box(buffer.iter().filter(|l| filter.matches(&l.line)).count())
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    slo_eval,
    dedup_group,
    state_apply,
    draw_alerts,
    log_ingest
);
criterion_main!(benches);
