//! SLO accuracy against real backends: 31 days of generated history backfilled into Prometheus
//! (promtool) and imported into VictoriaMetrics; the fetcher's ratios, and the budget and burn
//! rates `domain::slo::evaluate` derives from them, must match the generator's analytic values
//! within 1% on both: ratio SLOs, latency SLOs (histogram buckets) and SLOs grouped by service.

#![allow(clippy::unwrap_used)]

mod kit;
mod support;

use chrono::{DateTime, Utc};
use onwatch::app::msg::{Payload, SloSample};
use onwatch::config::SloConfig;
use onwatch::domain::duration;
use onwatch::domain::slo::{self, SloStatus};
use onwatch::poll::SloFetcher;
use std::time::Duration;
use support::history::{self, History};
use support::prometheus::Prometheus;
use support::victoria::Victoria;

const OBJECTIVE: f64 = 99.9;
const PERIOD: Duration = Duration::from_secs(30 * 86_400);

/// One ratio SLO per service, `static` included: it has no error series, so its ratio is
/// exactly 0 (the total times 0 stands in for the missing errors), never "no data".
fn slos(h: &History) -> Vec<SloConfig> {
    h.services
        .iter()
        .map(|s| {
            let (error_query, total_query) = s.queries();
            SloConfig {
                name: s.name.clone(),
                source: "real".into(),
                objective: OBJECTIVE,
                period: PERIOD,
                error_query,
                total_query,
                ..Default::default()
            }
        })
        .collect()
}

