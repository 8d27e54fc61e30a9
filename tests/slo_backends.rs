//! SLO accuracy against real backends: 31 days of generated history backfilled into Prometheus
//! (promtool) and imported into VictoriaMetrics; the fetcher's ratios, and the budget and burn
//! rates `domain::slo::evaluate` derives from them, must match the generator's analytic values
//! within 1% on both.

#![allow(clippy::unwrap_used)]

mod support;

use chrono::{DateTime, Utc};
use onwatch::app::msg::{Payload, SloSample};
use onwatch::config::{HttpOptions, SloConfig};
use onwatch::domain::duration;
use onwatch::domain::slo::{self, SloStatus};
use onwatch::poll::SloFetcher;
use onwatch::sources::http::HttpClient;
use onwatch::sources::prometheus::PrometheusClient;
use std::time::Duration;
use support::history::{self, History};
use support::prometheus::Prometheus;
use support::victoria::Victoria;

const OBJECTIVE: f64 = 99.9;
const PERIOD: Duration = Duration::from_secs(30 * 86_400);

fn client(url: &str) -> PrometheusClient {
    PrometheusClient::new(
        url,
        HttpClient::new(&HttpOptions::default(), Duration::from_secs(20)).unwrap(),
    )
    .unwrap()
}

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

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 0.01 * want.abs().max(1e-12)
}

/// Measures every SLO through the real fetcher at the history's end and checks each window's
/// burn rate, the budget remaining and the status against the analytic values.
async fn assert_accurate(url: &str, h: &History) {
    let at: DateTime<Utc> = DateTime::from_timestamp(h.end, 0).unwrap();
    let rules = slo::default_rules();
    let windows = slo::windows_for(&rules);
    let mut f = SloFetcher::new(client(url), slos(h), windows.clone()).evaluated_at(at);
    let Payload::Slo(samples) = f.fetch().await.unwrap() else {
        panic!("an SLO payload");
    };
    let objective = OBJECTIVE / 100.0;
    for service in &h.services {
        let sample: &SloSample = samples.iter().find(|s| s.name == service.name).unwrap();
        assert_eq!(sample.error, None, "{}", service.name);
        let eval = slo::evaluate(objective, PERIOD, &sample.measurement, &rules);
        let mut report = Vec::new();
        let mut ok = true;
        for w in &windows {
            let want = slo::burn_rate(service.expected_ratio(h.end, *w), objective);
            let got = eval.burn_rates[w];
            ok &= got.is_some_and(|g| close(g, want));
            report.push(format!("{}: got {got:?} want {want}", duration::label(*w)));
        }
        let want_budget = slo::budget_remaining(service.expected_ratio(h.end, PERIOD), objective);
        ok &= eval.budget_remaining.is_some_and(|b| close(b, want_budget));
        report.push(format!(
            "budget: got {:?} want {want_budget}",
            eval.budget_remaining
        ));
        assert!(ok, "{} on {url}:\n{}", service.name, report.join("\n"));
    }
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
        (h.services.len() * (windows.len() + 2)) as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_rates_and_budget_match_the_generator_on_prometheus() {
    let h = history::standard(history::recent_end());
    let p = Prometheus::start(Some(&h), &[]);
    assert_accurate(&p.url(), &h).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_rates_and_budget_match_the_generator_on_victoria_metrics() {
    let h = history::standard(history::recent_end());
    let vm = Victoria::start();
    vm.import(&h);
    assert_accurate(&vm.url(), &h).await;
}
