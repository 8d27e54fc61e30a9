//! The logs pane's keys: wrap and timestamp toggles, views, the filter, `l` (the selected
//! alert's logs) and the trace link.

use super::msg::Effect;
use super::state::{LogView, Pane, State};
use crate::domain::health::SourceKind;
use crate::domain::keymap::Action;
use crate::domain::log_filter::LogFilter;
use crate::domain::log_query::fill;
use std::collections::BTreeMap;

/// Handles the actions of the logs pane; `None` for any other action.
pub fn on_log_action(state: &mut State, action: Action) -> Option<Vec<Effect>> {
    match action {
        Action::ToggleWrap => {
            state.log.wrap = !state.log.wrap;
            state.status = Some(
                if state.log.wrap {
                    "log lines wrapped"
                } else {
                    "log lines cut at the edge"
                }
                .into(),
            );
        }
        Action::ToggleTime => {
            state.log.timestamps = !state.log.timestamps;
            state.status = Some(
                if state.log.timestamps {
                    "log times shown"
                } else {
                    "log times hidden"
                }
                .into(),
            );
        }
        Action::NextLogView | Action::PrevLogView => {
            let n = state.log.views.len().max(1);
            let i = if action == Action::NextLogView {
                (state.log.view + 1) % n
            } else {
                (state.log.view + n - 1) % n
            };
            select_view(state, i);
        }
        Action::Logs => return Some(alert_logs(state)),
        Action::OpenTrace => return Some(super::trace::open(state)),
        _ => return None,
    }
    Some(Vec::new())
}

fn select_view(state: &mut State, i: usize) {
    state.log.view = i;
    let view = state.log.current_view().clone();
    // A view's filter was checked when it was made; a bad one shows everything. The filter
    // typed with `/` stays: changing views does not drop what the engineer is looking for.
    state.log.view_filter = LogFilter::parse(&view.filter).unwrap_or_default();
    state.log_scroll = 0;
    state.follow = true;
    let kept = if state.log_filter.is_empty() {
        String::new()
    } else {
        format!(", filter {} kept", state.log_filter)
    };
    state.status = Some(format!("log view: {}{kept}", view.name));
}

/// Sets the logs pane's filter from what was typed; a bad regex keeps the previous filter.
pub fn set_log_filter(state: &mut State, text: String) {
    match LogFilter::parse(&text) {
        Ok(f) => {
            state.status = Some(if f.is_empty() {
                "log filter cleared".into()
            } else {
                format!("log filter: {text}")
            });
            state.log.matcher = f;
            state.log_filter = text;
            state.log_scroll = 0;
        }
        Err(e) => state.status = Some(format!("log filter not changed: {e}")),
    }
}

/// `l`: the selected alert's logs: each log source with a template is restarted on the filled
/// query (Loki, Elasticsearch) or filtered (command, file), from `startsAt − alert_lookback`.
fn alert_logs(state: &mut State) -> Vec<Effect> {
    let alert = state
        .action_target()
        .and_then(|t| t.alerts.into_iter().next());
    let Some(alert) = alert else {
        state.status = Some("logs: select an alert first".into());
        return Vec::new();
    };
    let labels = &alert.alert.labels;
    let name = labels
        .get("alertname")
        .map(str::to_string)
        .unwrap_or_else(|| "alert".into());
    let mut queries = Vec::new();
    let mut view = LogView {
        name: format!("alert: {name}"),
        ..Default::default()
    };
    let mut per_source = BTreeMap::new();
    for t in &state.log.templates {
        let Some(text) = fill(&t.template, labels, t.escape) else {
            continue;
        };
        view.sources.push(t.source.name.clone());
        match t.source.kind {
            SourceKind::Loki | SourceKind::Elasticsearch => queries.push((t.source.clone(), text)),
            _ => {
                if let Ok(f) = LogFilter::parse(&text) {
                    per_source.insert(t.source.name.clone(), f);
                }
            }
        }
    }
    if view.sources.is_empty() {
        state.status = Some(format!(
            "logs: no log source has a query for {name} (set alert_query or alert_filter)"
        ));
        return Vec::new();
    }
    view.per_source = per_source;
    // The restarted sources count their lines from zero again, and their pollers from the
    // first generation: forget what was applied of them.
    for (id, _) in &queries {
        state.log_seq.remove(&id.name);
        if let Some(h) = state.sources.iter_mut().find(|h| h.id == *id) {
            h.generation = 0;
        }
    }
    state.logs.clear();
    state.log.views.retain(|v| !v.name.starts_with("alert: "));
    state.log.views.push(view);
    let i = state.log.views.len() - 1;
    select_view(state, i);
    state.focus = Pane::Logs;
    let since = alert.alert.starts_at
        - chrono::Duration::from_std(state.log.alert_lookback).unwrap_or_default();
    if queries.is_empty() {
        return Vec::new();
    }
    vec![Effect::OpenAlertLogs { queries, since }]
}
