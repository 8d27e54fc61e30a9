//! The war-room wall: read from across a room. An environment banner, big counts of what fires,
//! one tile per SLO, the top alert groups (or the log tail, when rotation is on), and a notice
//! row for the status and the `:` line.

use super::alerts_pane::{self, severity_role};
use super::footer;
use super::header::kind_short;
use super::logs_pane;
use super::slo_pane::status_role;
use super::text::{self, safe, truncate};
use super::theme::{Role, Theme};
use crate::app::State;
use crate::domain::alerts::{AlertReading, Severity};
use crate::domain::slo::SloStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use std::time::Duration;
use tui_big_text::{BigText, PixelSize};

/// What the big numbers count.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub critical: usize,
    pub warning: usize,
    pub acked: usize,
    pub flapping: usize,
}

pub fn counts(state: &State) -> Counts {
    let mut c = Counts::default();
    for a in state.groups.iter().flat_map(|g| &g.alerts) {
        if crate::app::view::is_repeat_of_original(state, a) {
            continue;
        }
        if a.flapping {
            // Held quiet: counted apart, never as firing.
            c.flapping += 1;
            continue;
        }
        match (&a.reading, a.severity) {
            (AlertReading::Firing, Severity::Critical) => c.critical += 1,
            (AlertReading::Firing, Severity::Warning) => c.warning += 1,
            (AlertReading::Acked { .. }, _) => c.acked += 1,
            _ => {}
        }
    }
    c
}

