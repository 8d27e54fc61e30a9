//! The interactive cockpit: terminal events, poller snapshots and the 1 Hz tick feed `update`;
//! the screen is drawn only when the state changed, at most about 30 times a second.

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
use tokio::signal::unix::{SignalKind, signal};
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
    let mut acts = Acts {
        timeline: actions::timeline::path_for(Some(&config)),
        notifier,
        executor,
        results: act_rx,
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
        &mut acts,
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
    acts: &mut Acts,
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
                        effects.extend(app::update(state, Msg::Source(update), &clock));
                        dirty = true;
                    }
                }
            }
            Some(result) = acts.results.recv() => {
                effects = app::update(state, Msg::ActionResult(result), &clock);
                dirty = true;
            }
            _ = tick.tick() => {
                effects = app::update(state, Msg::Tick, &clock);
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
        let mut queue: std::collections::VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            match effect {
                Effect::Quit => return EXIT_OK,
                Effect::Act(req) => {
                    if state.read_only {
                        continue;
                    }
                    if let Err(e) = acts.executor.submit((*req).clone()) {
                        let result = crate::domain::act::ActionResult {
                            request: *req,
                            outcome: crate::domain::act::Outcome::Failed(format!(
                                "not queued: {e}"
                            )),
                        };
                        queue.extend(app::update(state, Msg::ActionResult(result), &clock));
                    }
                    dirty = true;
                }
                Effect::OpenUrl(url) => open_url(&url),
                Effect::ReadRunbook(path) => {
                    let title = path.display().to_string();
                    let result =
                        actions::runbook::read(&path, state.acts.setup.runbook_dir.as_deref());
                    queue.extend(app::update(
                        state,
                        Msg::RunbookText { title, result },
                        &clock,
                    ));
                    dirty = true;
                }
                Effect::Copy(text) => {
                    let _ = actions::osc::write_osc52(guard.terminal.backend_mut(), &text);
                }
                Effect::LoadAudit => {
                    let lines = actions::audit::AuditLog::tail(acts.executor.audit_path(), 2000);
                    queue.extend(app::update(state, Msg::AuditLines(lines), &clock));
                    dirty = true;
                }
                Effect::Refresh(ids) => {
                    for p in pollers
                        .iter()
                        .filter(|p| ids.is_empty() || ids.contains(&p.id))
                    {
                        p.refresh_now();
                    }
                }
                Effect::Record(entry) => {
                    // Losing a timeline line must not stop the cockpit; say so once.
                    if let Err(e) = actions::timeline::append(&acts.timeline, &[entry]) {
                        let notice =
                            format!("timeline: cannot write {}: {e}", acts.timeline.display());
                        queue.extend(app::update(state, Msg::Notice(notice), &clock));
                    }
                }
                Effect::LoadTimeline => {
                    let since = state.now - chrono::Duration::hours(24);
                    let result = actions::timeline::read(&acts.timeline)
                        .map(|(entries, _)| {
                            crate::domain::timeline::export_markdown(&entries, since, state.now)
                        })
                        .map_err(|e| format!("cannot read {}: {e}", acts.timeline.display()));
                    let title = "incident timeline, last 24 h".to_string();
                    queue.extend(app::update(
                        state,
                        Msg::RunbookText { title, result },
                        &clock,
                    ));
                    dirty = true;
                }
                Effect::Notify { title, body } => {
                    acts.notifier
                        .notify(&title, &body, guard.terminal.backend_mut());
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
            match screen.draw(guard, state, themes) {
                // The link is written over what the frame drew, so only after a written frame.
                Ok(true) => write_link(guard, state),
                Ok(false) => {}
                Err(_) => return EXIT_FAILURE,
            }
            last_draw = Instant::now();
            dirty = false;
        }
    }
}

/// What performs effects outside the screen: the executor and the channel its results come
/// back on, the timeline file, the notifier.
struct Acts {
    /// The incident timeline file (`Effect::Record`, `:timeline`).
    timeline: PathBuf,
    /// Desktop, bell and OSC notifications (`Effect::Notify`).
    notifier: super::notify::Notifier,
    executor: actions::Executor,
    results: tokio::sync::mpsc::UnboundedReceiver<crate::domain::act::ActionResult>,
}

/// The system opener with the URL as its one argument (no shell); reaped in the background.
fn open_url(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    match tokio::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        Ok(mut child) => {
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
        }
        Err(e) => tracing::warn!("cannot run {opener}: {e}"),
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

    fn draw(
        &mut self,
        guard: &mut terminal::TerminalGuard,
        state: &mut State,
        themes: &mut ThemeCache,
    ) -> std::io::Result<bool> {
        let theme = match themes.get(state.theme_name()) {
            Ok(t) => t.clone(),
            Err(e) => {
                state.status = Some(e);
                themes.get("default").cloned().unwrap_or_default()
            }
        };
        let size = guard.terminal.size()?;
        if self.offscreen.size().map_err(std::io::Error::other)? != size {
            self.offscreen.backend_mut().resize(size.width, size.height);
            self.offscreen
                .resize(size.into())
                .map_err(std::io::Error::other)?;
        }
        let drawn = self
            .offscreen
            .draw(|frame| ui::draw(frame, state, &theme))
            .map_err(std::io::Error::other)?;
        let buffer = drawn.buffer.clone();
        // The input line shows a cursor; where it stands is part of what the user sees.
        let cursor = self.offscreen.backend_mut().get_cursor_position().ok();
        let frame = (buffer, cursor);
        if self.shown.as_ref() == Some(&frame) {
            return Ok(false);
        }
        execute!(guard.terminal.backend_mut(), ct::BeginSynchronizedUpdate)?;
        let result = guard
            .terminal
            .draw(|frame| ui::draw(frame, state, &theme))
            .map(|_| ());
        execute!(guard.terminal.backend_mut(), ct::EndSynchronizedUpdate)?;
        self.shown = Some(frame);
        result.map(|()| true)
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
