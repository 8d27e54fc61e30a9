//! Grouping by labels, groups and their alerts sorted by worst severity, then age.

use super::{AlertReading, DedupedAlert, Labels, Severity};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The group-by key that means the Alertmanager cluster (as `@cluster` in filters).
pub const CLUSTER: &str = "@cluster";

/// Alerts sharing the values of the group-by labels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertGroup {
    pub labels: Labels,
    pub alerts: Vec<DedupedAlert>,
    pub worst: Severity,
    pub firing: usize,
    pub acked: usize,
    pub silenced: usize,
    pub inhibited: usize,
    pub flapping: usize,
}

impl AlertGroup {
    /// A stable key for selection and expansion state.
    pub fn key(&self) -> String {
        self.labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn oldest_start(&self) -> Option<DateTime<Utc>> {
        self.alerts.iter().map(|a| a.alert.starts_at).min()
    }
}

/// Groups alerts by the given labels; groups sorted by worst severity, then oldest first.
/// Alerts inside a group are sorted the same way.
pub fn group(alerts: Vec<DedupedAlert>, by: &[String]) -> Vec<AlertGroup> {
    // `@cluster` is the Alertmanager cluster the alert came from, never a label: a label
    // called `cluster` (one of the commonest) is just a label.
    fn value<'a>(a: &'a DedupedAlert, l: &str) -> &'a str {
        if l == CLUSTER {
            return a.cluster();
        }
        a.alert.labels.get(l).unwrap_or("")
    }
    let hash = |a: &DedupedAlert| {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        for l in by {
            value(a, l).hash(&mut h);
        }
        h.finish()
    };
    let mut index: rustc_hash::FxHashMap<u64, Vec<usize>> = Default::default();
    let mut buckets: Vec<Vec<DedupedAlert>> = Vec::new();
    for a in alerts {
        let candidates = index.entry(hash(&a)).or_default();
        let found = candidates.iter().copied().find(|&i| {
            let first = &buckets[i][0];
            by.iter().all(|l| value(first, l) == value(&a, l))
        });
        match found {
            Some(i) => buckets[i].push(a),
            None => {
                candidates.push(buckets.len());
                buckets.push(vec![a]);
            }
        }
    }
    let mut out: Vec<(Option<DateTime<Utc>>, AlertGroup)> = buckets
        .into_iter()
        .map(|mut alerts| {
            alerts.sort_by(|a, b| {
                b.severity
                    .cmp(&a.severity)
                    .then(a.alert.starts_at.cmp(&b.alert.starts_at))
                    .then_with(|| a.identity().cmp(b.identity()))
            });
            let labels: Labels = by
                .iter()
                .map(|l| (l.clone(), value(&alerts[0], l).to_string()))
                .collect();
            let (mut firing, mut acked, mut silenced, mut inhibited, mut flapping) =
                (0, 0, 0, 0, 0);
            let mut worst_firing = None;
            let mut worst = Severity::None;
            for a in &alerts {
                match a.reading {
                    AlertReading::Firing => {
                        firing += 1;
                        worst_firing = worst_firing.max(Some(a.severity));
                    }
                    AlertReading::Acked { .. } => acked += 1,
                    AlertReading::Silenced { .. } => silenced += 1,
                    AlertReading::Inhibited => inhibited += 1,
                }
                flapping += usize::from(a.flapping);
                worst = worst.max(a.severity);
            }
            let oldest = alerts.iter().map(|a| a.alert.starts_at).min();
            (
                oldest,
                AlertGroup {
                    worst: worst_firing.unwrap_or(worst),
                    firing,
                    acked,
                    silenced,
                    inhibited,
                    flapping,
                    labels,
                    alerts,
                },
            )
        })
        .collect();
    out.sort_by(|(oa, a), (ob, b)| {
        b.worst
            .cmp(&a.worst)
            .then(oa.cmp(ob))
            .then_with(|| a.labels.cmp(&b.labels))
    });
    out.into_iter().map(|(_, g)| g).collect()
}
