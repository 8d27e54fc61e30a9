//! Messages into the reducer and the effects it asks the runtime to perform.

use super::state::{SloDef, SloOrigin};
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
    /// The executor's news about an action (queued, retrying, done, failed).
    ActionResult(super::acts::ActionResult),
    /// A local runbook read for the in-cockpit view (over SSH).
    RunbookText {
        title: String,
        result: Result<String, String>,
    },
    /// The newest audit log lines, for `:audit`.
    AuditLines(Result<Vec<String>, String>),
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
    pub rules: Vec<crate::domain::slo::BurnRule>,
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
    /// Append an entry to the incident timeline (JSON lines in the state dir).
    Record(crate::domain::timeline::Entry),
    /// Export the timeline of the last 24 h as markdown and answer with `Msg::RunbookText`.
    LoadTimeline,
    /// Tell the on-call engineer about new page-worthy alerts (desktop, bell, OSC 9/777;
    /// `[notify]`). Unsanitised backend text: the performer sanitises for its channel.
    Notify {
        title: String,
        body: String,
    },
    /// Hand an action to the executor (outbox first, then sent, retried, audited).
    Act(Box<super::acts::ActionRequest>),
    /// Open a checked runbook URL with the system opener (an argument, never a shell).
    OpenUrl(String),
    /// Read a checked local runbook file and answer with `Msg::RunbookText`.
    ReadRunbook(std::path::PathBuf),
    /// Copy text to the user's clipboard through the terminal (OSC 52).
    Copy(String),
    /// Read the audit log's newest lines and answer with `Msg::AuditLines`.
    LoadAudit,
    /// Restart these log sources on the alert's queries, from `since`, then tailing.
    OpenAlertLogs {
        queries: Vec<(SourceId, String)>,
        since: DateTime<Utc>,
    },
}
