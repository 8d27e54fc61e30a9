//! The action vocabulary shared by the reducer and the executor: what the cockpit asks for (ack,
//! un-ack, extend, escalate, PagerDuty acknowledge), how a request is written to the outbox, and
//! what the executor answers. Pure data and naming.

use super::alerts::{GetLabel, Labels, Matcher};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// Marks an ack silence that a running cockpit extends while its alert still fires.
pub const UNTIL_RESOLVED: &str = "[until resolved]";

/// What the actions need from the config, derived once at start.
#[derive(Clone, Debug, PartialEq)]
pub struct ActsSetup {
    pub ack_duration: Duration,
    pub until_resolved_step: Duration,
    pub chains: Vec<Chain>,
    pub runbook_dir: Option<PathBuf>,
    /// The annotations a runbook link is read from, first found wins (`[runbooks] annotations`).
    pub runbook_annotations: Vec<String>,
    /// `SSH_CONNECTION` was set: runbooks are shown in the cockpit rather than opened.
    pub over_ssh: bool,
    /// Makes request ids unique across cockpits sharing a state dir (the process id).
    pub nonce: u32,
    /// The dedup-key template of the PagerDuty `acknowledge` sent with each ack; `None`: none sent.
    pub pagerduty_ack: Option<String>,
    /// The labels each Alertmanager re-post target adds (`escalated="true"`): what tells an
    /// escalated copy from the alert it copies.
    pub reposts: Vec<Labels>,
}

impl Default for ActsSetup {
    fn default() -> Self {
        Self {
            ack_duration: Duration::from_secs(3600),
            until_resolved_step: Duration::from_secs(1800),
            chains: Vec::new(),
            runbook_dir: None,
            runbook_annotations: crate::domain::links::default_runbook_annotations(),
            over_ssh: false,
            nonce: 0,
            pagerduty_ack: None,
            reposts: Vec::new(),
        }
    }
}

/// An escalation chain: the alerts it applies to and its targets' names, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub name: String,
    pub matchers: Labels,
    pub targets: Vec<String>,
}

/// One action, as written to the outbox and sent by the executor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionRequest {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub user: String,
    pub kind: ActKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ActKind {
    /// A silence on `matchers` (all equal, none regex), once per cluster, that does not match
    /// `exclude` (one `!=` matcher each): the escalated copies of the alerts it acks.
    Ack {
        cluster: String,
        matchers: Labels,
        #[serde(default, skip_serializing_if = "Labels::is_empty")]
        exclude: Labels,
        comment: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        until_resolved: bool,
    },
    /// Expire the ack silence.
    Unack {
        cluster: String,
        silence_id: String,
        matchers: Labels,
    },
    /// Push the end of an "until resolved" ack silence further out.
    Extend {
        cluster: String,
        silence_id: String,
        matchers: Labels,
        #[serde(default, skip_serializing_if = "Labels::is_empty")]
        exclude: Labels,
        comment: String,
        created_by: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    /// Send the alert to one target of its escalation chain.
    Escalate {
        cluster: String,
        chain: String,
        target: String,
        labels: Labels,
        annotations: Labels,
        starts_at: DateTime<Utc>,
        generator_url: Option<String>,
        fingerprint: String,
        note: String,
    },
    /// PagerDuty Events API v2 `acknowledge` of one alert, sent alongside its ack.
    PagerdutyAck {
        cluster: String,
        labels: Labels,
        dedup_key: String,
    },
    /// A silence on any Alertmanager matchers (`=~` and `!~` too): a new one, or, with
    /// `replaces`, that silence changed (Alertmanager may answer with a new id).
    Silence {
        cluster: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<String>,
        matchers: Vec<Matcher>,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        comment: String,
    },
    /// Expire a silence, whatever it is.
    Expire { cluster: String, silence_id: String },
}

impl ActKind {
    pub fn name(&self) -> &'static str {
        match self {
            ActKind::Ack { .. } => "ack",
            ActKind::Unack { .. } => "unack",
            ActKind::Extend { .. } => "extend",
            ActKind::Escalate { .. } => "escalate",
            ActKind::PagerdutyAck { .. } => "pagerduty_ack",
            ActKind::Silence { replaces: None, .. } => "silence",
            ActKind::Silence { .. } => "silence_update",
            ActKind::Expire { .. } => "expire",
        }
    }

    pub fn cluster(&self) -> &str {
        match self {
            ActKind::Ack { cluster, .. }
            | ActKind::Unack { cluster, .. }
            | ActKind::Extend { cluster, .. }
            | ActKind::Escalate { cluster, .. }
            | ActKind::PagerdutyAck { cluster, .. }
            | ActKind::Silence { cluster, .. }
            | ActKind::Expire { cluster, .. } => cluster,
        }
    }

    /// The labels that pick the alert(s) this action is about; none for a silence on any
    /// matchers (`Silence`, `Expire`), which is about the silence, not alerts.
    pub fn matchers(&self) -> &Labels {
        static NONE: std::sync::LazyLock<Labels> = std::sync::LazyLock::new(Labels::new);
        match self {
            ActKind::Ack { matchers, .. }
            | ActKind::Unack { matchers, .. }
            | ActKind::Extend { matchers, .. } => matchers,
            ActKind::Escalate { labels, .. } | ActKind::PagerdutyAck { labels, .. } => labels,
            ActKind::Silence { .. } | ActKind::Expire { .. } => &NONE,
        }
    }

    /// The `!=` matchers of a silence this action posts (none for the others).
    pub fn exclude(&self) -> &Labels {
        static NONE: std::sync::LazyLock<Labels> = std::sync::LazyLock::new(Labels::new);
        match self {
            ActKind::Ack { exclude, .. } | ActKind::Extend { exclude, .. } => exclude,
            _ => &NONE,
        }
    }

    /// Whether an alert with `labels` is one this action is about: every matcher equal, and
    /// for a silence, no `!=` matcher equal either.
    pub fn covers(&self, labels: &impl GetLabel) -> bool {
        let eq = |(k, v): (&String, &String)| labels.get_label(k) == Some(v.as_str());
        self.matchers().iter().all(eq) && !self.exclude().iter().any(eq)
    }

    /// One line for the footer: `ack prod {alertname="X"}`.
    pub fn describe(&self) -> String {
        let m = matchers_text(self.matchers());
        match self {
            ActKind::Escalate { target, .. } => format!("escalate {m} to {target}"),
            ActKind::PagerdutyAck { dedup_key, .. } => {
                format!("PagerDuty acknowledge {dedup_key:?}")
            }
            ActKind::Silence {
                cluster, matchers, ..
            } => format!(
                "{} {cluster} {}",
                self.name(),
                super::silence_list::matchers_text(matchers)
            ),
            ActKind::Expire {
                cluster,
                silence_id,
            } => format!("expire silence {silence_id} on {cluster}"),
            other => format!("{} {} {m}", other.name(), other.cluster()),
        }
    }
}

