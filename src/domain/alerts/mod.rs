//! Alerts: identity, de-duplication across replicas and HA pairs, grouping, severities, ack reading.

mod dedup;
mod group;
mod id;
mod label_set;
mod policy;
mod share;
mod sort;
#[cfg(test)]
mod tests;

pub use dedup::{dedup, dedup_refs, dedup_since, identity, identity_key};
pub use group::{AlertGroup, CLUSTER, group};
pub use id::AlertId;
pub use label_set::{GetLabel, LabelSet};
pub use policy::{ACK_PREFIX, AlertPolicy, SeverityMap};
pub use share::AlertShare;
pub use sort::{AlertSort, is_unacked_page, sort_groups};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

pub type Labels = BTreeMap<String, String>;

/// The first of `keys` set in `labels` to something not blank, with the key, value trimmed:
/// how a runbook link and a summary are read from configurable annotation lists.
pub fn first_set<'a, 'k>(
    labels: &'a impl GetLabel,
    keys: impl IntoIterator<Item = &'k str>,
) -> Option<(&'k str, &'a str)> {
    keys.into_iter()
        .filter_map(|k| Some((k, labels.get_label(k)?.trim())))
        .find(|(_, v)| !v.is_empty())
}

/// Alertmanager's own view of an alert (`status.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmState {
    Unprocessed,
    Active,
    Suppressed,
}

/// One alert as one Alertmanager replica reports it (mapped from the v2 wire type).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Alert {
    /// Shared: the replicas of a cluster, and poll after poll, report the same labels
    /// (`AlertShare` keeps one copy of each).
    pub labels: Arc<LabelSet>,
    pub annotations: Arc<LabelSet>,
    pub state: AmState,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// Shared, like the annotations: the alerts of one rule carry the same.
    pub generator_url: Option<Arc<str>>,
    pub fingerprint: String,
    pub receivers: Arc<[String]>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    pub is_equal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SilenceState {
    Active,
    Pending,
    Expired,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
    pub state: SilenceState,
}

/// Severity as `[alerts.severity]` reads it from the labels (`SeverityMap`); never shown by
/// colour alone (see `label`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    None,
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "CRIT",
            Severity::Warning => "WARN",
            Severity::Info => "INFO",
            Severity::None => "----",
        }
    }
}

/// How the cockpit reads an alert once silences are taken into account.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum AlertReading {
    Firing,
    Acked {
        by: String,
        comment: String,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        silence_id: String,
    },
    Silenced {
        by: String,
        comment: String,
        until: DateTime<Utc>,
        silence_id: String,
    },
    Inhibited,
}

impl AlertReading {
    pub fn name(&self) -> &'static str {
        match self {
            AlertReading::Firing => "firing",
            AlertReading::Acked { .. } => "acked",
            AlertReading::Silenced { .. } => "silenced",
            AlertReading::Inhibited => "inhibited",
        }
    }
}

impl AlertReading {
    /// What a row says: `acked by bob, 3 min ago, expires in 57 min`, `silenced: db maintenance`.
    /// Unsanitised: the UI passes it through `safe` before drawing.
    pub fn describe(&self, now: DateTime<Utc>) -> String {
        match self {
            AlertReading::Firing => "firing".into(),
            AlertReading::Acked {
                by, since, until, ..
            } => format!(
                "acked by {by}, {} ago, expires in {}",
                span(now - *since),
                span(*until - now)
            ),
            AlertReading::Silenced { comment, .. } if comment.trim().is_empty() => {
                "silenced".into()
            }
            AlertReading::Silenced { comment, .. } => format!("silenced: {}", comment.trim()),
            AlertReading::Inhibited => "inhibited".into(),
        }
    }
}

/// `0 min`, `42 min`, `3 h 05 min`, `2 d 4 h`: coarse on purpose, read at 3 a.m.
pub fn span(d: chrono::Duration) -> String {
    let m = d.num_minutes().max(0);
    match m {
        0..60 => format!("{m} min"),
        60..1440 => format!("{} h {:02} min", m / 60, m % 60),
        _ => format!("{} d {} h", m / 1440, (m % 1440) / 60),
    }
}

/// One alert after de-duplication: reported by one or more sources of one cluster.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DedupedAlert {
    /// Its cluster and labels with the dedup labels dropped: what makes it one alert, and the
    /// key it is followed by over time (flap history, acks, notifications, the timeline).
    pub id: AlertId,
    /// The freshest report (highest `updated_at`), shared with the snapshot it came from.
    pub alert: Arc<Alert>,
    /// Which sources reported it: `replica` or `replica/label=value` for an HA Prometheus pair.
    /// Shared: every regroup copies the alerts it shows.
    pub sources: Arc<[String]>,
    pub reading: AlertReading,
    pub severity: Severity,
    /// Set by the caller from its flap history (`domain::flap`); `dedup` leaves it false.
    pub flapping: bool,
}

impl DedupedAlert {
    pub fn cluster(&self) -> &str {
        self.id.cluster()
    }

    /// The labels with the dedup labels dropped.
    pub fn identity(&self) -> &LabelSet {
        self.id.labels()
    }
}

/// Acked beats silenced beats inhibited: the most useful thing to tell the on-call engineer.
pub fn read_state(alert: &Alert, silences: &[Silence], policy: &AlertPolicy) -> AlertReading {
    read_state_with(alert, |id| silences.iter().find(|s| s.id == id), policy)
}

pub(super) fn read_state_with<'s>(
    alert: &Alert,
    find: impl Fn(&str) -> Option<&'s Silence>,
    policy: &AlertPolicy,
) -> AlertReading {
    let mut maintenance = None;
    for id in &alert.silenced_by {
        let Some(s) = find(id) else {
            continue;
        };
        if policy.is_ack(s) {
            return AlertReading::Acked {
                by: s.created_by.clone(),
                comment: s.comment.clone(),
                since: s.starts_at,
                until: s.ends_at,
                silence_id: s.id.clone(),
            };
        }
        maintenance.get_or_insert_with(|| AlertReading::Silenced {
            by: s.created_by.clone(),
            comment: s.comment.clone(),
            until: s.ends_at,
            silence_id: s.id.clone(),
        });
    }
    if let Some(m) = maintenance {
        return m;
    }
    if !alert.silenced_by.is_empty() {
        // Silenced by a silence we have not fetched (yet): still not firing.
        return AlertReading::Silenced {
            by: String::new(),
            comment: String::new(),
            until: alert.ends_at.unwrap_or(alert.updated_at),
            silence_id: alert.silenced_by[0].clone(),
        };
    }
    if !alert.inhibited_by.is_empty() {
        return AlertReading::Inhibited;
    }
    AlertReading::Firing
}

/// One alert as reported by a replica of a cluster, before dedup.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    /// Shared by every alert of the poll: a storm holds tens of thousands of observations.
    pub cluster: Arc<str>,
    pub replica: Arc<str>,
    /// Shared: the dedup result points at the report it kept instead of copying it.
    pub alert: Arc<Alert>,
}
