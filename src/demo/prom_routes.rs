//! Prometheus HTTP API: `/api/v1/query`, `/api/v1/query_range`, `/api/v1/rules`,
//! `/api/v1/status/buildinfo`, `/-/ready`, `/-/healthy`.

use super::params::{self, Params};
use super::promql::{self, Sample};
use super::silences::rfc3339;
use super::sim::Sim;
use super::slos::{self, DemoSlo};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::Arc;

/// Prometheus refuses range queries with more points than this per series.
const MAX_POINTS: f64 = 11_000.0;

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/api/v1/query", get(query).post(query))
        .route("/api/v1/query_range", get(query_range).post(query_range))
        .route("/api/v1/rules", get(rules))
        .route("/api/v1/status/buildinfo", get(buildinfo))
        .route(
            "/-/ready",
            get(|| async { "Prometheus Server is Ready.\n" }),
        )
        .route(
            "/-/healthy",
            get(|| async { "Prometheus Server is Healthy.\n" }),
        )
        .with_state(sim)
}

fn bad_data(msg: String) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"status": "error", "errorType": "bad_data", "error": msg})),
    )
        .into_response()
}

fn success(data: Value) -> Response {
    Json(json!({"status": "success", "data": data})).into_response()
}

fn parse_query(p: &Params) -> Result<promql::Expr, String> {
    let q = p.get("query").unwrap_or("");
    promql::parse(q).map_err(|e| format!("invalid parameter \"query\": {e}"))
}

fn check_timeout(p: &Params) -> Result<(), String> {
    if let Some(t) = p.get("timeout") {
        params::prom_duration(t).map_err(|e| format!("invalid parameter \"timeout\": {e}"))?;
    }
    Ok(())
}

fn time_param(p: &Params, key: &str) -> Result<Option<f64>, String> {
    p.get(key)
        .map(|t| params::prom_time(t).map_err(|e| format!("invalid parameter \"{key}\": {e}")))
        .transpose()
}

async fn query(State(sim): State<Arc<Sim>>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let p = Params::parse(q.as_deref(), &body);
    let run = || -> Result<Value, String> {
        let expr = parse_query(&p)?;
        check_timeout(&p)?;
        let at = time_param(&p, "time")?.unwrap_or_else(params::now_secs);
        let samples = promql::eval(&expr, &sim.scenario.traffic, sim.clock.scenario_at_secs(at));
        let result: Vec<Value> = samples
            .into_iter()
            .map(|Sample { labels, value }| {
                json!({"metric": labels, "value": [at, promql::format_value(value)]})
            })
            .collect();
        Ok(json!({"resultType": "vector", "result": result}))
    };
    match run() {
        Ok(data) => success(data),
        Err(e) => bad_data(e),
    }
}

async fn query_range(State(sim): State<Arc<Sim>>, RawQuery(q): RawQuery, body: Bytes) -> Response {
    let p = Params::parse(q.as_deref(), &body);
    let run = || -> Result<Value, String> {
        let expr = parse_query(&p)?;
        check_timeout(&p)?;
        let start = time_param(&p, "start")?
            .ok_or("invalid parameter \"start\": cannot parse \"\" to a valid timestamp")?;
        let end = time_param(&p, "end")?
            .ok_or("invalid parameter \"end\": cannot parse \"\" to a valid timestamp")?;
        if end < start {
            return Err(
                "invalid parameter \"end\": end timestamp must not be before start time".into(),
            );
        }
        let step = params::prom_duration(p.get("step").unwrap_or(""))
            .map_err(|e| format!("invalid parameter \"step\": {e}"))?;
        if step <= 0.0 {
            return Err("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer".into());
        }
        if (end - start) / step > MAX_POINTS {
            return Err("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)".into());
        }
        // One series per label set, in first-seen order.
        let mut series: Vec<(Value, Vec<Value>)> = Vec::new();
        let mut i = 0u64;
        loop {
            let at = params::to_millis(start + step * i as f64);
            if at > end {
                break;
            }
            for s in promql::eval(&expr, &sim.scenario.traffic, sim.clock.scenario_at_secs(at)) {
                let metric = json!(s.labels);
                let point = json!([at, promql::format_value(s.value)]);
                match series.iter_mut().find(|(m, _)| *m == metric) {
                    Some((_, values)) => values.push(point),
                    None => series.push((metric, vec![point])),
                }
            }
            i += 1;
        }
        let result: Vec<Value> = series
            .into_iter()
            .map(|(metric, values)| json!({"metric": metric, "values": values}))
            .collect();
        Ok(json!({"resultType": "matrix", "result": result}))
    };
    match run() {
        Ok(data) => success(data),
        Err(e) => bad_data(e),
    }
}

async fn rules(State(sim): State<Arc<Sim>>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), b"");
    let kind = match p.get("type") {
        None | Some("") => None,
        Some("record") => Some("recording"),
        Some("alert") => Some("alerting"),
        Some(other) => {
            return bad_data(format!(
                "invalid parameter \"type\": unsupported rule type {other:?}, must be \"alert\" or \"record\""
            ));
        }
    };
    let names = p.all("rule_name");
    let group_names = p.all("rule_group");
    let now = params::now_secs();
    let s = sim.clock.scenario_at_secs(now);
    let traffic = &sim.scenario.traffic;
    let burn = |slo: &DemoSlo, window: f64| {
        traffic.service(slo.service).map_or(0.0, |t| {
            t.error_ratio(s, window) / (1.0 - slo.objective / 100.0)
        })
    };
    let firing = |slo: &DemoSlo, severity: &str| {
        let (m, h, d) = (60.0, 3600.0, 86_400.0);
        let b = |w| burn(slo, w);
        if severity == "page" {
            (b(h) > 14.4 && b(5.0 * m) > 14.4) || (b(6.0 * h) > 6.0 && b(30.0 * m) > 6.0)
        } else {
            (b(d) > 3.0 && b(2.0 * h) > 3.0) || (b(3.0 * d) > 1.0 && b(6.0 * h) > 1.0)
        }
    };
    let eval_at = rfc3339(chrono::Utc::now());
    let groups: Vec<Value> = slos::rule_groups(&firing, &eval_at)
        .into_iter()
        .filter(|g| {
            group_names.is_empty() || g["name"].as_str().is_some_and(|n| group_names.contains(&n))
        })
        .filter_map(|mut g| {
            if let Some(rules) = g["rules"].as_array_mut() {
                rules.retain(|r| {
                    kind.is_none_or(|k| r["type"] == k)
                        && (names.is_empty()
                            || r["name"].as_str().is_some_and(|n| names.contains(&n)))
                });
                if rules.is_empty() {
                    return None;
                }
            }
            Some(g)
        })
        .collect();
    success(json!({"groups": groups}))
}

async fn buildinfo() -> Response {
    success(json!({
        "version": "3.5.0",
        "revision": "onwatch-demo",
        "branch": "HEAD",
        "buildUser": "onwatch@demo",
        "buildDate": "20260101-00:00:00",
        "goVersion": "go1.24.0",
    }))
}
