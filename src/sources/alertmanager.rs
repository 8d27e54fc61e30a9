//! Alertmanager API v2 client: alerts, silences (list, create, expire), status.
//! Wire types are lenient so 0.25 (Debian stable) and current releases both decode.

use super::am_alert::{decode_alert, decode_alert_shared};
use super::http::{BuildError, HttpClient, endpoint, parse_base, short_text};
use super::lenient::{ItemDecoder, decode_each};
use crate::domain::alerts::{Alert, AlertShare, Labels, Matcher, Silence, SilenceState};
use crate::domain::health::{SourceError, Unreadable};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use url::Url;

#[derive(Clone)]
pub struct AlertmanagerClient {
    base: Url,
    http: HttpClient,
}

/// The URL without its credentials (Debug output reaches logs and panics).
impl std::fmt::Debug for AlertmanagerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertmanagerClient")
            .field("base", &super::http::display_url(&self.base))
            .finish_non_exhaustive()
    }
}

/// A silence to create (or update, with `id`). Matchers use the domain type.
#[derive(Clone, Debug, PartialEq)]
pub struct PostableSilence {
    pub id: Option<String>,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

/// An alert to post (`postableAlert`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    pub labels: Labels,
    pub annotations: Labels,
    pub starts_at: DateTime<Utc>,
    #[serde(rename = "generatorURL", skip_serializing_if = "Option::is_none")]
    pub generator_url: Option<String>,
}

/// What `/api/v2/status` says about this replica and its cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct AmStatus {
    pub version: String,
    /// `ready`, `settling` or `disabled`.
    pub cluster_status: String,
    pub cluster_name: Option<String>,
    pub peers: usize,
}

/// A silence with the replica's `updatedAt`, to pick the newest copy across replicas.
#[derive(Clone, Debug, PartialEq)]
pub struct DatedSilence {
    pub silence: Silence,
    pub updated_at: Option<DateTime<Utc>>,
}

// ---- wire types ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSilence {
    id: String,
    #[serde(default)]
    status: WireSilenceStatus,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    matchers: Vec<WireMatcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    #[serde(default)]
    created_by: String,
    #[serde(default)]
    comment: String,
}

