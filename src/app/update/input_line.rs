//! The line being typed at the footer: a filter (alerts or logs, by the focused pane), a `:`
//! command or a note for the timeline. Enter applies it, Esc or Ctrl-C drops it, ↑/↓ recall
//! earlier filters and commands, other keys edit it.

use super::commands::run_command;
use crate::app::line_edit::{self, LineEdit};
use crate::app::msg::Effect;
use crate::app::state::{Input, InputKind, Pane, State};
use crate::domain::keymap::{Key, KeyCode};
use crate::domain::matchers;
use crate::domain::timeline::{Entry, Event};

pub(super) fn open_input(state: &mut State, kind: InputKind) {
    let edit = match (&kind, state.focus) {
        (InputKind::Filter, Pane::Logs) => LineEdit::with_text(&state.log_filter),
        (InputKind::Filter, Pane::Slo) => LineEdit::with_text(&state.slo_filter),
        (InputKind::Filter, _) => LineEdit::with_text(&state.alert_filter),
        _ => LineEdit::new(),
    };
    if let Some(h) = state.input_history.of(&kind) {
        h.reset();
    }
    state.input = Some(Input { kind, edit });
}

/// ↑ (older) or ↓ (newer): the recalled line replaces the one being typed.
fn recall(state: &mut State, older: bool) {
    let Some(input) = state.input.as_mut() else {
        return;
    };
    let Some(h) = state.input_history.of(&input.kind) else {
        return;
    };
    let line = if older {
        h.older(input.edit.text()).map(str::to_string)
    } else {
        h.newer()
    };
    if let Some(line) = line {
        input.edit.set_text(&line);
        state.input_error = None;
    }
}

pub(super) fn on_input_key(state: &mut State, key: Key) -> Vec<Effect> {
    let Some(input) = state.input.as_mut() else {
        return Vec::new();
    };
    if line_edit::cancels(key) {
        let what = match input.kind {
            InputKind::Filter => "filter",
            InputKind::Command => "command",
            InputKind::Note => "note",
        };
        state.input = None;
        state.input_error = None;
        state.status = Some(format!("{what} cancelled"));
        return Vec::new();
    }
    match key.code {
        KeyCode::Up | KeyCode::Down if !key.ctrl && !key.alt => {
            recall(state, key.code == KeyCode::Up);
        }
        KeyCode::Enter => {
            let text = input.text().trim().to_string();
            let kind = input.kind.clone();
            if kind == InputKind::Filter && state.focus == Pane::Alerts {
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
            if let Some(h) = state.input_history.of(&kind) {
                h.push(&text);
            }
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

fn apply_filter(state: &mut State, text: String) {
    match state.focus {
        Pane::Logs => crate::app::log_keys::set_log_filter(state, text),
        Pane::Slo => {
            state.status = Some(if text.is_empty() {
                "SLO filter cleared".into()
            } else {
                format!("SLO filter: {text}")
            });
            state.slo_filter = text;
            state.select_slo_row(0);
        }
        Pane::Alerts => {
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
