//! Alertmanager API v2, one router per replica; silences are shared (as gossip would make them),
//! and so are alerts posted to either replica (an escalation's re-post).

use super::alert_script::Labels;
use super::escalations::PostableAlert;
use super::matchers::{self, LabelMatcher};
use super::params::Params;
use super::rng;
use super::silences::{PostableSilence, SilenceError, rfc3339};
use super::sim::Sim;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone)]
struct Replica {
    sim: Arc<Sim>,
    index: usize,
}

pub fn router(sim: Arc<Sim>, index: usize) -> Router {
    Router::new()
        .route("/api/v2/alerts", get(alerts).post(post_alerts))
        .route("/api/v2/alerts/groups", get(groups))
        .route("/api/v2/silences", get(list_silences).post(post_silence))
        .route(
            "/api/v2/silence/{id}",
            get(get_silence).delete(delete_silence),
        )
        .route("/api/v2/status", get(status))
        .route("/-/ready", get(|| async { "OK" }))
        .route("/-/healthy", get(|| async { "OK" }))
        .with_state(Replica { sim, index })
}

/// Alertmanager answers errors as a JSON string body.
fn error(code: StatusCode, msg: impl Into<String>) -> Response {
    (code, Json(Value::String(msg.into()))).into_response()
}

/// Alertmanager's fingerprint is a 64-bit hash of the sorted label set, printed as 16 hex digits.
fn fingerprint(labels: &BTreeMap<String, String>) -> String {
    let mut bytes = Vec::new();
    for (k, v) in labels {
        bytes.extend_from_slice(k.as_bytes());
        bytes.push(0xff);
        bytes.extend_from_slice(v.as_bytes());
        bytes.push(0xff);
    }
    format!("{:016x}", rng::fnv1a(&bytes))
}

struct Shown {
    json: Value,
    labels: BTreeMap<String, String>,
    receiver: &'static str,
    muted: bool,
}

