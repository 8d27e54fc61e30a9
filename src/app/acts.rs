//! Keys that act (ack, un-ack, escalate, runbook) as the reducer sees them: the dialogs, the
//! requests handed to the executor as `Effect::Act`, and what is still pending. Pure.

use super::msg::Effect;
use super::state::{AlertRow, Pane, State};
use crate::domain::alerts::{self, AlertReading, DedupedAlert, Labels, SilenceState};
use crate::domain::keymap::{Key, KeyCode};
use crate::domain::links::{self as runbook, RunbookTarget};
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
    /// Per alert (`alert_key`), the escalations delivered this session.
    pub escalated: BTreeMap<String, Vec<Escalated>>,
    /// Silences whose extension is in flight.
    pub extending: BTreeSet<String>,
    /// (cluster, identity) of the alerts PagerDuty acknowledged this session.
    pub pagerduty_acked: BTreeSet<(String, Labels)>,
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
}

#[derive(Debug)]
pub struct AckDialog {
    /// One silence per cluster: (cluster, matchers).
    pub targets: Vec<(String, Labels)>,
    /// How many alerts were selected.
    pub selected: usize,
    /// Every alert the silences will match: (cluster, identity, reading).
    pub preview: Vec<(String, Labels, String)>,
    pub choices: Vec<AckChoice>,
    pub choice: usize,
    pub comment: super::line_edit::LineEdit,
    /// The PagerDuty alerts acknowledged too: (cluster, identity, dedup key), one per key.
    pub pagerduty: Vec<(String, Labels, String)>,
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
    pub note: super::line_edit::LineEdit,
}

/// Read-only views opened by `r` (over SSH) and `:audit`.
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
}

/// A stable key for one alert: its cluster and identity.
pub fn alert_key(cluster: &str, identity: &Labels) -> String {
    format!("{cluster}/{}", matchers_text(identity))
}

/// The alerts under the cursor: a whole group or one alert.
fn selection(state: &State) -> Option<(Vec<DedupedAlert>, bool)> {
    if state.focus != Pane::Alerts {
        return None;
    }
    match state.alert_rows().get(state.alert_cursor)? {
        AlertRow::Group(g) => Some((state.groups.get(*g)?.alerts.clone(), true)),
        AlertRow::Alert(g, a) => Some((vec![state.groups.get(*g)?.alerts.get(*a)?.clone()], false)),
    }
}

/// `a`: opens the ack dialog for the selection.
pub fn open_ack(state: &mut State) {
    let Some((selected, is_group)) = selection(state) else {
        state.status = Some("ack: select an alert or a group in the alerts pane".into());
        return;
    };
    let mut targets: BTreeMap<String, Labels> = BTreeMap::new();
    for a in &selected {
        let matchers = if is_group {
            group_matchers(state, &selected)
        } else {
            a.identity.clone()
        };
        targets.insert(a.cluster.clone(), matchers);
    }
    if targets.values().any(|m| m.is_empty()) {
        state.status = Some("ack: the group has no label every alert shares".into());
        return;
    }
    let targets: Vec<(String, Labels)> = targets.into_iter().collect();
    let preview = preview(state, &targets);
    let mut choices: Vec<AckChoice> = [900, 3600, 4 * 3600]
        .into_iter()
        .map(|s| AckChoice::For(Duration::from_secs(s)))
        .collect();
    let default = AckChoice::For(state.acts.setup.ack_duration);
    if !choices.contains(&default) {
        choices.push(default);
        choices.sort_by_key(|c| match c {
            AckChoice::For(d) => *d,
            AckChoice::UntilResolved => Duration::MAX,
        });
    }
    choices.push(AckChoice::UntilResolved);
    let choice = choices.iter().position(|c| *c == default).unwrap_or(0);
    let (pagerduty, pagerduty_unkeyed) = match &state.acts.setup.pagerduty_ack {
        Some(template) => pagerduty_keys(template, &selected),
        None => (Vec::new(), 0),
    };
    state.acts.dialog = Some(Dialog::Ack(AckDialog {
        targets,
        selected: selected.len(),
        preview,
        choices,
        choice,
        comment: super::line_edit::LineEdit::new(),
        pagerduty,
        pagerduty_unkeyed,
    }));
}

