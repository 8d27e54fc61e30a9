//! Contract: the Prometheus client replays the wire shapes of
//! the Prometheus HTTP API documentation (its examples copied below) from a local axum
//! server, plus the failures a real backend produces.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a failure here is a broken test

mod kit;
use axum::Router;
use axum::extract::Form;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use onwatch::app::msg::Payload;
use onwatch::config::{HttpOptions, SecretRef, SloConfig};
use onwatch::domain::health::SourceError;
use onwatch::poll::SloFetcher;
use onwatch::sources::http::HttpClient;
use onwatch::sources::prometheus::{PrometheusClient, RuleKind};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_millis(300);

// From the reference: "Instant queries" example.
const INSTANT_UP: &str = r#"{
   "status" : "success",
   "data" : {
      "resultType" : "vector",
      "result" : [
         {
            "metric" : {
               "__name__" : "up",
               "job" : "prometheus",
               "instance" : "localhost:9090"
            },
            "value": [ 1435781451.781, "1" ]
         },
         {
            "metric" : {
               "__name__" : "up",
               "job" : "node",
               "instance" : "localhost:9100"
            },
            "value" : [ 1435781451.781, "0" ]
         }
      ]
   }
}"#;

// From the reference: "Range queries" example.
const RANGE_UP: &str = r#"{
   "status" : "success",
   "data" : {
      "resultType" : "matrix",
      "result" : [
         {
            "metric" : {
               "__name__" : "up",
               "job" : "prometheus",
               "instance" : "localhost:9090"
            },
            "values" : [
               [ 1435781430.781, "1" ],
               [ 1435781445.781, "1" ],
               [ 1435781460.781, "1" ]
            ]
         },
         {
            "metric" : {
               "__name__" : "up",
               "job" : "node",
               "instance" : "localhost:9091"
            },
            "values" : [
               [ 1435781430.781, "0" ],
               [ 1435781445.781, "0" ],
               [ 1435781460.781, "1" ]
            ]
         }
      ]
   }
}"#;

// From the reference: "Rules" example.
const RULES: &str = r#"{
    "data": {
        "groups": [
            {
                "rules": [
                    {
                        "alerts": [
                            {
                                "activeAt": "2018-07-04T20:27:12.60602144+02:00",
                                "annotations": {
                                    "summary": "High request latency"
                                },
                                "labels": {
                                    "alertname": "HighRequestLatency",
                                    "severity": "page"
                                },
                                "state": "firing",
                                "value": "1e+00"
                            }
                        ],
                        "annotations": {
                            "summary": "High request latency"
                        },
                        "duration": 600,
                        "health": "ok",
                        "labels": {
                            "severity": "page"
                        },
                        "name": "HighRequestLatency",
                        "query": "job:request_latency_seconds:mean5m{job=\"myjob\"} > 0.5",
                        "type": "alerting"
                    },
                    {
                        "health": "ok",
                        "name": "job:http_inprogress_requests:sum",
                        "query": "sum by (job) (http_inprogress_requests)",
                        "type": "recording"
                    }
                ],
                "file": "/rules.yaml",
                "interval": 60,
                "limit": 0,
                "name": "example"
            }
        ]
    },
    "status": "success"
}"#;

// From the reference: "Build Information" example.
const BUILDINFO: &str = r#"{
  "status": "success",
  "data": {
    "version": "2.13.1",
    "revision": "cb7cbad5f9a2823a622aaa668833ca04f50a0ea7",
    "branch": "master",
    "buildUser": "julius@desktop",
    "buildDate": "20191102-16:19:59",
    "goVersion": "go1.13.1"
  }
}"#;

// The envelope's error form, as Prometheus sends it with HTTP 400.
const BAD_DATA: &str = r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected <by>"}"#;

const EMPTY_VECTOR: &str = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;

fn opts() -> HttpOptions {
    HttpOptions {
        timeout: Some(TIMEOUT),
        ..Default::default()
    }
}

