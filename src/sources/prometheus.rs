//! Prometheus HTTP API v1 client (also Thanos, Mimir, VictoriaMetrics): instant and range
//! queries, rules, build info. The response envelope's error becomes `SourceError::Api`.

use super::http::{BuildError, HttpClient, RawResponse, decode_error, endpoint, parse_base};
use crate::domain::health::{SourceError, Unreadable, item_reason};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::time::Duration;
use url::Url;

pub type Labels = BTreeMap<String, String>;

/// One sample of an instant vector (or a scalar, with no labels).
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    /// Unix seconds.
    pub timestamp: f64,
    /// May be NaN or ±Inf: Prometheus sends those as strings.
    pub value: f64,
}

/// One series of a range query.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub labels: Labels,
    /// (unix seconds, value)
    pub values: Vec<(f64, f64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RuleGroup {
    pub name: String,
    pub file: String,
    /// Evaluation interval in seconds, when reported.
    pub interval: Option<f64>,
    pub rules: Vec<Rule>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    Recording,
    Alerting,
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub kind: RuleKind,
    pub name: String,
    pub query: String,
    pub labels: Labels,
    pub health: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BuildInfo {
    pub version: String,
    pub revision: Option<String>,
}

#[derive(Clone)]
pub struct PrometheusClient {
    base: Url,
    http: HttpClient,
}

/// The URL without its credentials (Debug output reaches logs and panics).
impl std::fmt::Debug for PrometheusClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrometheusClient")
            .field("base", &super::http::display_url(&self.base))
            .finish_non_exhaustive()
    }
}

// ---- wire types (lenient: unknown fields ignored, optional ones defaulted) ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(default)]
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueryData {
    result_type: String,
    #[serde(default)]
    result: serde_json::Value,
}

#[derive(Deserialize)]
struct WireSample {
    #[serde(default)]
    metric: Labels,
    /// Absent for native-histogram samples, which we don't read.
    #[serde(default)]
    value: Option<(f64, String)>,
}

#[derive(Deserialize)]
struct WireSeries {
    #[serde(default)]
    metric: Labels,
    #[serde(default)]
    values: Vec<(f64, String)>,
}

