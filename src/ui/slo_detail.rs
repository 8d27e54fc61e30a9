//! The detail view of one SLO: every window, why its status is what it is, the 1h burn over
//! the last day, the exact queries sent, the last error and the backend's graph link.

use super::text::{self, age_since, safe};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::app::state::SloRow;
use crate::domain::duration;
use crate::domain::health::SourceKind;
use crate::domain::slo::{self, SloStatus, Urgency};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;
use std::time::Duration;

const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// `values` as block characters scaled to their maximum (at least 1, so a calm SLO looks
/// calm), the last `width` of them.
pub fn sparkline(values: &[f64], width: usize) -> String {
    let tail = &values[values.len().saturating_sub(width)..];
    let max = tail
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(1.0f64, f64::max);
    tail.iter()
        .map(|v| {
            let level = if v.is_finite() {
                ((v.max(0.0) / max) * 7.0).round() as usize
            } else {
                0
            };
            SPARK[level.min(7)]
        })
        .collect()
}

/// Time to exhaustion as `1.5d`, `7h`, `45m`.
pub fn tte(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 86_400.0 * 99.0 {
        ">99d".into()
    } else if s >= 86_400.0 {
        format!("{:.1}d", s / 86_400.0)
    } else if s >= 3_600.0 {
        format!("{:.0}h", s / 3_600.0)
    } else {
        format!("{:.0}m", (s / 60.0).max(1.0))
    }
}

fn status_role(status: SloStatus) -> Role {
    match status {
        SloStatus::Page => Role::StatusPage,
        SloStatus::Ticket => Role::StatusTicket,
        SloStatus::Ok => Role::StatusOk,
        SloStatus::NoData => Role::StatusNoData,
    }
}

/// The text of the detail view (also what tests read).
pub fn lines(state: &State, row: &SloRow, theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let muted = theme.style(Role::Muted);
    let fg = theme.style(Role::Fg);
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<12} "), muted),
            Span::styled(v, fg),
        ])
    };
    let eval = row.eval.as_ref();
    let status = eval.map(|e| e.status).unwrap_or(SloStatus::NoData);
    let mut out = vec![
        Line::from(vec![
            Span::styled(format!("{:<12} ", "status"), muted),
            Span::styled(status.label(), theme.style(status_role(status))),
        ]),
        field(
            "objective",
            format!(
                "{} over {} ({}, source {})",
                text::objective(row.def.objective),
                duration::label(row.def.period),
                row.origin.label(),
                safe(&row.def.source)
            ),
        ),
    ];
    let fired = eval
        .map(|e| slo::fired_rules(e, row.rules_or(&state.burn_rules)))
        .unwrap_or_default();
    if fired.is_empty() {
        out.push(field("rule", "no burn-rate rule fires".into()));
    }
    // One line per rule that fires, so none is lost to wrapping.
    for (n, r) in fired.iter().enumerate() {
        let text = format!(
            "{} {} and {} > {}×",
            match r.urgency {
                Urgency::Page => "page:",
                Urgency::Ticket => "ticket:",
            },
            duration::label(r.long),
            duration::label(r.short),
            r.factor
        );
        out.push(field(if n == 0 { "rules fired" } else { "" }, text));
    }
    out.push(field(
        "budget left",
        eval.and_then(|e| e.budget_remaining)
            .map(text::budget)
            .unwrap_or_else(|| "no data".into()),
    ));
    out.push(field(
        "exhausted in",
        eval.and_then(|e| e.time_to_exhaustion)
            .map(|d| format!("{} at the current 1h burn", tte(d)))
            .unwrap_or_else(|| "– (not burning, or no data)".into()),
    ));
    out.push(Line::from(Span::styled(
        format!("{:<12} {:>12} {:>8}", "window", "error ratio", "burn"),
        muted,
    )));
    if let Some(m) = &row.measurement {
        let mut windows: Vec<(String, Option<f64>)> = m
            .error_ratios
            .iter()
            .map(|(w, r)| (duration::label(*w), *r))
            .collect();
        windows.push((
            format!("{} (period)", duration::label(row.def.period)),
            m.period_ratio,
        ));
        for (label, ratio) in windows {
            let (r, b) = match ratio {
                Some(r) => (
                    format!("{:.4}%", r * 100.0),
                    text::burn(slo::burn_rate(r, row.def.objective)),
                ),
                None => ("no data".into(), "–".into()),
            };
            out.push(field(&label, format!("{r:>12} {b:>8}")));
        }
    } else {
        out.push(Line::from(Span::styled("(not measured yet)", muted)));
    }
    if !row.burn_history.is_empty() {
        let max = row.burn_history.iter().copied().fold(0.0f64, f64::max);
        out.push(field(
            "1h burn, 24h",
            format!(
                "{} max {}",
                sparkline(&row.burn_history, width.saturating_sub(24).min(48)),
                text::burn(max)
            ),
        ));
    }
    let source_error = state
        .sources
        .iter()
        .find(|h| h.id.kind == SourceKind::Prometheus && h.id.name == row.def.source)
        .and_then(|h| h.last_error.as_ref())
        .map(|e| e.to_string());
    out.push(field(
        "last error",
        row.error
            .clone()
            .or(source_error)
            .map(|e| safe(&e).into_owned())
            .unwrap_or_else(|| "none".into()),
    ));
    out.push(field(
        "measured",
        row.eval_at
            .map(|t| format!("{} ago", age_since(state.now, t).trim()))
            .unwrap_or_else(|| "never".into()),
    ));
    if let Some(url) = &row.graph_url {
        out.push(field("graph", safe(url).into_owned()));
    }
    out.push(Line::from(Span::styled("queries sent", muted)));
    for q in &row.queries {
        out.push(Line::from(Span::styled(format!("  {}", safe(q)), fg)));
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, source: &str, name: &str, theme: &Theme) {
    let Some(row) = state
        .slos
        .iter()
        .find(|r| r.def.source == source && r.def.name == name)
    else {
        return;
    };
    // The whole body, header and footer kept (as the alert detail).
    let rect = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(2),
        ..area
    };
    let block = Block::bordered()
        .border_style(theme.style(Role::BorderFocus))
        .title(Line::from(Span::styled(
            format!(
                " SLO {} ",
                safe(&crate::app::view::slo_label(
                    row,
                    &crate::app::view::ambiguous_slo_names(state)
                ))
            ),
            theme.style(Role::Title),
        )))
        .style(theme.style(Role::Fg).patch(theme.style(Role::Bg)));
    let inner = block.inner(rect);
    let body = lines(state, row, theme, inner.width as usize);
    super::overlay::draw_scrolled(frame, rect, block, body, state, theme);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_scales_to_the_max_and_keeps_the_tail() {
        assert_eq!(sparkline(&[0.0, 0.5, 1.0], 10), "▁▅█");
        assert_eq!(sparkline(&[0.0, 10.0, 20.0], 2), "▅█");
        // Under 1 everywhere: a calm line, not a full-height one.
        assert_eq!(sparkline(&[0.1, 0.1], 5), "▂▂");
    }

    #[test]
    fn tte_units() {
        assert_eq!(tte(Duration::from_secs(36 * 3600)), "1.5d");
        assert_eq!(tte(Duration::from_secs(7 * 3600)), "7h");
        assert_eq!(tte(Duration::from_secs(10)), "1m");
    }
}
