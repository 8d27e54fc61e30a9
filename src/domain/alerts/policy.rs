//! How alerts are read where setups differ: which labels carry the severity and what their
//! values mean (`[alerts.severity]`), and which silences are acks (`[alerts] ack_prefix`).

use super::{GetLabel, Severity, Silence};
use serde::{Deserialize, Serialize};

/// Severity from labels: the first label in `labels` whose value one of the lists names wins
/// (values compared in any case). Sloth's page alerts say `severity=pageteam` (a team's
/// routing name) and `sloth_severity=page`; kube-prometheus' Watchdog says `severity=none`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeverityMap {
    pub labels: Vec<String>,
    pub critical: Vec<String>,
    pub warning: Vec<String>,
    pub info: Vec<String>,
}

fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_string()).collect()
}

impl Default for SeverityMap {
    fn default() -> Self {
        Self {
            labels: strings(&["severity", "sloth_severity", "priority"]),
            critical: strings(&[
                "critical",
                "page",
                "pageteam",
                "error",
                "high",
                "p1",
                "emergency",
            ]),
            warning: strings(&["warning", "warn", "ticket", "medium", "p2"]),
            info: strings(&["info", "informational", "low", "none", "p3", "p4", "p5"]),
        }
    }
}

impl SeverityMap {
    pub fn of(&self, labels: &impl GetLabel) -> Severity {
        self.labels
            .iter()
            .filter_map(|l| labels.get_label(l))
            .map(|v| self.value(v))
            .find(|s| *s != Severity::None)
            .unwrap_or(Severity::None)
    }

    /// What one value means; `None` when no list names it.
    pub fn value(&self, v: &str) -> Severity {
        let is = |names: &[String]| names.iter().any(|n| v.eq_ignore_ascii_case(n));
        if is(&self.critical) {
            Severity::Critical
        } else if is(&self.warning) {
            Severity::Warning
        } else if is(&self.info) {
            Severity::Info
        } else {
            Severity::None
        }
    }

    /// A value two lists both name (the config would be read one way and meant another).
    pub fn ambiguous(&self) -> Option<String> {
        let lists = [
            ("critical", &self.critical),
            ("warning", &self.warning),
            ("info", &self.info),
        ];
        for (i, (a, va)) in lists.iter().enumerate() {
            for (b, vb) in &lists[i + 1..] {
                if let Some(v) = va
                    .iter()
                    .find(|v| vb.iter().any(|w| w.eq_ignore_ascii_case(v)))
                {
                    return Some(format!("'{v}' is in both {a} and {b}"));
                }
            }
        }
        None
    }
}

/// The ack prefix when none is configured: what `a` writes ("ACK: on it") and amtool users
/// type by hand.
pub const ACK_PREFIX: &str = "ACK";

/// The annotations an alert's one-line summary is read from when none is configured:
/// Prometheus' convention, then the older `message` kube-prometheus used.
pub const SUMMARY_ANNOTATIONS: &[&str] = &["summary", "message"];

/// The reading rules the cockpit applies to every alert and silence.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertPolicy {
    pub severity: SeverityMap,
    /// A silence whose comment starts with this, in any case, is an ack; any other is
    /// maintenance. Never empty (config validation refuses it: every silence would be an ack).
    pub ack_prefix: String,
    /// Where the summary is read, first set wins (`[alerts] summary_annotations`).
    pub summary_annotations: Vec<String>,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        Self {
            severity: SeverityMap::default(),
            ack_prefix: ACK_PREFIX.into(),
            summary_annotations: SUMMARY_ANNOTATIONS
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
        }
    }
}

impl AlertPolicy {
    /// The alert's summary: the first configured annotation that is set and not blank.
    pub fn summary<'a>(&self, annotations: &'a impl GetLabel) -> Option<&'a str> {
        self.summary_with_key(annotations).map(|(_, v)| v)
    }

    /// `summary`, with the annotation it was read from.
    pub fn summary_with_key<'a, 'k>(
        &'k self,
        annotations: &'a impl GetLabel,
    ) -> Option<(&'k str, &'a str)> {
        super::first_set(
            annotations,
            self.summary_annotations.iter().map(String::as_str),
        )
    }

    pub fn is_ack(&self, s: &Silence) -> bool {
        let p = self.ack_prefix.as_str();
        s.comment
            .trim_start()
            .get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    }
}
