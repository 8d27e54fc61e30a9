//! The config file's shape. Every option is documented in `config.example.toml`.

use crate::domain::duration::serde_str as dur;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

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
}

impl Default for General {
    fn default() -> Self {
        Self {
            user: None,
            refresh: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
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

macro_rules! http_source {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// The name shown in the header and used to refer to this source.
            pub name: String,
            $($(#[$fmeta])* pub $field: $ty,)*
            /// `Authorization: Bearer <token>`, the token read from a file or an env var.
            pub bearer_token: Option<SecretRef>,
            pub basic_auth: Option<BasicAuth>,
            /// Extra headers, e.g. `X-Scope-OrgID` for Mimir, Cortex and Loki.
            #[serde(default)]
            pub headers: BTreeMap<String, String>,
            #[serde(default)]
            pub tls: TlsOptions,
            /// Per-request timeout; default `[general] timeout`.
            #[serde(default, with = "opt_dur")]
            pub timeout: Option<Duration>,
        }

        impl $name {
            pub fn http(&self) -> HttpOptions {
                HttpOptions {
                    bearer_token: self.bearer_token.clone(),
                    basic_auth: self.basic_auth.clone(),
                    headers: self.headers.clone(),
                    tls: self.tls.clone(),
                    timeout: self.timeout,
                }
            }
        }
    };
}

http_source! {
    /// Any Prometheus-compatible API (Prometheus, Thanos, Mimir, VictoriaMetrics).
    PrometheusSource {
        url: String,
        /// Find SLOs in the Sloth and Pyrra recording rules this source has loaded.
        #[serde(default)]
        discover: bool,
        /// Queries in flight at once on this source (default 4).
        #[serde(default)]
        max_in_flight: Option<usize>,
        /// Slow windows (1d and longer, and the period) are queried every Nth poll (default 5).
        #[serde(default)]
        slow_every: Option<u32>,
    }
}

http_source! {
    /// One Alertmanager cluster (prod-eu, prod-us, …) and its replicas.
    AlertmanagerSource {
        /// One URL per replica of the cluster.
        urls: Vec<String>,
    }
}

http_source! {
    /// A Loki server and the stream tailed in the logs pane.
    LokiSource {
        url: String,
        /// The LogQL query tailed in the logs pane.
        query: String,
        /// `poll` (query_range every refresh) or `tail` (the live WebSocket tail).
        #[serde(default)]
        mode: LokiMode,
        /// The LogQL query `l` opens for the selected alert (`$label` filled from its labels).
        alert_query: Option<String>,
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LokiMode {
    #[default]
    Poll,
    Tail,
}

http_source! {
    /// An Elasticsearch or OpenSearch index pattern, polled with `_search` and `search_after`.
    ElasticsearchSource {
        url: String,
        /// Index name or pattern, e.g. `logs-*`.
        index: String,
        /// A `query_string` query; `*` for everything.
        #[serde(default = "default_es_query")]
        query: String,
        #[serde(default = "default_time_field")]
        time_field: String,
        #[serde(default = "default_message_field")]
        message_field: String,
        /// The field holding the level, if any (else it is read from the message).
        level_field: Option<String>,
        /// Fields shown as the line's labels.
        #[serde(default)]
        label_fields: Vec<String>,
        /// A field unique per document, sorted on after the time (equal timestamps page right).
        #[serde(default = "default_tiebreaker")]
        tiebreaker: String,
        /// The `query_string` `l` opens for the selected alert (`$label` filled in).
        alert_query: Option<String>,
    }
}

fn default_es_query() -> String {
    "*".into()
}

fn default_time_field() -> String {
    "@timestamp".into()
}

fn default_message_field() -> String {
    "message".into()
}

fn default_tiebreaker() -> String {
    "_id".into()
}

/// A command whose output is tailed (`journalctl -f`, `kubectl logs -f …`), run without a shell.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSource {
    pub name: String,
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// The log filter `l` applies for the selected alert (`$label` filled in).
    pub alert_filter: Option<String>,
}

/// A file followed across rotation and truncation.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    pub name: String,
    pub path: PathBuf,
    /// How often the file is checked for new lines.
    #[serde(default = "default_file_poll", with = "dur")]
    pub poll: Duration,
    /// The log filter `l` applies for the selected alert (`$label` filled in).
    pub alert_filter: Option<String>,
}

fn default_file_poll() -> Duration {
    Duration::from_secs(1)
}

/// A named view of the logs pane: which log sources, and a filter.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogViewConfig {
    pub name: String,
    /// Log source names; empty for all.
    #[serde(default)]
    pub sources: Vec<String>,
    /// As typed after `/`: text, `re:REGEX` or `/REGEX/`, `!` in front to invert.
    #[serde(default)]
    pub filter: String,
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
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            group_by: vec!["alertname".into()],
            dedup_labels: vec!["replica".into(), "prometheus_replica".into()],
            flap: FlapSettings::default(),
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

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Desktop notification when a session bus exists (`DBUS_SESSION_BUS_ADDRESS`).
    pub desktop: bool,
    /// The terminal bell.
    pub bell: bool,
    /// OSC 9 and OSC 777 notification sequences (skipped when the desktop one was sent).
    pub osc: bool,
    /// At most one notification per interval; alerts arriving meanwhile are coalesced.
    #[serde(with = "dur")]
    pub min_interval: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            desktop: true,
            bell: true,
            osc: true,
            min_interval: Duration::from_secs(30),
        }
    }
}