/// Which half the lower area shows: alert groups on even periods, logs on odd ones.
pub fn shows_logs(state: &State) -> bool {
    match state.wall_options.rotate {
        Some(every) if every > Duration::ZERO => {
            let secs = every.as_secs().max(1) as i64;
            state.now.timestamp().div_euclid(secs) % 2 == 1
        }
        _ => false,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    let banner_color = state
        .wall_options
        .color
        .as_deref()
        .and_then(|c| c.parse::<Color>().ok());
    let frame_style = match banner_color {
        Some(c) => Style::new().fg(c).add_modifier(Modifier::BOLD),
        None => theme.style(Role::BorderFocus),
    };
    let outer = Block::new().borders(Borders::ALL).border_style(frame_style);
    let inner = outer.inner(area);
    frame.render_widget(outer, area);
    let big = inner.height >= 40 && inner.width >= 120;
    let count_rows = if big { 9 } else { 5 };
    let slo_rows = slo_tile_rows(state, inner.width) * 4;
    let [banner, counts_area, slos, lower, notice] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(count_rows),
        Constraint::Length(slo_rows.min(inner.height.saturating_sub(count_rows + 7))),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(inner);
    draw_banner(frame, banner, state, theme, banner_color);
    draw_counts(frame, counts_area, state, theme, big);
    draw_slo_tiles(frame, slos, state, theme);
    if shows_logs(state) {
        logs_pane::draw(frame, lower, state, theme);
    } else {
        alerts_pane::draw(frame, lower, state, theme);
    }
    // Without it a refused key and the `:` line being typed would go unseen.
    footer::draw_notice(frame, notice, state, theme);
    footer::draw_input_error(frame, notice, state, theme);
}

fn draw_banner(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, color: Option<Color>) {
    let style = match color {
        Some(c) => Style::new()
            .bg(c)
            .fg(Color::White)
            .add_modifier(Modifier::BOLD),
        None => theme
            .style(Role::Title)
            .add_modifier(Modifier::REVERSED | Modifier::BOLD),
    };
    let local = state.now.with_timezone(&state.local_offset);
    let env = state
        .wall_options
        .environment
        .as_deref()
        .map(safe)
        .unwrap_or_default();
    let mut spans = vec![Span::styled(format!(" {env} "), style)];
    spans.push(Span::styled(
        format!(
            "  {} UTC   {} local ",
            state.now.format("%H:%M"),
            local.format("%H:%M")
        ),
        theme.style(Role::Header).add_modifier(Modifier::BOLD),
    ));
    spans.push(Span::styled(" WALL · READ-ONLY ", theme.style(Role::Muted)));
    for h in &state.sources {
        let (mark, role) = if h.last_error.is_some() {
            ("✗", Role::Error)
        } else if h.is_degraded() {
            ("◐", Role::Degraded)
        } else if h.last_ok.is_some() {
            ("●", Role::Ok)
        } else {
            ("○", Role::Muted)
        };
        let name = format!("{}:{}", kind_short(h.id.kind), safe(&h.id.name));
        spans.push(Span::styled(format!(" {mark} {name}"), theme.style(role)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_counts(frame: &mut Frame, area: Rect, state: &State, theme: &Theme, big: bool) {
    let c = counts(state);
    let tiles = [
        ("CRIT firing", c.critical, severity_role(Severity::Critical)),
        ("WARN firing", c.warning, severity_role(Severity::Warning)),
        ("acked", c.acked, Role::Ok),
        ("flapping", c.flapping, Role::Degraded),
    ];
    let columns = Layout::horizontal([Constraint::Ratio(1, 4); 4]).split(area);
    for ((label, n, role), col) in tiles.into_iter().zip(columns.iter()) {
        // A zero is drawn muted: the room looks for the numbers that are not zero.
        let style = if n == 0 {
            theme.style(Role::Muted)
        } else {
            theme.style(role)
        };
        let [digits, caption] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(*col);
        let big_text = BigText::builder()
            .pixel_size(if big {
                PixelSize::Full
            } else {
                PixelSize::Quadrant
            })
            .style(style)
            .lines(vec![Line::from(n.to_string())])
            .centered()
            .build();
        frame.render_widget(big_text, digits);
        frame.render_widget(
            Paragraph::new(Line::from(format!("{n} {label}")).centered()).style(style),
            caption,
        );
    }
}

const TILE_WIDTH: u16 = 30;

fn slo_tile_rows(state: &State, width: u16) -> u16 {
    let per_row = (width / TILE_WIDTH).max(1) as usize;
    state.slos.len().div_ceil(per_row) as u16
}

fn draw_slo_tiles(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    if area.height < 4 {
        return;
    }
    let per_row = (area.width / TILE_WIDTH).max(1);
    let width = area.width / per_row;
    let ambiguous = crate::app::view::ambiguous_slo_names(state);
    for (n, i) in state.slo_order().into_iter().enumerate() {
        let (row, col) = (n as u16 / per_row, n as u16 % per_row);
        if (row + 1) * 4 > area.height {
            break;
        }
        let tile = Rect {
            x: area.x + col * width,
            y: area.y + row * 4,
            width,
            height: 4,
        };
        let slo = &state.slos[i];
        let eval = slo.eval.as_ref();
        let status = eval.map_or(SloStatus::NoData, |e| e.status);
        let role = status_role(status);
        let block = Block::new()
            .borders(Borders::ALL)
            .border_style(theme.style(role))
            .title(Span::styled(
                truncate(
                    &format!(" {} ", safe(&crate::app::view::slo_label(slo, &ambiguous))),
                    width.saturating_sub(4) as usize,
                ),
                theme.style(Role::Title),
            ));
        let budget = eval.and_then(|e| e.budget_remaining);
        let burn_1h = eval.and_then(|e| {
            e.burn_rates
                .get(&Duration::from_secs(3600))
                .copied()
                .flatten()
        });
        let lines = vec![
            Line::from(vec![
                Span::styled(
                    format!("{:<8}", status.label()),
                    theme.style(role).add_modifier(Modifier::BOLD),
                ),
                Span::raw(match budget {
                    Some(b) => format!("budget {}", text::budget(b)),
                    None => "no data".to_string(),
                }),
            ]),
            Line::from(match burn_1h {
                Some(b) => format!("1h burn {}x", text::burn(b)),
                None => "1h burn –".to_string(),
            }),
        ];
        let inner = block.inner(tile);
        frame.render_widget(block, tile);
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