/// The same traffic through the other SLI forms: availability and latency grouped by
/// service, and checkout's latency alone.
fn grouped_and_latency() -> Vec<SloConfig> {
    let slo = |name: &str| SloConfig {
        name: name.into(),
        source: "real".into(),
        objective: OBJECTIVE,
        period: PERIOD,
        ..Default::default()
    };
    let by_service = vec!["service".to_string()];
    vec![
        SloConfig {
            error_query: r#"sum by (service) (rate(http_requests_total{code=~"5.."}[$window]))"#
                .into(),
            total_query: "sum by (service) (rate(http_requests_total[$window]))".into(),
            group_by: by_service.clone(),
            ..slo("availability")
        },
        SloConfig {
            histogram: Some("http_request_duration_seconds".into()),
            threshold: Some(history::LATENCY_THRESHOLD.into()),
            group_by: by_service,
            ..slo("latency")
        },
        SloConfig {
            histogram: Some(r#"http_request_duration_seconds{service="checkout"}"#.into()),
            threshold: Some(history::LATENCY_THRESHOLD.into()),
            ..slo("checkout-latency")
        },
    ]
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 0.01 * want.abs().max(1e-12)
}

/// Checks one row's burn rates and budget against `expected` (the error ratio over a window
/// ending at the history's end).
fn assert_row(samples: &[SloSample], name: &str, url: &str, expected: impl Fn(Duration) -> f64) {
    let rules = slo::default_rules();
    let objective = OBJECTIVE / 100.0;
    let sample = samples
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no row {name} on {url}"));
    assert_eq!(sample.error, None, "{name}");
    let eval = slo::evaluate(objective, PERIOD, &sample.measurement, &rules);
    let mut report = Vec::new();
    let mut ok = true;
    for w in &slo::windows_for(&rules) {
        let want = slo::burn_rate(expected(*w), objective);
        let got = eval.burn_rates[w];
        ok &= got.is_some_and(|g| close(g, want));
        report.push(format!("{}: got {got:?} want {want}", duration::label(*w)));
    }
    let want_budget = slo::budget_remaining(expected(PERIOD), objective);
    ok &= eval.budget_remaining.is_some_and(|b| close(b, want_budget));
    report.push(format!(
        "budget: got {:?} want {want_budget}",
        eval.budget_remaining
    ));
    assert!(ok, "{name} on {url}:\n{}", report.join("\n"));
}

/// Measures every SLO through the real fetcher at the history's end and checks each window's
/// burn rate, the budget remaining and the status against the analytic values.
async fn assert_accurate(url: &str, h: &History) {
    let at: DateTime<Utc> = DateTime::from_timestamp(h.end, 0).unwrap();
    let rules = slo::default_rules();
    let windows = slo::windows_for(&rules);
    let mut f = SloFetcher::new(
        kit::prom_client(url, Duration::from_secs(20)),
        slos(h),
        windows.clone(),
    )
    .evaluated_at(at);
    let Payload::Slo(samples) = f.fetch().await.unwrap() else {
        panic!("an SLO payload");
    };
    let objective = OBJECTIVE / 100.0;
    for service in &h.services {
        assert_row(&samples, &service.name, url, |w| {
            service.expected_ratio(h.end, w)
        });
    }
    assert!(
        h.services
            .iter()
            .any(|s| s.name == "static" && s.baseline == 0.0)
    );
    // The generator's story, read through the rules: checkout burns 20x now (page), search
    // burns 1.5x steadily over days (ticket).
    let status = |name: &str| {
        let s = samples.iter().find(|s| s.name == name).unwrap();
        slo::evaluate(objective, PERIOD, &s.measurement, &rules).status
    };
    assert_eq!(status("checkout"), SloStatus::Page);
    assert_eq!(status("search"), SloStatus::Ticket);
    assert_eq!(
        f.queries_sent(),
        (samples.len() * (windows.len() + 2)) as u64
    );
}

/// The grouped and latency SLOs: one row per service, each equal to that service's analytic
/// values (`static`, which has no error series, at exactly 0 errors); the same queries as
/// ungrouped SLOs, however many groups.
async fn assert_grouped_and_latency_accurate(url: &str, h: &History) {
    let at: DateTime<Utc> = DateTime::from_timestamp(h.end, 0).unwrap();
    let windows = slo::windows_for(&slo::default_rules());
    let slos = grouped_and_latency();
    let mut f = SloFetcher::new(
        kit::prom_client(url, Duration::from_secs(20)),
        slos.clone(),
        windows.clone(),
    )
    .evaluated_at(at);
    let Payload::Slo(samples) = f.fetch().await.unwrap() else {
        panic!("an SLO payload");
    };
    for s in &h.services {
        let row = |slo: &str| format!("{slo}{{service={:?}}}", s.name);
        assert_row(&samples, &row("availability"), url, |w| {
            s.expected_ratio(h.end, w)
        });
        assert_row(&samples, &row("latency"), url, |w| {
            s.expected_slow_ratio(h.end, w)
        });
    }
    let never_fails = samples
        .iter()
        .find(|s| s.name == r#"availability{service="static"}"#)
        .unwrap();
    assert!(
        never_fails
            .measurement
            .error_ratios
            .values()
            .all(|r| *r == Some(0.0)),
        "{never_fails:?}"
    );
    let checkout = h.service("checkout");
    assert_row(&samples, "checkout-latency", url, |w| {
        checkout.expected_slow_ratio(h.end, w)
    });
    assert_eq!(samples.len(), 2 * h.services.len() + 1, "{samples:#?}");
    assert_eq!(f.queries_sent(), (slos.len() * (windows.len() + 2)) as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_rates_and_budget_match_the_generator_on_prometheus() {
    let h = history::standard(history::recent_end());
    let p = Prometheus::start(Some(&h), &[]);
    assert_accurate(&p.url(), &h).await;
    assert_grouped_and_latency_accurate(&p.url(), &h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_rates_and_budget_match_the_generator_on_victoria_metrics() {
    let h = history::standard(history::recent_end());
    let vm = Victoria::start();
    vm.import(&h);
    assert_accurate(&vm.url(), &h).await;
    assert_grouped_and_latency_accurate(&vm.url(), &h).await;
}