fn json(body: &'static str) -> (StatusCode, [(&'static str, &'static str); 1], &'static str) {
    (StatusCode::OK, [("content-type", "application/json")], body)
}

/// A server whose `/api/v1/query` answers `body` with `status`.
async fn query_server(status: StatusCode, body: &'static str) -> String {
    kit::serve(Router::new().route("/api/v1/query", post(move || async move { (status, body) })))
        .await
}

#[tokio::test]
async fn replays_instant_vector_posted_as_a_form() {
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let s = seen.clone();
    let base = kit::serve(Router::new().route(
        "/api/v1/query",
        post(move |Form(form): Form<HashMap<String, String>>| {
            let s = s.clone();
            async move {
                *s.lock().unwrap() = form;
                json(INSTANT_UP)
            }
        }),
    ))
    .await;
    let at = chrono::DateTime::from_timestamp(1_435_781_451, 781_000_000).unwrap();
    let long_query = format!("up{{job=~\"{}\"}}", "x|".repeat(5000));
    let samples = kit::prom_client(&base, TIMEOUT)
        .instant(&long_query, Some(at))
        .await
        .unwrap();
    assert_eq!(samples.len(), 2);
    assert_eq!(samples[0].labels["job"], "prometheus");
    assert_eq!(samples[0].value, 1.0);
    assert_eq!(samples[1].value, 0.0);
    assert_eq!(samples[1].timestamp, 1435781451.781);
    let form = seen.lock().unwrap().clone();
    assert_eq!(form["query"], long_query, "long queries travel in the body");
    assert_eq!(form["time"], "1435781451.781");
}

#[tokio::test]
async fn replays_range_matrix() {
    let base =
        kit::serve(Router::new().route("/api/v1/query_range", post(|| async { json(RANGE_UP) })))
            .await;
    let end = chrono::Utc::now();
    let series = kit::prom_client(&base, TIMEOUT)
        .range(
            "up",
            end - chrono::Duration::seconds(30),
            end,
            Duration::from_secs(15),
        )
        .await
        .unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[1].labels["instance"], "localhost:9091");
    assert_eq!(
        series[1].values,
        [
            (1435781430.781, 0.0),
            (1435781445.781, 0.0),
            (1435781460.781, 1.0)
        ]
    );
}

#[tokio::test]
async fn replays_rules_and_buildinfo() {
    let base = kit::serve(
        Router::new()
            .route("/api/v1/rules", get(|| async { json(RULES) }))
            .route(
                "/api/v1/status/buildinfo",
                get(|| async { json(BUILDINFO) }),
            ),
    )
    .await;
    let c = kit::prom_client(&base, TIMEOUT);
    let groups = c.rules().await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(groups[0].name, "example");
    assert_eq!(groups[0].interval, Some(60.0));
    let kinds: Vec<RuleKind> = groups[0].rules.iter().map(|r| r.kind).collect();
    assert_eq!(kinds, [RuleKind::Alerting, RuleKind::Recording]);
    assert_eq!(
        groups[0].rules[1].query,
        "sum by (job) (http_inprogress_requests)"
    );
    let info = c.buildinfo().await.unwrap();
    assert_eq!(info.version, "2.13.1");
}

#[tokio::test]
async fn error_envelope_is_an_api_error() {
    let base = query_server(StatusCode::BAD_REQUEST, BAD_DATA).await;
    let e = kit::prom_client(&base, TIMEOUT)
        .instant("sum by", None)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SourceError::Api {
            error_type: "bad_data".into(),
            message: "invalid parameter \"query\": 1:5: parse error: unexpected <by>".into()
        }
    );
}

#[tokio::test]
async fn http_500_and_401_keep_status_and_a_short_clean_body() {
    let base = query_server(
        StatusCode::INTERNAL_SERVER_ERROR,
        "upstream \x1b[31mexploded\x1b[0m\n",
    )
    .await;
    assert_eq!(
        kit::prom_client(&base, TIMEOUT)
            .instant("up", None)
            .await
            .unwrap_err(),
        SourceError::Http {
            status: 500,
            message: "upstream exploded".into()
        }
    );
    let base = query_server(StatusCode::UNAUTHORIZED, "Unauthorized").await;
    assert_eq!(
        kit::prom_client(&base, TIMEOUT)
            .instant("up", None)
            .await
            .unwrap_err(),
        SourceError::Http {
            status: 401,
            message: "Unauthorized".into()
        }
    );
}

