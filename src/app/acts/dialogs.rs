//! What the acting keys open: the ack dialog with its preview of every alert the silences will
//! match, the un-ack and escalation dialogs, the runbook and the audit view.

use super::{AckChoice, AckDialog, Dialog, EscalateDialog, UnackDialog, UnackTarget, View};
use super::{matches, pagerduty_alert_id};
use crate::app::line_edit::LineEdit;
use crate::app::msg::Effect;
use crate::app::state::State;
use crate::domain::act::{copy_exclusions, is_escalated_copy};
use crate::domain::alerts::{AlertId, AlertReading, DedupedAlert, LabelSet, Labels};
use crate::domain::links::{self as runbook, RunbookTarget};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// What the key acts on, by identity: the detail view's alert, or the row under the cursor
/// (a whole group or one alert).
fn selection(state: &State) -> Option<(Vec<DedupedAlert>, bool)> {
    let t = state.action_target()?;
    Some((t.alerts, t.is_group))
}

/// `c`: a new silence, its matchers those of the selected alert (its identity) or group (the
/// labels all its alerts share), else the alert filter's.
pub fn open_silence(state: &mut State) {
    let Some((selected, is_group)) = selection(state) else {
        super::silence_dialog::open(state);
        return;
    };
    let matchers = match (is_group, selected.first()) {
        (true, _) => group_matchers(state, &selected),
        (false, Some(a)) => a.identity().to_map(),
        (false, None) => Labels::new(),
    };
    let text: Vec<String> = matchers
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::domain::silence_spec::quote(v)))
        .collect();
    super::silence_dialog::open_with(state, &text.join(", "));
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
            a.identity().to_map()
        };
        targets.insert(a.cluster().to_string(), matchers);
    }
    if targets.values().any(|m| m.is_empty()) {
        state.status = Some("ack: the group has no label every alert shares".into());
        return;
    }
    let targets: Vec<(String, Labels)> = targets.into_iter().collect();
    let reposts = &state.acts.setup.reposts;
    let originals = selected
        .iter()
        .map(|a| &*a.alert.labels)
        .filter(|l| !is_escalated_copy(l, reposts));
    let exclude: BTreeMap<String, Labels> = targets
        .iter()
        .map(|(c, m)| (c.clone(), copy_exclusions(m, originals.clone(), reposts)))
        .filter(|(_, e)| !e.is_empty())
        .collect();
    let preview = preview(state, &targets, &exclude);
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
        exclude,
        selected: selected.len(),
        preview,
        choices,
        choice,
        comment: LineEdit::new(),
        pagerduty,
        pagerduty_unkeyed,
    }));
}

/// The dedup key of each selected alert from the template; alerts sharing a key are one
/// PagerDuty alert, acknowledged once. Also how many alerts got an empty key (every
/// placeholder missing), so the dialog can say PagerDuty will not hear of them.
fn pagerduty_keys(template: &str, selected: &[DedupedAlert]) -> (Vec<(AlertId, String)>, usize) {
    let mut out: Vec<(AlertId, String)> = Vec::new();
    let mut unkeyed = 0;
    for a in selected {
        let key: String = crate::domain::template::render(template, &|n| lookup(a, n), false)
            .chars()
            .take(255)
            .collect();
        if key.is_empty() {
            unkeyed += 1;
        } else if !out.iter().any(|(_, k)| *k == key) {
            out.push((a.id.clone(), key));
        }
    }
    (out, unkeyed)
}

/// Placeholder values of the PagerDuty dedup-key template.
fn lookup(a: &DedupedAlert, name: &str) -> Option<String> {
    if let Some(l) = name.strip_prefix("labels.") {
        return a.alert.labels.get(l).map(str::to_string);
    }
    if let Some(n) = name.strip_prefix("annotations.") {
        return a.alert.annotations.get(n).map(str::to_string);
    }
    match name {
        "alertname" | "severity" => a.alert.labels.get(name).map(str::to_string),
        "cluster" => Some(a.cluster().to_string()),
        // as an escalation's dedup key has it
        "fingerprint" => Some(pagerduty_alert_id(
            &a.alert.fingerprint,
            &a.identity().to_map(),
        )),
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
        .filter_map(|l| first.identity().get(l).map(|v| (l.clone(), v.to_string())))
        .filter(|(k, v)| {
            !v.is_empty()
                && alerts
                    .iter()
                    .all(|a| a.identity().get(k) == Some(v.as_str()))
        })
        .collect()
}

/// Every alert (silenced ones too) of the cluster whose labels equal all the matchers and none
/// of the exclusions.
fn preview(
    state: &State,
    targets: &[(String, Labels)],
    exclude: &BTreeMap<String, Labels>,
) -> Vec<(AlertId, String)> {
    let mut out = Vec::new();
    for (cluster, matchers) in targets {
        let excluded = |l: &LabelSet| {
            exclude
                .get(cluster)
                .is_some_and(|e| e.iter().any(|(k, v)| l.get(k) == Some(v.as_str())))
        };
        for a in state.cluster_alerts(cluster) {
            if matches(&a.alert.labels, matchers) && !excluded(&a.alert.labels) {
                out.push((a.id.clone(), a.reading.name().to_string()));
            }
        }
    }
    out
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
        if !seen.insert((a.cluster().to_string(), silence_id.clone())) {
            continue;
        }
        let matchers = state
            .clusters
            .get(a.cluster())
            .and_then(|c| c.silences.iter().find(|s| &s.id == silence_id))
            .map(|s| {
                s.matchers
                    .iter()
                    .map(|m| (m.name.clone(), m.value.clone()))
                    .collect()
            })
            .unwrap_or_else(|| a.identity().to_map());
        silences.push(UnackTarget {
            cluster: a.cluster().to_string(),
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

/// `e`: opens the escalation dialog for the selected alert. On a group, its first alert that
/// is not itself an escalated copy: a copy re-posted by the last step must not restart the
/// chain, so the next `e` moves on as it does on the alert's own row.
pub fn open_escalate(state: &mut State) {
    let Some((selected, _)) = selection(state) else {
        state.status = Some("escalate: select an alert".into());
        return;
    };
    let reposts = &state.acts.setup.reposts;
    let first_original = selected
        .iter()
        .position(|a| !is_escalated_copy(&a.alert.labels, reposts))
        .unwrap_or(0);
    let Some(alert) = selected.into_iter().nth(first_original) else {
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
    let done = state.acts.escalated.get(&alert.id).map_or(0, Vec::len);
    let target = done.min(chain.targets.len() - 1);
    state.acts.dialog = Some(Dialog::Escalate(EscalateDialog {
        alert: Box::new(alert),
        chain,
        target,
        note: LineEdit::new(),
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
        &state.acts.setup.runbook_annotations,
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