/// The alerts as this replica reports them now, filtered as the query parameters ask.
/// Errors are messages for a 400.
fn current(sim: &Sim, p: &Params) -> Result<Vec<Shown>, String> {
    let active = p.bool_or("active", true)?;
    let silenced = p.bool_or("silenced", true)?;
    // Nothing is inhibited or unprocessed in this scenario; the flags are still validated.
    p.bool_or("inhibited", true)?;
    p.bool_or("unprocessed", true)?;
    let filters: Vec<LabelMatcher> = p
        .all("filter")
        .into_iter()
        .map(matchers::parse_one)
        .collect::<Result<_, _>>()?;
    let receiver = match p.get("receiver").filter(|r| !r.is_empty()) {
        Some(r) => Some(
            regex::Regex::new(&format!("^(?:{r})$"))
                .map_err(|e| format!("failed to parse receiver param: {e}"))?,
        ),
        None => None,
    };
    let now = Utc::now();
    let s = sim
        .clock
        .scenario_at_secs(now.timestamp() as f64 + f64::from(now.timestamp_subsec_nanos()) / 1e9);
    let scripted = sim.scenario.alerts_at(s).into_iter().map(|a| {
        let expr: String = url::form_urlencoded::byte_serialize(a.expr.as_bytes()).collect();
        Firing {
            generator_url: format!("{}/graph?g0.expr={expr}&g0.tab=1", sim.prometheus_url),
            starts_at: sim.clock.datetime_at(a.starts_at),
            labels: a.labels,
            annotations: a.annotations,
            receiver: a.receiver,
        }
    });
    let posted = sim.escalations().firing(now).into_iter().map(|a| Firing {
        receiver: route(&a.labels),
        generator_url: a.generator_url.unwrap_or_default(),
        starts_at: a.starts_at,
        labels: a.labels,
        annotations: a.annotations,
    });
    let store = sim.silences();
    let mut out: Vec<Shown> = scripted
        .chain(posted)
        .filter(|a| matchers::matches_all(&filters, &a.labels))
        .filter(|a| receiver.as_ref().is_none_or(|re| re.is_match(a.receiver)))
        .filter_map(|a| {
            let silenced_by = store.silencing(&a.labels, now);
            let is_silenced = !silenced_by.is_empty();
            if (!active && !is_silenced) || (!silenced && is_silenced) {
                return None;
            }
            Some(Shown {
                json: gettable(&a, &silenced_by, now),
                receiver: a.receiver,
                labels: a.labels,
                muted: is_silenced,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        a.json["fingerprint"]
            .as_str()
            .cmp(&b.json["fingerprint"].as_str())
    });
    Ok(out)
}

/// An alert firing now: a scripted one, or one an escalation posted.
struct Firing {
    labels: Labels,
    annotations: Labels,
    starts_at: DateTime<Utc>,
    generator_url: String,
    receiver: &'static str,
}

/// The receiver `CONFIG`'s routes pick for a posted alert (scripted ones name theirs).
fn route(labels: &Labels) -> &'static str {
    let is = |k: &str, v: &str| labels.get(k).is_some_and(|x| x == v);
    if is("escalated", "true") {
        "tier2-pager"
    } else if is("severity", "critical") && is("team", "shop") {
        "shop-pager"
    } else if is("alertname", "PaymentsErrorBudgetBurn") {
        "shop-tickets"
    } else if is("team", "shop") {
        "shop-slack"
    } else {
        "platform-slack"
    }
}

/// `gettableAlert`.
fn gettable(a: &Firing, silenced_by: &[String], now: DateTime<Utc>) -> Value {
    let state = if silenced_by.is_empty() {
        "active"
    } else {
        "suppressed"
    };
    json!({
        "labels": a.labels,
        "annotations": a.annotations,
        "startsAt": rfc3339(a.starts_at),
        "updatedAt": rfc3339(now),
        // Prometheus resends firing alerts with endsAt a few evaluation intervals ahead.
        "endsAt": rfc3339(now + chrono::Duration::minutes(4)),
        "fingerprint": fingerprint(&a.labels),
        "receivers": [{"name": a.receiver}],
        "generatorURL": a.generator_url,
        "status": {
            "state": state,
            "silencedBy": silenced_by,
            "inhibitedBy": [],
            "mutedBy": [],
        },
    })
}

async fn alerts(State(r): State<Replica>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), b"");
    match current(&r.sim, &p) {
        Ok(shown) => {
            Json(Value::Array(shown.into_iter().map(|s| s.json).collect())).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

/// `postAlerts`: an array of `postableAlert`; Alertmanager answers 200 with an empty body.
async fn post_alerts(State(r): State<Replica>, body: Bytes) -> Response {
    let posted: Vec<PostableAlert> = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("parsing alerts body failed: {e}"),
            );
        }
    };
    match r.sim.escalations().post(posted, Utc::now()) {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn groups(State(r): State<Replica>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), b"");
    let muted = match p.bool_or("muted", true) {
        Ok(m) => m,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let shown = match current(&r.sim, &p) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    // Route: group_by [alertname]; one receiver per alertname in this scenario.
    let mut by_name: BTreeMap<(String, &'static str), Vec<Shown>> = BTreeMap::new();
    for s in shown {
        let name = s.labels.get("alertname").cloned().unwrap_or_default();
        by_name.entry((name, s.receiver)).or_default().push(s);
    }
    let out: Vec<Value> = by_name
        .into_iter()
        .filter(|(_, alerts)| muted || !alerts.iter().all(|a| a.muted))
        .map(|((name, receiver), alerts)| {
            json!({
                "labels": {"alertname": name},
                "routeLabels": {},
                "receiver": {"name": receiver},
                "alerts": alerts.into_iter().map(|a| a.json).collect::<Vec<_>>(),
            })
        })
        .collect();
    Json(Value::Array(out)).into_response()
}

/// Alertmanager keeps a silence when, for each filter matcher, the silence has a matcher on the
/// same label whose value the filter accepts.
fn silence_matches_filters(
    matchers: &[super::silences::WireMatcher],
    filters: &[LabelMatcher],
) -> bool {
    filters.iter().all(|f| {
        matchers
            .iter()
            .any(|m| m.name == f.name && f.matches_value(&m.value))
    })
}

async fn list_silences(State(r): State<Replica>, RawQuery(q): RawQuery) -> Response {
    let p = Params::parse(q.as_deref(), b"");
    let filters: Vec<LabelMatcher> = match p
        .all("filter")
        .into_iter()
        .map(matchers::parse_one)
        .collect::<Result<_, _>>()
    {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let now = Utc::now();
    let store = r.sim.silences();
    let out: Vec<Value> = store
        .list(now)
        .into_iter()
        .filter(|s| silence_matches_filters(&s.matchers, &filters))
        .map(|s| s.to_json(now))
        .collect();
    Json(Value::Array(out)).into_response()
}

async fn post_silence(State(r): State<Replica>, body: Bytes) -> Response {
    let p: PostableSilence = match serde_json::from_slice(&body) {
        Ok(p) => p,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                format!("parsing silence body failed: {e}"),
            );
        }
    };
    let result = r.sim.silences().post(p, Utc::now());
    match result {
        Ok(id) => Json(json!({"silenceID": id})).into_response(),
        Err(SilenceError::Invalid(m)) => error(StatusCode::BAD_REQUEST, m),
        Err(SilenceError::NotFound) => error(StatusCode::NOT_FOUND, "silence not found"),
        Err(SilenceError::Internal(m)) => error(StatusCode::INTERNAL_SERVER_ERROR, m),
    }
}

