//! Source identity and health, as plain data the UI can show.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::fmt;

/// Which API a source speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Prometheus,
    Alertmanager,
    Loki,
    Elasticsearch,
    Command,
    File,
}

impl SourceKind {
    /// Kinds whose snapshots are log lines (they share the logs pane).
    pub fn is_log(self) -> bool {
        matches!(
            self,
            SourceKind::Loki | SourceKind::Elasticsearch | SourceKind::Command | SourceKind::File
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Prometheus => "prometheus",
            SourceKind::Alertmanager => "alertmanager",
            SourceKind::Loki => "loki",
            SourceKind::Elasticsearch => "elasticsearch",
            SourceKind::Command => "command",
            SourceKind::File => "file",
        }
    }
}

/// A configured source: its kind and the name the user gave it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SourceId {
    pub kind: SourceKind,
    pub name: String,
}

impl SourceId {
    pub fn new(kind: SourceKind, name: impl Into<String>) -> Self {
        Self {
            kind,
            name: name.into(),
        }
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.as_str(), self.name)
    }
}

/// Why a fetch failed. The message never contains a secret (clients redact before building it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "kind", content = "message")]
pub enum SourceError {
    #[error("unreachable: {0}")]
    Unreachable(String),
    #[error("timed out after {0}")]
    Timeout(String),
    #[error("HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("API error {error_type}: {message}")]
    Api { error_type: String, message: String },
    #[error("bad response: {0}")]
    BadResponse(String),
}

/// Health of one source as the header shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourceHealth {
    pub id: SourceId,
    /// When the last poll that succeeded finished.
    pub last_ok: Option<DateTime<Utc>>,
    /// The error of the last poll, if it failed (data shown is then the last good one).
    pub last_error: Option<SourceError>,
    /// Generation of the last snapshot applied; older ones are ignored.
    pub generation: u64,
    /// Sub-parts that failed while the source as a whole answered (e.g. one Alertmanager replica).
    pub degraded: Vec<String>,
}

impl SourceHealth {
    pub fn new(id: SourceId) -> Self {
        Self {
            id,
            last_ok: None,
            last_error: None,
            generation: 0,
            degraded: Vec::new(),
        }
    }

    pub fn is_ok(&self) -> bool {
        self.last_error.is_none() && self.last_ok.is_some()
    }

    /// Seconds since the last good poll, if there ever was one.
    pub fn age_seconds(&self, now: DateTime<Utc>) -> Option<i64> {
        self.last_ok.map(|t| (now - t).num_seconds().max(0))
    }
}
