//! The reducer: `update(&mut State, Msg, &Clock) -> Vec<Effect>`. Pure: no I/O, no sleeping.

use super::acts;
use super::clock::Clock;
use super::line_edit::LineEdit;
use super::msg::{Effect, LogWindow, Msg, Payload, SloSample, SourceUpdate};
use super::state::{AlertRow, Input, InputKind, Overlay, Pane, State};
use crate::domain::keymap::Action;
use crate::domain::keymap::{Key, KeyCode};
use crate::domain::timeline::{Entry, Event};
use crate::domain::{matchers, slo};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

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
        Msg::Key(key) => on_key(state, key),
        Msg::Source(update) => {
            let cluster = (update.source.kind == crate::domain::health::SourceKind::Alertmanager)
                .then(|| update.source.name.clone());
            apply_source(state, update);
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

fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    if state.input.is_some() {
        return on_input_key(state, key);
    }
    if let Some(effects) = acts::on_key(state, key) {
        return effects;
    }
    match state.overlay {
        Some(Overlay::ConfirmQuit) => {
            state.overlay = None;
            if key == Key::char('y') || key == Key::char('Y') {
                state.quit = true;
                return vec![Effect::Quit];
            }
            state.status = Some("quit cancelled".into());
            return Vec::new();
        }
        Some(Overlay::Help) | Some(Overlay::AlertDetail(_)) | Some(Overlay::SloDetail(..)) => {
            // Any of back/help/quit/select closes the overlay; other keys are ignored.
            if matches!(
                state.keymap.action(&key),
                Some(Action::Back | Action::Help | Action::Quit | Action::Select)
            ) {
                state.overlay = None;
            }
            return Vec::new();
        }
        None => {}
    }
    match state.keymap.action(&key) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if action.is_mutating() && state.read_only {
        state.status = Some(format!("read-only: {} is disabled", action.name()));
        return Vec::new();
    }
    if let Some(effects) = super::log_keys::on_log_action(state, action) {
        return effects;
    }
    match action {
        Action::Quit => {
            if state.page_active() {
                state.overlay = Some(Overlay::ConfirmQuit);
                return Vec::new();
            }
            state.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => state.overlay = Some(Overlay::Help),
        Action::Back => {
            state.status = None;
        }
        Action::NextPane | Action::PrevPane => {
            let i = Pane::ALL
                .iter()
                .position(|p| *p == state.focus)
                .unwrap_or(0);
            let n = Pane::ALL.len();
            let next = if action == Action::NextPane {
                (i + 1) % n
            } else {
                (i + n - 1) % n
            };
            state.focus = Pane::ALL[next];
        }
        Action::FocusSlo => state.focus = Pane::Slo,
        Action::FocusAlerts => state.focus = Pane::Alerts,
        Action::FocusLogs => state.focus = Pane::Logs,
        Action::MoveDown => move_cursor(state, 1),
        Action::MoveUp => move_cursor(state, -1),
        Action::Top => move_cursor(state, isize::MIN),
        Action::Bottom => move_cursor(state, isize::MAX),
        Action::Select => select(state),
        Action::Follow => {
            state.follow = !state.follow;
            if state.follow {
                state.log_scroll = 0;
            }
            state.status = Some(
                if state.follow {
                    "following the log tail"
                } else {
                    "log tail paused"
                }
                .into(),
            );
        }
        Action::ToggleSilenced => {
            state.show_silenced = !state.show_silenced;
            state.regroup();
            state.status = Some(
                if state.show_silenced {
                    "showing silenced and inhibited"
                } else {
                    "hiding silenced and inhibited"
                }
                .into(),
            );
        }
        Action::NextTheme => {
            if !state.theme_names.is_empty() {
                state.theme_index = (state.theme_index + 1) % state.theme_names.len();
                state.status = Some(format!("theme: {}", state.theme_name()));
            }
        }
        Action::Refresh => {
            state.status = Some("refreshing every source".into());
            return vec![Effect::Refresh(Vec::new())];
        }
        Action::Note => open_input(state, InputKind::Note),
        Action::Filter => open_input(state, InputKind::Filter),
        Action::Command => open_input(state, InputKind::Command),
        // Answered by `log_keys::on_log_action` before this match.
        Action::ToggleWrap
        | Action::ToggleTime
        | Action::NextLogView
        | Action::PrevLogView
        | Action::OpenTrace
        | Action::Logs => {}
        Action::Ack => acts::open_ack(state),
        Action::Unack => acts::open_unack(state),
        Action::Escalate => acts::open_escalate(state),
        Action::Runbook => return acts::runbook(state),
    }
    Vec::new()
}

fn open_input(state: &mut State, kind: InputKind) {
    let edit = match (&kind, state.focus) {
        (InputKind::Filter, Pane::Logs) => LineEdit::with_text(&state.log_filter),
        (InputKind::Filter, _) => LineEdit::with_text(&state.alert_filter),
        _ => LineEdit::new(),
    };
    state.input = Some(Input { kind, edit });
}

fn on_input_key(state: &mut State, key: Key) -> Vec<Effect> {
    let Some(input) = state.input.as_mut() else {
        return Vec::new();
    };
    match key.code {
        KeyCode::Esc => {
            state.input = None;
            state.input_error = None;
        }
        KeyCode::Enter => {
            let text = input.text().trim().to_string();
            let kind = input.kind.clone();
            if kind == InputKind::Filter && state.focus != Pane::Logs {
                // A bad filter keeps the input open with the reason under it; never a crash.
                match matchers::parse(&text) {
                    Ok(filter) => state.alert_matchers = filter,
                    Err(e) => {
                        state.input_error = Some(e);
                        return Vec::new();
                    }
                }
            }
            state.input_error = None;
            state.input = None;
            return match kind {
                InputKind::Filter => {
                    apply_filter(state, text);
                    Vec::new()
                }
                InputKind::Command => run_command(state, &text),
                InputKind::Note => add_note(state, text),
            };
        }
        _ => {
            input.edit.key(key);
            state.input_error = None;
        }
    }
    Vec::new()
}

/// `:wall` switches to the war-room layout, read-only while it lasts; `:wall` again comes back.
/// A cockpit started with `--wall` or `--read-only` stays read-only.
fn toggle_wall(state: &mut State) {
    if state.wall {
        state.wall = false;
        if let Some(was) = state.read_only_before_wall.take() {
            state.read_only = was;
        }
        state.status = Some("dashboard".into());
    } else {
        state.read_only_before_wall = Some(state.read_only);
        state.wall = true;
        state.read_only = true;
        state.status = Some("wall: read-only; :wall to leave".into());
    }
}

/// A note typed with `n` goes to the incident timeline, signed by the user.
fn add_note(state: &mut State, text: String) -> Vec<Effect> {
    if text.is_empty() {
        return Vec::new();
    }
    state.status = Some("note added to the timeline".into());
    state.records.push(Entry {
        at: state.now,
        event: Event::Note {
            by: state.user.clone(),
            text,
        },
    });
    Vec::new()
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
        } => Event::Ack {
            alert: alert_name(matchers),
            cluster: cluster.clone(),
            by,
            comment: comment.clone(),
            matchers: matchers.clone(),
        },
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
    };
    state.records.push(Entry {
        at: state.now,
        event,
    });
}

