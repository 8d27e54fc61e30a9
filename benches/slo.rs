//! SLO budgets: the pane render for 500 SLOs, and one refresh of 50 SLOs against a real
//! Prometheus with 31 days of backfilled history (wall time; the query count is printed).
//! The second needs `prometheus` and `promtool` (`.ci/install`).

#![allow(clippy::unwrap_used)] // bench fixtures: a failure is a broken bench

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "../tests/kit/mod.rs"]
mod kit;
use chrono::{DateTime, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use onwatch::app::msg::{Payload, SloSample};
use onwatch::app::state::Setup;
use onwatch::app::{FixedClock, State, update};
use onwatch::config::{HttpOptions, SloConfig};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::slo::SloDef;
use onwatch::domain::slo::{SloMeasurement, default_rules, windows_for};
use onwatch::poll::SloFetcher;
use onwatch::sources::http::HttpClient;
use onwatch::sources::prometheus::PrometheusClient;
use onwatch::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::history::{History, Service};
use support::prometheus::Prometheus;

fn state_with(n: usize) -> State {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 4, 0, 0).unwrap();
    let source = SourceId::new(SourceKind::Prometheus, "prod");
    let setup = Setup {
        user: "bench".into(),
        sources: vec![source.clone()],
        slos: (0..n)
            .map(|i| SloDef {
                name: format!("service-{i:03}-availability"),
                source: "prod".into(),
                objective: 0.999,
                period: Duration::from_secs(30 * 86_400),
            })
            .collect(),
        burn_rules: default_rules(),
        ..kit::setup()
    };
    let mut st = State::new(setup, t0);
    let samples: Vec<SloSample> = (0..n)
        .map(|i| SloSample {
            name: format!("service-{i:03}-availability"),
            measurement: SloMeasurement {
                error_ratios: windows_for(&default_rules())
                    .into_iter()
                    .map(|w| (w, Some(0.0001 * (i % 200) as f64)))
                    .collect(),
                period_ratio: Some(0.0004),
            },
            history: Some((0..48).map(|k| 0.0001 * ((i + k) % 50) as f64).collect()),
            ..Default::default()
        })
        .collect();
    update(
        &mut st,
        kit::source_msg(source, 1, t0, Ok(Payload::Slo(Arc::new(samples.into())))),
        &FixedClock::new(t0),
    );
    st
}

fn pane_render(c: &mut Criterion) {
    let st = state_with(500);
    let empty = state_with(0);
    let theme = Theme::default();
    // The SLO pane alone, at the sizes it gets on an 80x24 and a wide screen.
    for (w, h) in [(80u16, 8u16), (100, 24)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("slo_pane_render_500_{w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| ui::draw_slo_pane(f, f.area(), black_box(&st), &theme))
                    .unwrap();
            })
        });
    }
    // The whole screen with 500 SLOs, and with none (what the terminal itself costs).
    for (w, h) in [(80u16, 24u16), (200, 60)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        c.bench_function(&format!("screen_render_500_slos_{w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| ui::draw(f, black_box(&st), &theme)).unwrap();
            })
        });
        c.bench_function(&format!("screen_render_0_slos_{w}x{h}"), |b| {
            b.iter(|| {
                term.draw(|f| ui::draw(f, black_box(&empty), &theme))
                    .unwrap();
            })
        });
    }
}

/// 50 services, each its own series, 31 days at one sample a minute.
fn fifty(end: i64) -> History {
    History {
        end,
        span: Duration::from_secs(31 * 86_400),
        services: (0..50)
            .map(|i| Service {
                name: format!("svc{i:02}"),
                rps: 5.0 + i as f64,
                baseline: 0.0002 * (1 + i % 7) as f64,
                incidents: vec![],
                slow: None,
            })
            .collect(),
    }
}

fn refresh_50(c: &mut Criterion) {
    let h = fifty(support::history::recent_end());
    let started = Instant::now();
    let p = Prometheus::start(Some(&h), &[]);
    eprintln!(
        "backfill of 50 services x 3 series x 31 days: {:?} (promtool), ready after {:?}",
        p.backfill,
        started.elapsed()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let at: DateTime<Utc> = DateTime::from_timestamp(h.end, 0).unwrap();
    let slos: Vec<SloConfig> = h
        .services
        .iter()
        .map(|s| {
            let (error_query, total_query) = s.queries();
            SloConfig {
                name: s.name.clone(),
                source: "bench".into(),
                objective: 99.9,
                period: Duration::from_secs(30 * 86_400),
                error_query,
                total_query,
                ..Default::default()
            }
        })
        .collect();
    let fetcher = |slow_every: u32| {
        let client = PrometheusClient::new(
            &p.url(),
            HttpClient::new(&HttpOptions::default(), Duration::from_secs(30)).unwrap(),
        )
        .unwrap();
        SloFetcher::new(client, slos.clone(), windows_for(&default_rules()))
            .evaluated_at(at)
            .slow_every(slow_every)
    };
    let mut g = c.benchmark_group("slo_refresh_50_real_prometheus");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    for (label, slow_every) in [("full", 1u32), ("fast_only", u32::MAX)] {
        let mut f = fetcher(slow_every);
        // The fast-only case measures the refreshes between slow ones (slow values cached).
        rt.block_on(f.fetch()).unwrap();
        let (mut calls, before) = (0u64, f.queries_sent());
        g.bench_function(label, |b| {
            b.iter(|| {
                calls += 1;
                black_box(rt.block_on(f.fetch()).unwrap());
            })
        });
        eprintln!(
            "{label}: {} queries per refresh of 50 SLOs",
            (f.queries_sent() - before) / calls.max(1)
        );
    }
    g.finish();
}

criterion_group!(benches, pane_render, refresh_50);
criterion_main!(benches);
