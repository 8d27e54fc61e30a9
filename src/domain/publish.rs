//! What a poller publishes: the latest snapshot of one source, tagged with a generation so an
//! older one never overwrites a newer one. The contract between the pollers and the core.

use super::alerts::{Observation, Silence};
use super::health::{SourceError, SourceId};
use super::logs::LogLine;
use super::slo::{BurnRule, SloDef, SloMeasurement, SloOrigin};
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The latest snapshot of one source, tagged so an older one never overwrites a newer one.
#[derive(Clone, Debug)]
pub struct SourceUpdate {
    pub source: SourceId,
    pub generation: u64,
    pub fetched_at: DateTime<Utc>,
    pub result: Result<Payload, SourceError>,
    /// Set when the poll took longer than the refresh interval: how long it took (the next
    /// one then starts a full interval after it ended, never back to back).
    pub slow: Option<std::time::Duration>,
}

#[derive(Clone, Debug)]
pub enum Payload {
    Slo(Arc<SloWindow>),
    Alerts(Arc<ClusterSnapshot>),
    Logs(Arc<LogWindow>),
}

/// What one poll of a Prometheus-compatible source measured, and what it has to say about it
/// (discovery found no rules, and the likely cause for that backend). Reads as its samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SloWindow {
    pub samples: Vec<SloSample>,
    /// Shown with the source's mark as a degraded part: it answered, something is off.
    pub notes: Vec<String>,
}

impl From<Vec<SloSample>> for SloWindow {
    fn from(samples: Vec<SloSample>) -> Self {
        Self {
            samples,
            notes: Vec::new(),
        }
    }
}

impl std::ops::Deref for SloWindow {
    type Target = [SloSample];
    fn deref(&self) -> &[SloSample] {
        &self.samples
    }
}

/// One SLO as measured by a Prometheus-compatible source.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SloSample {
    pub name: String,
    pub measurement: SloMeasurement,
    /// A query of this SLO failed while the source answered others (shown in the row).
    pub error: Option<String>,
    /// The row to add when the state has none by this name: an SLO the source found in its
    /// recording rules, or a group of an SLO with `group_by`.
    pub new_row: Option<(SloDef, SloOrigin)>,
    /// The SLO's own burn-rate rules (a Pyrra SLO's alerts); empty: the cockpit's.
    pub rules: Vec<BurnRule>,
    /// The SLO with `group_by` this row is a group of: its rows missing from the payload are
    /// removed (the group went away).
    pub family: Option<String>,
    /// The exact queries sent for it.
    pub queries: Vec<String>,
    /// The error ratio over the last day, one point per step (the sparkline), when refreshed
    /// in this poll; `None` keeps the last one.
    pub history: Option<Vec<f64>>,
    /// The backend's graph page for the 1h error ratio.
    pub graph_url: Option<String>,
}

/// One Alertmanager cluster: what each replica said, every alert reported, the silences.
#[derive(Clone, Debug, Default)]
pub struct ClusterSnapshot {
    pub replicas: Vec<ReplicaStatus>,
    pub observations: Vec<Observation>,
    pub silences: Vec<Silence>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ReplicaStatus {
    pub name: String,
    pub url: String,
    pub version: Option<String>,
    pub error: Option<SourceError>,
    /// Items this replica answered but that could not be read: `2 alerts unreadable: bad startsAt`.
    pub unreadable: Vec<String>,
}

/// The newest lines of a log source, each with a sequence number that only grows, so the
/// reducer appends exactly the lines it has not seen even when it skipped a snapshot.
#[derive(Clone, Debug, Default)]
pub struct LogWindow {
    /// Sequence number of `lines[0]`; lines are consecutive.
    pub first_seq: u64,
    pub lines: Vec<LogLine>,
    /// Set when a stream has been silent past its idle window: when its last line came.
    pub quiet_since: Option<DateTime<Utc>>,
    /// What the last answer left out: `2 log entries unreadable: not [time, line]`.
    pub unreadable: Option<String>,
}