/// The dedup key of each selected alert from the template; alerts sharing a key are one
/// PagerDuty alert, acknowledged once. Also how many alerts got an empty key (every
/// placeholder missing), so the dialog can say PagerDuty will not hear of them.
fn pagerduty_keys(
    template: &str,
    selected: &[DedupedAlert],
) -> (Vec<(String, Labels, String)>, usize) {
    let mut out: Vec<(String, Labels, String)> = Vec::new();
    let mut unkeyed = 0;
    for a in selected {
        let key: String = crate::domain::template::render(template, &|n| lookup(a, n), false)
            .chars()
            .take(255)
            .collect();
        if key.is_empty() {
            unkeyed += 1;
        } else if !out.iter().any(|(_, _, k)| *k == key) {
            out.push((a.cluster.clone(), a.identity.clone(), key));
        }
    }
    (out, unkeyed)
}

/// Placeholder values of the PagerDuty dedup-key template.
fn lookup(a: &DedupedAlert, name: &str) -> Option<String> {
    if let Some(l) = name.strip_prefix("labels.") {
        return a.alert.labels.get(l).cloned();
    }
    if let Some(n) = name.strip_prefix("annotations.") {
        return a.alert.annotations.get(n).cloned();
    }
    match name {
        "alertname" | "severity" => a.alert.labels.get(name).cloned(),
        "cluster" => Some(a.cluster.clone()),
        // as an escalation's dedup key has it
        "fingerprint" => Some(pagerduty_alert_id(&a.alert.fingerprint, &a.identity)),
        _ => None,
    }
}

/// The group's labels that every alert of it really carries (not the cluster fallback).
fn group_matchers(state: &State, alerts: &[DedupedAlert]) -> Labels {
    let Some(first) = alerts.first() else {
        return Labels::new();
    };
    state
        .group_by
        .iter()
        .filter_map(|l| first.identity.get(l).map(|v| (l.clone(), v.clone())))
        .filter(|(k, v)| !v.is_empty() && alerts.iter().all(|a| a.identity.get(k) == Some(v)))
        .collect()
}

/// Every alert (silenced ones too) of the cluster whose labels equal all the matchers.
fn preview(state: &State, targets: &[(String, Labels)]) -> Vec<(String, Labels, String)> {
    let mut out = Vec::new();
    for (cluster, matchers) in targets {
        let Some(snap) = state.clusters.get(cluster) else {
            continue;
        };
        let mut silences = BTreeMap::new();
        silences.insert(cluster.clone(), snap.silences.clone());
        let all = alerts::dedup(
            snap.observations.iter().cloned(),
            &state.dedup_labels,
            &silences,
        );
        for a in all {
            if matches(&a.alert.labels, matchers) {
                out.push((cluster.clone(), a.identity, a.reading.name().to_string()));
            }
        }
    }
    out
}

