//! The header line: clocks, user, mode, and one health dot per source.

use super::text::{age, safe, truncate};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::domain::health::{SourceHealth, SourceKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// How much the header says, from the most to the least; the first that fits is drawn.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    Full,
    NoReasons,
    NoLocalOffset,
    NoLocal,
    Bare,
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let max = area.width as usize;
    let levels = [
        Detail::Full,
        Detail::NoReasons,
        Detail::NoLocalOffset,
        Detail::NoLocal,
        Detail::Bare,
    ];
    let mut chosen = line(state, theme, Detail::Bare);
    for d in levels {
        let l = line(state, theme, d);
        if l.width() <= max {
            chosen = l;
            break;
        }
    }
    frame.render_widget(
        Paragraph::new(chosen).style(theme.style(Role::Header)),
        area,
    );
}

fn line(state: &State, theme: &Theme, detail: Detail) -> Line<'static> {
    let header = theme.style(Role::Header);
    let muted = theme.style(Role::Muted);
    let mut spans = vec![Span::styled(
        // Minutes, not seconds: over a slow link an idle screen should cost (almost) nothing.
        format!(" {} UTC", state.now.format("%H:%M")),
        header,
    )];
    if detail < Detail::NoLocal {
        let local = state.now.with_timezone(&state.local_offset);
        let text = if detail < Detail::NoLocalOffset {
            local.format("  %H:%M %:z").to_string()
        } else {
            local.format("  %H:%M").to_string()
        };
        spans.push(Span::styled(text, muted));
    }
    spans.push(Span::styled(format!("  {}", safe(&state.user)), header));
    let mode = if state.wall {
        Some("WALL")
    } else if state.read_only {
        Some("READ-ONLY")
    } else {
        None
    };
    if let Some(m) = mode {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!(" {m} "),
            theme.style(Role::Title).add_modifier(Modifier::REVERSED),
        ));
    }
    // Said at every width: a page that sorted out of sight must still be seen, and reached.
    let new = state.new_pages();
    if new > 0 {
        let key = state.keymap.keys_label(crate::app::Action::NewestPage);
        let pages = if new == 1 { "page" } else { "pages" };
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!(" {new} new {pages}: {key} "),
            theme.style(Role::Error).add_modifier(Modifier::REVERSED),
        ));
    }
    spans.push(Span::raw(" "));
    for h in &state.sources {
        spans.push(Span::raw(" "));
        spans.extend(dot(state, h, theme, detail));
    }
    Line::from(spans)
}

pub fn kind_short(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Prometheus => "prom",
        SourceKind::Alertmanager => "am",
        SourceKind::Loki => "loki",
        SourceKind::Elasticsearch => "es",
        SourceKind::Command => "cmd",
        SourceKind::File => "file",
    }
}

/// `● prom:prod 12s`, `◐ am:prod 3s` (a replica failed), `✗ loki:prod 3m unreachable: ...`,
/// `○ prom:prod` (never answered yet). The glyph differs by state, so colour is never the only cue.
fn dot(state: &State, h: &SourceHealth, theme: &Theme, detail: Detail) -> Vec<Span<'static>> {
    let name = format!("{}:{}", kind_short(h.id.kind), safe(&h.id.name));
    // At the barest the ages go (each pane title still shows its own).
    let age_label = h
        .age_seconds(state.now)
        .map(age)
        .filter(|_| detail != Detail::Bare);
    let muted = theme.style(Role::Muted);
    let mut spans = Vec::new();
    match &h.last_error {
        Some(e) => {
            spans.push(Span::styled("✗ ", theme.style(Role::Error)));
            spans.push(Span::styled(name, theme.style(Role::Error)));
            if let Some(a) = age_label {
                spans.push(Span::styled(format!(" {a}"), muted));
            }
            if detail == Detail::Full {
                let reason = truncate(&safe(&e.to_string()), 48);
                spans.push(Span::styled(format!(" {reason}"), theme.style(Role::Error)));
            }
        }
        None => {
            let (glyph, role) = match (h.last_ok, !h.is_degraded()) {
                (None, _) => ("○", Role::Muted),
                (Some(_), false) => ("◐", Role::Degraded),
                (Some(_), true) => ("●", Role::Ok),
            };
            spans.push(Span::styled(format!("{glyph} "), theme.style(role)));
            spans.push(Span::styled(name, theme.style(Role::Header)));
            if let Some(a) = age_label {
                spans.push(Span::styled(format!(" {a}"), muted));
            }
        }
    }
    spans
}