#[derive(Deserialize)]
struct WireRules {
    #[serde(default)]
    groups: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireGroup {
    name: String,
    #[serde(default)]
    file: String,
    #[serde(default)]
    interval: Option<f64>,
    #[serde(default)]
    rules: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireRule {
    #[serde(default, rename = "type")]
    kind: String,
    name: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    labels: Labels,
    #[serde(default)]
    health: Option<String>,
}

#[derive(Deserialize)]
struct WireBuildInfo {
    #[serde(default)]
    version: String,
    #[serde(default)]
    revision: Option<String>,
}

fn rule_of(r: WireRule) -> Rule {
    Rule {
        kind: match r.kind.as_str() {
            "recording" => RuleKind::Recording,
            "alerting" => RuleKind::Alerting,
            _ => RuleKind::Other,
        },
        name: r.name,
        query: r.query,
        labels: r.labels,
        health: r.health,
    }
}

/// Prometheus writes sample values as strings so NaN and ±Inf survive JSON.
pub fn parse_value(text: &str) -> Result<f64, SourceError> {
    text.trim()
        .parse::<f64>()
        .map_err(|_| SourceError::BadResponse("sample value is not a number".into()))
}

/// Prometheus accepts unix seconds with a fraction.
fn unix_seconds(t: DateTime<Utc>) -> String {
    format!("{:.3}", t.timestamp_millis() as f64 / 1000.0)
}

/// Reads the envelope: an `error` status becomes `Api` whatever the HTTP status; a non-2xx
/// without an envelope becomes `Http`; a 2xx without one is a bad response.
fn unwrap_envelope(resp: &RawResponse, what: &str) -> Result<serde_json::Value, SourceError> {
    let envelope: Result<Envelope, _> = serde_json::from_slice(&resp.body);
    match envelope {
        Ok(env) if env.status == "error" || env.error_type.is_some() => Err(SourceError::Api {
            error_type: clean(env.error_type.as_deref().unwrap_or("unknown")),
            message: clean(env.error.as_deref().unwrap_or("")),
        }),
        _ if !resp.is_success() => Err(resp.http_error()),
        Ok(env) if env.status == "success" => env.data.ok_or_else(|| {
            SourceError::BadResponse(format!("expected {what}: the envelope has no data"))
        }),
        Ok(env) => Err(SourceError::BadResponse(format!(
            "expected {what}: envelope status is '{}'",
            clean(&env.status)
        ))),
        Err(e) => Err(decode_error(&e, "a Prometheus API response")),
    }
}

fn clean(text: &str) -> String {
    super::http::short_text(text.as_bytes())
}

fn from_value<T: DeserializeOwned>(value: serde_json::Value, what: &str) -> Result<T, SourceError> {
    serde_json::from_value(value).map_err(|e| {
        SourceError::BadResponse(format!(
            "expected {what}: {}",
            super::http::data_error(&e.to_string())
        ))
    })
}

/// A query's samples, all or none: unlike alerts or rules, samples are summed into one
/// ratio, and leaving out the one that could not be read would report a ratio that is wrong
/// (a lost error series reads as 0 errors). The query fails, and with it only the SLO row
/// that sent it.
fn vector_from(data: QueryData) -> Result<Vec<Sample>, SourceError> {
    match data.result_type.as_str() {
        "vector" => {
            let wire: Vec<WireSample> = from_value(data.result, "a vector")?;
            wire.into_iter()
                .filter_map(|s| s.value.map(|v| (s.metric, v)))
                .map(|(labels, (timestamp, value))| {
                    Ok(Sample {
                        labels,
                        timestamp,
                        value: parse_value(&value)?,
                    })
                })
                .collect()
        }
        // `1 / 2` is a scalar: one sample without labels is what the caller can use.
        "scalar" => {
            let (timestamp, value): (f64, String) = from_value(data.result, "a scalar")?;
            Ok(vec![Sample {
                labels: Labels::new(),
                timestamp,
                value: parse_value(&value)?,
            }])
        }
        other => Err(SourceError::BadResponse(format!(
            "expected vector, got {}",
            clean(other)
        ))),
    }
}

impl PrometheusClient {
    pub fn new(base_url: &str, http: HttpClient) -> Result<Self, BuildError> {
        Ok(Self {
            base: parse_base(base_url)?,
            http,
        })
    }

    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    async fn call(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> Result<serde_json::Value, SourceError> {
        let resp = self.http.send(request).await?;
        unwrap_envelope(&resp, what)
    }

    /// Evaluates `query` at `at` (server time when None). POSTed as a form so long queries fit.
    pub async fn instant(
        &self,
        query: &str,
        at: Option<DateTime<Utc>>,
    ) -> Result<Vec<Sample>, SourceError> {
        let mut form = vec![("query", query.to_string())];
        if let Some(t) = at {
            form.push(("time", unix_seconds(t)));
        }
        let url = endpoint(&self.base, &["api", "v1", "query"]);
        let data = self
            .call(self.http.post(url).form(&form), "a query result")
            .await?;
        vector_from(from_value(data, "a query result")?)
    }

    /// Evaluates `query` from `start` to `end` every `step`.
    pub async fn range(
        &self,
        query: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        step: Duration,
    ) -> Result<Vec<Series>, SourceError> {
        let form = [
            ("query", query.to_string()),
            ("start", unix_seconds(start)),
            ("end", unix_seconds(end)),
            ("step", format!("{:.3}", step.as_secs_f64().max(0.001))),
        ];
        let url = endpoint(&self.base, &["api", "v1", "query_range"]);
        let data = self
            .call(self.http.post(url).form(&form), "a range query result")
            .await?;
        let data: QueryData = from_value(data, "a range query result")?;
        if data.result_type != "matrix" {
            return Err(SourceError::BadResponse(format!(
                "expected matrix, got {}",
                clean(&data.result_type)
            )));
        }
        let wire: Vec<WireSeries> = from_value(data.result, "a matrix")?;
        wire.into_iter()
            .map(|s| {
                let values = s
                    .values
                    .into_iter()
                    .map(|(t, v)| Ok((t, parse_value(&v)?)))
                    .collect::<Result<Vec<_>, SourceError>>()?;
                Ok(Series {
                    labels: s.metric,
                    values,
                })
            })
            .collect()
    }

    /// Loaded rule groups (SLO discovery from Sloth / Pyrra recording rules).
    pub async fn rules(&self) -> Result<Vec<RuleGroup>, SourceError> {
        self.rules_lenient().await.map(|(groups, _)| groups)
    }

    /// `rules`, a group or rule that cannot be read left out and counted: one broken rule
    /// file must not hide every SLO the others record.
    pub async fn rules_lenient(&self) -> Result<(Vec<RuleGroup>, Unreadable), SourceError> {
        let url = endpoint(&self.base, &["api", "v1", "rules"]);
        let data = self.call(self.http.get(url), "rule groups").await?;
        let wire: WireRules = from_value(data, "rule groups")?;
        let mut unreadable = Unreadable::none("rule");
        let mut groups = Vec::new();
        for raw in wire.groups {
            let g = match WireGroup::deserialize(raw) {
                Ok(g) => g,
                Err(e) => {
                    unreadable.add(format!("group {}", item_reason(&e.to_string())));
                    continue;
                }
            };
            let rules = g
                .rules
                .into_iter()
                .filter_map(|raw| match WireRule::deserialize(raw) {
                    Ok(r) => Some(rule_of(r)),
                    Err(e) => {
                        unreadable.add(item_reason(&e.to_string()));
                        None
                    }
                })
                .collect();
            groups.push(RuleGroup {
                name: g.name,
                file: g.file,
                interval: g.interval,
                rules,
            });
        }
        Ok((groups, unreadable))
    }

    /// The backend's own graph page for `expr` over the last day (the detail view's link).
    pub fn graph_url(&self, expr: &str) -> String {
        let mut url = endpoint(&self.base, &["graph"]);
        url.query_pairs_mut()
            .append_pair("g0.expr", expr)
            .append_pair("g0.tab", "0")
            .append_pair("g0.range_input", "1d");
        url.to_string()
    }

    /// Version and revision, for `onwatch check`.
    pub async fn buildinfo(&self) -> Result<BuildInfo, SourceError> {
        let url = endpoint(&self.base, &["api", "v1", "status", "buildinfo"]);
        let data = self.call(self.http.get(url), "build information").await?;
        let wire: WireBuildInfo = from_value(data, "build information")?;
        Ok(BuildInfo {
            version: clean(&wire.version),
            revision: wire.revision.map(|r| clean(&r)),
        })
    }

    /// Which backend this is, and its version, from its own `/metrics`: VictoriaMetrics
    /// answers `buildinfo` with nothing (Debian's build) or a made-up Prometheus version.
    /// `None` when `/metrics` is not served there (a tenant path, a proxy).
    pub async fn identify(&self) -> Option<Backend> {
        let url = endpoint(&self.base, &["metrics"]);
        let resp = self.http.send(self.http.get(url)).await.ok()?;
        if !resp.is_success() {
            return None;
        }
        backend_of_metrics(&String::from_utf8_lossy(&resp.body))
    }
}

/// A backend told from the metrics it exports about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    pub kind: &'static str,
    pub version: Option<String>,
}

/// Reads the kind from the metric names' prefix and the version from its build-info series
/// (`vm_app_version`, `prometheus_build_info`, `thanos_build_info`, `cortex_build_info`).
pub fn backend_of_metrics(text: &str) -> Option<Backend> {
    const KINDS: [(&str, &str, &str); 4] = [
        ("vm_", "VictoriaMetrics", "vm_app_version{"),
        ("thanos_", "Thanos", "thanos_build_info{"),
        ("cortex_", "Mimir/Cortex", "cortex_build_info{"),
        ("prometheus_", "Prometheus", "prometheus_build_info{"),
    ];
    let (_, kind, info) = KINDS
        .iter()
        .find(|(prefix, _, _)| text.lines().any(|l| l.starts_with(prefix)))?;
    let version = text
        .lines()
        .find(|l| l.starts_with(info))
        .and_then(|l| label_value(l, "short_version").or_else(|| label_value(l, "version")))
        .filter(|v| !v.is_empty())
        .map(|v| clean(&v));
    Some(Backend { kind, version })
}

/// Why a backend asked for rules (SLO discovery) may answer none, by its kind as `identify`
/// tells it: each kind serves rules from a different place.
pub fn no_rules_hint(kind: Option<&str>) -> String {
    let why = match kind {
        Some("VictoriaMetrics") => {
            "VictoriaMetrics serves /api/v1/rules only when run with -vmalert.proxyURL pointing at vmalert"
        }
        Some("Thanos") => {
            "a Thanos Query serves the rules of the rulers and sidecars it queries (--endpoint)"
        }
        Some("Mimir/Cortex") => {
            "Mimir serves the ruler's rules under its Prometheus prefix (the url ending /prometheus) for the tenant in X-Scope-OrgID"
        }
        Some(_) => "this Prometheus loads no rule files (rule_files in its configuration)",
        None => "the backend serves no recording rules",
    };
    format!("no rules to discover SLOs from: {why}")
}

/// `name="value"` out of one exposition line's labels.
fn label_value(line: &str, name: &str) -> Option<String> {
    let labels = line.split_once('{')?.1.split_once('}')?.0;
    labels.split(',').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then(|| v.trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rules_is_explained_for_each_kind() {
        for (kind, says) in [
            (Some("VictoriaMetrics"), "-vmalert.proxyURL"),
            (Some("Thanos"), "--endpoint"),
            (Some("Mimir/Cortex"), "X-Scope-OrgID"),
            (Some("Prometheus"), "rule_files"),
            (None, "no recording rules"),
        ] {
            let hint = no_rules_hint(kind);
            assert!(
                hint.starts_with("no rules to discover SLOs from: "),
                "{hint}"
            );
            assert!(hint.contains(says), "{kind:?}: {hint}");
        }
    }

    #[test]
    fn backends_are_told_from_their_own_metrics() {
        let vm = "# HELP x\nvm_rows 5\nvm_app_version{version=\"victoria-metrics-20221011-v1.79.5\", short_version=\"v1.79.5\"} 1\n";
        assert_eq!(
            backend_of_metrics(vm),
            Some(Backend {
                kind: "VictoriaMetrics",
                version: Some("v1.79.5".into())
            })
        );
        // Debian's build reports no version at all.
        let debian = "vm_log_messages_total{app_version=\"\", level=\"info\"} 1\n";
        assert_eq!(
            backend_of_metrics(debian),
            Some(Backend {
                kind: "VictoriaMetrics",
                version: None
            })
        );
        let prom = "go_goroutines 30\nprometheus_build_info{branch=\"HEAD\",goversion=\"go1.19\",revision=\"abc\",version=\"2.42.0\"} 1\n";
        assert_eq!(
            backend_of_metrics(prom).map(|b| (b.kind, b.version)),
            Some(("Prometheus", Some("2.42.0".into())))
        );
        assert_eq!(backend_of_metrics("go_goroutines 30\n"), None);
    }

    #[test]
    fn values_as_strings_including_special_floats() {
        assert_eq!(parse_value("0.25").unwrap(), 0.25);
        assert!(parse_value("NaN").unwrap().is_nan());
        assert_eq!(parse_value("+Inf").unwrap(), f64::INFINITY);
        assert_eq!(parse_value("-Inf").unwrap(), f64::NEG_INFINITY);
        assert_eq!(parse_value("1e+00").unwrap(), 1.0);
        assert!(parse_value("abc").is_err());
    }

    fn resp(status: u16, body: &str) -> RawResponse {
        RawResponse {
            status,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn error_envelope_is_an_api_error_whatever_the_status() {
        let body = r#"{"status":"error","errorType":"bad_data","error":"parse error at char 3"}"#;
        for status in [200, 400, 422, 503] {
            assert_eq!(
                unwrap_envelope(&resp(status, body), "x"),
                Err(SourceError::Api {
                    error_type: "bad_data".into(),
                    message: "parse error at char 3".into()
                })
            );
        }
    }

    #[test]
    fn non_envelope_errors() {
        assert_eq!(
            unwrap_envelope(&resp(502, "bad gateway"), "x"),
            Err(SourceError::Http {
                status: 502,
                message: "bad gateway".into()
            })
        );
        assert!(matches!(
            unwrap_envelope(&resp(200, "{"), "x"),
            Err(SourceError::BadResponse(m)) if m.contains("Prometheus API response")
        ));
    }

    #[test]
    fn scalar_is_one_unlabelled_sample_and_string_is_refused() {
        let d = QueryData {
            result_type: "scalar".into(),
            result: serde_json::json!([1.5, "2"]),
        };
        assert_eq!(vector_from(d).unwrap()[0].value, 2.0);
        let d = QueryData {
            result_type: "string".into(),
            result: serde_json::json!([1.5, "x"]),
        };
        assert_eq!(
            vector_from(d),
            Err(SourceError::BadResponse(
                "expected vector, got string".into()
            ))
        );
    }
}