fn matches(labels: &Labels, matchers: &Labels) -> bool {
    matchers.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// `u`: asks to expire the ack silences of the selection.
pub fn open_unack(state: &mut State) {
    let Some((selected, _)) = selection(state) else {
        state.status = Some("unack: select an acked alert or group".into());
        return;
    };
    let mut seen = BTreeSet::new();
    let mut silences = Vec::new();
    for a in &selected {
        let AlertReading::Acked {
            by,
            comment,
            silence_id,
            ..
        } = &a.reading
        else {
            continue;
        };
        if !seen.insert((a.cluster.clone(), silence_id.clone())) {
            continue;
        }
        let matchers = state
            .clusters
            .get(&a.cluster)
            .and_then(|c| c.silences.iter().find(|s| &s.id == silence_id))
            .map(|s| {
                s.matchers
                    .iter()
                    .map(|m| (m.name.clone(), m.value.clone()))
                    .collect()
            })
            .unwrap_or_else(|| a.identity.clone());
        silences.push(UnackTarget {
            cluster: a.cluster.clone(),
            silence_id: silence_id.clone(),
            matchers,
            by: by.clone(),
            comment: comment.clone(),
        });
    }
    if silences.is_empty() {
        state.status = Some("unack: nothing acked here".into());
        return;
    }
    state.acts.dialog = Some(Dialog::Unack(UnackDialog { silences }));
}

/// `e`: opens the escalation dialog for the selected alert (a group: its first alert).
pub fn open_escalate(state: &mut State) {
    let Some((selected, _)) = selection(state) else {
        state.status = Some("escalate: select an alert".into());
        return;
    };
    let Some(alert) = selected.into_iter().next() else {
        return;
    };
    let Some(chain) = state
        .acts
        .setup
        .chains
        .iter()
        .find(|c| matches(&alert.alert.labels, &c.matchers) && !c.targets.is_empty())
        .cloned()
    else {
        state.status = Some("escalate: no [[escalation]] chain matches this alert".into());
        return;
    };
    let done = state
        .acts
        .escalated
        .get(&alert_key(&alert.cluster, &alert.identity))
        .map_or(0, Vec::len);
    let target = done.min(chain.targets.len() - 1);
    state.acts.dialog = Some(Dialog::Escalate(EscalateDialog {
        alert: Box::new(alert),
        chain,
        target,
        note: super::line_edit::LineEdit::new(),
    }));
}

/// `r`: the runbook, opened locally, shown in the cockpit over SSH, or refused.
pub fn runbook(state: &mut State) -> Vec<Effect> {
    let Some((selected, _)) = selection(state) else {
        state.status = Some("runbook: select an alert".into());
        return Vec::new();
    };
    let Some(a) = selected.first() else {
        return Vec::new();
    };
    let target = match runbook::locate(
        &a.alert.annotations,
        &a.alert.labels,
        state.acts.setup.runbook_dir.as_deref(),
    ) {
        Ok(t) => t,
        Err(e) => {
            state.status = Some(format!("runbook: {e}"));
            return Vec::new();
        }
    };
    if !state.acts.setup.over_ssh {
        state.status = Some(format!("opening {}", target.url()));
        return vec![Effect::OpenUrl(target.url())];
    }
    match target {
        RunbookTarget::Local(path) => {
            state.acts.view = Some(View::Runbook {
                title: path.display().to_string(),
                text: None,
                scroll: 0,
            });
            vec![Effect::ReadRunbook(path)]
        }
        RunbookTarget::Remote(url) => {
            state.acts.view = Some(View::Link { url });
            Vec::new()
        }
    }
}

/// `:audit`
pub fn open_audit(state: &mut State) -> Vec<Effect> {
    state.acts.view = Some(View::Audit {
        lines: None,
        scroll: 0,
    });
    vec![Effect::LoadAudit]
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

/// Keys while a dialog or view is open; `None` when neither is.
pub fn on_key(state: &mut State, key: Key) -> Option<Vec<Effect>> {
    if state.acts.dialog.is_some() {
        return Some(dialog_key(state, key));
    }
    let view = state.acts.view.as_mut()?;
    let (scroll, len) = match view {
        View::Runbook { scroll, text, .. } => (
            Some(scroll),
            text.as_ref()
                .and_then(|t| t.as_ref().ok())
                .map_or(0, |t| t.lines().count()),
        ),
        View::Audit { scroll, lines } => (
            Some(scroll),
            lines
                .as_ref()
                .and_then(|l| l.as_ref().ok())
                .map_or(0, Vec::len),
        ),
        View::Link { .. } => (None, 0),
    };
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => state.acts.view = None,
        KeyCode::Char('j') | KeyCode::Down => {
            if let Some(s) = scroll {
                *s = (*s + 1).min(len.saturating_sub(1));
            }
        }
        KeyCode::Char('k') | KeyCode::Up => {
            if let Some(s) = scroll {
                *s = s.saturating_sub(1);
            }
        }
        KeyCode::Char('c') => {
            if let Some(View::Link { url }) = &state.acts.view {
                let url = url.clone();
                state.status = Some("runbook URL copied to the clipboard (OSC 52)".into());
                return Some(vec![Effect::Copy(url)]);
            }
        }
        _ => {}
    }
    Some(Vec::new())
}

fn dialog_key(state: &mut State, key: Key) -> Vec<Effect> {
    if key.code == KeyCode::Esc {
        let what = match &state.acts.dialog {
            Some(Dialog::Ack(_)) => "ack",
            Some(Dialog::Unack(_)) => "unack",
            Some(Dialog::Escalate(_)) => "escalate",
            None => "action",
        };
        state.acts.dialog = None;
        state.status = Some(format!("{what} cancelled"));
        return Vec::new();
    }
    match state.acts.dialog.take() {
        Some(Dialog::Ack(mut d)) => match key.code {
            KeyCode::Enter => return confirm_ack(state, d),
            KeyCode::Tab | KeyCode::BackTab => {
                let n = d.choices.len();
                d.choice = if key.code == KeyCode::Tab {
                    (d.choice + 1) % n
                } else {
                    (d.choice + n - 1) % n
                };
                state.acts.dialog = Some(Dialog::Ack(d));
            }
            _ => {
                d.comment.key(key);
                state.acts.dialog = Some(Dialog::Ack(d));
            }
        },
        Some(Dialog::Unack(d)) => match key.code {
            KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') => {
                let mut effects = Vec::new();
                for t in d.silences {
                    effects.push(request(
                        state,
                        ActKind::Unack {
                            cluster: t.cluster,
                            silence_id: t.silence_id,
                            matchers: t.matchers,
                        },
                    ));
                }
                state.status = Some(format!("unack: expiring {} silence(s)", effects.len()));
                return effects;
            }
            KeyCode::Char('n') | KeyCode::Char('N') => {
                state.status = Some("unack cancelled".into());
            }
            _ => state.acts.dialog = Some(Dialog::Unack(d)),
        },
        Some(Dialog::Escalate(mut d)) => match key.code {
            KeyCode::Enter => return confirm_escalate(state, d),
            KeyCode::Tab | KeyCode::BackTab => {
                let n = d.chain.targets.len();
                d.target = if key.code == KeyCode::Tab {
                    (d.target + 1) % n
                } else {
                    (d.target + n - 1) % n
                };
                state.acts.dialog = Some(Dialog::Escalate(d));
            }
            _ => {
                d.note.key(key);
                state.acts.dialog = Some(Dialog::Escalate(d));
            }
        },
        None => {}
    }
    Vec::new()
}

