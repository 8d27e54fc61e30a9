//! `onwatch snapshot`: poll every source once, headless; print the screen or the state.

use super::{
    Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, SnapshotFormat, cockpit::ThemeCache,
    overrides,
};
use crate::app::{self, Msg, State, SystemClock};
use crate::config::Config;
use crate::poll;
use crate::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Exit 0 when every source answered, 2 when some failed (the output still shows the rest).
pub async fn run(cli: &Cli, config: &Config, format: SnapshotFormat, size: (u16, u16)) -> i32 {
    let setup = match super::setup::build_setup(config, &overrides(cli)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onwatch: {e}");
            return EXIT_CONFIG;
        }
    };
    let clock = SystemClock;
    let mut state = State::new(setup, chrono::Utc::now());
    app::update(
        &mut state,
        Msg::Resize {
            width: size.0,
            height: size.1,
        },
        &clock,
    );
    for update in poll::poll_once_all(config).await {
        if let Err(e) = &update.result {
            tracing::warn!(source = %update.source, error = %e, "snapshot: poll failed");
        }
        app::update(&mut state, Msg::Source(update), &clock);
    }
    let all_ok = state.sources.iter().all(|h| h.is_ok());
    match format {
        SnapshotFormat::Json => {
            // Masked value by value as it is written, so the output stays JSON; streamed to
            // stdout through one buffer, never held whole.
            let redactor = crate::config::secret::known();
            let stdout = std::io::stdout().lock();
            let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
            let written = app::report::write_json(&state, &redactor, &mut out)
                .map_err(std::io::Error::from)
                .and_then(|()| std::io::Write::write_all(&mut out, b"\n"))
                .and_then(|()| std::io::Write::flush(&mut out));
            if let Err(e) = written {
                eprintln!("onwatch snapshot: {e}");
                return EXIT_FAILURE;
            }
        }
        SnapshotFormat::Text => {
            let mut themes = ThemeCache::new(true);
            let theme = match themes.get(state.theme_name()) {
                Ok(t) => t.clone(),
                Err(e) => {
                    eprintln!("onwatch: {e}");
                    return EXIT_CONFIG;
                }
            };
            let mut terminal = match Terminal::new(TestBackend::new(size.0, size.1)) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("onwatch snapshot: {e}");
                    return EXIT_FAILURE;
                }
            };
            let redactor = crate::config::secret::known();
            let drawn = terminal.draw(|f| {
                ui::draw(f, &state, &theme);
                ui::mask::mask_buffer(f.buffer_mut(), &redactor);
            });
            if let Err(e) = drawn {
                eprintln!("onwatch snapshot: {e}");
                return EXIT_FAILURE;
            }
            print!("{}", buffer_text(terminal.backend().buffer()));
        }
    }
    // The process ends here: freeing every alert one by one would only delay the exit.
    std::mem::forget(state);
    if all_ok { EXIT_OK } else { EXIT_PARTIAL }
}

/// The rendered buffer as plain lines (trailing spaces trimmed).
pub fn buffer_text(buffer: &ratatui::buffer::Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            if let Some(cell) = buffer.cell((x, y)) {
                line.push_str(cell.symbol());
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
