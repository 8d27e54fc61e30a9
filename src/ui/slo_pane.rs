//! The SLO pane: one row per SLO, worst first; columns dropped on narrow screens, never the status.

use super::layout::scroll_offset;
use super::line_writer::{put_line, put_str};
use super::pane::{self, is_stale};
use super::text::{self, pad, rpad, safe};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::state::{Pane, SloRow};
use crate::domain::health::SourceKind;
use crate::domain::slo::{SloEvaluation, SloStatus};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use std::time::Duration;

const BAR: usize = 10;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Name,
    Objective,
    Bar,
    Budget,
    Burn(u64),
    Status,
    /// Time to exhaustion at the current 1h burn.
    Tte,
    /// The 1h burn over the last day.
    Spark,
}

impl Col {
    fn width(self) -> usize {
        match self {
            Col::Name => 10,
            Col::Objective => 7,
            Col::Bar => BAR,
            Col::Budget => 8,
            Col::Burn(_) => 5,
            Col::Status => 7,
            Col::Tte => 5,
            Col::Spark => 12,
        }
    }
}

const MIN: u64 = 60;
const HOUR: u64 = 3_600;
const DAY: u64 = 86_400;

/// Display order.
const ORDER: [Col; 12] = [
    Col::Name,
    Col::Objective,
    Col::Bar,
    Col::Budget,
    Col::Burn(5 * MIN),
    Col::Burn(HOUR),
    Col::Burn(6 * HOUR),
    Col::Burn(DAY),
    Col::Burn(3 * DAY),
    Col::Tte,
    Col::Status,
    Col::Spark,
];

/// What is kept first when space runs out.
const PRIORITY: [Col; 12] = [
    Col::Status,
    Col::Name,
    Col::Budget,
    Col::Burn(HOUR),
    Col::Burn(5 * MIN),
    Col::Objective,
    Col::Burn(6 * HOUR),
    Col::Burn(DAY),
    Col::Burn(3 * DAY),
    Col::Bar,
    Col::Tte,
    Col::Spark,
];

/// The columns that fit in `width`, in display order, with the name column's width. The name
/// gets its full length (up to a cap) before the less useful columns get any room.
fn columns(width: usize, longest_name: usize) -> (Vec<Col>, usize) {
    let want_name = longest_name.clamp(Col::Name.width(), 28);
    let mut used = 0;
    let mut chosen = Vec::new();
    let mut name_w = 0;
    for col in PRIORITY {
        let sep = usize::from(!chosen.is_empty());
        let room = width.saturating_sub(used + sep);
        let w = if col == Col::Name {
            // Squeezed before it is given up, but never below its minimum.
            let w = want_name.min(room);
            if w < Col::Name.width() {
                continue;
            }
            name_w = w;
            w
        } else {
            if col.width() > room {
                continue;
            }
            col.width()
        };
        used += sep + w;
        chosen.push(col);
    }
    let cols = ORDER
        .iter()
        .copied()
        .filter(|c| chosen.contains(c))
        .collect();
    (cols, name_w)
}

pub fn status_role(status: SloStatus) -> Role {
    match status {
        SloStatus::Page => Role::StatusPage,
        SloStatus::Ticket => Role::StatusTicket,
        SloStatus::Ok => Role::StatusOk,
        SloStatus::NoData => Role::StatusNoData,
    }
}

