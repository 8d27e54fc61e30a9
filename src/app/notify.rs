//! Which alerts deserve a notification, coalesced and rate-limited: a critical
//! alert that fires, is neither silenced, acked nor flapping, and was not paged before in this
//! session. Pure: the runtime performs the `Effect::Notify`.
//!
//! At start, what is already firing is told once, when every Alertmanager source has answered
//! (one summary, "3 critical alerts firing", not one per alert and not one per cluster, and
//! not silence: the engineer starting the cockpit mid-incident should hear that it is one).

use super::msg::Effect;
use crate::domain::alerts::{AlertId, AlertReading, DedupedAlert, Severity};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct PageCandidate {
    pub id: AlertId,
    pub name: String,
    pub cluster: String,
    pub summary: Option<String>,
    pub starts_at: DateTime<Utc>,
}

impl PageCandidate {
    pub fn from_alert(a: &DedupedAlert, policy: &crate::domain::alerts::AlertPolicy) -> Self {
        Self {
            id: a.id.clone(),
            name: a
                .identity()
                .get("alertname")
                .map(str::to_string)
                .unwrap_or_else(|| "alert".into()),
            cluster: a.cluster().to_string(),
            summary: policy.summary(&a.alert.annotations).map(str::to_string),
            starts_at: a.alert.starts_at,
        }
    }
}

pub fn is_page_worthy(a: &DedupedAlert, now: DateTime<Utc>) -> bool {
    a.severity == Severity::Critical
        && a.reading == AlertReading::Firing
        && !a.flapping
        && a.alert.ends_at.is_none_or(|e| e > now)
}

#[derive(Clone, Debug)]
pub struct NotifyState {
    pub enabled: bool,
    /// At most one notification per this interval; what arrives meanwhile is coalesced into the
    /// next one.
    pub min_interval: Duration,
    /// Alerts already paged (or queued) in this session: never twice, so a flapping alert that
    /// fires again stays quiet.
    pub paged: HashSet<AlertId>,
    pub pending: Vec<AlertId>,
    pub last_sent: Option<DateTime<Utc>>,
    /// Set once the first complete poll was told (or had nothing to tell): later
    /// notifications are about new alerts.
    pub started: bool,
}

impl Default for NotifyState {
    fn default() -> Self {
        Self {
            enabled: true,
            min_interval: Duration::from_secs(30),
            paged: HashSet::new(),
            pending: Vec::new(),
            last_sent: None,
            started: false,
        }
    }
}

/// Queues the new page-worthy alerts and emits one coalesced notification when the rate limit
/// allows. Called after every source update and tick; `complete` says every Alertmanager
/// source has answered (or failed) once, and nothing is told before.
pub fn collect(
    n: &mut NotifyState,
    candidates: &[PageCandidate],
    now: DateTime<Utc>,
    complete: bool,
) -> Option<Effect> {
    if !n.enabled {
        return None;
    }
    for c in candidates {
        if n.paged.insert(c.id.clone()) {
            n.pending.push(c.id.clone());
        }
    }
    if !complete {
        return None;
    }
    let at_start = !n.started;
    n.started = true;
    if n.pending.is_empty() {
        return None;
    }
    let interval = chrono::Duration::from_std(n.min_interval).unwrap_or(chrono::Duration::MAX);
    if n.last_sent.is_some_and(|t| now - t < interval) {
        return None;
    }
    // Still page-worthy now: one that turned flapping, acked or resolved while it waited is
    // dropped (and stays paged).
    let due: Vec<&PageCandidate> = n
        .pending
        .iter()
        .filter_map(|k| candidates.iter().find(|c| c.id == *k))
        .collect();
    n.pending.clear();
    if due.is_empty() {
        return None;
    }
    n.last_sent = Some(now);
    Some(message(&due, at_start))
}

