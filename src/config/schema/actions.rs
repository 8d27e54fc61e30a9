//! What acting needs from the config: notifications, acks and the PagerDuty acknowledge,
//! escalation chains and their targets, runbooks.

use super::*;

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct NotifyConfig {
    /// Desktop notification when a session bus exists (`DBUS_SESSION_BUS_ADDRESS`).
    pub desktop: bool,
    /// The terminal bell.
    pub bell: bool,
    /// OSC 9 and OSC 777 notification sequences (skipped when the desktop one was sent).
    pub osc: bool,
    /// At most one notification per interval; alerts arriving meanwhile are coalesced.
    #[serde(with = "dur")]
    pub min_interval: Duration,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            desktop: true,
            bell: true,
            osc: true,
            min_interval: Duration::from_secs(30),
        }
    }
}

/// Ack, un-ack and escalation: defaults and how the outbox retries.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
// a table given in part takes the defaults for the rest
#[serde(default, deny_unknown_fields)]
pub struct ActionsConfig {
    /// The duration preselected in the ack dialog (15m, 1h, 4h, or any other).
    #[serde(with = "dur")]
    pub ack_duration: Duration,
    /// Length of each "until resolved" silence; a running cockpit extends it while the alert fires.
    #[serde(with = "dur")]
    pub until_resolved_step: Duration,
    /// How long an action that cannot be delivered keeps being retried before it is given up.
    #[serde(with = "dur")]
    pub retry_for: Duration,
    /// Where the outbox and the audit log live; default the platform state dir.
    pub state_dir: Option<PathBuf>,
    /// `[actions.pagerduty_ack]`: an ack also sends PagerDuty an `acknowledge`; unset: it does not.
    pub pagerduty_ack: Option<PagerdutyAck>,
    /// The timeline file rotates when it would grow past this.
    #[serde(with = "crate::domain::size::serde_str")]
    pub timeline_max_size: u64,
    /// Rotated timeline files kept (older ones are removed).
    pub timeline_keep: usize,
}

/// The PagerDuty Events API v2 `acknowledge` sent alongside each ack.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PagerdutyAck {
    pub routing_key: SecretRef,
    /// Which PagerDuty alert: `{{alertname}}`, `{{cluster}}`, `{{fingerprint}}`, `{{severity}}`,
    /// `{{labels.X}}`, `{{annotations.X}}` placeholders. The default is the key escalations use.
    #[serde(default = "default_dedup_key")]
    pub dedup_key: String,
    /// Base URL; default `https://events.pagerduty.com`.
    #[serde(default)]
    pub url: Option<String>,
}

/// The dedup key an escalation to PagerDuty sends (`actions::escalate`).
pub const DEFAULT_PAGERDUTY_DEDUP_KEY: &str = "onwatch/{{cluster}}/{{fingerprint}}";

fn default_dedup_key() -> String {
    DEFAULT_PAGERDUTY_DEDUP_KEY.to_string()
}

impl Default for ActionsConfig {
    fn default() -> Self {
        Self {
            ack_duration: Duration::from_secs(3600),
            until_resolved_step: Duration::from_secs(1800),
            retry_for: Duration::from_secs(3600),
            state_dir: None,
            pagerduty_ack: None,
            timeline_max_size: 10 << 20,
            timeline_keep: 5,
        }
    }
}

impl NotifyConfig {
    /// Off entirely when no channel is on.
    pub fn any(&self) -> bool {
        self.desktop || self.bell || self.osc
    }
}

/// An escalation chain: alerts whose labels equal every entry of `matchers` escalate to
/// `targets`, in order, one step per `e`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationConfig {
    pub name: String,
    /// Label = value, all required (an empty table matches every alert).
    #[serde(default)]
    pub matchers: BTreeMap<String, String>,
    pub targets: Vec<EscalationTarget>,
}

/// One step of an escalation chain.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EscalationTarget {
    /// PagerDuty Events API v2 `trigger`.
    Pagerduty {
        name: String,
        routing_key: SecretRef,
        /// Base URL; default `https://events.pagerduty.com`.
        #[serde(default)]
        url: Option<String>,
    },
    /// An HTTP POST of a JSON body rendered from a template.
    Webhook {
        name: String,
        url: String,
        /// JSON with `{{alertname}}`, `{{labels.X}}`, `{{annotations.X}}`, `{{note}}`, `{{user}}`,
        /// `{{summary}}` placeholders (values JSON-escaped); default a fixed shape.
        #[serde(default)]
        body: Option<String>,
    },
    /// The alert posted again to an Alertmanager cluster with extra labels, so its routing
    /// pages the next tier.
    Alertmanager {
        name: String,
        /// An `[[alertmanager]]` name; default the alert's own cluster.
        #[serde(default)]
        cluster: Option<String>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
    },
    /// A program run with an argument vector (never a shell); placeholders as for webhooks.
    Command { name: String, argv: Vec<String> },
}

impl EscalationTarget {
    pub fn name(&self) -> &str {
        match self {
            EscalationTarget::Pagerduty { name, .. }
            | EscalationTarget::Webhook { name, .. }
            | EscalationTarget::Alertmanager { name, .. }
            | EscalationTarget::Command { name, .. } => name,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunbooksConfig {
    /// Local markdown runbooks, `<dir>/<alertname>.md`, used when an alert has no `runbook_url`.
    pub dir: Option<PathBuf>,
    /// The annotations a runbook link is read from, in order: the first one set wins.
    pub annotations: Vec<String>,
}

impl Default for RunbooksConfig {
    fn default() -> Self {
        Self {
            dir: None,
            annotations: crate::domain::links::default_runbook_annotations(),
        }
    }
}
