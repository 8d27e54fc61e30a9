//! The orders the alerts pane can show its groups in (`o` cycles them). Every order keeps a
//! total order (ties broken by labels, then identity), so a poll never reshuffles equal rows.

use super::{AlertGroup, AlertReading, DedupedAlert, Severity};
use chrono::{DateTime, Utc};
use std::cmp::{Ordering, Reverse};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AlertSort {
    /// Unacknowledged pages first, newest first: a new page lands on top, never out of sight.
    /// Then the rest by severity.
    #[default]
    Pages,
    /// Worst severity first, then oldest first.
    Severity,
    /// Newest first.
    Age,
    /// By the group's labels, then the alert's name.
    Name,
    /// Largest group first.
    Count,
}

impl AlertSort {
    pub const ALL: [AlertSort; 5] = [
        AlertSort::Pages,
        AlertSort::Severity,
        AlertSort::Age,
        AlertSort::Name,
        AlertSort::Count,
    ];

    pub fn name(self) -> &'static str {
        match self {
            AlertSort::Pages => "pages first",
            AlertSort::Severity => "severity",
            AlertSort::Age => "newest",
            AlertSort::Name => "name",
            AlertSort::Count => "count",
        }
    }

    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }
}

/// A page nobody answered yet: critical, firing (not acked, silenced or inhibited), not
/// flapping (a flapping alert is held quiet).
pub fn is_unacked_page(a: &DedupedAlert) -> bool {
    a.severity == Severity::Critical && a.reading == AlertReading::Firing && !a.flapping
}

/// The groups and each group's alerts in `order`.
pub fn sort_groups(groups: Vec<AlertGroup>, order: AlertSort) -> Vec<AlertGroup> {
    // Keys computed once per group, not once per comparison.
    let mut keyed: Vec<(GroupKey, AlertGroup)> = groups
        .into_iter()
        .map(|mut g| {
            g.alerts.sort_by(|a, b| alert_order(a, b, order));
            (GroupKey::of(&g), g)
        })
        .collect();
    keyed.sort_by(|(a, ga), (b, gb)| {
        group_order(a, b, order).then_with(|| ga.labels.cmp(&gb.labels))
    });
    keyed.into_iter().map(|(_, g)| g).collect()
}

struct GroupKey {
    /// The newest unacknowledged page's start, if the group has one.
    newest_page: Option<DateTime<Utc>>,
    worst: Severity,
    oldest: Option<DateTime<Utc>>,
    newest: Option<DateTime<Utc>>,
    count: usize,
}

impl GroupKey {
    fn of(g: &AlertGroup) -> Self {
        let starts = g.alerts.iter().map(|a| a.alert.starts_at);
        Self {
            newest_page: g
                .alerts
                .iter()
                .filter(|a| is_unacked_page(a))
                .map(|a| a.alert.starts_at)
                .max(),
            worst: g.worst,
            oldest: starts.clone().min(),
            newest: starts.max(),
            count: g.alerts.len(),
        }
    }
}

fn group_order(a: &GroupKey, b: &GroupKey, order: AlertSort) -> Ordering {
    let severity = || {
        Reverse(a.worst)
            .cmp(&Reverse(b.worst))
            .then(a.oldest.cmp(&b.oldest))
    };
    match order {
        // `None` sorts before `Some`: reversed, groups with a page come first, newest first.
        AlertSort::Pages => Reverse(a.newest_page)
            .cmp(&Reverse(b.newest_page))
            .then_with(severity),
        AlertSort::Severity => severity(),
        AlertSort::Age => Reverse(a.newest).cmp(&Reverse(b.newest)),
        AlertSort::Name => Ordering::Equal,
        AlertSort::Count => Reverse(a.count).cmp(&Reverse(b.count)).then_with(severity),
    }
}

fn alert_order(a: &DedupedAlert, b: &DedupedAlert, order: AlertSort) -> Ordering {
    let severity = || {
        Reverse(a.severity)
            .cmp(&Reverse(b.severity))
            .then(a.alert.starts_at.cmp(&b.alert.starts_at))
    };
    let newest = || Reverse(a.alert.starts_at).cmp(&Reverse(b.alert.starts_at));
    let by = match order {
        AlertSort::Pages => {
            let (pa, pb) = (is_unacked_page(a), is_unacked_page(b));
            pb.cmp(&pa)
                .then_with(|| if pa { newest() } else { severity() })
        }
        AlertSort::Severity | AlertSort::Count => severity(),
        AlertSort::Age => newest(),
        AlertSort::Name => a
            .identity()
            .get("alertname")
            .cmp(&b.identity().get("alertname")),
    };
    by.then_with(|| a.identity().cmp(b.identity()))
        .then_with(|| a.cluster().cmp(b.cluster()))
}
