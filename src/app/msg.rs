//! Messages into the reducer and the effects it asks the runtime to perform.

use crate::domain::alerts::{Observation, Silence};
use crate::domain::health::{SourceError, SourceId};
use crate::domain::logs::LogLine;
use crate::domain::slo::SloMeasurement;
use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::keys::Key;

#[derive(Clone, Debug)]
pub enum Msg {
    /// The 1 Hz tick: clocks and ages move.
    Tick,
    Key(Key),
    Resize {
        width: u16,
        height: u16,
    },
    /// A poller published a snapshot.
    Source(SourceUpdate),
}

/// The latest snapshot of one source, tagged so an older one never overwrites a newer one.
#[derive(Clone, Debug)]
pub struct SourceUpdate {
    pub source: SourceId,
    pub generation: u64,
    pub fetched_at: DateTime<Utc>,
    pub result: Result<Payload, SourceError>,
}

#[derive(Clone, Debug)]
pub enum Payload {
    Slo(Arc<Vec<SloSample>>),
    Alerts(Arc<ClusterSnapshot>),
    Logs(Arc<LogWindow>),
}

/// One SLO as measured by a Prometheus-compatible source.
#[derive(Clone, Debug, PartialEq)]
pub struct SloSample {
    pub name: String,
    pub measurement: SloMeasurement,
    /// A query of this SLO failed while the source answered others (shown in the row).
    pub error: Option<String>,
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
}

/// The newest lines of a log source, each with a sequence number that only grows, so the
/// reducer appends exactly the lines it has not seen even when it skipped a snapshot.
#[derive(Clone, Debug, Default)]
pub struct LogWindow {
    /// Sequence number of `lines[0]`; lines are consecutive.
    pub first_seq: u64,
    pub lines: Vec<LogLine>,
}

/// What `update` asks the runtime to do; performed outside the reducer.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    /// Poll these sources now (all when empty).
    Refresh(Vec<SourceId>),
    /// Restart these log sources on the alert's queries, from `since`, then tailing.
    OpenAlertLogs {
        queries: Vec<(SourceId, String)>,
        since: DateTime<Utc>,
    },
}
