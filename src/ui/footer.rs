//! The footer: the keys that work here (from the live keymap), the last action's result, or the
//! line being typed.

use super::text::{safe, truncate, width, wrap};
use super::theme::{Role, Theme};
use crate::app::state::{InputKind, Overlay, Pane};
use crate::app::{Action, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// The actions worth a hint in the current context, most useful first.
pub fn hint_actions(state: &State) -> Vec<Action> {
    use Action::*;
    let list: &[Action] = match (&state.overlay, state.focus) {
        (Some(Overlay::ConfirmQuit), _) => &[],
        (Some(Overlay::Help), _) => &[Back, Help],
        (Some(Overlay::AlertDetail(_)), _) => &[Back],
        (Some(Overlay::SloDetail(..)), _) => &[Back],
        (None, Pane::Alerts) => &[
            MoveDown,
            MoveUp,
            Select,
            Ack,
            Unack,
            Escalate,
            Runbook,
            Logs,
            ToggleSilenced,
            Filter,
            NextPane,
            Help,
            Quit,
        ],
        (None, Pane::Slo) => &[
            MoveDown, MoveUp, Select, NextPane, Refresh, Command, Help, Quit,
        ],
        (None, Pane::Logs) => &[
            MoveUp, MoveDown, Follow, Filter, Bottom, NextPane, Help, Quit,
        ],
    };
    list.iter()
        .copied()
        .filter(|a| !(state.read_only && a.is_mutating()))
        .collect()
}

/// The line being typed (`/`, `:`, a note), when one is open; false when none is.
fn draw_input(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) -> bool {
    let Some(input) = &state.input else {
        return false;
    };
    // The prompt's own width, so the first typed letter never lands inside it.
    let prefix = match input.kind {
        InputKind::Filter => "/ ",
        InputKind::Command => ": ",
        InputKind::Note => "note: ",
    };
    let [p, rest] = Layout::horizontal([
        Constraint::Length(width(prefix) as u16),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Span::styled(prefix, theme.style(Role::FooterKey))),
        p,
    );
    frame.render_widget(&super::input::text_area(&input.edit, theme), rest);
    true
}

/// The wall's notice row: the line being typed while one is open, else the last status (a
/// refused key, `:wall`'s own notice). The wall has no key hints: it is read from afar.
pub fn draw_notice(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if draw_input(frame, area, state, theme) {
        return;
    }
    if let Some(status) = &state.status {
        let text = truncate(&format!(" {}", safe(status)), area.width as usize);
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme.style(Role::Title))),
            area,
        );
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if draw_input(frame, area, state, theme) {
        return;
    }
    if state.overlay == Some(Overlay::ConfirmQuit) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                " y quit · any other key stays",
                theme.style(Role::Error),
            )),
            area,
        );
        return;
    }
    let max = area.width as usize;
    let hint = |action: Action| {
        let keys = state.keymap.keys_label(action);
        let w = 1 + width(&keys) + 1 + width(action.hint()) + 1;
        (action, keys, w)
    };
    let all: Vec<_> = hint_actions(state)
        .into_iter()
        .map(hint)
        .filter(|(_, keys, _)| !keys.is_empty())
        .collect();
    // Help and quit always get their place, even next to a long status (the demo's banner):
    // the status is cut first; the other hints fill what is left, in order.
    let essential = |a: Action| matches!(a, Action::Help | Action::Quit | Action::Back);
    let reserved: usize = all.iter().filter(|h| essential(h.0)).map(|h| h.2).sum();
    let status = state
        .status
        .as_deref()
        .map(|s| truncate(&safe(s), max.saturating_sub(reserved + 2)))
        .unwrap_or_default();
    let status_w = if status.is_empty() {
        0
    } else {
        width(&status) + 2
    };
    let room = max.saturating_sub(status_w);
    let mut used = reserved;
    let mut shown = Vec::new();
    let mut full = false;
    for h in &all {
        if essential(h.0) {
            if h.2 <= room {
                shown.push(h);
            }
        } else if !full && used + h.2 <= room {
            used += h.2;
            shown.push(h);
        } else {
            // Stop at the first that does not fit, so the hints keep their order of usefulness.
            full = true;
        }
    }
    let used = shown.iter().map(|h| h.2).sum::<usize>();
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (action, keys, _) in shown {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(keys.clone(), theme.style(Role::FooterKey)));
        spans.push(Span::styled(
            format!(" {} ", action.hint()),
            theme.style(Role::Muted),
        ));
    }
    if !status.is_empty() {
        spans.push(Span::raw(" ".repeat(room.saturating_sub(used) + 1)));
        spans.push(Span::styled(status, theme.style(Role::Title)));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Why the line being typed was refused, in full, on the rows right above the input (the footer
/// is the last line, so "under the input" is above it, over the pane's bottom): wrapped, at most
/// `ERROR_ROWS` rows, so a long parser message is read, not cut.
pub fn draw_input_error(frame: &mut Frame, footer: Rect, state: &State, theme: &Theme) {
    let (Some(_), Some(err)) = (&state.input, &state.input_error) else {
        return;
    };
    let width = (footer.width as usize).saturating_sub(4);
    let mut lines = wrap(&safe(err), width);
    let rows = lines.len().min(ERROR_ROWS).min(footer.y as usize);
    if rows == 0 {
        return;
    }
    if lines.len() > rows {
        let last = lines[rows - 1].clone();
        lines[rows - 1] = truncate(&format!("{last} …"), width);
    }
    let area = Rect {
        y: footer.y - rows as u16,
        height: rows as u16,
        ..footer
    };
    let text: Vec<Line> = lines
        .into_iter()
        .take(rows)
        .enumerate()
        .map(|(i, l)| {
            let mark = if i == 0 { " ✗ " } else { "   " };
            Line::from(Span::styled(format!("{mark}{l}"), theme.style(Role::Error)))
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(text).style(theme.style(Role::Bg)), area);
}

/// How many rows a refused line's error may take above the footer.
const ERROR_ROWS: usize = 4;
