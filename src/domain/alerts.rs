//! Alerts: identity, de-duplication across replicas and HA pairs, grouping, severities, ack reading.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub type Labels = BTreeMap<String, String>;

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
    pub labels: Labels,
    pub annotations: Labels,
    pub state: AmState,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub starts_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    pub generator_url: Option<String>,
    pub fingerprint: String,
    pub receivers: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

impl Silence {
    /// An ack is a silence whose comment starts with `ACK` (DESIGN §5); any other is maintenance.
    pub fn is_ack(&self) -> bool {
        self.comment.trim_start().starts_with("ACK")
    }
}

/// Severity from the `severity` label; never shown by colour alone (see `label`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    None,
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn from_labels(labels: &Labels) -> Self {
        let Some(v) = labels.get("severity") else {
            return Severity::None;
        };
        let is = |names: &[&str]| names.iter().any(|n| v.eq_ignore_ascii_case(n));
        if is(&["critical", "page", "error", "high", "p1", "emergency"]) {
            Severity::Critical
        } else if is(&["warning", "warn", "ticket", "medium", "p2", "p3"]) {
            Severity::Warning
        } else if is(&["info", "informational", "low", "none", "p4", "p5"]) {
            Severity::Info
        } else {
            Severity::None
        }
    }

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
    pub cluster: String,
    /// The labels with the dedup labels dropped: what makes it one alert.
    pub identity: Labels,
    /// The freshest report (highest `updated_at`), shared with the snapshot it came from.
    pub alert: Arc<Alert>,
    /// Which sources reported it: `replica` or `replica/label=value` for an HA Prometheus pair.
    pub sources: Vec<String>,
    pub reading: AlertReading,
    pub severity: Severity,
    /// A hash of (cluster, identity): stable for the session, used to track the alert over time
    /// (flap history, notifications already sent).
    pub key: u64,
    /// Set by the caller from its flap history (`domain::flap`); `dedup` leaves it false.
    pub flapping: bool,
}

/// Labels with the dedup labels (e.g. `replica`, `prometheus_replica`) removed.
pub fn identity(labels: &Labels, dedup_labels: &[String]) -> Labels {
    // Cloning the tree and dropping a few keys beats rebuilding it (no sort, no staging vector):
    // this runs for every alert on every poll.
    let mut identity = labels.clone();
    identity.retain(|k, _| !dedup_labels.contains(k));
    identity
}

/// The stable key of an alert identity within a cluster (see `DedupedAlert::key`).
pub fn identity_key<'a>(
    cluster: &str,
    identity: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same alert gets the same key on every poll. Fx, not SipHash: this runs
    // for every label of every report on every poll, and no input here is adversarial enough
    // to matter (a collision still dedups correctly, see `dedup_refs`).
    let mut h = rustc_hash::FxHasher::default();
    cluster.hash(&mut h);
    for (k, v) in identity {
        k.hash(&mut h);
        v.hash(&mut h);
    }
    h.finish()
}

/// One alert as reported by a replica of a cluster, before dedup.
#[derive(Clone, Debug, PartialEq)]
pub struct Observation {
    pub cluster: String,
    pub replica: String,
    /// Shared: the dedup result points at the report it kept instead of copying it.
    pub alert: Arc<Alert>,
}

/// Merges observations whose identities are equal within a cluster.
pub fn dedup(
    observations: impl IntoIterator<Item = Observation>,
    dedup_labels: &[String],
    silences: &BTreeMap<String, Vec<Silence>>,
) -> Vec<DedupedAlert> {
    let observations: Vec<Observation> = observations.into_iter().collect();
    dedup_refs(&observations, dedup_labels, |cluster| {
        silences.get(cluster).map(Vec::as_slice).unwrap_or(&[])
    })
}

/// One identity being merged: borrowed until the end, so only the winner is cloned.
struct Slot<'a> {
    first: &'a Observation,
    best: &'a Observation,
    sources: Vec<String>,
    key: u64,
}

