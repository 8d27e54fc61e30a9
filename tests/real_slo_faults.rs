//! Faults while measuring SLOs: the row keeps its last good values, dimmed, and says why and
//! how old they are. Backend down, `bad_data` and an empty result come from a real Prometheus
//! (with backfilled history); a timeout, a 500 and a lying response (a matrix where a vector is
//! expected) from a local fault server, since a real Prometheus does not produce them on demand.

#![allow(clippy::unwrap_used)]

mod support;

mod kit;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::{DateTime, Utc};
use onwatch::app::msg::{Msg, SourceUpdate};
use onwatch::app::state::Setup;
use onwatch::app::{FixedClock, State, update};
use onwatch::config::SloConfig;
use onwatch::domain::slo::SloDef;
use onwatch::domain::slo::{SloStatus, default_rules, windows_for};
use onwatch::poll::SloFetcher;
use onwatch::ui::Theme;
use ratatui::style::Modifier;
use std::time::Duration;
use support::history;
use support::prometheus::Prometheus;

const REQUEST_TIMEOUT: Duration = Duration::from_millis(400);

fn slo(error_query: &str, total_query: &str) -> SloConfig {
    SloConfig {
        name: "checkout".into(),
        source: "prod".into(),
        objective: 99.9,
        period: Duration::from_secs(30 * 86_400),
        error_query: error_query.into(),
        total_query: total_query.into(),
        ..Default::default()
    }
}

fn good_slo() -> SloConfig {
    let h = history::standard(0);
    let (e, t) = h.service("checkout").queries();
    slo(&e, &t)
}

fn state() -> State {
    let setup = Setup {
        sources: vec![kit::prom()],
        slos: vec![SloDef {
            name: "checkout".into(),
            source: "prod".into(),
            objective: 0.999,
            period: Duration::from_secs(30 * 86_400),
        }],
        burn_rules: default_rules(),
        ..kit::setup()
    };
    State::new(setup, Utc::now())
}

async fn poll(url: &str, slo: SloConfig, at: DateTime<Utc>) -> SourceUpdate {
    let mut f = SloFetcher::new(
        kit::prom_client(url, REQUEST_TIMEOUT),
        vec![slo],
        windows_for(&default_rules()),
    )
    .evaluated_at(at)
    .slow_every(1);
    let result = tokio::time::timeout(Duration::from_secs(30), f.fetch())
        .await
        .unwrap();
    SourceUpdate {
        source: kit::prom(),
        generation: 0,
        fetched_at: Utc::now(),
        result,
        slow: None,
    }
}

/// A good poll, then `fault` three minutes later: the row keeps the good evaluation, says
/// `reason` and how old its values are, and is drawn dimmed.
fn assert_fault_kept(good: SourceUpdate, fault: SourceUpdate, reason: &str) {
    let t0 = Utc::now();
    let clock = FixedClock::new(t0);
    let mut st = state();
    let mut good = good;
    good.generation = 1;
    good.fetched_at = t0;
    update(&mut st, Msg::Source(good), &clock);
    let before = st.slos[0].eval.clone().unwrap();
    assert_eq!(
        before.status,
        SloStatus::Page,
        "the good poll measured the burn"
    );

    clock.advance(chrono::Duration::minutes(3));
    let mut fault = fault;
    fault.generation = 2;
    fault.fetched_at = clock.now_utc();
    update(&mut st, Msg::Source(fault), &clock);
    update(&mut st, Msg::Tick, &clock);

    assert_eq!(
        st.slos[0].eval.as_ref(),
        Some(&before),
        "last good values kept"
    );
    let t = kit::render(&st, &Theme::default(), 120, 50);
    let rows = kit::rows(t.backend().buffer());
    let row_y = rows.iter().position(|r| r.contains("checkout")).unwrap();
    assert!(rows[row_y].contains("PAGE"), "{}", rows[row_y]);
    // A fault of this SLO's queries is said under its row; a fault of the whole source once,
    // in the pane's title (every row of that source is then dimmed).
    let note = &rows[row_y + 1];
    let title = rows[..row_y]
        .iter()
        .rev()
        .find(|r| r.contains("SLO burn"))
        .unwrap();
    let header = &rows[0];
    let reason_said = note.contains(reason) || title.contains(reason);
    let age_said = note.contains("values 3m old")
        || title.contains("data 3m old")
        || header.contains("prom:prod 3m");
    assert!(
        reason_said && age_said,
        "reason {reason:?} and age in:\n{}",
        rows.join("\n")
    );
    let buf = t.backend().buffer();
    let x = rows[row_y].find("checkout").unwrap() as u16;
    assert!(
        buf[(x, row_y as u16)].modifier.contains(Modifier::DIM),
        "the stale row is dimmed"
    );
}

trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for FixedClock {
    fn now_utc(&self) -> DateTime<Utc> {
        onwatch::app::Clock::now(self)
    }
}

/// One real Prometheus with history shared by the real-backend faults of this test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_prometheus_faults_keep_last_good_values() {
    let h = history::standard(history::recent_end());
    let mut p = Prometheus::start(Some(&h), &[]);
    let at = DateTime::from_timestamp(h.end, 0).unwrap();
    let url = p.url();

    // bad_data: the backend refuses the query.
    let broken = slo(
        r#"sum(rate(http_requests_total{service="checkout",code=~"5.."}[$window])"#,
        r#"sum(rate(http_requests_total{service="checkout"}[$window]))"#,
    );
    assert_fault_kept(
        poll(&url, good_slo(), at).await,
        poll(&url, broken, at).await,
        "bad_data",
    );

    // An empty result: the series are gone.
    let gone = slo(
        r#"sum(rate(renamed_total{code=~"5.."}[$window]))"#,
        r#"sum(rate(renamed_total[$window]))"#,
    );
    assert_fault_kept(
        poll(&url, good_slo(), at).await,
        poll(&url, gone, at).await,
        "no data",
    );

    // Backend down.
    let good = poll(&url, good_slo(), at).await;
    p.daemon.stop();
    assert_fault_kept(good, poll(&url, good_slo(), at).await, "unreachable");
}

/// Stands in for a backend that hangs, fails with a 500, or answers a matrix to an instant
/// query; `good` answers the checkout burn of the generator so the first poll has values.
async fn fault_server(kind: &'static str) -> String {
    let app = Router::new().route(
        "/api/v1/query",
        post(move || async move {
            match kind {
                "hang" => {
                    // Never answers within the client's timeout (bounded: the runtime ends).
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    (StatusCode::OK, String::new())
                }
                "500" => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal server error".to_string(),
                ),
                "matrix" => (
                    StatusCode::OK,
                    r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"0.5"]]}]}}"#
                        .to_string(),
                ),
                _ => (
                    StatusCode::OK,
                    r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.05"]}]}}"#
                        .to_string(),
                ),
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_fault_server_timeout_500_and_lying_matrix_keep_last_good_values() {
    let at = Utc::now();
    let good_url = fault_server("good").await;
    for (kind, reason) in [
        ("hang", "timed out"),
        ("500", "500"),
        ("matrix", "expected vector, got matrix"),
    ] {
        let url = fault_server(kind).await;
        assert_fault_kept(
            poll(&good_url, good_slo(), at).await,
            poll(&url, good_slo(), at).await,
            reason,
        );
    }
}
