//! The frame of a pane: border (highlighted when focused), title with its focus key, and the
//! freshness of the sources behind it (age, or the error when the last poll failed).

use super::text::{self, age, safe};
use super::theme::{Role, Theme};
use crate::app::state::Pane;
use crate::app::{Action, State};
use crate::domain::health::{SourceHealth, SourceKind};
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

pub fn kind_of(pane: Pane) -> SourceKind {
    match pane {
        Pane::Slo => SourceKind::Prometheus,
        Pane::Alerts => SourceKind::Alertmanager,
        Pane::Logs => SourceKind::Loki,
    }
}

fn focus_action(pane: Pane) -> Action {
    match pane {
        Pane::Slo => Action::FocusSlo,
        Pane::Alerts => Action::FocusAlerts,
        Pane::Logs => Action::FocusLogs,
    }
}

pub fn sources_of(state: &State, kind: SourceKind) -> impl Iterator<Item = &SourceHealth> {
    state.sources.iter().filter(move |h| h.id.kind == kind)
}

/// True when the last poll of this source failed: its data on screen is the last good one.
pub fn is_stale(state: &State, kind: SourceKind, name: &str) -> bool {
    sources_of(state, kind).any(|h| h.id.name == name && h.last_error.is_some())
}

/// Every log source (Loki, Elasticsearch, command, file): they share the logs pane.
pub fn log_sources(state: &State) -> impl Iterator<Item = &SourceHealth> {
    state.sources.iter().filter(|h| h.id.kind.is_log())
}

/// `name: error` of each source whose last poll failed, for a pane with nothing else to show.
pub fn failures(sources: &[&SourceHealth]) -> Vec<String> {
    sources
        .iter()
        .filter_map(|h| {
            h.last_error
                .as_ref()
                .map(|e| format!("{}: {}", safe(&h.id.name), safe(&e.to_string())))
        })
        .collect()
}

/// A short freshness label for one source: `prod 12s`, `✗ prod: timed out after 5s (3m)`.
pub fn freshness(state: &State, h: &SourceHealth, theme: &Theme) -> Vec<Span<'static>> {
    let name = safe(&h.id.name).into_owned();
    let age_label = h.age_seconds(state.now).map(age);
    match (&h.last_error, age_label) {
        (Some(e), age) => {
            let mut s = format!("✗ {name}: {}", safe(&e.to_string()));
            if let Some(a) = age {
                s.push_str(&format!(" (data {a} old)"));
            }
            vec![Span::styled(s, theme.style(Role::Error))]
        }
        (None, Some(a)) if h.is_degraded() => vec![Span::styled(
            format!(
                "◐ {name} {a} degraded: {}",
                safe(&h.notes(state.now).join("; "))
            ),
            theme.style(Role::Degraded),
        )],
        (None, Some(a)) => vec![Span::styled(
            format!("{name} {a}"),
            theme.style(Role::Muted),
        )],
        (None, None) => vec![Span::styled(
            format!("{name} waiting"),
            theme.style(Role::Muted),
        )],
    }
}

pub fn block(
    state: &State,
    pane: Pane,
    extra: Vec<Span<'static>>,
    width: u16,
    theme: &Theme,
) -> Block<'static> {
    let focused = state.focus == pane && state.overlay.is_none();
    let border = if focused {
        theme.style(Role::BorderFocus)
    } else {
        theme.style(Role::Border)
    };
    let key = state.keymap.keys_label(focus_action(pane));
    let mut title = vec![Span::styled(
        format!(" {} ", pane.title()),
        theme.style(Role::Title),
    )];
    if !key.is_empty() {
        title.push(Span::styled(format!("[{key}] "), theme.style(Role::Muted)));
    }
    title.extend(extra);
    let mut right: Vec<Span<'static>> = Vec::new();
    let kind = kind_of(pane);
    for h in state
        .sources
        .iter()
        .filter(|h| h.id.kind == kind || (pane == Pane::Logs && h.id.kind.is_log()))
    {
        right.push(Span::raw(" "));
        right.extend(freshness(state, h, theme));
    }
    if !right.is_empty() {
        right.push(Span::raw(" "));
    }
    // Titles would overwrite each other when too long: the right one (freshness, errors) gets
    // what the left one leaves, cut with an ellipsis.
    let left_w: usize = title.iter().map(|s| text::width(&s.content)).sum();
    let room = (width as usize).saturating_sub(2 + left_w + 1);
    let right = fit_spans(right, room);
    Block::bordered()
        .border_style(border)
        .title(Line::from(title))
        .title(Line::from(right).right_aligned())
}

/// The spans cut to at most `max` columns, the last one ending with `…` when something was cut.
pub fn fit_spans(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| text::width(&s.content)).sum();
    if total <= max {
        return spans;
    }
    let mut out = Vec::new();
    let mut left = max;
    for s in spans {
        let w = text::width(&s.content);
        if w < left {
            left -= w;
            out.push(s);
        } else {
            if left > 0 {
                out.push(Span::styled(text::truncate(&s.content, left), s.style));
            }
            break;
        }
    }
    out
}