/// `dedup` over borrowed observations (the state keeps its snapshots and clones only one alert
/// per identity). Identities are hashed (`identity_key`), never built as maps to compare.
pub fn dedup_refs<'a, 's>(
    observations: impl IntoIterator<Item = &'a Observation>,
    dedup_labels: &[String],
    silences_of: impl Fn(&str) -> &'s [Silence],
) -> Vec<DedupedAlert> {
    let is_dedup = |k: &String| dedup_labels.iter().any(|d| d == k);
    let mut index: rustc_hash::FxHashMap<u64, usize> = Default::default();
    let mut slots: Vec<Slot<'a>> = Vec::new();
    for obs in observations {
        let kept = || obs.alert.labels.iter().filter(|(k, _)| !is_dedup(k));
        let mut key = identity_key(&obs.cluster, kept());
        // Open addressing over the key space: a (never yet seen) 64-bit collision still dedups
        // correctly, because identities are compared before merging.
        let slot = loop {
            match index.get(&key) {
                Some(&i) => {
                    let first = slots[i].first;
                    let same = first.cluster == obs.cluster
                        && first
                            .alert
                            .labels
                            .iter()
                            .filter(|(k, _)| !is_dedup(k))
                            .eq(kept());
                    if same {
                        break Some(i);
                    }
                    key = key.wrapping_add(1);
                }
                None => break None,
            }
        };
        let source = source_name(obs, &is_dedup);
        match slot {
            Some(i) => {
                let slot = &mut slots[i];
                if !slot.sources.contains(&source) {
                    slot.sources.push(source);
                }
                if obs.alert.updated_at > slot.best.alert.updated_at {
                    slot.best = obs;
                }
            }
            None => {
                index.insert(key, slots.len());
                slots.push(Slot {
                    first: obs,
                    best: obs,
                    sources: vec![source],
                    key,
                });
            }
        }
    }
    // Per cluster, silences by id: one lookup per silenced alert instead of a scan.
    let mut by_cluster: HashMap<&str, HashMap<&str, &Silence>> = HashMap::new();
    slots
        .into_iter()
        .map(|mut slot| {
            slot.sources.sort();
            let best = slot.best;
            let silences = by_cluster.entry(best.cluster.as_str()).or_insert_with(|| {
                silences_of(&best.cluster)
                    .iter()
                    .map(|s| (s.id.as_str(), s))
                    .collect()
            });
            let reading = read_state_with(&best.alert, |id| silences.get(id).copied());
            DedupedAlert {
                cluster: best.cluster.clone(),
                identity: identity(&best.alert.labels, dedup_labels),
                alert: Arc::clone(&best.alert),
                sources: slot.sources,
                reading,
                severity: Severity::from_labels(&best.alert.labels),
                key: slot.key,
                flapping: false,
            }
        })
        .collect()
}

/// `replica` or `replica/label=value` for an HA Prometheus pair.
fn source_name(obs: &Observation, is_dedup: &impl Fn(&String) -> bool) -> String {
    let dedup = || obs.alert.labels.iter().filter(|(k, _)| is_dedup(k));
    let len = dedup().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>();
    let mut source = String::with_capacity(obs.replica.len() + len);
    source.push_str(&obs.replica);
    let mut first = true;
    for (k, v) in dedup() {
        source.push(if first { '/' } else { ',' });
        first = false;
        source.push_str(k);
        source.push('=');
        source.push_str(v);
    }
    source
}

/// Acked beats silenced beats inhibited: the most useful thing to tell the on-call engineer.
pub fn read_state(alert: &Alert, silences: &[Silence]) -> AlertReading {
    read_state_with(alert, |id| silences.iter().find(|s| s.id == id))
}