/// An escalated copy: an alert carrying every label some re-post target adds.
pub fn is_escalated_copy(labels: &impl GetLabel, reposts: &[Labels]) -> bool {
    reposts.iter().any(|r| {
        !r.is_empty()
            && r.iter()
                .all(|(k, v)| labels.get_label(k) == Some(v.as_str()))
    })
}

/// The `!=` matchers that keep an ack silence on `matchers` off the escalated copies of what
/// it acks. Of each re-post target's labels, the ones it adds rather than overwrites (absent
/// from every alert acked, `originals`) tell a copy apart; a target whose labels the matchers
/// name (an ack of the copy itself) adds none.
pub fn copy_exclusions<'a, L: GetLabel + 'a>(
    matchers: &Labels,
    originals: impl Iterator<Item = &'a L> + Clone,
    reposts: &[Labels],
) -> Labels {
    let mut out = Labels::new();
    for r in reposts {
        if r.keys().any(|k| matchers.contains_key(k)) {
            continue;
        }
        for (k, v) in r {
            if !originals.clone().any(|l| l.get_label(k).is_some()) {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// What names one alert in a PagerDuty dedup key (`{{fingerprint}}`): Alertmanager's
/// fingerprint, else its identity labels written out.
pub fn pagerduty_alert_id(fingerprint: &str, identity: &Labels) -> String {
    if fingerprint.is_empty() {
        matchers_text(identity)
    } else {
        fingerprint.to_string()
    }
}

/// `{a="b", c="d"}`
pub fn matchers_text<K: AsRef<str>, V: AsRef<str>>(m: impl IntoIterator<Item = (K, V)>) -> String {
    let inner: Vec<String> = m
        .into_iter()
        .map(|(k, v)| format!("{}={:?}", k.as_ref(), v.as_ref()))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// What the executor reports about a request.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionResult {
    pub request: ActionRequest,
    pub outcome: Outcome,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Written to the outbox, not yet confirmed.
    Queued,
    /// Not delivered yet; retried.
    Retrying(String),
    /// Delivered; for an ack, the silence id.
    Done(String),
    /// Given up (refused by the backend, or retried for too long).
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_copy_carries_every_label_of_one_repost() {
        let reposts = [l(&[("escalated", "true"), ("severity", "page")])];
        let copy = l(&[
            ("alertname", "X"),
            ("escalated", "true"),
            ("severity", "page"),
        ]);
        assert!(is_escalated_copy(&copy, &reposts));
        assert!(!is_escalated_copy(&l(&[("escalated", "true")]), &reposts));
        assert!(
            !is_escalated_copy(&copy, &[Labels::new()]),
            "an empty repost marks nothing"
        );
    }

    #[test]
    fn exclusions_use_the_labels_a_repost_adds_not_those_it_overwrites() {
        let reposts = [l(&[("escalated", "true"), ("severity", "page")])];
        let original = l(&[("alertname", "X"), ("severity", "critical")]);
        let group = l(&[("alertname", "X")]);
        let got = copy_exclusions(&group, [&original].into_iter(), &reposts);
        assert_eq!(got, l(&[("escalated", "true")]));
        // Acking the copy itself: its own labels are matched, nothing is excluded.
        let copy = l(&[("alertname", "X"), ("escalated", "true")]);
        assert!(copy_exclusions(&copy, [&original].into_iter(), &reposts).is_empty());
    }

    #[test]
    fn an_ack_covers_what_its_matchers_match_and_no_exclusion_does() {
        let ack = ActKind::Ack {
            cluster: "prod".into(),
            matchers: l(&[("alertname", "X")]),
            exclude: l(&[("escalated", "true")]),
            comment: "ACK: x".into(),
            starts_at: DateTime::<Utc>::MIN_UTC,
            ends_at: DateTime::<Utc>::MAX_UTC,
            until_resolved: false,
        };
        assert!(ack.covers(&l(&[("alertname", "X"), ("instance", "a")])));
        assert!(!ack.covers(&l(&[("alertname", "X"), ("escalated", "true")])));
        assert!(!ack.covers(&l(&[("alertname", "Y")])));
    }

    #[test]
    fn a_request_written_before_exclusions_existed_still_reads() {
        let old = r#"{"action":"ack","cluster":"prod","matchers":{"alertname":"X"},
            "comment":"ACK: x","starts_at":"2026-01-01T00:00:00Z",
            "ends_at":"2026-01-01T01:00:00Z","until_resolved":false}"#;
        let kind: ActKind = serde_json::from_str(old).unwrap();
        assert!(kind.exclude().is_empty());
    }
}
