//! Screen capture: the whole UI drawn into a `TestBackend`.

use onwatch::app::State;
use onwatch::ui::{self, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

/// The terminal after one draw, for tests that read cells, styles or the backend's text.
pub fn render(state: &State, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::draw(f, state, theme)).unwrap();
    terminal
}

/// Each row's symbols, one string a row.
pub fn rows(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// The screen in the default theme as text, rows joined by newlines.
pub fn screen(state: &State, w: u16, h: u16) -> String {
    rows(render(state, &Theme::default(), w, h).backend().buffer()).join("\n")
}
