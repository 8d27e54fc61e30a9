//! Keys while a dialog or view is open, and what confirming a dialog sends.

use super::{AckChoice, AckDialog, ActKind, Dialog, EscalateDialog, UNTIL_RESOLVED, View, request};
use crate::app::line_edit;
use crate::app::msg::Effect;
use crate::app::state::State;
use crate::domain::keymap::{Key, KeyCode};

/// Keys while a dialog or view is open; `None` when neither is.
pub fn on_key(state: &mut State, key: Key) -> Option<Vec<Effect>> {
    if state.acts.dialog.is_some() {
        return Some(dialog_key(state, key));
    }
    if let Some(View::Silences(_)) = &state.acts.view {
        return Some(super::silences::on_key(state, key));
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
        View::Link { .. } | View::Silences(_) => (None, 0),
    };
    if line_edit::cancels(key) {
        state.acts.view = None;
        return Some(Vec::new());
    }
    match key.code {
        KeyCode::Enter | KeyCode::Char('q') => state.acts.view = None,
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
        KeyCode::PageDown
        | KeyCode::PageUp
        | KeyCode::Char('g' | 'G')
        | KeyCode::Home
        | KeyCode::End => {
            let page = (state.size.1 / 2).max(1) as usize;
            if let Some(s) = scroll {
                let last = len.saturating_sub(1);
                *s = match key.code {
                    KeyCode::PageDown => (*s + page).min(last),
                    KeyCode::PageUp => s.saturating_sub(page),
                    KeyCode::Char('g') | KeyCode::Home => 0,
                    _ => last,
                };
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
    if line_edit::cancels(key) {
        let what = match &state.acts.dialog {
            Some(Dialog::Ack(_)) => "ack",
            Some(Dialog::Unack(_)) => "unack",
            Some(Dialog::Escalate(_)) => "escalate",
            Some(Dialog::Silence(_)) => "silence",
            None => "action",
        };
        state.acts.dialog = None;
        state.status = Some(format!("{what} cancelled"));
        return Vec::new();
    }
    match state.acts.dialog.take() {
        Some(Dialog::Silence(d)) => return super::silence_dialog::key(state, d, key),
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
        // Only a plain y or n answers: ctrl-y pastes in the other dialogs, and is no "yes".
        Some(Dialog::Unack(d)) if key.ctrl || key.alt => state.acts.dialog = Some(Dialog::Unack(d)),
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
    let prefix = &state.alert_policy.ack_prefix;
    let comment = if until_resolved {
        format!("{prefix}: {text} {UNTIL_RESOLVED}")
    } else {
        format!("{prefix}: {text}")
    };
    let ends_at =
        state.now + chrono::Duration::from_std(length).unwrap_or(chrono::Duration::hours(1));
    let mut effects = Vec::new();
    for (cluster, matchers) in d.targets {
        let exclude = d.exclude.get(&cluster).cloned().unwrap_or_default();
        effects.push(request(
            state,
            ActKind::Ack {
                cluster,
                matchers,
                exclude,
                comment: comment.clone(),
                starts_at: state.now,
                ends_at,
                until_resolved,
            },
        ));
    }
    let pd = d.pagerduty.len();
    for (id, dedup_key) in d.pagerduty {
        effects.push(request(
            state,
            ActKind::PagerdutyAck {
                cluster: id.cluster().to_string(),
                labels: id.labels().to_map(),
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
        cluster: a.cluster().to_string(),
        chain: d.chain.name.clone(),
        target: target.clone(),
        labels: a.identity().to_map(),
        annotations: escalation_annotations(
            &a.alert.annotations,
            &state.acts.setup.runbook_annotations,
            &state.alert_policy,
        ),
        starts_at: a.alert.starts_at,
        generator_url: a.alert.generator_url.as_deref().map(str::to_string),
        fingerprint: a.alert.fingerprint.clone(),
        note: d.note.text().trim().to_string(),
    };
    state.status = Some(format!("escalating to {target}"));
    vec![request(state, kind)]
}

/// The alert's annotations for an escalation request, with the runbook and the summary found
/// under the configured keys also as `runbook_url` and `summary`: the request is sent from
/// itself alone (resumed from the outbox too), and PagerDuty's and webhooks' readers look for
/// those two.
fn escalation_annotations(
    annotations: &crate::domain::alerts::LabelSet,
    keys: &[String],
    policy: &crate::domain::alerts::AlertPolicy,
) -> crate::domain::alerts::Labels {
    let mut out = annotations.to_map();
    if let Some(summary) = policy.summary(annotations)
        && annotations
            .get("summary")
            .is_none_or(|s| s.trim().is_empty())
    {
        out.insert("summary".into(), summary.to_string());
    }
    if let Some((key, url)) = crate::domain::links::runbook_annotation_in(annotations, keys)
        && key != "runbook_url"
    {
        let url = url.to_string();
        out.insert("runbook_url".into(), url);
    }
    out
}
