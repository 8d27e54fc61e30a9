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
    #[serde(default)]
    pub alerts: AlertsConfig,
    #[serde(default)]
    pub logs: LogsConfig,
    #[serde(default)]
    pub ui: UiConfig,
    /// Action name -> key or list of keys, patching the defaults.
    #[serde(default)]
    pub keys: BTreeMap<String, KeyList>,
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
    }
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
    /// Errors over `$window`, e.g. `sum(rate(http_requests_total{code=~"5.."}[$window]))`.
    pub error_query: String,
    /// All events over `$window`.
    pub total_query: String,
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
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            group_by: vec!["alertname".into()],
            dedup_labels: vec!["replica".into(), "prometheus_replica".into()],
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
}

impl LogsConfig {
    /// How log sources sanitise their lines.
    pub fn sanitise(&self) -> crate::domain::logs::SanitiseOptions {
        crate::domain::logs::SanitiseOptions {
            ansi: self.ansi,
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
