//! SLO discovery against a real Prometheus that loaded the Sloth example rules
//! (`tests/fixtures/sloth-getting-started.rules.yml`, verbatim from slok/sloth): the SLO is
//! found with its name, service, objective and period, measured through its recording rules,
//! and becomes a row of the SLO pane next to the configured ones. Pyrra's rules, which Pyrra
//! ships no example of, are written from the reference in Pyrra's shape and loaded the same way.

#![allow(clippy::unwrap_used)]

mod support;

mod kit;
use chrono::Utc;
use onwatch::app::msg::{Payload, SloSample};
use onwatch::app::state::Setup;
use onwatch::app::{FixedClock, State, update};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::slo::{BurnRule, SloStatus, Urgency, default_rules, windows_for};
use onwatch::domain::slo::{SloDef, SloOrigin};
use onwatch::poll::SloFetcher;
use onwatch::poll::slo_discover::discover;
use std::path::PathBuf;
use std::time::Duration;
use support::prometheus::Prometheus;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sloth-getting-started.rules.yml")
}

/// Pyrra publishes no generated rule file: this one is written from the reference's summary
/// of Pyrra's rule tests, for its example SLO (see the file's header).
fn pyrra_shaped_fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pyrra-prometheus-api-query.rules.yml")
}

fn setup(slos: Vec<SloDef>) -> Setup {
    Setup {
        sources: vec![SourceId::new(SourceKind::Prometheus, "prod")],
        slos,
        burn_rules: default_rules(),
        ..kit::setup()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sloth_rules_loaded_in_prometheus_are_discovered_and_become_rows() {
    let p = Prometheus::start(None, &[fixture()]);
    let c = kit::prom_client(&p.url(), Duration::from_secs(10));

    let found = discover(&c.rules().await.unwrap());
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d.origin, SloOrigin::Sloth);
    assert_eq!(d.def.name, "myservice/requests-availability");
    assert_eq!(d.service.as_deref(), Some("myservice"));
    assert!(
        (d.def.objective - 0.999).abs() < 1e-9,
        "{}",
        d.def.objective
    );
    assert_eq!(d.def.period, Duration::from_secs(30 * 86_400));
    let labels: Vec<String> = d
        .windows
        .iter()
        .map(|w| onwatch::domain::duration::label(*w))
        .collect();
    assert_eq!(labels, ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]);

    // Measured through its recording rules, next to a configured SLO.
    let windows = windows_for(&default_rules());
    let mut f = SloFetcher::new(c, vec![], windows).discover(true);
    let Payload::Slo(samples) = f.fetch().await.unwrap() else {
        panic!("an SLO payload")
    };
    let s = samples
        .iter()
        .find(|s| s.name == "myservice/requests-availability")
        .unwrap();
    assert!(
        s.queries.contains(
            &r#"max(slo:sli_error:ratio_rate5m{sloth_id="myservice-requests-availability"})"#
                .to_string()
        ),
        "{:?}",
        s.queries
    );
    assert!(
        s.queries
            .iter()
            .any(|q| q.contains("slo:sli_error:ratio_rate30d")),
        "the period is measured through the period rule: {:?}",
        s.queries
    );
    // No traffic was ever recorded: no data, never 0.
    assert!(s.measurement.error_ratios.values().all(Option::is_none));

    let configured = SloDef {
        name: "checkout".into(),
        source: "prod".into(),
        objective: 0.99,
        period: Duration::from_secs(86_400),
    };
    let mut state = State::new(setup(vec![configured]), Utc::now());
    let clock = FixedClock::new(Utc::now());
    update(
        &mut state,
        kit::source_msg(
            SourceId::new(SourceKind::Prometheus, "prod"),
            1,
            Utc::now(),
            Ok(Payload::Slo(samples.clone())),
        ),
        &clock,
    );
    assert_eq!(state.slos.len(), 2, "the configured row is kept");
    let row = state
        .slos
        .iter()
        .find(|r| r.origin == SloOrigin::Sloth)
        .unwrap();
    assert_eq!(row.def.source, "prod");
    assert_eq!(row.def.name, "myservice/requests-availability");
    assert_eq!(row.eval.as_ref().unwrap().status, SloStatus::NoData);
    // A second report of the same SLO adds no second row.
    update(
        &mut state,
        kit::source_msg(
            SourceId::new(SourceKind::Prometheus, "prod"),
            2,
            Utc::now(),
            Ok(Payload::Slo(samples)),
        ),
        &clock,
    );
    assert_eq!(state.slos.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pyrra_shaped_rules_loaded_in_prometheus_are_discovered_and_measured_through_them() {
    let p = Prometheus::start(None, &[pyrra_shaped_fixture()]);
    let c = kit::prom_client(&p.url(), Duration::from_secs(10));

    let found = discover(&c.rules().await.unwrap());
    assert_eq!(found.len(), 1, "{found:?}");
    let d = &found[0];
    assert_eq!(d.origin, SloOrigin::Pyrra);
    assert_eq!(d.def.name, "prometheus-api-query");
    // The target read back from the ErrorBudgetBurn alerts, the period from the increase rule.
    assert!((d.def.objective - 0.99).abs() < 1e-9, "{}", d.def.objective);
    assert_eq!(d.def.period, Duration::from_secs(7 * 86_400));
    let labels: Vec<String> = d
        .windows
        .iter()
        .map(|w| onwatch::domain::duration::label(*w))
        .collect();
    assert_eq!(labels, ["1m", "8m", "15m", "30m", "1h30m", "6h", "1d"]);

    let windows = windows_for(&default_rules());
    let mut f = SloFetcher::new(c, vec![], windows).discover(true);
    let Payload::Slo(samples) = f.fetch().await.unwrap() else {
        panic!("an SLO payload")
    };
    let s = samples
        .iter()
        .find(|s| s.name == "prometheus-api-query")
        .unwrap();
    // Judged by its own alerts' windows and factors (Pyrra's, scaled to its 7d window), not
    // the cockpit's workbook rules, which its recording rules mostly do not record.
    let m = |t: u64| Duration::from_secs(60 * t);
    let rule = |urgency, long, short, factor| BurnRule {
        urgency,
        long,
        short,
        factor,
    };
    assert_eq!(
        d.rules,
        [
            rule(Urgency::Page, m(15), m(1), 14.0),
            rule(Urgency::Page, m(90), m(8), 7.0),
            rule(Urgency::Ticket, m(360), m(30), 2.0),
            rule(Urgency::Ticket, m(1440), m(90), 1.0),
        ]
    );
    // Measured through its own recording rules, on the windows of those rules, per handler
    // (the rules keep it: one row per handler once there is traffic); no other query is sent
    // (Pyrra records no error ratio over the period).
    assert_eq!(d.group_by, ["handler"]);
    assert_eq!(
        s.queries,
        ["1m", "8m", "15m", "30m", "1h30m", "6h", "1d"].map(|w| format!(
            r#"max by (handler) (prometheus_http_requests:burnrate{w}{{slo="prometheus-api-query"}})"#
        ))
    );
    assert_eq!(s.error, None, "{s:?}");

    // A fast burn on Pyrra's first pair (1m and 15m at 20x) pages; under the cockpit's
    // rules the same numbers would not (it has no 5m and 1h to read).
    let mut burning = s.clone();
    for (w, r) in burning.measurement.error_ratios.iter_mut() {
        *r = Some(if *w <= m(15) { 0.2 } else { 0.001 });
    }
    let status = |sample: SloSample| {
        let mut state = State::new(setup(vec![]), Utc::now());
        let clock = FixedClock::new(Utc::now());
        update(
            &mut state,
            kit::source_msg(
                SourceId::new(SourceKind::Prometheus, "prod"),
                1,
                Utc::now(),
                Ok(Payload::Slo(std::sync::Arc::new(vec![sample].into()))),
            ),
            &clock,
        );
        assert_eq!(state.slos.len(), 1);
        state.slos[0].eval.as_ref().unwrap().status
    };
    assert_eq!(status(burning.clone()), SloStatus::Page);
    burning.rules.clear();
    assert_ne!(status(burning), SloStatus::Page);
}
