//! Contract: a whole config becomes one poller per source (`spawn_all`), and `poll_once_all`
//! polls them all once against local servers replaying the reference shapes.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failure here is a broken test

mod kit;
use axum::Router;
use axum::routing::{get, post};
use onwatch::app::msg::Payload;
use onwatch::config::{AlertmanagerSource, Config, LokiSource, PrometheusSource, SloConfig};
use onwatch::domain::health::{SourceError, SourceKind};
use onwatch::poll::{poll_once_all, spawn_all};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

fn ok_json(body: &'static str) -> ([(&'static str, &'static str); 1], &'static str) {
    ([("content-type", "application/json")], body)
}

async fn backends() -> (String, String, String) {
    let prom = kit::serve(Router::new().route(
        "/api/v1/query",
        post(|| async {
            ok_json(r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"0.001"]}]}}"#)
        }),
    ))
    .await;
    let am = kit::serve(
        Router::new()
            .route(
                "/api/v2/alerts",
                get(|| async {
                    ok_json(r#"[{"labels":{"alertname":"X"},"annotations":{},"fingerprint":"f","startsAt":"2026-11-22T03:00:00Z","updatedAt":"2026-11-22T03:00:00Z","endsAt":"2026-11-22T03:05:00Z","receivers":[],"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]"#)
                }),
            )
            .route("/api/v2/silences", get(|| async { ok_json("[]") }))
            .route(
                "/api/v2/status",
                get(|| async {
                    ok_json(r#"{"cluster":{"status":"disabled"},"versionInfo":{"version":"0.27.0"}}"#)
                }),
            ),
    )
    .await;
    let loki = kit::serve(Router::new().route(
        "/loki/api/v1/query_range",
        get(|| async {
            ok_json(r#"{"status":"success","data":{"resultType":"streams","result":[]}}"#)
        }),
    ))
    .await;
    (prom, am, loki)
}

fn config(prom: &str, am_urls: Vec<String>, loki: &str) -> Config {
    let mut c = Config::default();
    c.general.timeout = Duration::from_millis(500);
    c.general.refresh = Duration::from_secs(3600);
    c.prometheus = vec![PrometheusSource {
        name: "prod".into(),
        url: prom.into(),
        discover: false,
        max_in_flight: None,
        slow_every: None,
        bearer_token: None,
        basic_auth: None,
        headers: Default::default(),
        tls: Default::default(),
        timeout: None,
    }];
    c.alertmanager = vec![AlertmanagerSource {
        name: "prod-eu".into(),
        urls: am_urls,
        bearer_token: None,
        basic_auth: None,
        headers: Default::default(),
        tls: Default::default(),
        timeout: None,
    }];
    c.loki = vec![LokiSource {
        name: "checkout".into(),
        url: loki.into(),
        query: "{app=\"checkout\"}".into(),
        mode: Default::default(),
        alert_query: None,
        idle: None,
        bearer_token: None,
        basic_auth: None,
        headers: Default::default(),
        tls: Default::default(),
        timeout: None,
    }];
    c.slo = vec![SloConfig {
        name: "checkout-availability".into(),
        source: "prod".into(),
        objective: 99.9,
        period: Duration::from_secs(30 * 86_400),
        error_query: "sum(rate(e[$window]))".into(),
        total_query: "sum(rate(t[$window]))".into(),
        ..Default::default()
    }];
    c
}

#[tokio::test]
async fn poll_once_all_polls_every_source_once() {
    let (prom, am, loki) = backends().await;
    let down = kit::refused_url().await;
    let updates = poll_once_all(&config(&prom, vec![am, down], &loki)).await;
    let kinds: Vec<SourceKind> = updates.iter().map(|u| u.source.kind).collect();
    assert_eq!(
        kinds,
        [
            SourceKind::Prometheus,
            SourceKind::Alertmanager,
            SourceKind::Loki
        ]
    );
    let Ok(Payload::Slo(slos)) = &updates[0].result else {
        panic!("{:?}", updates[0].result)
    };
    assert_eq!(slos[0].name, "checkout-availability");
    assert_eq!(
        slos[0].measurement.error_ratios.len(),
        7,
        "the default windows"
    );
    assert_eq!(slos[0].measurement.period_ratio, Some(0.001));
    let Ok(Payload::Alerts(snap)) = &updates[1].result else {
        panic!("{:?}", updates[1].result)
    };
    assert_eq!(snap.observations.len(), 1);
    assert_eq!(snap.replicas[0].version.as_deref(), Some("0.27.0"));
    assert!(snap.replicas[1].error.is_some(), "the refused replica");
    assert!(
        snap.replicas[1].name.starts_with("127.0.0.1:"),
        "replica named host:port"
    );
    assert!(matches!(&updates[2].result, Ok(Payload::Logs(w)) if w.lines.is_empty()));
}

#[tokio::test]
async fn a_source_that_cannot_start_reports_why_and_the_others_still_poll() {
    let (prom, am, _) = backends().await;
    let mut c = config(&prom, vec![am], "http://127.0.0.1:1");
    c.loki[0].bearer_token = Some(onwatch::config::SecretRef {
        file: Some("/nonexistent/onwatch-token".into()),
        env: None,
    });
    let updates = poll_once_all(&c).await;
    assert!(updates[0].result.is_ok() && updates[1].result.is_ok());
    match &updates[2].result {
        Err(SourceError::Unreachable(m)) => {
            assert!(m.contains("/nonexistent/onwatch-token"), "{m}")
        }
        other => panic!("{other:?}"),
    }
    assert!(spawn_all(&c, Arc::new(Notify::new())).is_err());
}

#[tokio::test]
async fn spawn_all_starts_one_poller_per_source_and_wakes_the_ui() {
    let (prom, am, loki) = backends().await;
    let wake = Arc::new(Notify::new());
    let handles = spawn_all(&config(&prom, vec![am], &loki), wake.clone()).unwrap();
    assert_eq!(handles.len(), 3);
    for h in &handles {
        let mut rx = h.rx.clone();
        tokio::time::timeout(Duration::from_secs(10), rx.wait_for(Option::is_some))
            .await
            .expect("a first publish")
            .unwrap();
        let u = h.latest().unwrap();
        assert_eq!(u.generation, 1);
        assert!(u.result.is_ok(), "{}: {:?}", u.source, u.result);
    }
    tokio::time::timeout(Duration::from_secs(1), wake.notified())
        .await
        .expect("woken");
}

#[tokio::test]
async fn an_slo_on_an_unknown_source_is_refused() {
    let (prom, am, loki) = backends().await;
    let mut c = config(&prom, vec![am], &loki);
    c.slo[0].source = "staging".into();
    let e = spawn_all(&c, Arc::new(Notify::new())).unwrap_err();
    assert_eq!(
        e,
        "slo checkout-availability: source staging is not a [[prometheus]] name"
    );
}
