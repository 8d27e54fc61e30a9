//! Drawing: a pure function of State and Theme; themes; the terminal guard.
//!
//! `draw` reads the state and writes a frame; it never changes the state and holds no logic of
//! its own beyond presentation (what fits, which style).

mod alerts_pane;
pub mod color;
pub mod dialog;
mod footer;
mod header;
pub mod input;
pub mod layout;
mod line_writer;
mod log_style;
pub mod logs_pane;
pub mod mask;
mod overlay;
mod pane;
mod silences_view;
mod slo_detail;
mod slo_pane;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod wall;

pub use color::{ColorDepth, detect};
pub use layout::{MIN_HEIGHT, MIN_WIDTH};
pub use theme::{BUILTIN_THEMES, Role, Theme, ThemeError, load_theme};

use crate::app::State;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Paragraph, Wrap};

/// Draws the whole screen for this state.
/// The SLO pane alone in `area` (benchmarks measure it apart from the rest of the screen).
pub fn draw_slo_pane(frame: &mut Frame, area: ratatui::layout::Rect, state: &State, theme: &Theme) {
    slo_pane::draw(frame, area, state, theme);
}

pub fn draw(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    if area.is_empty() {
        return;
    }
    frame.render_widget(Block::new().style(theme.style(Role::Bg)), area);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, theme);
        return;
    }
    if state.wall {
        wall::draw(frame, area, state, theme);
        overlay::draw(frame, area, state, theme);
        return;
    }
    let Some(areas) = layout::areas(area, slo_pane::line_count(state)) else {
        too_small(frame, area, theme);
        return;
    };
    header::draw(frame, areas.header, state, theme);
    slo_pane::draw(frame, areas.slo, state, theme);
    alerts_pane::draw(frame, areas.alerts, state, theme);
    logs_pane::draw(frame, areas.logs, state, theme);
    footer::draw(frame, areas.footer, state, theme);
    footer::draw_input_error(frame, areas.footer, state, theme);
    overlay::draw(frame, area, state, theme);
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let msg = format!(
        "terminal too small: need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}",
        area.width, area.height
    );
    let top = area.height.saturating_sub(2) / 2;
    let inner = Rect {
        y: area.y + top,
        height: area.height - top,
        ..area
    };
    frame.render_widget(
        Paragraph::new(Line::from(msg).centered())
            .style(theme.style(Role::Error))
            .wrap(Wrap { trim: true }),
        inner,
    );
}