#[tokio::test]
async fn malformed_json_is_a_bad_response() {
    let base = query_server(StatusCode::OK, "{\"status\":\"success\",\"data\":{\"resu").await;
    let e = kit::prom_client(&base, TIMEOUT)
        .instant("up", None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, SourceError::BadResponse(m) if m.contains("Prometheus API response")),
        "{e:?}"
    );
}

#[tokio::test]
async fn matrix_where_a_vector_is_expected() {
    let base = query_server(StatusCode::OK, RANGE_UP).await;
    assert_eq!(
        kit::prom_client(&base, TIMEOUT)
            .instant("up[5m]", None)
            .await
            .unwrap_err(),
        SourceError::BadResponse("expected vector, got matrix".into())
    );
}

#[tokio::test]
async fn a_huge_body_is_refused_not_buffered() {
    let big: &'static str = Box::leak(
        format!(
            "{{\"status\":\"success\",\"data\":{{\"resultType\":\"vector\",\"result\":[{}]}}}}",
            "{\"metric\":{},\"value\":[1,\"1\"]},".repeat(40_000)
        )
        .into_boxed_str(),
    );
    let base = query_server(StatusCode::OK, big).await;
    let http = HttpClient::new(&opts(), TIMEOUT)
        .unwrap()
        .with_max_body(1024 * 1024);
    let e = PrometheusClient::new(&base, http)
        .unwrap()
        .instant("up", None)
        .await
        .unwrap_err();
    assert_eq!(
        e,
        SourceError::BadResponse(
            "answer larger than 1 MiB, not read; raise [general] max_response".into()
        )
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_in_time() {
    let base = kit::serve(
        Router::new().route("/api/v1/query", post(std::future::pending::<&'static str>)),
    )
    .await;
    let started = Instant::now();
    let e = kit::prom_client(&base, TIMEOUT)
        .instant("up", None)
        .await
        .unwrap_err();
    assert_eq!(e, SourceError::Timeout("300ms".into()));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connection_refused_is_unreachable() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let e = kit::prom_client(&format!("http://user:hunter2@{addr}"), TIMEOUT)
        .instant("up", None)
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(matches!(e, SourceError::Unreachable(_)), "{e:?}");
    assert!(
        !text.contains("hunter2") && !text.contains("127.0.0.1"),
        "{text}"
    );
}

#[tokio::test]
async fn bearer_token_from_env_reaches_the_server_but_no_error() {
    // Cargo sets this variable for every test process; its value stands in for a token.
    let var = "CARGO_PKG_NAME";
    let token = std::env::var(var).expect("cargo sets CARGO_PKG_NAME for tests");
    let seen = Arc::new(Mutex::new(None));
    let s = seen.clone();
    // A proxy that rejects the token and echoes the header back in its error page.
    let base = kit::serve(Router::new().route(
        "/api/v1/query",
        post(move |headers: HeaderMap| {
            let s = s.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                *s.lock().unwrap() = Some(auth.clone());
                (StatusCode::UNAUTHORIZED, format!("bad credentials: {auth}"))
            }
        }),
    ))
    .await;
    let mut o = opts();
    o.bearer_token = Some(SecretRef {
        file: None,
        env: Some(var.into()),
    });
    o.headers.insert("X-Scope-OrgID".into(), "tenant-1".into());
    let c = PrometheusClient::new(&base, HttpClient::new(&o, TIMEOUT).unwrap()).unwrap();
    let e = c.instant("up", None).await.unwrap_err();
    assert_eq!(
        seen.lock().unwrap().as_deref(),
        Some(format!("Bearer {token}").as_str())
    );
    let text = format!("{e} {e:?} {c:?}");
    assert!(!text.contains(&token), "{text}");
    assert!(text.contains("bad credentials: Bearer ***"), "{text}");
}

fn slo(name: &str, error_query: &str) -> SloConfig {
    SloConfig {
        name: name.into(),
        source: "prod".into(),
        objective: 99.9,
        period: Duration::from_secs(30 * 86_400),
        error_query: error_query.into(),
        total_query: "sum(rate(total[$window]))".into(),
        ..Default::default()
    }
}

/// Answers by the query text: `empty` -> no series, `nan` -> NaN (0/0), `broken` -> bad_data,
/// anything else -> 0.002.
async fn slo_server() -> String {
    kit::serve(Router::new().route(
        "/api/v1/query",
        post(|Form(form): Form<HashMap<String, String>>| async move {
            let q = form.get("query").cloned().unwrap_or_default();
            let body = if q.contains("empty") {
                EMPTY_VECTOR.to_string()
            } else if q.contains("broken") {
                return (StatusCode::BAD_REQUEST, BAD_DATA.to_string());
            } else {
                let v = if q.contains("nan") { "NaN" } else { "0.002" };
                format!(
                    r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"value":[1,"{v}"]}}]}}}}"#
                )
            };
            (StatusCode::OK, body)
        }),
    ))
    .await
}

