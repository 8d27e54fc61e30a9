//! `:silences`: every silence of every cluster in one list; marks, and expiry of the marked
//! ones (or the one under the cursor) after a confirmation, through the outbox like an un-ack.

use super::{ActKind, View, request};
use crate::app::line_edit;
use crate::app::msg::Effect;
use crate::app::state::State;
use crate::domain::alerts::SilenceState;
use crate::domain::keymap::{Key, KeyCode};
use crate::domain::silence_list::{SilenceRow, silence_rows};
use std::collections::BTreeSet;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SilencesView {
    pub cursor: usize,
    /// Also those expired in the last day.
    pub expired: bool,
    /// (cluster, silence id) marked for a bulk expiry.
    pub marked: BTreeSet<(String, String)>,
    /// Waiting for `y` to expire these.
    pub confirm: Option<Vec<(String, String)>>,
}

/// The view's rows, as they are now.
pub fn rows<'a>(state: &'a State, view: &SilencesView) -> Vec<SilenceRow<'a>> {
    silence_rows(
        state.clusters.iter().map(|(name, snap)| {
            (
                name.as_str(),
                snap.silences.as_slice(),
                state.cluster_alerts(name),
            )
        }),
        &state.alert_policy,
        state.now,
        view.expired,
    )
}

pub fn open(state: &mut State) {
    state.acts.view = Some(View::Silences(SilencesView::default()));
}

/// Keys while the view is open.
pub fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    let Some(View::Silences(view)) = &state.acts.view else {
        return Vec::new();
    };
    let mut view = view.clone();
    let listed: Vec<(String, String, SilenceState)> = rows(state, &view)
        .iter()
        .map(|r| (r.cluster.to_string(), r.silence.id.clone(), r.silence.state))
        .collect();
    let mut effects = Vec::new();
    if let Some(targets) = view.confirm.take() {
        if key.code == KeyCode::Char('y') {
            if state.read_only {
                state.status = Some("read-only: silences are not expired here".into());
            } else {
                let n = targets.len();
                for (cluster, silence_id) in targets {
                    effects.push(request(
                        state,
                        ActKind::Expire {
                            cluster,
                            silence_id,
                        },
                    ));
                }
                view.marked.clear();
                state.status = Some(format!("expiring {n} silence{}", plural(n)));
            }
        } else {
            state.status = Some("expiry cancelled".into());
        }
    } else if line_edit::cancels(key) || key.code == KeyCode::Char('q') {
        state.acts.view = None;
        return effects;
    } else {
        let last = listed.len().saturating_sub(1);
        match key.code {
            KeyCode::Char('j') | KeyCode::Down => view.cursor = (view.cursor + 1).min(last),
            KeyCode::Char('k') | KeyCode::Up => view.cursor = view.cursor.saturating_sub(1),
            KeyCode::Char('g') | KeyCode::Home => view.cursor = 0,
            KeyCode::Char('G') | KeyCode::End => view.cursor = last,
            KeyCode::Char('c') => {
                super::silence_dialog::open(state);
            }
            KeyCode::Char('+') => effects.extend(extend(state, &view)),
            KeyCode::Char('x') => {
                view.expired = !view.expired;
                view.cursor = 0;
            }
            KeyCode::Char(' ') => {
                if let Some((c, id, _)) = listed.get(view.cursor) {
                    let key = (c.clone(), id.clone());
                    if !view.marked.remove(&key) {
                        view.marked.insert(key);
                    }
                    view.cursor = (view.cursor + 1).min(last);
                }
            }
            KeyCode::Char('e') => {
                let live = |(c, id, s): &(String, String, SilenceState)| {
                    (*s != SilenceState::Expired).then(|| (c.clone(), id.clone()))
                };
                let targets: Vec<(String, String)> = if view.marked.is_empty() {
                    listed.get(view.cursor).and_then(live).into_iter().collect()
                } else {
                    listed
                        .iter()
                        .filter(|(c, id, _)| view.marked.contains(&(c.clone(), id.clone())))
                        .filter_map(live)
                        .collect()
                };
                if targets.is_empty() {
                    state.status = Some("nothing to expire here".into());
                } else {
                    let n = targets.len();
                    state.status = Some(format!("expire {n} silence{}? y to confirm", plural(n)));
                    view.confirm = Some(targets);
                }
            }
            _ => {}
        }
        view.cursor = view.cursor.min(last);
    }
    state.acts.view = Some(View::Silences(view));
    effects
}

/// How much `+` adds to a silence's end.
pub const EXTEND_BY: chrono::Duration = chrono::Duration::hours(1);

/// `+`: the silence under the cursor an hour longer (from its end, or from now when it is
/// about to end), its matchers, start and comment kept; Alertmanager may give it a new id.
fn extend(state: &mut State, view: &SilencesView) -> Option<Effect> {
    let kind = {
        let listed = rows(state, view);
        let row = listed.get(view.cursor)?;
        let s = row.silence;
        if s.state == SilenceState::Expired {
            state.status = Some("an expired silence cannot be extended; c makes a new one".into());
            return None;
        }
        ActKind::Silence {
            cluster: row.cluster.to_string(),
            replaces: Some(s.id.clone()),
            matchers: s.matchers.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at.max(state.now) + EXTEND_BY,
            comment: s.comment.clone(),
        }
    };
    if state.read_only {
        state.status = Some("read-only: silences are not extended here".into());
        return None;
    }
    state.status = Some("extending the silence by 1h".into());
    Some(request(state, kind))
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