/// One alert by name; several as a count with the first names. At start they are "firing"
/// (already were), later "new".
fn message(due: &[&PageCandidate], at_start: bool) -> Effect {
    if let [one] = due {
        return Effect::Notify {
            title: format!("CRIT {} ({})", one.name, one.cluster),
            body: one
                .summary
                .clone()
                .unwrap_or_else(|| format!("{} is firing", one.name)),
        };
    }
    let mut names: Vec<&str> = Vec::new();
    for d in due {
        if !names.contains(&d.name.as_str()) {
            names.push(&d.name);
        }
    }
    let mut body = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 3 {
        body.push_str(&format!(" and {} more", names.len() - 3));
    }
    let title = if at_start {
        format!("{} critical alerts firing", due.len())
    } else {
        format!("{} new critical alerts", due.len())
    };
    Effect::Notify { title, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + chrono::Duration::seconds(s)
    }

    /// Alert number `key` of the cluster.
    fn id(key: u64) -> AlertId {
        let labels = [("n".to_string(), key.to_string())].into_iter().collect();
        AlertId::new("prod", labels)
    }

    fn c(key: u64, name: &str) -> PageCandidate {
        PageCandidate {
            id: id(key),
            name: name.into(),
            cluster: "prod".into(),
            summary: None,
            starts_at: t(0),
        }
    }

    #[test]
    fn a_burst_is_one_notification_then_the_rate_limit_holds_the_rest() {
        let mut n = NotifyState::default();
        let burst: Vec<_> = (0..5).map(|k| c(k, &format!("A{k}"))).collect();
        let e = collect(&mut n, &burst, t(0), true).unwrap();
        assert!(
            matches!(&e, Effect::Notify { title, body } if title == "5 critical alerts firing" && body == "A0, A1, A2 and 2 more")
        );
        // Same alerts again: nothing.
        assert_eq!(collect(&mut n, &burst, t(1), true), None);
        // A new one within the interval waits, then comes alone.
        let mut more = burst.clone();
        more.push(c(9, "Late"));
        assert_eq!(collect(&mut n, &more, t(10), true), None);
        assert_eq!(n.pending, [id(9)]);
        let e = collect(&mut n, &more, t(30), true).unwrap();
        assert!(matches!(&e, Effect::Notify { title, .. } if title == "CRIT Late (prod)"));
    }

    #[test]
    fn nothing_is_told_before_the_first_complete_poll_then_once_as_firing() {
        let mut n = NotifyState::default();
        // The first cluster answered, the second not yet: queued, not told.
        assert_eq!(collect(&mut n, &[c(1, "A"), c(2, "B")], t(0), false), None);
        assert_eq!(n.pending, [id(1), id(2)]);
        let all = [c(1, "A"), c(2, "B"), c(3, "A")];
        let e = collect(&mut n, &all, t(2), true).unwrap();
        assert_eq!(
            e,
            Effect::Notify {
                title: "3 critical alerts firing".into(),
                body: "A, B".into()
            }
        );
        let later = [c(1, "A"), c(2, "B"), c(3, "A"), c(4, "C"), c(5, "D")];
        let e = collect(&mut n, &later, t(40), true).unwrap();
        assert!(matches!(&e, Effect::Notify { title, .. } if title == "2 new critical alerts"));

        // A quiet start: the first alerts after it are new ones.
        let mut n = NotifyState::default();
        assert_eq!(collect(&mut n, &[], t(0), true), None);
        let e = collect(&mut n, &[c(1, "A"), c(2, "B")], t(1), true).unwrap();
        assert!(matches!(&e, Effect::Notify { title, .. } if title == "2 new critical alerts"));
    }

    #[test]
    fn pending_that_stopped_being_page_worthy_is_dropped() {
        let mut n = NotifyState::default();
        collect(&mut n, &[c(1, "A")], t(0), true);
        assert_eq!(collect(&mut n, &[c(1, "A"), c(2, "B")], t(5), true), None);
        // B turned flapping (or was acked) before the interval passed.
        assert_eq!(collect(&mut n, &[c(1, "A")], t(40), true), None);
        assert!(n.pending.is_empty());
        // And it does not page later when it is page-worthy again.
        assert_eq!(collect(&mut n, &[c(2, "B")], t(100), true), None);
    }

    #[test]
    fn disabled_never_notifies() {
        let mut n = NotifyState {
            enabled: false,
            ..NotifyState::default()
        };
        assert_eq!(collect(&mut n, &[c(1, "A")], t(0), true), None);
    }
}