fn apply_filter(state: &mut State, text: String) {
    match state.focus {
        Pane::Logs => super::log_keys::set_log_filter(state, text),
        _ => {
            state.status = Some(if text.is_empty() {
                "alert filter cleared".into()
            } else {
                format!("alert filter: {text}")
            });
            state.alert_filter = text;
            state.regroup();
        }
    }
}

fn run_command(state: &mut State, text: &str) -> Vec<Effect> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some("q" | "quit"), None) => {
            state.quit = true;
            return vec![Effect::Quit];
        }
        (Some("theme"), Some(name)) => match state.theme_names.iter().position(|n| n == name) {
            Some(i) => {
                state.theme_index = i;
                state.status = Some(format!("theme: {name}"));
            }
            None => {
                state.status = Some(format!(
                    "no theme '{name}' (have: {})",
                    state.theme_names.join(", ")
                ))
            }
        },
        (Some("refresh"), None) => return vec![Effect::Refresh(Vec::new())],
        (Some("help"), None) => state.overlay = Some(Overlay::Help),
        (Some("audit"), None) => return acts::open_audit(state),
        (Some("wall"), None) => toggle_wall(state),
        (Some("timeline"), None) => {
            state.acts.view = Some(acts::View::Runbook {
                title: "incident timeline, last 24 h".into(),
                text: None,
                scroll: 0,
            });
            return vec![Effect::LoadTimeline];
        }
        (None, _) => {}
        (Some(other), _) => {
            state.status = Some(format!(
                "unknown command ':{other}' (try :theme NAME, :refresh, :audit, :timeline, :wall, :help, :quit)"
            ))
        }
    }
    Vec::new()
}

