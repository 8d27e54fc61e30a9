//! The source tables: Prometheus, Alertmanager, Loki, Elasticsearch/OpenSearch, command and
//! file, and the logs pane's views.

use super::*;

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
        /// `tail` mode: silence after which the tail pings, and as long again unanswered
        /// before it reconnects (default 30s).
        #[serde(default, with = "opt_dur")]
        idle: Option<Duration>,
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
    /// Silence after which the source reads "no data for …" (default 5m; "0s" never).
    #[serde(default, with = "opt_dur")]
    pub idle: Option<Duration>,
}

impl CommandSource {
    pub fn idle_window(&self) -> Option<Duration> {
        stream_idle(self.idle)
    }
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
    /// Silence after which the source reads "no data for …" (default 5m; "0s" never).
    #[serde(default, with = "opt_dur")]
    pub idle: Option<Duration>,
}

impl FileSource {
    pub fn idle_window(&self) -> Option<Duration> {
        stream_idle(self.idle)
    }
}

fn default_file_poll() -> Duration {
    Duration::from_secs(1)
}

/// A command's or a file's idle window: five minutes unless set; zero turns it off (a log
/// that is quiet by nature).
fn stream_idle(set: Option<Duration>) -> Option<Duration> {
    match set {
        None => Some(Duration::from_secs(300)),
        Some(d) if d.is_zero() => None,
        Some(d) => Some(d),
    }
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
