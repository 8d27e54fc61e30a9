//! Where a key goes: the line being typed, an open dialog or view, an overlay, else the
//! keymap's action (moves, focus, toggles, and the keys that open inputs and dialogs).

use super::input_line::{on_input_key, open_input};
use crate::app::acts;
use crate::app::msg::Effect;
use crate::app::state::{AlertRow, InputKind, Overlay, Pane, State};
use crate::domain::keymap::{Action, Key};

pub(super) fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
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
        Some(Overlay::AlertDetail(_)) if acts_on_alert(state.keymap.action(&key)) => {
            // The detail view's alert is what these act on; the logs need the pane in view.
            let action = state.keymap.action(&key);
            if action == Some(Action::Logs) {
                let effects = action.map(|a| on_action(state, a)).unwrap_or_default();
                state.overlay = None;
                return effects;
            }
            return action.map(|a| on_action(state, a)).unwrap_or_default();
        }
        Some(Overlay::Help) | Some(Overlay::AlertDetail(_)) | Some(Overlay::SloDetail(..)) => {
            // Moves scroll it; back/help/quit/select close it; other keys are ignored.
            let page = page(state);
            let delta = match state.keymap.action(&key) {
                Some(Action::Back | Action::Help | Action::Quit | Action::Select) => {
                    state.overlay = None;
                    return Vec::new();
                }
                Some(Action::MoveDown) => 1,
                Some(Action::MoveUp) => -1,
                Some(Action::PageDown) => page,
                Some(Action::PageUp) => -page,
                Some(Action::Top) => isize::MIN,
                Some(Action::Bottom) => isize::MAX,
                _ => return Vec::new(),
            };
            scroll_overlay(state, delta);
            return Vec::new();
        }
        None => {}
    }
    match state.keymap.action(&key) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

/// `q`, Ctrl-C and `:quit`: asks first while a page is active.
pub(super) fn quit(state: &mut State) -> Vec<Effect> {
    if state.page_active() {
        state.overlay = Some(Overlay::ConfirmQuit);
        return Vec::new();
    }
    state.quit = true;
    vec![Effect::Quit]
}

/// The keys that act on an alert, wherever one is in view.
fn acts_on_alert(action: Option<Action>) -> bool {
    matches!(
        action,
        Some(Action::Ack | Action::Unack | Action::Escalate | Action::Runbook | Action::Logs)
    )
}

fn on_action(state: &mut State, action: Action) -> Vec<Effect> {
    if action.is_mutating() && state.read_only {
        state.status = Some(format!("read-only: {} is disabled", action.name()));
        return Vec::new();
    }
    if let Some(effects) = crate::app::log_keys::on_log_action(state, action) {
        return effects;
    }
    match action {
        Action::Quit => return quit(state),
        Action::Help => state.open_overlay(Overlay::Help),
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
        Action::PageDown => move_cursor(state, page(state)),
        Action::PageUp => move_cursor(state, -page(state)),
        Action::NewestPage => state.select_newest_page(),
        Action::CycleSort => {
            state.alert_sort = state.alert_sort.next();
            state.regroup();
            state.status = Some(format!("alerts sorted by {}", state.alert_sort.name()));
        }
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
        Action::Silences => crate::app::acts::silences::open(state),
        Action::NewSilence => crate::app::acts::open_silence(state),
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
        Pane::Slo => {
            let i = step(state.slo_cursor, state.slo_order().len());
            state.select_slo_row(i);
        }
        Pane::Alerts => {
            let i = step(state.alert_cursor, state.alert_rows().len());
            state.select_row(i);
        }
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

/// Scrolls the overlay, never past its last line at the top of the screen.
fn scroll_overlay(state: &mut State, delta: isize) {
    let max = state.overlay_len().saturating_sub(1);
    state.overlay_scroll = match delta {
        isize::MIN => 0,
        isize::MAX => max,
        d => (state.overlay_scroll as isize + d).clamp(0, max as isize) as usize,
    };
}

/// Rows a page key moves: about what a pane shows on this terminal.
fn page(state: &State) -> isize {
    (state.size.1 / 3).max(1) as isize
}

fn select(state: &mut State) {
    if state.focus == Pane::Slo {
        let order = state.slo_order();
        let cursor = state.slo_cursor.min(order.len().saturating_sub(1));
        if let Some(row) = order.get(cursor).and_then(|i| state.slos.get(*i)) {
            state.open_overlay(Overlay::SloDetail(
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
            state.open_overlay(Overlay::AlertDetail(Box::new(alert)));
        }
        None => {}
    }
}
