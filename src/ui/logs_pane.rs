//! The logs pane: newest at the bottom, following or paused, filtered with matches highlighted.

use super::pane::{self, log_sources};
use super::text::{find_all_ci, safe};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::state::Pane;
use crate::domain::logs::{Level, LogLine};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn level_role(l: Level) -> Role {
    match l {
        Level::Error | Level::Fatal => Role::LogError,
        Level::Warn => Role::LogWarn,
        Level::Info => Role::LogInfo,
        Level::Debug | Level::Trace => Role::LogDebug,
        Level::Unknown => Role::Fg,
    }
}

/// The lines to show, oldest first: those above the scroll position that pass the filter,
/// at most `height` of them.
pub fn visible(state: &State, height: usize) -> Vec<&LogLine> {
    let len = state.logs.len();
    let end = len - state.log_scroll.min(len);
    let filter = state.log_filter.as_str();
    let mut out: Vec<&LogLine> = state
        .logs
        .iter()
        .take(end)
        .rev()
        .filter(|l| filter.is_empty() || !find_all_ci(&l.line, filter).is_empty())
        .take(height)
        .collect();
    out.reverse();
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let mut extra = Vec::new();
    let paused = !state.follow || state.log_scroll > 0;
    if paused {
        let len = state.logs.len();
        let at = len - state.log_scroll.min(len);
        extra.push(Span::styled(
            format!(" PAUSED ↑{} ({at}/{len}) ", state.log_scroll),
            theme.style(Role::Paused),
        ));
        extra.push(Span::raw(" "));
    } else {
        extra.push(Span::styled("following ", theme.style(Role::Muted)));
    }
    if !state.log_filter.is_empty() {
        extra.push(Span::styled(
            format!("filter: {} ", safe(&state.log_filter)),
            theme.style(Role::Paused),
        ));
    }
    if state.logs.dropped() > 0 {
        extra.push(Span::styled(
            format!("{} dropped ", state.logs.dropped()),
            theme.style(Role::Degraded),
        ));
    }
    let block = pane::block(state, Pane::Logs, extra, area.width, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let lines = visible(state, inner.height as usize);
    if lines.is_empty() {
        let msg = if !state.log_filter.is_empty() && !state.logs.is_empty() {
            format!(" no line matches '{}'", safe(&state.log_filter))
        } else if log_sources(state).all(|h| h.last_ok.is_none()) {
            " waiting for first poll".to_string()
        } else {
            " no log lines yet".to_string()
        };
        frame.render_widget(
            Paragraph::new(Span::styled(msg, theme.style(Role::Muted))),
            inner,
        );
        return;
    }
    let several = log_sources(state).count() > 1;
    let rendered: Vec<Line> = lines
        .into_iter()
        .map(|l| line(state, l, several, theme))
        .collect();
    frame.render_widget(Paragraph::new(rendered), inner);
}

fn line(state: &State, l: &LogLine, show_source: bool, theme: &Theme) -> Line<'static> {
    let stale = log_sources(state).any(|h| h.id.name == l.source && h.last_error.is_some());
    let base = if stale {
        theme.style(Role::Fg).patch(theme.style(Role::Stale))
    } else {
        theme.style(Role::Fg)
    };
    let mut spans = vec![
        Span::styled(
            format!("{} ", l.timestamp.format("%H:%M:%S")),
            theme.style(Role::Muted),
        ),
        Span::styled(
            l.level.label().to_string(),
            theme.style(level_role(l.level)),
        ),
        Span::raw(" "),
    ];
    if show_source {
        spans.push(Span::styled(
            format!("{} ", safe(&l.source)),
            theme.style(Role::Muted),
        ));
    }
    let text = safe(&l.line).into_owned();
    let matches = find_all_ci(&text, &state.log_filter);
    spans.extend(super::log_style::spans(
        &text,
        &l.styles,
        &matches,
        base,
        theme.style(Role::Match),
        theme.depth(),
    ));
    Line::from(spans)
}