fn confirm_ack(state: &mut State, d: AckDialog) -> Vec<Effect> {
    let text = d.comment.text().trim().to_string();
    let text = if text.is_empty() {
        "acknowledged in onwatch".to_string()
    } else {
        text
    };
    let choice = d
        .choices
        .get(d.choice)
        .copied()
        .unwrap_or(AckChoice::UntilResolved);
    let (length, until_resolved) = match choice {
        AckChoice::For(d) => (d, false),
        AckChoice::UntilResolved => (state.acts.setup.until_resolved_step, true),
    };
    let comment = if until_resolved {
        format!("ACK: {text} {UNTIL_RESOLVED}")
    } else {
        format!("ACK: {text}")
    };
    let ends_at =
        state.now + chrono::Duration::from_std(length).unwrap_or(chrono::Duration::hours(1));
    let mut effects = Vec::new();
    for (cluster, matchers) in d.targets {
        effects.push(request(
            state,
            ActKind::Ack {
                cluster,
                matchers,
                comment: comment.clone(),
                starts_at: state.now,
                ends_at,
                until_resolved,
            },
        ));
    }
    let pd = d.pagerduty.len();
    for (cluster, labels, dedup_key) in d.pagerduty {
        effects.push(request(
            state,
            ActKind::PagerdutyAck {
                cluster,
                labels,
                dedup_key,
            },
        ));
    }
    let also = if pd > 0 {
        "; PagerDuty acknowledge sent"
    } else {
        ""
    };
    state.status = Some(format!(
        "ack sent ({}), waiting for the next poll{also}",
        choice.label()
    ));
    effects
}

fn confirm_escalate(state: &mut State, d: EscalateDialog) -> Vec<Effect> {
    let Some(target) = d.chain.targets.get(d.target).cloned() else {
        return Vec::new();
    };
    let a = &d.alert;
    let kind = ActKind::Escalate {
        cluster: a.cluster.clone(),
        chain: d.chain.name.clone(),
        target: target.clone(),
        labels: a.identity.clone(),
        annotations: a.alert.annotations.clone(),
        starts_at: a.alert.starts_at,
        generator_url: a.alert.generator_url.clone(),
        fingerprint: a.alert.fingerprint.clone(),
        note: d.note.text().trim().to_string(),
    };
    state.status = Some(format!("escalating to {target}"));
    vec![request(state, kind)]
}