fn move_cursor(state: &mut State, delta: isize) {
    let step = |cur: usize, len: usize| -> usize {
        if len == 0 {
            return 0;
        }
        match delta {
            isize::MIN => 0,
            isize::MAX => len - 1,
            d => (cur as isize + d).clamp(0, len as isize - 1) as usize,
        }
    };
    match state.focus {
        Pane::Slo => state.slo_cursor = step(state.slo_cursor, state.slos.len()),
        Pane::Alerts => state.alert_cursor = step(state.alert_cursor, state.alert_rows().len()),
        Pane::Logs => {
            // Scrolling up pauses the tail; reaching the bottom again resumes it.
            let max = state.logs.len().saturating_sub(1);
            state.log_scroll = match delta {
                isize::MIN => max,
                isize::MAX => 0,
                d if d < 0 => (state.log_scroll + d.unsigned_abs()).min(max),
                d => state.log_scroll.saturating_sub(d as usize),
            };
            state.follow = state.log_scroll == 0;
        }
    }
}

fn select(state: &mut State) {
    if state.focus == Pane::Slo {
        let order = state.slo_order();
        let cursor = state.slo_cursor.min(order.len().saturating_sub(1));
        if let Some(row) = order.get(cursor).and_then(|i| state.slos.get(*i)) {
            state.overlay = Some(Overlay::SloDetail(
                row.def.source.clone(),
                row.def.name.clone(),
            ));
        }
        return;
    }
    if state.focus != Pane::Alerts {
        return;
    }
    match state.alert_rows().get(state.alert_cursor) {
        Some(AlertRow::Group(g)) => {
            let key = state.groups[*g].key();
            if !state.expanded.remove(&key) {
                state.expanded.insert(key);
            }
        }
        Some(AlertRow::Alert(g, a)) => {
            let alert = state.groups[*g].alerts[*a].clone();
            state.overlay = Some(Overlay::AlertDetail(Box::new(alert)));
        }
        None => {}
    }
}

fn apply_source(state: &mut State, update: SourceUpdate) {
    let Some(health) = state.sources.iter_mut().find(|h| h.id == update.source) else {
        return;
    };
    if update.generation <= health.generation {
        return; // stale: a newer snapshot was already applied
    }
    health.generation = update.generation;
    let payload = match update.result {
        Ok(p) => {
            health.last_ok = Some(update.fetched_at);
            health.last_error = None;
            p
        }
        Err(e) => {
            // Keep the last good data; the pane shows it dimmed with this error.
            health.last_error = Some(e);
            return;
        }
    };
    let name = update.source.name.clone();
    match payload {
        Payload::Slo(samples) => {
            state
                .sources
                .iter_mut()
                .filter(|h| h.id == update.source)
                .for_each(|h| h.degraded.clear());
            apply_slos(state, &name, &samples, update.fetched_at);
        }
        Payload::Alerts(snapshot) => {
            let degraded: Vec<String> = snapshot
                .replicas
                .iter()
                .filter_map(|r| r.error.as_ref().map(|e| format!("{}: {e}", r.name)))
                .collect();
            if let Some(h) = state.sources.iter_mut().find(|h| h.id == update.source) {
                h.degraded = degraded;
            }
            state.clusters.insert(name, snapshot);
            state.regroup();
        }
        Payload::Logs(window) => apply_logs(state, &name, &window),
    }
}

