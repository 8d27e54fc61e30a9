//! Keys that act (ack, un-ack, escalate, runbook) as the reducer sees them: the dialogs, the
//! requests handed to the executor as `Effect::Act`, and what is still pending. Pure.
//!
//! This file holds the state; `dialogs` opens them, `keys` answers keys while one is open and
//! confirms, `settle` follows a request to the poll that shows it done.

mod dialogs;
mod keys;
mod settle;
pub mod silence_dialog;
pub mod silences;

/// Drawn on the alert's row; lives with the other read-only helpers of the view.
pub use super::view::row_note;
pub use dialogs::{open_ack, open_audit, open_escalate, open_silence, open_unack, runbook};
pub use keys::on_key;
pub use settle::{on_alerts, on_result, on_tick};

use super::line_edit::LineEdit;
use super::msg::Effect;
use super::state::State;
use crate::domain::alerts::{AlertId, DedupedAlert, GetLabel, Labels};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

pub use crate::domain::act::{
    ActKind, ActionRequest, ActionResult, ActsSetup, Chain, Outcome, UNTIL_RESOLVED, matchers_text,
    pagerduty_alert_id,
};

/// A request handed over and not yet seen through.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub request: ActionRequest,
    pub status: String,
    /// Set when delivered: the silence we wait to see in the next poll.
    pub delivered: Option<String>,
}

/// One step of an escalation that went out, shown on the row.
#[derive(Clone, Debug, PartialEq)]
pub struct Escalated {
    pub by: String,
    pub target: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Default)]
pub struct Acts {
    pub setup: ActsSetup,
    pub dialog: Option<Dialog>,
    pub view: Option<View>,
    pub pending: BTreeMap<String, Pending>,
    /// Per alert, the escalations delivered this session.
    pub escalated: BTreeMap<AlertId, Vec<Escalated>>,
    /// Silences whose extension is in flight.
    pub extending: BTreeSet<String>,
    /// The alerts PagerDuty acknowledged this session.
    pub pagerduty_acked: BTreeSet<AlertId>,
    seq: u64,
}

impl Acts {
    pub fn new(setup: ActsSetup) -> Self {
        Self {
            setup,
            ..Default::default()
        }
    }
}

#[derive(Debug)]
pub enum Dialog {
    Ack(AckDialog),
    Unack(UnackDialog),
    Escalate(EscalateDialog),
    Silence(silence_dialog::SilenceDialog),
}

#[derive(Debug)]
pub struct AckDialog {
    /// One silence per cluster: (cluster, matchers).
    pub targets: Vec<(String, Labels)>,
    /// Per cluster, the `!=` matchers that keep the silence off escalated copies.
    pub exclude: BTreeMap<String, Labels>,
    /// How many alerts were selected.
    pub selected: usize,
    /// Every alert the silences will match, with its reading.
    pub preview: Vec<(AlertId, String)>,
    pub choices: Vec<AckChoice>,
    pub choice: usize,
    pub comment: LineEdit,
    /// The PagerDuty alerts acknowledged too, with their dedup keys, one per key.
    pub pagerduty: Vec<(AlertId, String)>,
    /// Selected alerts whose dedup-key template came out empty: PagerDuty is not told of them.
    pub pagerduty_unkeyed: usize,
}

impl AckDialog {
    /// The silences match more alerts than were selected.
    pub fn wider_than_selection(&self) -> bool {
        self.preview.len() > self.selected
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckChoice {
    For(Duration),
    UntilResolved,
}

impl AckChoice {
    pub fn label(self) -> String {
        match self {
            AckChoice::For(d) => crate::domain::duration::label(d),
            AckChoice::UntilResolved => "until resolved".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnackDialog {
    /// (cluster, silence id, matchers, created by, comment)
    pub silences: Vec<UnackTarget>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnackTarget {
    pub cluster: String,
    pub silence_id: String,
    pub matchers: Labels,
    pub by: String,
    pub comment: String,
}

#[derive(Debug)]
pub struct EscalateDialog {
    pub alert: Box<DedupedAlert>,
    pub chain: Chain,
    pub target: usize,
    pub note: LineEdit,
}

/// Views opened by `r` (over SSH), `:audit` and `:silences`.
#[derive(Clone, Debug, PartialEq)]
pub enum View {
    /// A local markdown runbook, rendered (or the error reading it).
    Runbook {
        title: String,
        text: Option<Result<String, String>>,
        scroll: usize,
    },
    /// A remote runbook over SSH: shown as an OSC 8 link, `c` copies it with OSC 52.
    Link { url: String },
    Audit {
        lines: Option<Result<Vec<String>, String>>,
        scroll: usize,
    },
    /// `:silences`: every silence of every cluster.
    Silences(silences::SilencesView),
}

pub(super) fn matches(labels: &impl GetLabel, matchers: &Labels) -> bool {
    matchers
        .iter()
        .all(|(k, v)| labels.get_label(k) == Some(v.as_str()))
}

fn next_id(state: &mut State) -> String {
    state.acts.seq += 1;
    format!(
        "{}-{}-{}",
        state.now.timestamp_millis(),
        state.acts.setup.nonce,
        state.acts.seq
    )
}

fn request(state: &mut State, kind: ActKind) -> Effect {
    let req = ActionRequest {
        id: next_id(state),
        created_at: state.now,
        user: state.user.clone(),
        kind,
    };
    state.acts.pending.insert(
        req.id.clone(),
        Pending {
            request: req.clone(),
            status: "pending".into(),
            delivered: None,
        },
    );
    Effect::Act(Box::new(req))
}