/// The executor's news: pending rows, the footer, and a poll of the cluster when delivered.
pub fn on_result(state: &mut State, r: ActionResult) -> Vec<Effect> {
    let id = r.request.id.clone();
    let what = r.request.kind.describe();
    let mut effects = Vec::new();
    match &r.outcome {
        Outcome::Queued => {
            state.acts.pending.entry(id).or_insert(Pending {
                request: r.request.clone(),
                status: "pending".into(),
                delivered: None,
            });
        }
        Outcome::Retrying(reason) => {
            let p = state.acts.pending.entry(id).or_insert(Pending {
                request: r.request.clone(),
                status: String::new(),
                delivered: None,
            });
            p.status = format!("pending, retrying: {reason}");
            state.status = Some(format!("{what}: retrying: {reason}"));
        }
        Outcome::Done(detail) => {
            match &r.request.kind {
                ActKind::Ack { .. } | ActKind::Unack { .. } => {
                    // Pending until the next poll shows it (`on_alerts`).
                    let p = state.acts.pending.entry(id).or_insert(Pending {
                        request: r.request.clone(),
                        status: String::new(),
                        delivered: None,
                    });
                    p.status = "pending, confirming".into();
                    p.delivered = Some(detail.clone());
                }
                ActKind::Extend { silence_id, .. } => {
                    state.acts.extending.remove(silence_id);
                    state.acts.pending.remove(&id);
                }
                ActKind::Escalate {
                    cluster,
                    labels,
                    target,
                    ..
                } => {
                    state.acts.pending.remove(&id);
                    state
                        .acts
                        .escalated
                        .entry(alert_key(cluster, labels))
                        .or_default()
                        .push(Escalated {
                            by: r.request.user.clone(),
                            target: target.clone(),
                            at: state.now,
                        });
                }
                ActKind::PagerdutyAck {
                    cluster, labels, ..
                } => {
                    state.acts.pending.remove(&id);
                    state
                        .acts
                        .pagerduty_acked
                        .insert((cluster.clone(), labels.clone()));
                    state.status = Some(format!("{what}: done {detail}"));
                    return effects;
                }
            }
            state.status = Some(format!("{what}: done {detail}").trim_end().to_string());
            effects.push(Effect::Refresh(vec![crate::domain::health::SourceId::new(
                crate::domain::health::SourceKind::Alertmanager,
                r.request.kind.cluster(),
            )]));
        }
        Outcome::Failed(reason) => {
            state.acts.pending.remove(&id);
            if let ActKind::Extend { silence_id, .. } = &r.request.kind {
                state.acts.extending.remove(silence_id);
            }
            state.status = Some(format!("{what}: FAILED: {reason}"));
        }
    }
    effects
}

/// After an alerts snapshot: settle pending acks the poll now shows, extend "until resolved"
/// acks that are about to end while their alert still fires.
pub fn on_alerts(state: &mut State, cluster: &str) -> Vec<Effect> {
    let Some(snap) = state.clusters.get(cluster) else {
        return Vec::new();
    };
    // Settled when the silence is seen and every alert it matches reads accordingly: with
    // several replicas the freshest report of an alert may come from one that has not had
    // the silence by gossip yet, and the row must not flash "firing" in between.
    let mut silences = BTreeMap::new();
    silences.insert(cluster.to_string(), snap.silences.clone());
    let current = alerts::dedup(
        snap.observations.iter().cloned(),
        &state.dedup_labels,
        &silences,
    );
    let seen: Vec<String> = state
        .acts
        .pending
        .iter()
        .filter(|(_, p)| p.request.kind.cluster() == cluster)
        .filter(|(_, p)| {
            let Some(silence) = &p.delivered else {
                return false;
            };
            let found = snap.silences.iter().find(|s| &s.id == silence);
            let matching = || {
                current
                    .iter()
                    .filter(|a| matches(&a.alert.labels, p.request.kind.matchers()))
            };
            match &p.request.kind {
                ActKind::Ack { .. } => {
                    found.is_some_and(|s| s.state != SilenceState::Expired)
                        && matching().all(|a| a.reading != AlertReading::Firing)
                }
                ActKind::Unack { .. } => {
                    found.is_none_or(|s| s.state == SilenceState::Expired)
                        && matching().all(|a| !a.alert.silenced_by.contains(silence))
                }
                _ => true,
            }
        })
        .map(|(id, _)| id.clone())
        .collect();
    for id in seen {
        if let Some(p) = state.acts.pending.remove(&id) {
            let also = match &p.request.kind {
                ActKind::Ack { matchers, .. } => pagerduty_note(state, cluster, matchers),
                _ => "",
            };
            state.status = Some(format!(
                "{}: confirmed by the poll{also}",
                p.request.kind.describe()
            ));
        }
    }
    if state.read_only {
        return Vec::new();
    }
    let step = state.acts.setup.until_resolved_step;
    let half = chrono::Duration::from_std(step / 2).unwrap_or(chrono::Duration::minutes(15));
    let full = chrono::Duration::from_std(step).unwrap_or(chrono::Duration::minutes(30));
    let mut extend = Vec::new();
    for s in &snap.silences {
        if s.state != SilenceState::Active
            || !s.is_ack()
            || !s.comment.contains(UNTIL_RESOLVED)
            || s.ends_at - state.now > half
            || state.acts.extending.contains(&s.id)
        {
            continue;
        }
        let still_fires = snap
            .observations
            .iter()
            .any(|o| o.alert.silenced_by.contains(&s.id));
        if !still_fires {
            continue;
        }
        extend.push(ActKind::Extend {
            cluster: cluster.to_string(),
            silence_id: s.id.clone(),
            matchers: s
                .matchers
                .iter()
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect(),
            comment: s.comment.clone(),
            created_by: s.created_by.clone(),
            starts_at: s.starts_at,
            ends_at: state.now + full,
        });
    }
    let mut effects = Vec::new();
    for kind in extend {
        if let ActKind::Extend { silence_id, .. } = &kind {
            state.acts.extending.insert(silence_id.clone());
        }
        effects.push(request(state, kind));
    }
    effects
}