fn read_state_with<'s>(alert: &Alert, find: impl Fn(&str) -> Option<&'s Silence>) -> AlertReading {
    let mut maintenance = None;
    for id in &alert.silenced_by {
        let Some(s) = find(id) else {
            continue;
        };
        if s.is_ack() {
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

/// Alerts sharing the values of the group-by labels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlertGroup {
    pub labels: Labels,
    pub alerts: Vec<DedupedAlert>,
    pub worst: Severity,
    pub firing: usize,
    pub acked: usize,
    pub silenced: usize,
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
    // `cluster` falls back to the Alertmanager cluster the alert came from.
    fn value<'a>(a: &'a DedupedAlert, l: &str) -> &'a str {
        match a.alert.labels.get(l) {
            Some(v) => v,
            None if l == "cluster" => &a.cluster,
            None => "",
        }
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
                    .then_with(|| a.identity.cmp(&b.identity))
            });
            let labels: Labels = by
                .iter()
                .map(|l| (l.clone(), value(&alerts[0], l).to_string()))
                .collect();
            let (mut firing, mut acked, mut silenced, mut flapping) = (0, 0, 0, 0);
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
                    AlertReading::Inhibited => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap() + chrono::Duration::minutes(min)
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn alert(pairs: &[(&str, &str)], start: i64) -> Alert {
        Alert {
            labels: labels(pairs),
            annotations: Labels::new(),
            state: AmState::Active,
            silenced_by: vec![],
            inhibited_by: vec![],
            starts_at: t(start),
            updated_at: t(start),
            ends_at: None,
            generator_url: None,
            fingerprint: String::new(),
            receivers: vec![],
        }
    }

    fn obs(replica: &str, a: Alert) -> Observation {
        Observation {
            cluster: "prod".into(),
            replica: replica.into(),
            alert: Arc::new(a),
        }
    }

    fn dedup_labels() -> Vec<String> {
        vec!["replica".into(), "prometheus_replica".into()]
    }

    #[test]
    fn same_alert_from_two_replicas_and_two_prometheus_is_one() {
        let a = |r: &str| {
            alert(
                &[
                    ("alertname", "HighLatency"),
                    ("service", "api"),
                    ("replica", r),
                ],
                0,
            )
        };
        let out = dedup(
            vec![
                obs("am-0", a("prom-a")),
                obs("am-0", a("prom-b")),
                obs("am-1", a("prom-a")),
                obs("am-1", a("prom-b")),
            ],
            &dedup_labels(),
            &BTreeMap::new(),
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].sources.len(), 4);
        assert_eq!(
            out[0].identity,
            labels(&[("alertname", "HighLatency"), ("service", "api")])
        );
    }

    #[test]
    fn different_clusters_are_never_merged() {
        let mut o2 = obs("am-0", alert(&[("alertname", "X")], 0));
        o2.cluster = "prod-us".into();
        let out = dedup(
            vec![obs("am-0", alert(&[("alertname", "X")], 0)), o2],
            &dedup_labels(),
            &BTreeMap::new(),
        );
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn freshest_report_wins() {
        let mut newer = alert(&[("alertname", "X")], 0);
        newer.updated_at = t(5);
        newer.annotations.insert("summary".into(), "new".into());
        let out = dedup(
            vec![obs("a", alert(&[("alertname", "X")], 0)), obs("b", newer)],
            &[],
            &BTreeMap::new(),
        );
        assert_eq!(out[0].alert.annotations["summary"], "new");
    }

    fn silence(id: &str, comment: &str) -> Silence {
        Silence {
            id: id.into(),
            matchers: vec![],
            starts_at: t(1),
            ends_at: t(61),
            created_by: "alice".into(),
            comment: comment.into(),
            state: SilenceState::Active,
        }
    }

    #[test]
    fn ack_silence_reads_as_acked_other_as_silenced() {
        let mut a = alert(&[("alertname", "X")], 0);
        a.silenced_by = vec!["s2".into(), "s1".into()];
        let both = [
            silence("s1", "ACK: looking"),
            silence("s2", "db maintenance"),
        ];
        assert!(
            matches!(read_state(&a, &both), AlertReading::Acked { ref by, .. } if by == "alice")
        );
        let maint = [
            silence("s1", "db maintenance"),
            silence("s2", "db maintenance"),
        ];
        assert!(
            matches!(read_state(&a, &maint), AlertReading::Silenced { ref comment, .. } if comment == "db maintenance")
        );
        a.silenced_by.clear();
        a.inhibited_by = vec!["x".into()];
        assert_eq!(read_state(&a, &both), AlertReading::Inhibited);
    }

    #[test]
    fn groups_sorted_by_worst_severity_then_age() {
        let alerts = dedup(
            vec![
                obs(
                    "a",
                    alert(&[("alertname", "Old"), ("severity", "warning")], 0),
                ),
                obs(
                    "a",
                    alert(&[("alertname", "Crit"), ("severity", "critical")], 10),
                ),
                obs(
                    "a",
                    alert(&[("alertname", "Older"), ("severity", "warning")], -5),
                ),
            ],
            &[],
            &BTreeMap::new(),
        );
        let groups = group(alerts, &["alertname".to_string()]);
        let names: Vec<&str> = groups
            .iter()
            .map(|g| g.labels["alertname"].as_str())
            .collect();
        assert_eq!(names, ["Crit", "Older", "Old"]);
        assert_eq!(groups[0].worst, Severity::Critical);
        assert_eq!(groups[0].firing, 1);
    }

    #[test]
    fn severity_names() {
        assert_eq!(
            Severity::from_labels(&labels(&[("severity", "CRITICAL")])),
            Severity::Critical
        );
        assert_eq!(
            Severity::from_labels(&labels(&[("severity", "warning")])),
            Severity::Warning
        );
        assert_eq!(Severity::from_labels(&labels(&[])), Severity::None);
    }

    proptest::proptest! {
        /// The hashed dedup agrees with the definition: one alert per (cluster, labels minus the
        /// dedup labels), with every distinct source listed.
        #[test]
        fn dedup_matches_the_definition(
            rows in proptest::collection::vec((0..2u8, 0..3u8, 0..4u8, 0..2u8, 0..3u8), 0..60)
        ) {
            let obs: Vec<Observation> = rows
                .iter()
                .map(|(c, name, inst, replica, am)| {
                    let mut o = obs(
                        &format!("am-{am}"),
                        alert(
                            &[
                                ("alertname", &format!("A{name}")),
                                ("instance", &format!("i{inst}")),
                                ("replica", &format!("p{replica}")),
                            ],
                            0,
                        ),
                    );
                    o.cluster = format!("c{c}");
                    o
                })
                .collect();
            let out = dedup(obs.clone(), &dedup_labels(), &BTreeMap::new());
            let mut want: BTreeMap<(String, Labels), std::collections::BTreeSet<String>> =
                BTreeMap::new();
            for o in &obs {
                let id = identity(&o.alert.labels, &dedup_labels());
                want.entry((o.cluster.clone(), id)).or_default().insert(format!(
                    "{}/replica={}",
                    o.replica, o.alert.labels["replica"]
                ));
            }
            proptest::prop_assert_eq!(out.len(), want.len());
            for a in &out {
                let sources = &want[&(a.cluster.clone(), a.identity.clone())];
                proptest::prop_assert_eq!(&a.sources, &sources.iter().cloned().collect::<Vec<_>>());
                proptest::prop_assert_eq!(a.key, identity_key(&a.cluster, &a.identity));
            }
        }
    }
}
