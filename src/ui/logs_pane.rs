//! The logs pane: newest at the bottom, following or paused, filtered with matches highlighted.

use super::pane::{self, log_sources};
use super::text::safe;
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::state::Pane;
use crate::domain::logs::{Level, LogLine};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// What the pane says with no line to show: what to configure, whom it waits for, what failed,
/// or that the sources answered with nothing.
fn empty_message(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let sources: Vec<_> = log_sources(state).collect();
    let failed = pane::failures(&sources);
    let answered = sources.iter().any(|h| h.last_ok.is_some());
    let (text, role) = if !state.log_filter.is_empty() && !state.logs.is_empty() {
        let text = format!(" no line matches '{}'", safe(&state.log_filter));
        (text, Role::Muted)
    } else if !state.logs.is_empty() {
        // lines came, but the view or the level toggles hide every one
        (" no line shown in this view".to_string(), Role::Muted)
    } else if sources.is_empty() {
        return vec![
            Line::from(Span::styled(" no log sources", theme.style(Role::Muted))),
            Line::from(Span::styled(
                " add [[loki]], [[elasticsearch]], [[command]] or [[file]] to the config",
                theme.style(Role::Muted),
            )),
        ];
    } else if !answered && !failed.is_empty() {
        (
            format!(" no answer yet: {}", failed.join("; ")),
            Role::Error,
        )
    } else if !answered {
        (" waiting for first poll".to_string(), Role::Muted)
    } else {
        (
            " no log lines: the sources answered, nothing logged".to_string(),
            Role::Muted,
        )
    };
    vec![Line::from(Span::styled(text, theme.style(role)))]
}

pub fn level_role(l: Level) -> Role {
    match l {
        Level::Error | Level::Fatal => Role::LogError,
        Level::Warn => Role::LogWarn,
        Level::Info => Role::LogInfo,
        Level::Debug | Level::Trace => Role::LogDebug,
        Level::Unknown => Role::Fg,
    }
}

/// The lines to show, oldest first: those above the scroll position that pass the view and
/// the filter, at most `height` of them.
pub fn visible(state: &State, height: usize) -> Vec<&LogLine> {
    let len = state.logs.len();
    let end = len - state.log_scroll.min(len);
    let mut out: Vec<&LogLine> = state
        .logs
        .iter()
        .take(end)
        .rev()
        .filter(|l| state.log.shows(l))
        .take(height)
        .collect();
    out.reverse();
    out
}

/// Label values, joined: `api/pod-7f9c` (keys are left out to save room; the `stderr` mark
/// of a command's error output is one of them).
pub fn compact_labels(l: &LogLine) -> String {
    let mut out = String::new();
    for (_, v) in l.labels.iter() {
        if !out.is_empty() {
            out.push('/');
        }
        let v: String = v.chars().take(24).collect();
        out.push_str(&v);
    }
    out
}

/// What the trace line starts with, before the URL.
const TRACE_LABEL: &str = " trace: ";

