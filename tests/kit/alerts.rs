//! Alerts as Alertmanager reports them, and the messages that carry them into the reducer.

use chrono::{DateTime, Utc};
use onwatch::app::msg::{ClusterSnapshot, ReplicaStatus};
use onwatch::app::{Msg, Payload, SourceUpdate};
use onwatch::domain::alerts::{Alert, AmState, LabelSet, Labels, Observation, Silence};
use onwatch::domain::health::{SourceError, SourceId};
use std::sync::Arc;

pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// An active alert with these labels, started and last updated at `at`, with nothing else set:
/// a test changes the fields it relies on with struct-update syntax.
pub fn alert(pairs: &[(&str, &str)], at: DateTime<Utc>) -> Alert {
    Alert {
        labels: Arc::new(LabelSet::from(&labels(pairs))),
        annotations: Arc::new(LabelSet::new()),
        state: AmState::Active,
        silenced_by: vec![],
        inhibited_by: vec![],
        starts_at: at,
        updated_at: at,
        ends_at: None,
        generator_url: None,
        fingerprint: String::new(),
        receivers: Default::default(),
    }
}

/// The alert as Alertmanager shows it under these silences: suppressed if there is any.
pub fn silenced(alert: Alert, by: &[&str]) -> Alert {
    Alert {
        state: if by.is_empty() {
            AmState::Active
        } else {
            AmState::Suppressed
        },
        silenced_by: by.iter().map(|s| s.to_string()).collect(),
        ..alert
    }
}

/// The alert as one replica of a cluster reports it.
pub fn obs(cluster: &str, replica: &str, alert: Alert) -> Observation {
    Observation {
        cluster: cluster.into(),
        replica: replica.into(),
        alert: Arc::new(alert),
    }
}

/// A replica that answered.
pub fn replica(name: &str, url: &str) -> ReplicaStatus {
    ReplicaStatus {
        name: name.into(),
        url: url.into(),
        version: None,
        error: None,
        unreadable: Vec::new(),
    }
}

/// A cluster of one replica, am-0 at `url`, that answered with these alerts and silences.
pub fn snapshot(
    url: &str,
    observations: Vec<Observation>,
    silences: Vec<Silence>,
) -> ClusterSnapshot {
    ClusterSnapshot {
        replicas: vec![replica("am-0", url)],
        observations,
        silences,
    }
}

/// A poll's answer as the reducer receives it.
pub fn source_msg(
    source: SourceId,
    generation: u64,
    fetched_at: DateTime<Utc>,
    result: Result<Payload, SourceError>,
) -> Msg {
    Msg::Source(SourceUpdate {
        source,
        generation,
        fetched_at,
        result,
        slow: None,
    })
}

/// A cluster's snapshot as the reducer receives it.
pub fn alerts_msg(
    source: SourceId,
    generation: u64,
    fetched_at: DateTime<Utc>,
    snapshot: ClusterSnapshot,
) -> Msg {
    source_msg(
        source,
        generation,
        fetched_at,
        Ok(Payload::Alerts(Arc::new(snapshot))),
    )
}