async fn get_silence(State(r): State<Replica>, Path(id): Path<String>) -> Response {
    let now = Utc::now();
    let store = r.sim.silences();
    match store.get(&id) {
        Some(s) => Json(s.to_json(now)).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn delete_silence(State(r): State<Replica>, Path(id): Path<String>) -> Response {
    let result = r.sim.silences().expire(&id, Utc::now());
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(SilenceError::NotFound) => StatusCode::NOT_FOUND.into_response(),
        Err(SilenceError::Invalid(m) | SilenceError::Internal(m)) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, m)
        }
    }
}

const CONFIG: &str = "global:\n  resolve_timeout: 5m\nroute:\n  receiver: platform-slack\n  group_by: [alertname]\n  routes:\n    - matchers: ['escalated=\"true\"']\n      receiver: tier2-pager\n    - matchers: ['severity=\"critical\"', 'team=\"shop\"']\n      receiver: shop-pager\n    - matchers: ['alertname=\"PaymentsErrorBudgetBurn\"']\n      receiver: shop-tickets\n    - matchers: ['team=\"shop\"']\n      receiver: shop-slack\nreceivers:\n  - name: tier2-pager\n  - name: shop-pager\n  - name: shop-tickets\n  - name: shop-slack\n  - name: platform-slack\n";

async fn status(State(r): State<Replica>) -> Response {
    let peer = |i: usize| format!("01JDEMOAM{i:017}");
    let peers: Vec<Value> = r
        .sim
        .am_peers
        .iter()
        .enumerate()
        .map(|(i, addr)| json!({"name": peer(i), "address": addr}))
        .collect();
    Json(json!({
        "cluster": {"name": peer(r.index), "status": "ready", "peers": peers},
        "versionInfo": {
            "version": "0.28.1",
            "revision": "onwatch-demo",
            "branch": "HEAD",
            "buildUser": "onwatch@demo",
            "buildDate": "20260101-00:00:00",
            "goVersion": "go1.24.0",
        },
        "config": {"original": CONFIG},
        "uptime": rfc3339(r.sim.started),
    }))
    .into_response()
}
