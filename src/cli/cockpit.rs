//! The interactive cockpit: terminal events, poller snapshots and the 1 Hz tick feed `update`;
//! the screen is drawn only when the state changed, at most about 30 times a second.

use super::{Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, overrides};
use crate::app::{self, Effect, Msg, State, SystemClock};
use crate::config::{self, Config};
use crate::poll::{self, PollerHandle};
use crate::ui::{self, terminal};
use crate::ui::{ColorDepth, Theme, detect, load_theme};
use futures::StreamExt;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use ratatui::crossterm::{execute, terminal as ct};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::Notify;
use tokio::time::{Instant, MissedTickBehavior};

const FRAME: Duration = Duration::from_millis(33);

/// Runs the cockpit until quit; `banner` is shown in the footer at start (the demo's URLs).
pub async fn run(cli: &Cli, config: Config, banner: Option<String>) -> i32 {
    let setup = match config::build_setup(&config, &overrides(cli)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onwatch: {e}");
            return EXIT_CONFIG;
        }
    };
    let mut state = State::new(setup, chrono::Utc::now()).with_log_pane(config::log_pane(&config));
    state.status = banner;
    let mut themes = ThemeCache::new(cli.no_color);
    if let Err(e) = themes.get(state.theme_name()) {
        eprintln!("onwatch: {e}");
        return EXIT_CONFIG;
    }
    let wake = Arc::new(Notify::new());
    let mut pollers = match poll::spawn_all(&config, wake.clone()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("onwatch: {e}");
            return EXIT_CONFIG;
        }
    };
    let mut guard = match terminal::enter(config.ui.mouse) {
        Ok(g) => g,
        Err(e) => {
            terminal::restore();
            eprintln!("onwatch: cannot set up the terminal: {e}");
            return EXIT_FAILURE;
        }
    };
    let code = event_loop(
        &mut guard,
        &mut state,
        &mut pollers,
        &wake,
        &mut themes,
        &config,
    )
    .await;
    drop(guard);
    code
}

async fn event_loop(
    guard: &mut terminal::TerminalGuard,
    state: &mut State,
    pollers: &mut [PollerHandle],
    wake: &Arc<Notify>,
    themes: &mut ThemeCache,
    config: &config::Config,
) -> i32 {
    let clock = SystemClock;
    let (Ok(mut hangup), Ok(mut term)) = (
        signal(SignalKind::hangup()),
        signal(SignalKind::terminate()),
    ) else {
        return EXIT_FAILURE;
    };
    if let Ok(size) = guard.terminal.size() {
        app::update(
            state,
            Msg::Resize {
                width: size.width,
                height: size.height,
            },
            &clock,
        );
    }
    // The first frame, before any backend has answered.
    if draw(guard, state, themes).is_err() {
        return EXIT_FAILURE;
    }
    let mut last_draw = Instant::now();
    let mut dirty = false;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    loop {
        let frame_due = last_draw + FRAME;
        let mut effects = Vec::new();
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => {
                    if let Some(key) = ui::input::from_crossterm(k) {
                        effects = app::update(state, Msg::Key(key), &clock);
                        dirty = true;
                    }
                }
                Some(Ok(Event::Resize(width, height))) => {
                    // Bursts coalesce: only the last size is drawn, at the next frame.
                    app::update(state, Msg::Resize { width, height }, &clock);
                    dirty = true;
                }
                Some(Ok(_)) => {}
                // stdin gone: the session ended; restore and leave.
                Some(Err(_)) | None => return EXIT_OK,
            },
            _ = wake.notified() => {
                for p in pollers.iter_mut() {
                    if let Some(update) = p.take_changed() {
                        app::update(state, Msg::Source(update), &clock);
                        dirty = true;
                    }
                }
            }
            _ = tick.tick() => {
                app::update(state, Msg::Tick, &clock);
                dirty = true;
            }
            _ = tokio::time::sleep_until(frame_due), if dirty => {}
            _ = hangup.recv() => {
                // SSH dropped: restore (writes may fail; ignored) and exit like a shell does.
                terminal::restore();
                return 129;
            }
            _ = term.recv() => return 143,
        }
        for effect in effects {
            match effect {
                Effect::Quit => return EXIT_OK,
                Effect::Refresh(ids) => {
                    for p in pollers
                        .iter()
                        .filter(|p| ids.is_empty() || ids.contains(&p.id))
                    {
                        p.refresh_now();
                    }
                }
                Effect::OpenAlertLogs { queries, since } => {
                    let fresh = poll::log_build::retarget(config, wake.clone(), &queries, since);
                    for h in fresh {
                        if let Some(slot) = pollers.iter_mut().find(|p| p.id == h.id) {
                            *slot = h;
                        }
                    }
                }
            }
        }
        if dirty && Instant::now() >= last_draw + FRAME {
            if draw(guard, state, themes).is_err() {
                return EXIT_FAILURE;
            }
            last_draw = Instant::now();
            dirty = false;
        }
    }
}

fn draw(
    guard: &mut terminal::TerminalGuard,
    state: &mut State,
    themes: &mut ThemeCache,
) -> std::io::Result<()> {
    let theme = match themes.get(state.theme_name()) {
        Ok(t) => t.clone(),
        Err(e) => {
            state.status = Some(e);
            themes.get("default").cloned().unwrap_or_default()
        }
    };
    execute!(guard.terminal.backend_mut(), ct::BeginSynchronizedUpdate)?;
    let result = guard
        .terminal
        .draw(|frame| ui::draw(frame, state, &theme))
        .map(|_| ());
    execute!(guard.terminal.backend_mut(), ct::EndSynchronizedUpdate)?;
    result
}

/// Themes are loaded once each, downgraded to what the terminal can show.
pub struct ThemeCache {
    depth: ColorDepth,
    user_dir: Option<PathBuf>,
    loaded: HashMap<String, Theme>,
}

impl ThemeCache {
    pub fn new(no_color: bool) -> Self {
        let var = |k: &str| std::env::var(k).ok();
        let no_color = no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            depth: detect(
                var("COLORTERM").as_deref(),
                var("TERM").as_deref(),
                no_color,
            ),
            user_dir: config::user_themes_dir(),
            loaded: HashMap::new(),
        }
    }

    pub fn get(&mut self, name: &str) -> Result<&Theme, String> {
        if !self.loaded.contains_key(name) {
            let theme = load_theme(name, self.user_dir.as_deref()).map_err(|e| e.to_string())?;
            self.loaded
                .insert(name.to_string(), theme.downgraded(self.depth));
        }
        self.loaded
            .get(name)
            .ok_or_else(|| format!("theme {name} not loaded"))
    }
}