fn apply_slos(state: &mut State, source: &str, samples: &[SloSample], at: DateTime<Utc>) {
    // The rows of an SLO with group_by follow the groups in the results: a group gone from
    // them loses its row (the definition's own row, shown before any group, included).
    let mut families: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in samples {
        if let Some(f) = &s.family {
            families.entry(f).or_default().insert(&s.name);
        }
    }
    state.slos.retain(|r| {
        let family = r.family.as_deref().unwrap_or(&r.def.name);
        r.def.source != source
            || families
                .get(family)
                .is_none_or(|names| names.contains(r.def.name.as_str()))
    });
    // Rows for SLOs the source discovered and groups that appeared; configured rows are kept
    // as they are.
    for sample in samples {
        if let Some((def, origin)) = &sample.new_row
            && !state
                .slos
                .iter()
                .any(|r| r.def.source == source && r.def.name == def.name)
        {
            let mut def = def.clone();
            def.source = source.to_string();
            let mut row = super::state::SloRow::new(def, *origin);
            row.family = sample.family.clone();
            row.rules = sample.rules.clone();
            state.slos.push(row);
        }
    }
    for row in state.slos.iter_mut().filter(|r| r.def.source == source) {
        let Some(sample) = samples.iter().find(|s| s.name == row.def.name) else {
            continue;
        };
        let empty = sample
            .measurement
            .error_ratios
            .values()
            .all(Option::is_none)
            && sample.measurement.period_ratio.is_none();
        let had_data = row
            .eval
            .as_ref()
            .is_some_and(|e| e.status != slo::SloStatus::NoData);
        // Series that vanish (a renamed metric, a dropped scrape) are a fault, not a recovery.
        row.error = sample.error.clone().or_else(|| {
            (empty && had_data).then(|| "no data: every query returned an empty result".into())
        });
        row.fetched_at = Some(at);
        if !sample.queries.is_empty() {
            row.queries = sample.queries.clone();
        }
        if sample.graph_url.is_some() {
            row.graph_url = sample.graph_url.clone();
        }
        if let Some(h) = &sample.history {
            row.burn_history = h
                .iter()
                .map(|r| slo::burn_rate(*r, row.def.objective))
                .collect();
        }
        // A failed query keeps the last good values (shown dimmed, with their age) rather
        // than mixing fresh and missing windows; a row never measured shows what it got.
        if row.error.is_some() && row.eval.is_some() {
            continue;
        }
        let eval = slo::evaluate(
            row.def.objective,
            row.def.period,
            &sample.measurement,
            row.rules_or(&state.burn_rules),
        );
        let before = row
            .eval
            .as_ref()
            .map_or(slo::SloStatus::NoData, |e| e.status);
        // The timeline keeps changes that matter: from the first reading only a page or ticket.
        if eval.status != before
            && (row.eval.is_some()
                || matches!(eval.status, slo::SloStatus::Page | slo::SloStatus::Ticket))
        {
            state.records.push(Entry {
                at,
                event: Event::SloStatus {
                    slo: row.def.name.clone(),
                    from: before.label().to_string(),
                    to: eval.status.label().to_string(),
                },
            });
        }
        row.eval = Some(eval);
        row.measurement = Some(sample.measurement.clone());
        row.eval_at = Some(at);
    }
}

fn apply_logs(state: &mut State, source: &str, window: &LogWindow) {
    let seen = state.log_seq.get(source).copied();
    // Lines the source's window moved past before we saw them are lost: count them.
    let gap = match seen {
        Some(s) => window.first_seq.saturating_sub(s + 1),
        None => window.first_seq,
    };
    state.logs.add_dropped(gap);
    let mut last = seen;
    for (i, line) in window.lines.iter().enumerate() {
        let seq = window.first_seq + i as u64;
        if seen.is_some_and(|s| seq <= s) {
            continue;
        }
        state.logs.push(line.clone());
        if !state.follow {
            // keep the paused view still while lines arrive below it
            state.log_scroll += 1;
        }
        last = Some(seq);
    }
    if let Some(l) = last {
        state.log_seq.insert(source.to_string(), l);
    }
}
