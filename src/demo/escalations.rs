//! What the simulator receives from the demo's escalation chain: alerts re-posted to its
//! Alertmanager (shown beside the scripted ones until they time out, as Alertmanager's
//! `resolve_timeout` has it) and the bodies POSTed to its incident-channel webhook.

use super::alert_script::Labels;
use super::sim::Sim;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

/// The webhook's path on its listener.
pub const HOOK_PATH: &str = "/hooks/escalate";
/// An alert posted without `endsAt` resolves this long after it was last posted.
const RESOLVE_TIMEOUT_MINUTES: i64 = 5;
/// Webhook bodies kept, newest last; older ones are dropped so a long demo stays small.
const KEEP_HOOKS: usize = 200;

/// `postableAlert`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    pub labels: Labels,
    #[serde(default)]
    pub annotations: Labels,
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "generatorURL")]
    pub generator_url: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PostedAlert {
    pub labels: Labels,
    pub annotations: Labels,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub generator_url: Option<String>,
}

#[derive(Debug, Default)]
pub struct Escalations {
    alerts: Vec<PostedAlert>,
    hooks: Vec<Value>,
}

impl Escalations {
    /// Stores the alerts; one with the same labels as a stored one replaces it (a retry, or
    /// the same alert sent to both replicas, stays one alert).
    pub fn post(&mut self, posted: Vec<PostableAlert>, now: DateTime<Utc>) -> Result<(), String> {
        if let Some(bad) = posted.iter().find(|a| a.labels.is_empty()) {
            return Err(format!("invalid alert: no labels: {:?}", bad.annotations));
        }
        self.alerts.retain(|a| a.ends_at > now);
        for p in posted {
            let alert = PostedAlert {
                starts_at: p.starts_at.unwrap_or(now),
                ends_at: p
                    .ends_at
                    .unwrap_or(now + Duration::minutes(RESOLVE_TIMEOUT_MINUTES)),
                labels: p.labels,
                annotations: p.annotations,
                generator_url: p.generator_url,
            };
            self.alerts.retain(|a| a.labels != alert.labels);
            self.alerts.push(alert);
        }
        Ok(())
    }

    /// The posted alerts firing at `now`.
    pub fn firing(&self, now: DateTime<Utc>) -> Vec<PostedAlert> {
        self.alerts
            .iter()
            .filter(|a| a.starts_at <= now && now < a.ends_at)
            .cloned()
            .collect()
    }

    pub fn hooks(&self) -> &[Value] {
        &self.hooks
    }

    fn hook(&mut self, body: Value) {
        if self.hooks.len() >= KEEP_HOOKS {
            self.hooks.remove(0);
        }
        self.hooks.push(body);
    }
}

/// The incident channel: records each JSON body it is sent.
pub fn hooks_router(sim: Arc<Sim>) -> Router {
    Router::new().route(HOOK_PATH, post(hook)).with_state(sim)
}

async fn hook(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    match serde_json::from_slice::<Value>(&body) {
        Ok(v) => {
            sim.escalations().hook(v);
            Json(json!({"ok": true})).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"ok": false, "error": e.to_string()})),
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn alert(pairs: &[(&str, &str)]) -> PostableAlert {
        PostableAlert {
            labels: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            annotations: Labels::new(),
            starts_at: None,
            ends_at: None,
            generator_url: None,
        }
    }

    #[test]
    fn the_same_labels_are_one_alert_and_it_resolves_after_the_timeout() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut e = Escalations::default();
        let a = alert(&[("alertname", "X"), ("escalated", "true")]);
        e.post(vec![a.clone()], t0).unwrap();
        e.post(vec![a], t0 + Duration::minutes(1)).unwrap();
        assert_eq!(e.firing(t0 + Duration::minutes(2)).len(), 1);
        // five minutes after the last post, not the first
        assert_eq!(e.firing(t0 + Duration::seconds(5 * 60 + 30)).len(), 1);
        assert!(e.firing(t0 + Duration::minutes(7)).is_empty());
        assert!(e.post(vec![alert(&[])], t0).is_err());
    }
}
