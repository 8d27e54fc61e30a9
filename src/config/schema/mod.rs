//! The config file's shape. Every option is documented in `config.example.toml`.

use crate::domain::duration::serde_str as dur;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

mod actions;
mod sources;

pub use actions::*;
pub use sources::*;

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub general: General,
    #[serde(default)]
    pub prometheus: Vec<PrometheusSource>,
    #[serde(default)]
    pub alertmanager: Vec<AlertmanagerSource>,
    #[serde(default)]
    pub loki: Vec<LokiSource>,
    #[serde(default)]
    pub slo: Vec<SloConfig>,
    /// Multi-window burn-rate rules; empty: the SRE workbook / Sloth defaults.
    #[serde(default)]
    pub slo_rules: Vec<SloRuleConfig>,
    #[serde(default)]
    pub alerts: AlertsConfig,
    #[serde(default)]
    pub logs: LogsConfig,
    #[serde(default)]
    pub ui: UiConfig,
    #[serde(default)]
    pub wall: WallConfig,
    #[serde(default)]
    pub notify: NotifyConfig,
    /// Action name -> key or list of keys, patching the defaults.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
    #[serde(default)]
    pub actions: ActionsConfig,
    #[serde(default)]
    pub escalation: Vec<EscalationConfig>,
    #[serde(default)]
    pub runbooks: RunbooksConfig,
    #[serde(default)]
    pub elasticsearch: Vec<ElasticsearchSource>,
    #[serde(default)]
    pub command: Vec<CommandSource>,
    #[serde(default)]
    pub file: Vec<FileSource>,
    #[serde(default)]
    pub log_view: Vec<LogViewConfig>,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum KeyList {
    One(String),
    Many(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct General {
    /// Who acts (silence `createdBy`, audit); default `$USER`.
    pub user: Option<String>,
    /// How often sources are polled.
    #[serde(with = "dur")]
    pub refresh: Duration,
    /// Per-request timeout, unless a source sets its own.
    #[serde(with = "dur")]
    pub timeout: Duration,
    /// The largest answer any client reads (pollers, the Loki tail, actions), in bytes.
    #[serde(with = "crate::domain::size::serde_str")]
    pub max_response: u64,
}

impl Default for General {
    fn default() -> Self {
        Self {
            user: None,
            refresh: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
            max_response: crate::sources::http::MAX_BODY_BYTES as u64,
        }
    }
}

/// A secret is read from a file or an environment variable, never written inline.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub file: Option<PathBuf>,
    pub env: Option<String>,
}

/// Authentication and TLS, shared by every HTTP source. Written as fields of the source's own
/// table (serde cannot combine `flatten` with `deny_unknown_fields`, so a macro repeats them).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpOptions {
    pub bearer_token: Option<SecretRef>,
    pub basic_auth: Option<BasicAuth>,
    pub headers: BTreeMap<String, String>,
    pub tls: TlsOptions,
    pub timeout: Option<Duration>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TlsOptions {
    /// A PEM file of CA certificates to trust besides the system roots.
    pub ca_file: Option<PathBuf>,
    /// Skip TLS certificate verification (explicit opt-in; shown in `onwatch check`).
    #[serde(default)]
    pub insecure_skip_verify: bool,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BasicAuth {
    pub username: String,
    pub password: SecretRef,
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SloConfig {
    pub name: String,
    /// The `[[prometheus]]` source it is measured on.
    pub source: String,
    /// Percent, e.g. 99.9.
    pub objective: f64,
    #[serde(default = "default_period", with = "dur")]
    pub period: Duration,
    /// A ratio SLI: errors over `$window`, e.g. `sum(rate(http_requests_total{code=~"5.."}[$window]))`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_query: String,
    /// A ratio SLI: all events over `$window`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub total_query: String,
    /// A latency SLI: the histogram's base name and selector,
    /// `http_request_duration_seconds{service="checkout"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<String>,
    /// A latency SLI: the `le` bucket bound a good request falls in, as the histogram writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// One row per set of these labels' values (the ratio queries must aggregate by them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<String>,
}

impl Default for SloConfig {
    fn default() -> Self {
        SloConfig {
            name: String::new(),
            source: String::new(),
            objective: 99.9,
            period: default_period(),
            error_query: String::new(),
            total_query: String::new(),
            histogram: None,
            threshold: None,
            group_by: Vec::new(),
        }
    }
}

impl SloConfig {
    /// The error and total queries with `$window` in each: as written for a ratio SLI,
    /// generated for a latency one. `Err` says why the SLI is incomplete or contradictory.
    pub fn queries(&self) -> Result<(String, String), String> {
        let ratio = !self.error_query.is_empty() || !self.total_query.is_empty();
        let latency = self.histogram.is_some() || self.threshold.is_some();
        match (ratio, latency) {
            (true, true) => Err("give either error_query and total_query (a ratio SLI) or histogram and threshold (a latency SLI), not both".into()),
            (false, false) => Err("needs an SLI: error_query and total_query (a ratio), or histogram and threshold (a latency)".into()),
            (true, false) => {
                for (key, other, q) in [
                    ("error_query", "total_query", &self.error_query),
                    ("total_query", "error_query", &self.total_query),
                ] {
                    if q.is_empty() {
                        return Err(format!("{other} needs {key} beside it"));
                    }
                    if !q.contains("$window") {
                        return Err(format!("{key} must contain $window (replaced by each burn-rate window, e.g. 5m, 1h)"));
                    }
                }
                Ok((self.error_query.clone(), self.total_query.clone()))
            }
            (false, true) => match (&self.histogram, &self.threshold) {
                (Some(h), Some(t)) => crate::domain::sli::latency_queries(h, t, &self.group_by),
                (Some(_), None) => Err("histogram needs threshold beside it (the le bucket bound, e.g. \"0.3\")".into()),
                _ => Err("threshold needs histogram beside it (the histogram's name and selector)".into()),
            },
        }
    }
}

/// One multi-window burn-rate rule: fires when both windows burn above `factor`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SloRuleConfig {
    pub severity: RuleSeverity,
    #[serde(with = "dur")]
    pub long: Duration,
    #[serde(with = "dur")]
    pub short: Duration,
    pub factor: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleSeverity {
    Page,
    Ticket,
}

impl Config {
    /// The burn-rate rules in force: the configured ones, else the defaults. A rule whose short
    /// window is not shorter than its long one, or whose factor is not positive, is an error.
    pub fn burn_rules(&self) -> Result<Vec<crate::domain::slo::BurnRule>, String> {
        use crate::domain::slo::{BurnRule, Urgency, default_rules};
        if self.slo_rules.is_empty() {
            return Ok(default_rules());
        }
        self.slo_rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if r.short >= r.long || !(r.factor > 0.0 && r.factor.is_finite()) {
                    return Err(format!(
                        "[[slo_rules]] #{}: short must be shorter than long and factor positive",
                        i + 1
                    ));
                }
                Ok(BurnRule {
                    urgency: match r.severity {
                        RuleSeverity::Page => Urgency::Page,
                        RuleSeverity::Ticket => Urgency::Ticket,
                    },
                    long: r.long,
                    short: r.short,
                    factor: r.factor,
                })
            })
            .collect()
    }
}

fn default_period() -> Duration {
    Duration::from_secs(30 * 86_400)
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Labels alerts are grouped by.
    pub group_by: Vec<String>,
    /// Labels dropped before comparing alerts from HA replicas.
    pub dedup_labels: Vec<String>,
    /// Flap detection (`[alerts.flap]`).
    pub flap: FlapSettings,
    /// A silence whose comment starts with this (any case) is an ack.
    pub ack_prefix: String,
    /// The annotations the one-line summary is read from, first set wins.
    pub summary_annotations: Vec<String>,
    /// Where severities are read and what their values mean (`[alerts.severity]`).
    pub severity: crate::domain::alerts::SeverityMap,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            group_by: vec!["alertname".into()],
            dedup_labels: vec!["replica".into(), "prometheus_replica".into()],
            flap: FlapSettings::default(),
            ack_prefix: crate::domain::alerts::ACK_PREFIX.into(),
            summary_annotations: crate::domain::alerts::AlertPolicy::default().summary_annotations,
            severity: crate::domain::alerts::SeverityMap::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct FlapSettings {
    pub enabled: bool,
    /// How often each alert's state is sampled (21 samples are kept).
    #[serde(with = "dur")]
    pub sample_period: Duration,
    /// Percent state change at or below which flapping stops.
    pub low_threshold: f64,
    /// Percent state change at or above which flapping starts.
    pub high_threshold: f64,
}

impl Default for FlapSettings {
    fn default() -> Self {
        let d = crate::domain::flap::FlapConfig::default();
        Self {
            enabled: d.enabled,
            sample_period: d.sample_period,
            low_threshold: d.low,
            high_threshold: d.high,
        }
    }
}

impl FlapSettings {
    pub fn to_domain(&self) -> crate::domain::flap::FlapConfig {
        crate::domain::flap::FlapConfig {
            enabled: self.enabled,
            sample_period: self.sample_period,
            low: self.low_threshold,
            high: self.high_threshold,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct LogsConfig {
    /// Lines kept in memory (oldest dropped first).
    pub max_lines: usize,
    /// Bytes kept in memory.
    pub max_bytes: usize,
    /// How far back the first poll of a log source reaches.
    #[serde(with = "dur")]
    pub lookback: Duration,
    /// Colours in log lines: `keep` (drawn as styles) or `strip`.
    pub ansi: crate::domain::logs::AnsiMode,
    /// Longest line kept, in bytes; longer ones are cut with a marker.
    pub max_line_bytes: usize,
    /// Wrap long lines in the pane (`w` toggles).
    pub wrap: bool,
    /// Show each line's time (`T` toggles).
    pub timestamps: bool,
    /// Show each line's labels, compacted (values only).
    pub labels: bool,
    /// How far before the alert's `startsAt` the logs `l` opens start.
    #[serde(with = "dur")]
    pub alert_lookback: Duration,
    /// Finds a trace id in a line: the first capture group (or the whole match).
    pub trace_id_pattern: String,
    /// The trace URL, `$trace_id` filled in (Jaeger, Tempo, Zipkin).
    pub trace_url: Option<String>,
}

/// `trace_id=…`, `"traceId":"…"`, `trace-id: …` with 16 or 32 hex digits.
pub const DEFAULT_TRACE_ID_PATTERN: &str =
    r#"(?i)trace[_-]?id["']?\s*[:=]\s*["']?([0-9a-f]{32}|[0-9a-f]{16})\b"#;

impl LogsConfig {
    /// How log sources sanitise their lines.
    pub fn sanitise(&self) -> crate::domain::logs::SanitiseOptions {
        crate::domain::logs::SanitiseOptions {
            ansi: self.ansi,
            max_line_bytes: self.max_line_bytes,
            ..Default::default()
        }
    }
}

impl Default for LogsConfig {
    fn default() -> Self {
        Self {
            max_lines: 10_000,
            max_bytes: 16 * 1024 * 1024,
            lookback: Duration::from_secs(300),
            ansi: crate::domain::logs::AnsiMode::Keep,
            max_line_bytes: 16 * 1024,
            wrap: false,
            timestamps: true,
            labels: true,
            alert_lookback: Duration::from_secs(300),
            trace_id_pattern: DEFAULT_TRACE_ID_PATTERN.into(),
            trace_url: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct UiConfig {
    /// default, light, high-contrast, mono, colorblind, or a user theme file's name.
    pub theme: String,
    /// Mouse capture (off by default: an SSH drop with it on leaves garbage in the terminal).
    pub mouse: bool,
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            theme: "default".into(),
            mouse: false,
        }
    }
}

mod opt_dur {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| crate::domain::duration::parse(&s).map_err(serde::de::Error::custom))
            .transpose()
    }

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&crate::domain::duration::label(*d)),
            None => s.serialize_none(),
        }
    }
}

/// The war-room wall (`--wall` or `:wall`).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WallConfig {
    /// The environment banner's text, e.g. "PROD".
    pub environment: Option<String>,
    /// The banner and frame colour: a colour name ("red") or "#rrggbb".
    pub color: Option<String>,
    /// Alternate the lower half between alert groups and logs on this interval; unset: no rotation.
    #[serde(with = "opt_dur")]
    pub rotate: Option<Duration>,
}

#[cfg(test)]
mod slo_rules_tests {
    use super::*;

    #[test]
    fn configured_rules_replace_the_defaults_and_bad_ones_are_refused() {
        let c: Config = toml::from_str(
            "[[slo_rules]]\nseverity = \"page\"\nlong = \"2h\"\nshort = \"10m\"\nfactor = 10.0\n",
        )
        .unwrap();
        let rules = c.burn_rules().unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].long, Duration::from_secs(7200));
        assert_eq!(rules[0].urgency, crate::domain::slo::Urgency::Page);
        assert_eq!(Config::default().burn_rules().unwrap().len(), 4);
        let bad: Config = toml::from_str(
            "[[slo_rules]]\nseverity = \"ticket\"\nlong = \"5m\"\nshort = \"1h\"\nfactor = 1.0\n",
        )
        .unwrap();
        assert!(bad.burn_rules().unwrap_err().contains("#1"));
    }
}
