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
    /// A stream silent for longer than its idle window: when its last line came. A quiet
    /// `kubectl logs -f` and a hung one look the same; this says which to suspect.
    pub quiet_since: Option<DateTime<Utc>>,
    /// The last poll took longer than the refresh interval: how long.
    pub slow: Option<std::time::Duration>,
}

impl SourceHealth {
    pub fn new(id: SourceId) -> Self {
        Self {
            id,
            last_ok: None,
            last_error: None,
            generation: 0,
            degraded: Vec::new(),
            quiet_since: None,
            slow: None,
        }
    }

    /// Answering, but with a part failed or a stream gone quiet.
    pub fn is_degraded(&self) -> bool {
        !self.degraded.is_empty() || self.quiet_since.is_some() || self.slow.is_some()
    }

    /// What is wrong short of a failure, at `now`: `am-1: timed out after 5s`, `no data for 7m`.
    pub fn notes(&self, now: DateTime<Utc>) -> Vec<String> {
        let mut notes = self.degraded.clone();
        if let Some(took) = self.slow {
            // Whole seconds: the note must not change (and redraw) with every poll.
            let secs = std::time::Duration::from_secs(took.as_secs().max(1));
            notes.push(format!(
                "slow: a poll takes {}, longer than the refresh",
                crate::domain::duration::label(secs)
            ));
        }
        if let Some(t) = self.quiet_since {
            let secs = (now - t).num_seconds().max(0).unsigned_abs();
            // Whole minutes past the first: a label that changed every second would redraw
            // (and cost bytes on a slow link) every second.
            let shown = if secs < 60 { secs } else { secs / 60 * 60 };
            notes.push(format!(
                "no data for {}",
                crate::domain::duration::label(std::time::Duration::from_secs(shown))
            ));
        }
        notes
    }

    pub fn is_ok(&self) -> bool {
        self.last_error.is_none() && self.last_ok.is_some()
    }

    /// Seconds since the last good poll, if there ever was one.
    pub fn age_seconds(&self, now: DateTime<Utc>) -> Option<i64> {
        self.last_ok.map(|t| (now - t).num_seconds().max(0))
    }
}

/// Items of a list answer that could not be read and were left out, so one bad alert costs
/// that alert, not the pane. The reason is a field or a kind of fault, never the data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unreadable {
    /// What one item is, singular: `alert`, `silence`.
    pub item: &'static str,
    pub count: usize,
    /// Why the first one failed.
    pub reason: Option<String>,
}

impl Unreadable {
    pub fn none(item: &'static str) -> Self {
        Self {
            item,
            count: 0,
            reason: None,
        }
    }

    /// Adds another answer's count (pages of one poll).
    pub fn merge(&mut self, other: Unreadable) {
        self.count += other.count;
        if self.reason.is_none() {
            self.reason = other.reason;
        }
    }

    /// Counts one more; the first reason is the one shown.
    pub fn add(&mut self, reason: String) {
        self.count += 1;
        self.reason.get_or_insert(reason);
    }

    /// `2 alerts unreadable: bad startsAt`, or `None` when every item was read.
    pub fn describe(&self) -> Option<String> {
        if self.count == 0 {
            return None;
        }
        let items = match (self.count, self.item.strip_suffix('y')) {
            (1, _) => self.item.to_string(),
            (_, Some(stem)) => format!("{stem}ies"),
            (_, None) => format!("{}s", self.item),
        };
        let mut s = format!("{} {items} unreadable", self.count);
        if let Some(r) = &self.reason {
            s.push_str(": ");
            s.push_str(r);
        }
        Some(s)
    }
}

/// A decoder's message about one item, reduced to the field or the kind of fault: serde quotes
/// the values it rejects, and a value can be anything, a token included.
pub fn item_reason(message: &str) -> String {
    let message = message.split(" at line ").next().unwrap_or(message);
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        if is_field_name(field) {
            return format!("missing {field}");
        }
        return "missing field".into();
    }
    if let Some(field) = message.strip_prefix("bad ")
        && is_field_name(field)
    {
        return message.to_string();
    }
    if message.starts_with("invalid type") {
        return match message.rsplit_once("expected ") {
            Some((_, e)) if e.starts_with("struct ") => "not an object".into(),
            Some((_, e)) if e.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ') => {
                format!("wrong type (expected {e})")
            }
            _ => "wrong type".into(),
        };
    }
    "invalid value".into()
}

fn is_field_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 40 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_name_the_field_never_the_value() {
        assert_eq!(item_reason("missing field `labels`"), "missing labels");
        assert_eq!(item_reason("bad startsAt"), "bad startsAt");
        assert_eq!(
            item_reason(r#"invalid type: string "hunter2", expected a map at line 1 column 9"#),
            "wrong type (expected a map)"
        );
        assert_eq!(
            item_reason("invalid type: integer `5`, expected struct WireAlert"),
            "not an object"
        );
        assert_eq!(item_reason(r#"unknown variant "tok3n""#), "invalid value");
        assert_eq!(item_reason("missing field `a\"b`"), "missing field");
    }

    #[test]
    fn a_quiet_stream_says_for_how_long_in_whole_minutes() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-04T03:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut h = SourceHealth::new(SourceId::new(SourceKind::Command, "journal"));
        assert!(!h.is_degraded());
        h.quiet_since = Some(now - chrono::Duration::seconds(30));
        assert!(h.is_degraded());
        assert_eq!(h.notes(now), ["no data for 30s"]);
        h.quiet_since = Some(now - chrono::Duration::seconds(7 * 60 + 42));
        assert_eq!(h.notes(now), ["no data for 7m"]);
        h.degraded = vec!["am-1: timed out after 5s".into()];
        assert_eq!(h.notes(now), ["am-1: timed out after 5s", "no data for 7m"]);
    }

    #[test]
    fn a_slow_source_is_degraded_and_says_how_slow() {
        let now = Utc::now();
        let mut h = SourceHealth::new(SourceId::new(SourceKind::Alertmanager, "prod"));
        h.slow = Some(std::time::Duration::from_millis(7_400));
        assert!(h.is_degraded());
        assert_eq!(
            h.notes(now),
            ["slow: a poll takes 7s, longer than the refresh"]
        );
    }

    #[test]
    fn unreadable_counts_and_keeps_the_first_reason() {
        let mut u = Unreadable::none("alert");
        assert_eq!(u.describe(), None);
        u.add("bad startsAt".into());
        assert_eq!(
            u.describe().as_deref(),
            Some("1 alert unreadable: bad startsAt")
        );
        u.add("missing labels".into());
        assert_eq!(
            u.describe().as_deref(),
            Some("2 alerts unreadable: bad startsAt")
        );
    }
}
