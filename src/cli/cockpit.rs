//! The interactive cockpit: terminal events, poller snapshots and the 1 Hz tick feed `update`;
//! the screen is drawn only when the state changed, at most about 30 times a second. Signals and
//! Ctrl-Z are answered in `job`.

use super::effects::{Reach, Runner};
use super::job::{self, Asked, Signals};
use super::{Cli, EXIT_CONFIG, EXIT_FAILURE, EXIT_OK, overrides};
use crate::actions;
use crate::app::{self, Effect, Msg, State, SystemClock};
use crate::config::{self, Config};
use crate::poll::{self, PollerHandle};
use crate::ui::{self, terminal};
use crate::ui::{ColorDepth, Theme, detect, load_theme};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{Event, EventStream, KeyEventKind};
use ratatui::crossterm::{execute, terminal as ct};
use ratatui::layout::Position;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::time::{Instant, MissedTickBehavior};

const FRAME: Duration = Duration::from_millis(33);

/// Runs the cockpit until quit; `banner` is shown in the footer at start (the demo's URLs).
pub async fn run(cli: &Cli, config: Config, banner: Option<String>) -> i32 {
    let mut setup = match super::setup::build_setup(&config, &overrides(cli)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("onwatch: {e}");
            return EXIT_CONFIG;
        }
    };
    setup.banner = banner;
    let notifier = super::notify::Notifier::from_env(config.notify.clone());
    let ssh = std::env::var("SSH_CONNECTION")
        .ok()
        .filter(|v| !v.is_empty());
    let exec_config = match actions::build(&config, ssh.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("onwatch: {e}");
            return EXIT_CONFIG;
        }
    };
    let mut state = State::new(setup, chrono::Utc::now());
    let (act_tx, act_rx) = tokio::sync::mpsc::unbounded_channel();
    let executor = match actions::Executor::new(exec_config, act_tx) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("onwatch: {e}");
            return EXIT_CONFIG;
        }
    };
    // a wall or read-only cockpit sends nothing, not even what an earlier run left behind
    if !state.read_only
        && let Err(e) = executor.resume()
    {
        app::update(
            &mut state,
            Msg::Notice(format!("outbox: {e}")),
            &SystemClock,
        );
    }
    let (later_tx, later) = tokio::sync::mpsc::unbounded_channel();
    let mut acts = Runner {
        timeline: actions::timeline::path_for(Some(&config)),
        timeline_rotation: actions::timeline::Rotation {
            max_bytes: config.actions.timeline_max_size,
            keep: config.actions.timeline_keep,
        },
        notifier,
        executor,
        results: act_rx,
        runbook_dir: state.acts.setup.runbook_dir.clone(),
        opener: actions::opener::Opener::system(),
        later_tx,
        later,
    };
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
    let Ok(signals) = Signals::new() else {
        eprintln!("onwatch: cannot listen for signals");
        return EXIT_FAILURE;
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
        signals,
        &mut state,
        &mut pollers,
        &wake,
        &mut themes,
        &mut acts,
        &config,
    )
    .await;
    drop(guard);
    code
}

#[allow(clippy::too_many_arguments)] // the loop's own parts, each borrowed from `run`
async fn event_loop(
    guard: &mut terminal::TerminalGuard,
    mut signals: Signals,
    state: &mut State,
    pollers: &mut [PollerHandle],
    wake: &Arc<Notify>,
    themes: &mut ThemeCache,
    acts: &mut Runner,
    config: &config::Config,
) -> i32 {
    let clock = SystemClock;
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
    let Ok(mut screen) = Screen::new() else {
        return EXIT_FAILURE;
    };
    if screen.draw(guard, state, themes).is_err() {
        return EXIT_FAILURE;
    }
    let mut last_draw = Instant::now();
    let mut dirty = false;
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    // The SIGCONT that ends a stop of our own is answered where the stop returns.
    let mut own_stop = false;
    loop {
        let frame_due = last_draw + FRAME;
        let mut effects = Vec::new();
        let (mut stop, mut continued) = (false, false);
        tokio::select! {
            event = events.next() => match event {
                Some(Ok(Event::Key(k))) if job::is_suspend_key(&k) => stop = true,
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
                Some(Ok(Event::Paste(text))) => {
                    effects = app::update(state, Msg::Pasted(text), &clock);
                    dirty = true;
                }
                Some(Ok(_)) => {}
                // stdin gone: the session ended; restore and leave.
                Some(Err(_)) | None => return EXIT_OK,
            },
            _ = wake.notified() => {
                for p in pollers.iter_mut() {
                    if let Some(update) = p.take_changed() {
                        effects.extend(app::update(state, Msg::Source(update), &clock));
                        dirty = true;
                    }
                }
            }
            Some(result) = acts.results.recv() => {
                effects = app::update(state, Msg::ActionResult(result), &clock);
                dirty = true;
            }
            Some(msg) = acts.later.recv() => {
                effects = app::update(state, msg, &clock);
                dirty = true;
            }
            _ = tick.tick() => {
                effects = app::update(state, Msg::Tick, &clock);
                dirty = true;
            }
            _ = tokio::time::sleep_until(frame_due), if dirty => {}
            asked = signals.recv() => match asked {
                // SSH dropped, or told to leave: restore (writes may fail after a hangup;
                // ignored) and exit like a shell does. Undelivered actions stay in the outbox.
                Asked::Exit(code) => {
                    terminal::restore();
                    return code;
                }
                Asked::Stop => stop = true,
                Asked::Continued => continued = !std::mem::take(&mut own_stop),
            },
        }
        if stop {
            if job::suspend() {
                own_stop = true;
                continued = true;
            } else {
                let text = "not suspended: no job-control shell would resume onwatch (quit: q)";
                effects.extend(app::update(state, Msg::Notice(text.into()), &clock));
                dirty = true;
            }
        }
        if continued {
            let Ok(msgs) = job::resume(guard, &mut events).await else {
                return EXIT_FAILURE;
            };
            for msg in msgs {
                effects.extend(app::update(state, msg, &clock));
            }
            screen.forget();
            dirty = true;
        }
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            if effect == Effect::Quit {
                return EXIT_OK;
            }
            let mut reach = Reach {
                terminal: guard.terminal.backend_mut(),
                pollers,
                wake,
                config,
                read_only: state.read_only,
                now: state.now,
            };
            for msg in acts.perform(effect, &mut reach) {
                queue.extend(app::update(state, msg, &clock));
                dirty = true;
            }
        }
        if dirty && Instant::now() >= last_draw + FRAME {
            let Ok((written, theme_error)) = screen.draw(guard, state, themes) else {
                return EXIT_FAILURE;
            };
            // The link is written over what the frame drew, so only after a written frame.
            if written {
                write_link(guard, state);
            }
            last_draw = Instant::now();
            dirty = false;
            // Told once: the notice redraws the footer, which must not ask again.
            if let Some(e) = theme_error.filter(|e| state.status.as_ref() != Some(e)) {
                app::update(state, Msg::Notice(e), &clock);
                dirty = true;
            }
        }
    }
}

