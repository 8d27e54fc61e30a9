//! The reducer: `update(&mut State, Msg, &Clock) -> Vec<Effect>`. Pure: no I/O, no sleeping.
//!
//! `reduce` dispatches each message; keys are routed in `keys`, the line being typed is
//! `input_line`, the `:` commands `commands`, pasted text `paste`, and what the pollers publish
//! is applied in `ingest`.

mod commands;
mod ingest;
mod input_line;
mod keys;
mod paste;

use super::acts;
use super::clock::Clock;
use super::msg::{Effect, Msg};
use super::state::State;
use crate::domain::timeline::{Entry, Event};

pub fn update(state: &mut State, msg: Msg, clock: &dyn Clock) -> Vec<Effect> {
    state.now = clock.now();
    let mut effects = reduce(state, msg);
    // What happened for the timeline leaves as effects: the runtime writes it to disk.
    effects.extend(state.records.drain(..).map(Effect::Record));
    effects
}

fn reduce(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick => {
            state.sample_flaps();
            // An `@age` filter's verdict moves with the clock, not with polls.
            if state.filter_due.is_some_and(|due| state.now >= due) {
                state.regroup();
            }
            let mut effects = notifications(state);
            effects.extend(acts::on_tick(state));
            effects
        }
        Msg::Resize { width, height } => {
            state.size = (width, height);
            Vec::new()
        }
        Msg::Key(key) => keys::on_key(state, key),
        Msg::Source(update) => {
            let cluster = (update.source.kind == crate::domain::health::SourceKind::Alertmanager)
                .then(|| update.source.name.clone());
            ingest::apply_source(state, update);
            state.sample_flaps();
            let mut effects = notifications(state);
            if let Some(c) = cluster {
                effects.extend(acts::on_alerts(state, &c));
            }
            effects
        }
        Msg::ActionResult(result) => {
            record_action(state, &result);
            acts::on_result(state, result)
        }
        Msg::RunbookText { title, result } => {
            if let Some(acts::View::Runbook { text, .. }) = state.acts.view.as_mut() {
                *text = Some(result);
            } else if let Err(e) = result {
                state.status = Some(format!("runbook {title}: {e}"));
            }
            Vec::new()
        }
        Msg::Notice(text) => {
            state.status = Some(text);
            Vec::new()
        }
        Msg::OpenFailed { url, why } => {
            // The URL is still one paste away: the clipboard gets it (OSC 52) instead.
            state.status = Some(format!("{why}; URL copied"));
            vec![Effect::Copy(url)]
        }
        Msg::Pasted(text) => paste::on_paste(state, &text),
        Msg::AuditLines(result) => {
            if let Some(acts::View::Audit { lines, scroll }) = state.acts.view.as_mut() {
                *scroll = result.as_ref().map_or(0, |l| l.len().saturating_sub(1));
                *lines = Some(result);
            }
            Vec::new()
        }
    }
}

/// New page-worthy alerts since the last update, coalesced and rate-limited; none before every
/// Alertmanager source has answered once (what already fires at start is told in one).
fn notifications(state: &mut State) -> Vec<Effect> {
    let complete = state
        .sources
        .iter()
        .filter(|h| h.id.kind == crate::domain::health::SourceKind::Alertmanager)
        .all(|h| h.generation > 0);
    super::notify::collect(&mut state.notify, &state.page_worthy, state.now, complete)
        .into_iter()
        .collect()
}

/// The timeline's record of an action the backend confirmed: who acked or escalated what.
fn record_action(state: &mut State, r: &acts::ActionResult) {
    use crate::domain::timeline::alert_name;
    if !matches!(r.outcome, acts::Outcome::Done(_)) {
        return;
    }
    let by = r.request.user.clone();
    let event = match &r.request.kind {
        acts::ActKind::Ack {
            cluster,
            matchers,
            comment,
            ..
        } => {
            let acks_seen = &mut state.acks_recorded;
            let id = match &r.outcome {
                acts::Outcome::Done(id) => id.clone(),
                _ => String::new(),
            };
            // A poll may have shown (and recorded) the silence before this answer came.
            if !acks_seen.insert((cluster.clone(), id.clone())) {
                return;
            }
            Event::Ack {
                alert: alert_name(matchers),
                cluster: cluster.clone(),
                by,
                comment: comment.clone(),
                matchers: matchers.clone(),
                silence_id: Some(id),
            }
        }
        acts::ActKind::Unack {
            cluster, matchers, ..
        } => Event::Unack {
            alert: alert_name(matchers),
            cluster: cluster.clone(),
            by,
        },
        acts::ActKind::Escalate {
            labels,
            target,
            note,
            ..
        } => Event::Escalation {
            alert: alert_name(labels),
            by,
            target: target.clone(),
            note: note.clone(),
        },
        // part of the ack, which has its own entry
        acts::ActKind::Extend { .. } | acts::ActKind::PagerdutyAck { .. } => return,
        // seen on the polls that follow, as any silence is
        acts::ActKind::Silence { .. } | acts::ActKind::Expire { .. } => return,
    };
    state.records.push(Entry {
        at: state.now,
        event,
    });
}