#[derive(Default, Deserialize)]
struct WireSilenceStatus {
    #[serde(default)]
    state: String,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct WireMatcher {
    name: String,
    value: String,
    #[serde(default)]
    is_regex: bool,
    #[serde(default = "yes")]
    is_equal: bool,
}

fn yes() -> bool {
    true
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WirePostableSilence<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    matchers: Vec<WireMatcher>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    created_by: &'a str,
    comment: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WirePostResponse {
    #[serde(rename = "silenceID")]
    silence_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireStatus {
    #[serde(default)]
    cluster: WireCluster,
    #[serde(default)]
    version_info: WireVersion,
}

#[derive(Default, Deserialize)]
struct WireCluster {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    peers: Option<Vec<serde_json::Value>>,
}

#[derive(Default, Deserialize)]
struct WireVersion {
    #[serde(default)]
    version: String,
}

// ---- mapping ----

fn map_silence(w: WireSilence) -> DatedSilence {
    DatedSilence {
        silence: Silence {
            id: w.id,
            matchers: w
                .matchers
                .into_iter()
                .map(|m| Matcher {
                    name: m.name,
                    value: m.value,
                    is_regex: m.is_regex,
                    is_equal: m.is_equal,
                })
                .collect(),
            starts_at: w.starts_at,
            ends_at: w.ends_at,
            created_by: w.created_by,
            comment: w.comment,
            state: match w.status.state.as_str() {
                "active" => SilenceState::Active,
                "pending" => SilenceState::Pending,
                _ => SilenceState::Expired,
            },
        },
        updated_at: w.updated_at,
    }
}

/// Decodes a `/api/v2/alerts` body (`gettableAlerts`). An alert that cannot be read is left
/// out and counted; only a body that is not a list fails.
pub fn parse_alerts(body: &[u8]) -> Result<(Vec<Alert>, Unreadable), SourceError> {
    decode_each(body, ALERTS, "alert", decode_alert)
}

const ALERTS: &str = "a list of alerts";

fn decode_silence(raw: &str) -> Result<DatedSilence, serde_json::Error> {
    serde_json::from_str::<WireSilence>(raw).map(map_silence)
}

/// The most of `/api/v2/status` read: it is a few kilobytes (the configuration included), and
/// one poll reads it beside two lists that may each take the whole response cap.
const STATUS_MAX: usize = 4 << 20;

impl AlertmanagerClient {
    pub fn new(base_url: &str, http: HttpClient) -> Result<Self, BuildError> {
        Ok(Self {
            base: parse_base(base_url)?,
            http,
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut all = vec!["api", "v2"];
        all.extend_from_slice(segments);
        endpoint(&self.base, &all)
    }

    /// Every alert the replica knows: active, silenced, inhibited and unprocessed.
    pub async fn alerts(&self) -> Result<Vec<Alert>, SourceError> {
        self.alerts_lenient().await.map(|(alerts, _)| alerts)
    }

    /// `alerts`, with the count of those that could not be read.
    pub async fn alerts_lenient(&self) -> Result<(Vec<Alert>, Unreadable), SourceError> {
        self.alerts_as(decode_alert).await
    }

    /// `alerts_lenient`, each alert held once: a copy equal to one `share` keeps (another
    /// replica's, the last poll's) is dropped as soon as it is read.
    pub async fn alerts_shared(
        &self,
        share: &AlertShare,
    ) -> Result<(Vec<Arc<Alert>>, Unreadable), SourceError> {
        self.alerts_as(|raw| decode_alert_shared(raw, share)).await
    }

    async fn alerts_as<T: Send>(
        &self,
        decode: impl FnMut(&str) -> Result<T, serde_json::Error> + Send,
    ) -> Result<(Vec<T>, Unreadable), SourceError> {
        let request = self.http.get(self.url(&["alerts"])).query(&[
            ("active", "true"),
            ("silenced", "true"),
            ("inhibited", "true"),
            ("unprocessed", "true"),
        ]);
        // Decoded as it arrives: a storm's answer is never held whole, and decoding overlaps
        // the transfer (each replica on its own worker).
        let mut items = ItemDecoder::new(ALERTS, "alert", decode);
        self.http.stream(request, |chunk| items.feed(chunk)).await?;
        items.finish()
    }

    /// All silences, expired ones included (Alertmanager keeps them for a retention period).
    pub async fn silences(&self) -> Result<Vec<Silence>, SourceError> {
        Ok(self
            .silences_dated()
            .await?
            .into_iter()
            .map(|d| d.silence)
            .collect())
    }

    pub async fn silences_dated(&self) -> Result<Vec<DatedSilence>, SourceError> {
        self.silences_lenient().await.map(|(s, _)| s)
    }

    /// `silences_dated`, with the count of those that could not be read.
    pub async fn silences_lenient(&self) -> Result<(Vec<DatedSilence>, Unreadable), SourceError> {
        let request = self.http.get(self.url(&["silences"]));
        // As the alerts: decoded as they arrive, never held whole.
        let mut items = ItemDecoder::new("a list of silences", "silence", decode_silence);
        self.http.stream(request, |chunk| items.feed(chunk)).await?;
        items.finish()
    }

    pub async fn status(&self) -> Result<AmStatus, SourceError> {
        let request = self.http.get(self.url(&["status"]));
        let mut body = Vec::new();
        self.http
            .stream(request, |chunk| {
                if body.len() + chunk.len() > STATUS_MAX {
                    return Err(SourceError::BadResponse(
                        "a status answer over 4 MiB, not read".into(),
                    ));
                }
                body.extend_from_slice(chunk);
                Ok(())
            })
            .await?;
        let wire: WireStatus = crate::sources::http::decode(&body, "a status object")?;
        Ok(AmStatus {
            version: short_text(wire.version_info.version.as_bytes()),
            cluster_status: short_text(wire.cluster.status.as_bytes()),
            cluster_name: wire.cluster.name.map(|n| short_text(n.as_bytes())),
            peers: wire.cluster.peers.map_or(0, |p| p.len()),
        })
    }

    /// Creates (or updates) a silence; returns its id.
    pub async fn post_silence(&self, s: &PostableSilence) -> Result<String, SourceError> {
        let body = WirePostableSilence {
            id: s.id.as_deref(),
            matchers: s
                .matchers
                .iter()
                .map(|m| WireMatcher {
                    name: m.name.clone(),
                    value: m.value.clone(),
                    is_regex: m.is_regex,
                    is_equal: m.is_equal,
                })
                .collect(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            created_by: &s.created_by,
            comment: &s.comment,
        };
        let request = self.http.post(self.url(&["silences"])).json(&body);
        let resp: WirePostResponse = self
            .http
            .send(request)
            .await?
            .json("a silence id (silenceID)")?;
        Ok(resp.silence_id)
    }

    /// Posts alerts (`POST /api/v2/alerts`), as a Prometheus would: used to re-post an alert
    /// with extra labels so Alertmanager's routing pages the next tier.
    pub async fn post_alerts(&self, alerts: &[PostableAlert]) -> Result<(), SourceError> {
        let request = self.http.post(self.url(&["alerts"])).json(alerts);
        let resp = self.http.send(request).await?;
        if resp.is_success() {
            Ok(())
        } else {
            Err(resp.http_error())
        }
    }

    /// Expires a silence now (Alertmanager keeps it, as expired).
    pub async fn expire_silence(&self, id: &str) -> Result<(), SourceError> {
        let request = self.http.delete(self.url(&["silence", id]));
        let resp = self.http.send(request).await?;
        if resp.is_success() {
            Ok(())
        } else {
            Err(resp.http_error())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matcher_is_equal_defaults_to_true() {
        let m: WireMatcher =
            serde_json::from_str(r#"{"name":"a","value":"b","isRegex":false}"#).unwrap();
        assert!(m.is_equal);
    }

    #[test]
    fn bad_alerts_are_left_out_and_counted() {
        let body = br#"[
            {"labels":{"alertname":"Good1"},"startsAt":"2026-11-22T03:00:00Z"},
            {"labels":{"alertname":"Bad1"},"startsAt":"2026-13-45T00:00:00Z"},
            {"labels":{"alertname":"Bad2"},"startsAt":"2026-11-22T03:00:00Z","endsAt":"hunter2"},
            {"labels":{"alertname":"Bad3","token":7},"startsAt":"2026-11-22T03:00:00Z"},
            {"startsAt":"2026-11-22T03:00:00Z"},
            "s3cret",
            {"labels":{"alertname":"Good2"},"startsAt":"2026-11-22T03:00:00Z"}
        ]"#;
        let (alerts, unreadable) = parse_alerts(body).unwrap();
        let names: Vec<&str> = alerts
            .iter()
            .map(|a| a.labels.get("alertname").unwrap_or_default())
            .collect();
        assert_eq!(names, ["Good1", "Good2"]);
        assert_eq!(unreadable.count, 5);
        assert_eq!(
            unreadable.describe().as_deref(),
            Some("5 alerts unreadable: bad startsAt")
        );
    }

    #[test]
    fn each_kind_of_bad_alert_has_its_reason() {
        let reason = |item: &str| {
            let (good, u) = parse_alerts(format!("[{item}]").as_bytes()).unwrap();
            assert!(good.is_empty(), "{item}");
            u.reason.unwrap_or_default()
        };
        assert_eq!(
            reason(r#"{"labels":{},"startsAt":"+275760-09-13T00:00:00Z"}"#),
            "bad startsAt"
        );
        assert_eq!(
            reason(r#"{"labels":{},"startsAt":"2026-11-22T03:00:00Z","updatedAt":5}"#),
            "bad updatedAt"
        );
        assert_eq!(
            reason(r#"{"startsAt":"2026-11-22T03:00:00Z"}"#),
            "missing labels"
        );
        let wrong = reason(
            r#"{"labels":{"a":"hunter2"},"startsAt":"2026-11-22T03:00:00Z","generatorURL":{"x":"hunter2"}}"#,
        );
        assert!(wrong.starts_with("wrong type"), "{wrong}");
        assert!(!wrong.contains("hunter2"), "{wrong}");
        assert_eq!(reason(r#""s3cret""#), "not an object");
    }

    #[test]
    fn a_body_that_is_not_a_list_still_fails() {
        assert!(parse_alerts(b"{}").is_err());
        assert!(parse_alerts(b"[{").is_err());
    }

    #[test]
    fn bad_silences_are_left_out_and_counted() {
        let body = br#"[
            {"id":"a","startsAt":"2026-11-22T03:00:00Z","endsAt":"2026-11-22T04:00:00Z"},
            {"id":"b","startsAt":"2026-13-45T00:00:00Z","endsAt":"2026-11-22T04:00:00Z"},
            {"startsAt":"2026-11-22T03:00:00Z","endsAt":"2026-11-22T04:00:00Z"}
        ]"#;
        let (silences, unreadable) =
            decode_each(body, "a list of silences", "silence", decode_silence).unwrap();
        let ids: Vec<&str> = silences.iter().map(|s| s.silence.id.as_str()).collect();
        assert_eq!(ids, ["a"]);
        assert_eq!(unreadable.count, 2);
        let reason = unreadable.reason.unwrap_or_default();
        assert!(!reason.contains("2026-13-45"), "{reason}");
    }
}
