//! `onwatch snapshot`: poll every source once, headless; print the screen or the state.

use super::{
    Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, EXIT_PARTIAL, SnapshotFormat, cockpit::ThemeCache,
};
use crate::app::{self, Msg, SystemClock};
use crate::config::Config;
use crate::poll;
use crate::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Exit 0 when every source answered, 2 when some failed (the output still shows the rest).
pub async fn run(
    cli: &Cli,
    config: &Config,
    format: SnapshotFormat,
    size: (u16, u16),
    settle: std::time::Duration,
) -> i32 {
    let mut state = match super::headless_state(cli, config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let clock = SystemClock;
    if matches!(format, SnapshotFormat::Json) {
        app::report::show_every_alert(&mut state);
    }
    app::update(
        &mut state,
        Msg::Resize {
            width: size.0,
            height: size.1,
        },
        &clock,
    );
    // A tailed Loki is read by its tail (which replays the lookback first), not also by a
    // query: its lines would come twice.
    let mut polled_once = config.clone();
    polled_once
        .loki
        .retain(|l| l.mode != crate::config::LokiMode::Tail);
    let (polled, streamed) =
        tokio::join!(poll::poll_once_all(&polled_once), settled(config, settle));
    for update in polled.into_iter().chain(streamed) {
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

/// Starts the streaming log sources and gives them until `settle` to publish a line or a
/// failure; returns what each published last. A source still without a line is named on
/// stderr; it counts as answered only if it started (a quiet log is not a failure).
async fn settled(config: &Config, settle: std::time::Duration) -> Vec<app::msg::SourceUpdate> {
    let wake = std::sync::Arc::new(tokio::sync::Notify::new());
    let streams = match poll::log_build::spawn_log_streams(config, wake.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onwatch snapshot: {e}");
            return Vec::new();
        }
    };
    let answered = |h: &poll::PollerHandle| {
        h.latest().is_some_and(|u| match &u.result {
            Ok(app::Payload::Logs(w)) => !w.lines.is_empty(),
            _ => true,
        })
    };
    let deadline = tokio::time::Instant::now() + settle;
    while !streams.iter().all(answered) {
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep_until(deadline) => break,
        }
    }
    for h in streams.iter().filter(|h| !answered(h)) {
        eprintln!(
            "onwatch snapshot: {} {} gave no line within {}",
            h.id.kind.as_str(),
            h.id.name,
            crate::domain::duration::label(settle)
        );
    }
    streams
        .iter()
        .filter_map(poll::PollerHandle::latest)
        .collect()
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