/// Ack, un-ack and escalation: defaults and how the outbox retries.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct ActionsConfig {
    /// The duration preselected in the ack dialog (15m, 1h, 4h, or any other).
    #[serde(with = "dur")]
    pub ack_duration: Duration,
    /// Length of each "until resolved" silence; a running cockpit extends it while the alert fires.
    #[serde(with = "dur")]
    pub until_resolved_step: Duration,
    /// How long an action that cannot be delivered keeps being retried before it is given up.
    #[serde(with = "dur")]
    pub retry_for: Duration,
    /// Where the outbox and the audit log live; default the platform state dir.
    pub state_dir: Option<PathBuf>,
    /// `[actions.pagerduty_ack]`: an ack also sends PagerDuty an `acknowledge`; unset: it does not.
    pub pagerduty_ack: Option<PagerdutyAck>,
}

/// The PagerDuty Events API v2 `acknowledge` sent alongside each ack.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PagerdutyAck {
    pub routing_key: SecretRef,
    /// Which PagerDuty alert: `{{alertname}}`, `{{cluster}}`, `{{fingerprint}}`, `{{severity}}`,
    /// `{{labels.X}}`, `{{annotations.X}}` placeholders. The default is the key escalations use.
    #[serde(default = "default_dedup_key")]
    pub dedup_key: String,
    /// Base URL; default `https://events.pagerduty.com`.
    #[serde(default)]
    pub url: Option<String>,
}

/// The dedup key an escalation to PagerDuty sends (`actions::escalate`).
pub const DEFAULT_PAGERDUTY_DEDUP_KEY: &str = "onwatch/{{cluster}}/{{fingerprint}}";

fn default_dedup_key() -> String {
    DEFAULT_PAGERDUTY_DEDUP_KEY.to_string()
}

impl Default for ActionsConfig {
    fn default() -> Self {
        Self {
            ack_duration: Duration::from_secs(3600),
            until_resolved_step: Duration::from_secs(1800),
            retry_for: Duration::from_secs(3600),
            state_dir: None,
            pagerduty_ack: None,
        }
    }
}

impl NotifyConfig {
    /// Off entirely when no channel is on.
    pub fn any(&self) -> bool {
        self.desktop || self.bell || self.osc
    }
}

/// An escalation chain: alerts whose labels equal every entry of `matchers` escalate to
/// `targets`, in order, one step per `e`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationConfig {
    pub name: String,
    /// Label = value, all required (an empty table matches every alert).
    #[serde(default)]
    pub matchers: BTreeMap<String, String>,
    pub targets: Vec<EscalationTarget>,
}

/// One step of an escalation chain.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EscalationTarget {
    /// PagerDuty Events API v2 `trigger`.
    Pagerduty {
        name: String,
        routing_key: SecretRef,
        /// Base URL; default `https://events.pagerduty.com`.
        #[serde(default)]
        url: Option<String>,
    },
    /// An HTTP POST of a JSON body rendered from a template.
    Webhook {
        name: String,
        url: String,
        /// JSON with `{{alertname}}`, `{{labels.X}}`, `{{annotations.X}}`, `{{note}}`, `{{user}}`,
        /// `{{summary}}` placeholders (values JSON-escaped); default a fixed shape.
        #[serde(default)]
        body: Option<String>,
    },
    /// The alert posted again to an Alertmanager cluster with extra labels, so its routing
    /// pages the next tier.
    Alertmanager {
        name: String,
        /// An `[[alertmanager]]` name; default the alert's own cluster.
        #[serde(default)]
        cluster: Option<String>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
    },
    /// A program run with an argument vector (never a shell); placeholders as for webhooks.
    Command { name: String, argv: Vec<String> },
}

impl EscalationTarget {
    pub fn name(&self) -> &str {
        match self {
            EscalationTarget::Pagerduty { name, .. }
            | EscalationTarget::Webhook { name, .. }
            | EscalationTarget::Alertmanager { name, .. }
            | EscalationTarget::Command { name, .. } => name,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunbooksConfig {
    /// Local markdown runbooks, `<dir>/<alertname>.md`, used when an alert has no `runbook_url`.
    pub dir: Option<PathBuf>,
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