#[tokio::test]
async fn slo_fetcher_reads_no_data_as_none_and_keeps_partial_errors() {
    let base = slo_server().await;
    let windows = vec![Duration::from_secs(300), Duration::from_secs(3600)];
    let mut f = SloFetcher::new(
        kit::prom_client(&base, TIMEOUT),
        vec![
            slo("ok", "sum(rate(errors[$window]))"),
            slo("empty", "sum(rate(empty[$window]))"),
            slo("nan", "sum(rate(nan[$window]))"),
            slo("broken", "sum(rate(broken[$window]))"),
        ],
        windows.clone(),
    );
    let Payload::Slo(samples) = f.fetch().await.unwrap() else {
        panic!("an SLO payload")
    };
    let by = |n: &str| samples.iter().find(|s| s.name == n).unwrap();
    let ok = by("ok");
    assert_eq!(ok.measurement.error_ratios[&windows[0]], Some(0.002));
    assert_eq!(ok.measurement.period_ratio, Some(0.002));
    assert_eq!(ok.error, None);
    for name in ["empty", "nan"] {
        let s = by(name);
        assert!(
            s.measurement.error_ratios.values().all(Option::is_none),
            "{name}"
        );
        assert_eq!(s.measurement.period_ratio, None, "{name}: no data, never 0");
        assert_eq!(s.error, None);
    }
    let broken = by("broken");
    assert!(broken.error.as_deref().unwrap().contains("bad_data"));
    assert_eq!(broken.measurement.period_ratio, None);
}

#[tokio::test]
async fn slo_fetcher_fails_only_when_every_query_failed() {
    let base = slo_server().await;
    let mut f = SloFetcher::new(
        kit::prom_client(&base, TIMEOUT),
        vec![slo("broken", "sum(rate(broken[$window]))")],
        vec![Duration::from_secs(300)],
    );
    assert!(matches!(
        f.fetch().await,
        Err(SourceError::Api { error_type, .. }) if error_type == "bad_data"
    ));
}