/// What the pane says with no SLO: what to configure, or that it waits for Prometheus (which
/// may discover some).
fn empty_message(state: &State, theme: &Theme) -> Span<'static> {
    let proms: Vec<_> = pane::sources_of(state, SourceKind::Prometheus).collect();
    let text = if proms.is_empty() {
        " no SLOs: add a [[prometheus]] and an [[slo]] to the config"
    } else if proms.iter().all(|h| h.last_ok.is_none()) {
        " waiting for first poll"
    } else {
        " no SLOs: add an [[slo]] to the config, or discover = true on a [[prometheus]]"
    };
    Span::styled(text, theme.style(Role::Muted))
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let shown = if state.slo_filter.is_empty() {
        state.slos.len()
    } else {
        state.slo_order().len()
    };
    let mut extra = Vec::new();
    if shown > 0 {
        let at = state.slo_cursor.min(shown - 1) + 1;
        extra.push(Span::styled(
            format!("{at}/{shown} "),
            theme.style(Role::Muted),
        ));
    }
    if !state.slo_filter.is_empty() {
        extra.push(Span::styled(
            format!("filter: {} ", text::safe(&state.slo_filter)),
            theme.style(Role::Paused),
        ));
    }
    let block = pane::block(state, Pane::Slo, extra, area.width, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    if state.slos.is_empty() {
        frame.render_widget(Paragraph::new(empty_message(state, theme)), inner);
        return;
    }
    let ambiguous = crate::app::view::ambiguous_slo_names(state);
    let longest = state
        .slos
        .iter()
        .map(|r| text::safe_width(&crate::app::view::slo_label(r, &ambiguous)))
        .max()
        .unwrap_or(0);
    let (cols, name_w) = columns((inner.width as usize).saturating_sub(2), longest);
    let buf = frame.buffer_mut();
    let (x, width) = (inner.x, inner.width);
    let mut ys = inner.y..inner.bottom();
    if let Some(y) = ys.next() {
        put_line(buf, x, y, &heading(&cols, name_w, theme), width);
    }
    let cursor = state.slo_cursor.min(state.slos.len().saturating_sub(1));
    let visible = (inner.height as usize).saturating_sub(1);
    let offset = scroll_offset(cursor, visible);
    // Only the rows that can show are sorted into place and drawn, straight into the buffer:
    // with hundreds of SLOs on a tall screen, sorting and composing them all was most of
    // the pane's render time.
    let mut cell = String::new();
    for (pos, i) in state
        .slo_order_first(offset + visible)
        .into_iter()
        .enumerate()
        .skip(offset)
    {
        let Some(y) = ys.next() else { break };
        let row = &state.slos[i];
        let selected = pos == cursor && state.focus == Pane::Slo;
        let label = crate::app::view::slo_label(row, &ambiguous);
        put_row(
            buf,
            (x, y, width),
            state,
            row,
            (&cols, name_w, &label),
            selected,
            theme,
            &mut cell,
        );
        // Why the row is stale goes on a line of its own, so it fits at any width.
        if let Some(note) = row_note(state, row) {
            let Some(y) = ys.next() else { break };
            let note = text::truncate(&note, width as usize);
            put_str(buf, x, y, &note, width, theme.style(Role::Stale));
        }
    }
}

/// Rows plus their notes: the lines the pane would like to show.
pub fn line_count(state: &State) -> usize {
    state.slos.len()
        + state
            .slos
            .iter()
            .filter(|r| row_note(state, r).is_some())
            .count()
}

/// Why a row shows old values, and how old they are, when one of its own queries failed or
/// came back empty. A whole source failing is said once, in the pane's title, not per row.
pub fn row_note(state: &State, row: &SloRow) -> Option<String> {
    let reason = row.error.as_ref()?;
    let age = match (row.eval.is_some(), row.eval_at) {
        (true, Some(at)) => format!("values {} old", text::age_since(state.now, at)),
        _ => "no data yet".to_string(),
    };
    Some(format!("   ↳ {} · {age}", safe(reason)))
}

fn heading(cols: &[Col], name_w: usize, theme: &Theme) -> Line<'static> {
    let mut s = String::from(" ");
    for (n, col) in cols.iter().enumerate() {
        if n > 0 {
            s.push(' ');
        }
        let cell = match col {
            Col::Name => pad("SLO", name_w),
            Col::Objective => rpad("target", col.width()),
            Col::Bar => pad("budget", col.width()),
            Col::Budget => rpad(
                if cols.contains(&Col::Bar) {
                    "left"
                } else {
                    "budget"
                },
                col.width(),
            ),
            Col::Burn(secs) => rpad(
                &crate::domain::duration::label(Duration::from_secs(*secs)),
                col.width(),
            ),
            Col::Status => pad("status", col.width()),
            Col::Tte => rpad("tte", col.width()),
            Col::Spark => pad("1h burn 24h", col.width()),
        };
        s.push_str(&cell);
    }
    Line::from(Span::styled(s, theme.style(Role::Muted)))
}

