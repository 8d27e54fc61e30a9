//! Hot paths of the pure core: SLO evaluation, alert dedup and grouping, log ingest.

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use onwatch::domain::alerts::{self, Alert, AmState, Labels, Observation};
use onwatch::domain::log_filter::LogFilter;
use onwatch::domain::logs::{self, AnsiMode, LogBuffer, LogLine, SanitiseOptions};
use onwatch::domain::slo::{self, SloMeasurement};
use std::collections::BTreeMap;
use std::hint::black_box;
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
        out.push(Observation {
            cluster: "prod".into(),
            replica: ["am-0", "am-1"][(i / 2) % 2].into(),
            alert: Alert {
                labels,
                annotations: Labels::new(),
                state: AmState::Active,
                silenced_by: vec![],
                inhibited_by: vec![],
                starts_at: t,
                updated_at: t,
                ends_at: None,
                generator_url: None,
                fingerprint: format!("{i:016x}"),
                receivers: vec![],
            },
        });
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
            let deduped = alerts::dedup(obs.clone(), &dedup_labels, &silences);
            black_box(alerts::group(deduped, &by))
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

criterion_group!(benches, slo_eval, dedup_group, log_ingest);
criterion_main!(benches);