/// Where the logs pane drew the trace URL on a screen of `area`, for the OSC 8 hyperlink
/// written over it: `None` when it is not on screen as it is (another layout, something drawn
/// over the pane, or the URL cut at the pane's edge), or the opener's rules refuse it.
pub fn trace_anchor(area: Rect, state: &State) -> Option<(u16, u16, String)> {
    if state.wall
        || state.overlay.is_some()
        || state.acts.view.is_some()
        || state.acts.dialog.is_some()
    {
        return None;
    }
    let areas = super::layout::areas(area, super::slo_pane::line_count(state))?;
    let inner = ratatui::widgets::Block::bordered().inner(areas.logs);
    let url = crate::app::trace::current(state)?.url;
    let fits = TRACE_LABEL.len() + super::text::width(&url) <= inner.width as usize;
    let allowed = crate::domain::links::check_web(&url, "trace URL").is_ok();
    (!inner.is_empty() && fits && allowed && safe(&url) == url).then(|| {
        (
            inner.x + TRACE_LABEL.len() as u16,
            inner.y + inner.height - 1,
            url,
        )
    })
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
    if state.log.view > 0 {
        extra.push(Span::styled(
            format!("view: {} ", safe(&state.log.current_view().name)),
            theme.style(Role::Paused),
        ));
    }
    if state.log.wrap {
        extra.push(Span::styled("wrap ", theme.style(Role::Muted)));
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
        frame.render_widget(
            Paragraph::new(empty_message(state, theme)).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    let several = log_sources(state).count() > 1;
    let width = inner.width.max(1) as usize;
    let mut lines = if state.log.wrap {
        // Enough lines from the bottom to fill the height once wrapped.
        let all = visible(state, inner.height as usize);
        let mut rows = 0;
        let mut keep = 0;
        for l in all.iter().rev() {
            rows += super::text::width(&l.line).div_ceil(width).max(1);
            keep += 1;
            if rows >= inner.height as usize {
                break;
            }
        }
        all[all.len() - keep..].to_vec()
    } else {
        lines
    };
    let link = crate::app::trace::current(state).map(|t| t.url);
    let mut height = inner.height;
    if link.is_some() && height > 1 {
        height -= 1;
        if lines.len() > height as usize && !state.log.wrap {
            lines.remove(0);
        }
    }
    let mut rendered: Vec<Line> = lines
        .into_iter()
        .map(|l| line(state, l, several, theme))
        .collect();
    if state.log.wrap {
        // Wrapped at the cell, so the newest rows are exactly the bottom ones.
        rendered = rendered
            .into_iter()
            .flat_map(|l| hard_wrap(l, width))
            .collect();
        let extra = rendered.len().saturating_sub(height as usize);
        rendered.drain(..extra);
    }
    let area = Rect { height, ..inner };
    frame.render_widget(Paragraph::new(rendered), area);
    if let Some(url) = link {
        let row = Rect {
            y: inner.y + inner.height - 1,
            height: 1,
            ..inner
        };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(TRACE_LABEL, theme.style(Role::Muted)),
                Span::styled(safe(&url).into_owned(), theme.style(Role::Match)),
            ])),
            row,
        );
    }
}

fn line(state: &State, l: &LogLine, show_source: bool, theme: &Theme) -> Line<'static> {
    let stale = log_sources(state).any(|h| h.id.name == l.source && h.last_error.is_some());
    let base = if stale {
        theme.style(Role::Fg).patch(theme.style(Role::Stale))
    } else {
        theme.style(Role::Fg)
    };
    let mut spans = Vec::new();
    if state.log.timestamps {
        spans.push(Span::styled(
            format!("{} ", l.timestamp.format("%H:%M:%S")),
            theme.style(Role::Muted),
        ));
    }
    spans.push(Span::styled(
        l.level.label().to_string(),
        theme.style(level_role(l.level)),
    ));
    spans.push(Span::raw(" "));
    if show_source {
        spans.push(Span::styled(
            format!("{} ", safe(&l.source)),
            theme.style(Role::Muted),
        ));
    }
    if state.log.labels && !l.labels.is_empty() {
        spans.push(Span::styled(
            format!("{} ", safe(&compact_labels(l))),
            theme.style(Role::Muted),
        ));
    }
    let text = safe(&l.line).into_owned();
    let matches = state.log.matcher.ranges(&text);
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

/// Cuts a line into rows of at most `width` cells, styles kept.
pub fn hard_wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    use unicode_width::UnicodeWidthChar;
    let width = width.max(1);
    let mut rows = vec![Vec::new()];
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !piece.is_empty()
                    && let Some(r) = rows.last_mut()
                {
                    r.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                rows.push(Vec::new());
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty()
            && let Some(r) = rows.last_mut()
        {
            r.push(Span::styled(piece, span.style));
        }
    }
    rows.into_iter().map(Line::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Style};

    #[test]
    fn hard_wrap_cuts_at_the_cell_and_keeps_styles() {
        let red = Style::new().fg(Color::Red);
        let line = Line::from(vec![Span::raw("abc"), Span::styled("défgh", red)]);
        let rows = hard_wrap(line, 4);
        let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        assert_eq!(text, ["abcd", "éfgh"]);
        assert_eq!(rows[0].spans[1].style, red);
        assert_eq!(rows[1].spans[0].style, red);
        // Wide characters never straddle a row.
        let rows = hard_wrap(Line::from("a漢字"), 2);
        let text: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
        assert_eq!(text, ["a", "漢", "字"]);
    }
}