/// Over SSH, a remote runbook's URL and the logs pane's trace URL are made hyperlinks (OSC 8)
/// where the frame drew them.
fn write_link(guard: &mut terminal::TerminalGuard, state: &State) {
    let Ok(size) = guard.terminal.size() else {
        return;
    };
    let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    let trace = if state.acts.setup.over_ssh {
        ui::logs_pane::trace_anchor(area, state)
    } else {
        None
    };
    for (x, y, text) in ui::dialog::link_anchor(area, state)
        .into_iter()
        .chain(trace)
    {
        let _ = actions::osc::write_osc8_at(guard.terminal.backend_mut(), x, y, &text, &text);
    }
}

/// Renders offscreen first and writes to the terminal only when a cell or the cursor changed:
/// a tick or a poll that changes nothing visible costs no bytes on a slow link.
struct Screen {
    offscreen: Terminal<TestBackend>,
    shown: Option<(Buffer, Option<Position>)>,
}

impl Screen {
    fn new() -> std::io::Result<Self> {
        let offscreen = Terminal::new(TestBackend::new(1, 1)).map_err(std::io::Error::other)?;
        Ok(Self {
            offscreen,
            shown: None,
        })
    }

    /// The terminal no longer shows the last frame (it was handed to the shell): the next draw
    /// is written even if nothing changed.
    fn forget(&mut self) {
        self.shown = None;
    }

    /// Draws `state`; a theme that cannot be loaded falls back to the default and its error
    /// is handed back for the footer (`Msg::Notice`).
    fn draw(
        &mut self,
        guard: &mut terminal::TerminalGuard,
        state: &State,
        themes: &mut ThemeCache,
    ) -> std::io::Result<(bool, Option<String>)> {
        let (theme, theme_error) = match themes.get(state.theme_name()) {
            Ok(t) => (t.clone(), None),
            Err(e) => (themes.get("default").cloned().unwrap_or_default(), Some(e)),
        };
        let size = guard.terminal.size()?;
        if self.offscreen.size().map_err(std::io::Error::other)? != size {
            self.offscreen.backend_mut().resize(size.width, size.height);
            self.offscreen
                .resize(size.into())
                .map_err(std::io::Error::other)?;
        }
        let redactor = config::secret::known();
        let draw = |frame: &mut ratatui::Frame| {
            ui::draw(frame, state, &theme);
            ui::mask::mask_buffer(frame.buffer_mut(), &redactor);
        };
        let drawn = self.offscreen.draw(draw).map_err(std::io::Error::other)?;
        let buffer = drawn.buffer.clone();
        // The input line shows a cursor; where it stands is part of what the user sees.
        let cursor = self.offscreen.backend_mut().get_cursor_position().ok();
        let frame = (buffer, cursor);
        if self.shown.as_ref() == Some(&frame) {
            return Ok((false, theme_error));
        }
        execute!(guard.terminal.backend_mut(), ct::BeginSynchronizedUpdate)?;
        let result = guard.terminal.draw(draw).map(|_| ());
        execute!(guard.terminal.backend_mut(), ct::EndSynchronizedUpdate)?;
        self.shown = Some(frame);
        result.map(|()| (true, theme_error))
    }
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
