//! The action vocabulary shared by the reducer and the executor: what the cockpit asks for (ack,
//! un-ack, extend, escalate, PagerDuty acknowledge), how a request is written to the outbox, and
//! what the executor answers. Pure data and naming.

use super::alerts::Labels;
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
    /// `SSH_CONNECTION` was set: runbooks are shown in the cockpit rather than opened.
    pub over_ssh: bool,
    /// Makes request ids unique across cockpits sharing a state dir (the process id).
    pub nonce: u32,
    /// The dedup-key template of the PagerDuty `acknowledge` sent with each ack; `None`: none sent.
    pub pagerduty_ack: Option<String>,
}

impl Default for ActsSetup {
    fn default() -> Self {
        Self {
            ack_duration: Duration::from_secs(3600),
            until_resolved_step: Duration::from_secs(1800),
            chains: Vec::new(),
            runbook_dir: None,
            over_ssh: false,
            nonce: 0,
            pagerduty_ack: None,
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
    /// A silence on `matchers` (all equal, none regex), once per cluster.
    Ack {
        cluster: String,
        matchers: Labels,
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
}

impl ActKind {
    pub fn name(&self) -> &'static str {
        match self {
            ActKind::Ack { .. } => "ack",
            ActKind::Unack { .. } => "unack",
            ActKind::Extend { .. } => "extend",
            ActKind::Escalate { .. } => "escalate",
            ActKind::PagerdutyAck { .. } => "pagerduty_ack",
        }
    }

    pub fn cluster(&self) -> &str {
        match self {
            ActKind::Ack { cluster, .. }
            | ActKind::Unack { cluster, .. }
            | ActKind::Extend { cluster, .. }
            | ActKind::Escalate { cluster, .. }
            | ActKind::PagerdutyAck { cluster, .. } => cluster,
        }
    }

    /// The labels that pick the alert(s) this action is about.
    pub fn matchers(&self) -> &Labels {
        match self {
            ActKind::Ack { matchers, .. }
            | ActKind::Unack { matchers, .. }
            | ActKind::Extend { matchers, .. } => matchers,
            ActKind::Escalate { labels, .. } | ActKind::PagerdutyAck { labels, .. } => labels,
        }
    }

    /// One line for the footer: `ack prod {alertname="X"}`.
    pub fn describe(&self) -> String {
        let m = matchers_text(self.matchers());
        match self {
            ActKind::Escalate { target, .. } => format!("escalate {m} to {target}"),
            ActKind::PagerdutyAck { dedup_key, .. } => {
                format!("PagerDuty acknowledge {dedup_key:?}")
            }
            other => format!("{} {} {m}", other.name(), other.cluster()),
        }
    }
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
pub fn matchers_text(m: &Labels) -> String {
    let inner: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
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