#[tokio::test]
async fn replayed_rules_with_a_broken_rule_and_group_keep_the_rest() {
    const BROKEN: &str = r#"{"status":"success","data":{"groups":[
        {"name":"slos","file":"/sloth.yaml","interval":30,"rules":[
            {"type":"recording","name":"slo:sli_error:ratio_rate5m","query":"x","labels":{"sloth_id":"a"}},
            {"type":"recording","query":"no name: hunter2"},
            {"type":"recording","name":"slo:sli_error:ratio_rate1h","query":"y","labels":{"sloth_id":7}}
        ]},
        {"file":"/no-name.yaml","rules":[]},
        {"name":"other","file":"/o.yaml","rules":[{"type":"alerting","name":"Up","query":"up == 0"}]}
    ]}}"#;
    let base =
        kit::serve(Router::new().route("/api/v1/rules", get(|| async { json(BROKEN) }))).await;
    let (groups, unreadable) = kit::prom_client(&base, TIMEOUT)
        .rules_lenient()
        .await
        .unwrap();
    let names: Vec<(&str, Vec<&str>)> = groups
        .iter()
        .map(|g| {
            let rules = g.rules.iter().map(|r| r.name.as_str()).collect();
            (g.name.as_str(), rules)
        })
        .collect();
    assert_eq!(
        names,
        [
            ("slos", vec!["slo:sli_error:ratio_rate5m"]),
            ("other", vec!["Up"])
        ]
    );
    let said = unreadable.describe().unwrap();
    assert_eq!(said, "3 rules unreadable: missing name");
    assert!(!said.contains("hunter2"));
}

/// A Pyrra SLO with `grouping: [handler]`: its burn-rate rules keep `handler`, so the recorded
/// series are one per handler. Replayed: the rules answer and every query's two series.
#[tokio::test]
async fn a_grouped_discovered_slo_is_one_row_per_group() {
    const GROUPED_RULES: &str = r#"{"status":"success","data":{"groups":[{"name":"api-errors","file":"pyrra.yml","interval":30,"rules":[
      {"type":"recording","name":"http_requests:burnrate5m","query":"sum by (handler) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (handler) (rate(http_requests_total[5m]))","labels":{"slo":"api-errors"},"health":"ok"},
      {"type":"recording","name":"http_requests:burnrate1h","query":"sum by (handler) (rate(http_requests_total{code=~\"5..\"}[1h])) / sum by (handler) (rate(http_requests_total[1h]))","labels":{"slo":"api-errors"},"health":"ok"},
      {"type":"alerting","name":"ErrorBudgetBurn","query":"http_requests:burnrate5m{slo=\"api-errors\"} > (14 * (1-0.99)) and http_requests:burnrate1h{slo=\"api-errors\"} > (14 * (1-0.99))","duration":120,"labels":{"slo":"api-errors","severity":"critical","long":"1h","short":"5m"},"annotations":{},"alerts":[],"health":"ok"}
    ]}]}}"#;
    let app = Router::new()
        .route("/api/v1/rules", get(|| async { json(GROUPED_RULES) }))
        .route(
            "/api/v1/query",
            post(|Form(form): Form<HashMap<String, String>>| async move {
                let q = form.get("query").cloned().unwrap_or_default();
                assert!(q.starts_with("max by (handler) ("), "{q}");
                let body = r#"{"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"handler":"/api/a","slo":"api-errors"},"value":[1,"0.2"]},
                  {"metric":{"handler":"/api/b","slo":"api-errors"},"value":[1,"0.001"]}]}}"#;
                (StatusCode::OK, body)
            }),
        )
        .route(
            "/api/v1/query_range",
            post(|| async {
                json(r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
            }),
        );
    let base = kit::serve(app).await;
    let windows = vec![Duration::from_secs(300), Duration::from_secs(3600)];
    let mut f = SloFetcher::new(kit::prom_client(&base, TIMEOUT), vec![], windows).discover(true);
    let Payload::Slo(samples) = f.fetch().await.unwrap() else {
        panic!("an SLO payload")
    };
    let names: Vec<&str> = samples.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            r#"api-errors{handler="/api/a"}"#,
            r#"api-errors{handler="/api/b"}"#
        ],
        "one row per handler, not the worst one alone"
    );
    let five = Duration::from_secs(300);
    assert_eq!(samples[0].measurement.error_ratios[&five], Some(0.2));
    assert_eq!(samples[1].measurement.error_ratios[&five], Some(0.001));
    for s in samples.iter() {
        let (def, origin) = s.new_row.clone().unwrap();
        assert_eq!(origin, onwatch::domain::slo::SloOrigin::Pyrra);
        assert_eq!(def.name, s.name);
        assert_eq!(s.family.as_deref(), Some("api-errors"));
    }
}