/// How the PagerDuty acknowledge of the alerts an ack matches went, for the footer.
fn pagerduty_note(state: &State, cluster: &str, matchers: &Labels) -> &'static str {
    let ours = |c: &str, labels: &Labels| c == cluster && matches(labels, matchers);
    let pending = state.acts.pending.values().any(|p| match &p.request.kind {
        ActKind::PagerdutyAck {
            cluster: c, labels, ..
        } => ours(c, labels),
        _ => false,
    });
    if pending {
        "; PagerDuty acknowledge pending"
    } else if state
        .acts
        .pagerduty_acked
        .iter()
        .any(|(c, labels)| ours(c, labels))
    {
        "; PagerDuty acknowledged"
    } else {
        ""
    }
}

/// Once a second while a delivered ack or un-ack waits for the poll to show it: poll its
/// cluster again (replicas learn silences by gossip, a moment after the one we posted to).
pub fn on_tick(state: &State) -> Vec<Effect> {
    let clusters: BTreeSet<&str> = state
        .acts
        .pending
        .values()
        .filter(|p| p.delivered.is_some())
        .map(|p| p.request.kind.cluster())
        .collect();
    if clusters.is_empty() {
        return Vec::new();
    }
    vec![Effect::Refresh(
        clusters
            .into_iter()
            .map(|c| {
                crate::domain::health::SourceId::new(
                    crate::domain::health::SourceKind::Alertmanager,
                    c,
                )
            })
            .collect(),
    )]
}

/// What the row says instead of its reading while an action on it is pending, who escalated
/// it to what, and that PagerDuty acknowledged it too. Backend text: sanitise before drawing.
pub fn row_note(state: &State, alert: &DedupedAlert) -> Option<String> {
    let pending = state.acts.pending.values().find(|p| {
        p.request.kind.cluster() == alert.cluster
            && !matches!(p.request.kind, ActKind::Extend { .. })
            && matches(&alert.alert.labels, p.request.kind.matchers())
    });
    let esc = state
        .acts
        .escalated
        .get(&alert_key(&alert.cluster, &alert.identity))
        .and_then(|v| v.last())
        .map(|e| format!("esc {}→{}", e.by, e.target));
    let pend = pending.map(|p| format!("{} {}", p.request.kind.name(), p.status));
    let note = match (pend, esc) {
        (None, None) => None,
        (Some(p), None) => Some(p),
        (None, Some(e)) => Some(e),
        (Some(p), Some(e)) => Some(format!("{p} · {e}")),
    };
    let pd_acked = matches!(alert.reading, AlertReading::Acked { .. })
        && state
            .acts
            .pagerduty_acked
            .contains(&(alert.cluster.clone(), alert.identity.clone()));
    if !pd_acked {
        return note;
    }
    // first, so a narrow column cuts the ack's expiry rather than this
    let rest = note.unwrap_or_else(|| alert.reading.describe(state.now));
    Some(format!("PD acked · {rest}"))
}