/// One SLO's row at `(x, y)`, at most `width` columns; `cell` is scratch space for the text.
#[allow(clippy::too_many_arguments)]
fn put_row(
    buf: &mut Buffer,
    (mut x, y, width): (u16, u16, u16),
    state: &State,
    row: &SloRow,
    (cols, name_w, label): (&[Col], usize, &str),
    selected: bool,
    theme: &Theme,
    cell: &mut String,
) {
    let stale = is_stale(state, SourceKind::Prometheus, &row.def.source) || row.error.is_some();
    let mut overlay = Style::new();
    if stale {
        overlay = overlay.patch(theme.style(Role::Stale));
    }
    if selected {
        overlay = overlay.patch(theme.style(Role::Selection));
    }
    let end = x.saturating_add(width);
    let mut put = |x: &mut u16, text: &str, style: Style| {
        *x = put_str(
            buf,
            *x,
            y,
            text,
            end.saturating_sub(*x),
            style.patch(overlay),
        );
    };
    let eval: Option<&SloEvaluation> = row.eval.as_ref();
    let status = eval.map(|e| e.status).unwrap_or(SloStatus::NoData);
    let fg = theme.style(Role::Fg);
    let muted = theme.style(Role::Muted);
    let budget = eval.and_then(|e| e.budget_remaining);
    put(&mut x, " ", Style::new());
    for (n, col) in cols.iter().enumerate() {
        if n > 0 {
            put(&mut x, " ", Style::new());
        }
        let w = col.width();
        cell.clear();
        let style = match col {
            Col::Name => {
                text::pad_into(cell, &safe(label), name_w);
                fg
            }
            Col::Objective => {
                text::rpad_into(cell, &text::objective(row.def.objective), w);
                muted
            }
            Col::Bar => match budget {
                Some(b) => {
                    let filled = ((b.clamp(0.0, 1.0) * BAR as f64).round() as usize).min(BAR);
                    cell.extend(std::iter::repeat_n('█', filled));
                    cell.extend(std::iter::repeat_n('░', BAR - filled));
                    theme.style(status_role(status))
                }
                None => {
                    text::pad_into(cell, "", w);
                    muted
                }
            },
            Col::Budget => match budget {
                Some(b) => {
                    text::rpad_into(cell, &text::budget(b), w);
                    fg
                }
                None => {
                    text::rpad_into(cell, "no data", w);
                    muted
                }
            },
            Col::Burn(secs) => {
                let v = eval
                    .and_then(|e| e.burn_rates.get(&Duration::from_secs(*secs)).copied())
                    .flatten();
                match v {
                    Some(v) => {
                        text::rpad_into(cell, &text::burn(v), w);
                        fg
                    }
                    None => {
                        text::rpad_into(cell, "–", w);
                        muted
                    }
                }
            }
            Col::Status => {
                text::pad_into(cell, status.label(), w);
                theme.style(status_role(status))
            }
            Col::Tte => match eval.and_then(|e| e.time_to_exhaustion) {
                Some(d) => {
                    text::rpad_into(cell, &super::slo_detail::tte(d), w);
                    fg
                }
                None => {
                    text::rpad_into(cell, "–", w);
                    muted
                }
            },
            Col::Spark => {
                text::pad_into(cell, &super::slo_detail::sparkline(&row.burn_history, w), w);
                theme.style(status_role(status))
            }
        };
        put(&mut x, cell, style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_is_never_dropped_and_bar_goes_first() {
        let (cols, _) = columns(30, 20);
        assert!(cols.contains(&Col::Status));
        assert!(cols.contains(&Col::Name));
        assert!(!cols.contains(&Col::Bar));
        let (cols, _) = columns(8, 20);
        assert_eq!(cols, vec![Col::Status]);
        let (cols, name_w) = columns(200, 21);
        assert_eq!(cols.len(), ORDER.len());
        assert_eq!(name_w, 21);
    }
}
