//! The terminal guard: enables raw mode and the alternate screen (and mouse capture only when
//! configured), and restores exactly what it enabled — once — on quit, error, panic, SIGTERM,
//! SIGHUP, SIGINT and SIGQUIT, and before a stop (Ctrl-Z, SIGTSTP); `resume` enables it all
//! again. No terminal query is sent, at start or on resume (nothing can hang waiting for a reply).

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::{event, execute, terminal};
use ratatui::layout::Rect;
use std::io::{self, Stdout, Write};
use std::sync::Mutex;

/// What this process turned on, so that restore undoes exactly that.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Enabled {
    raw: bool,
    alternate_screen: bool,
    mouse: bool,
    bracketed_paste: bool,
}

static ENABLED: Mutex<Option<Enabled>> = Mutex::new(None);

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Restores the terminal on drop (normal exit and `?` errors).
pub struct TerminalGuard {
    pub terminal: Term,
    mouse: bool,
}

impl TerminalGuard {
    /// After a stop: the terminal mode again, the screen cleared and ratatui's previous buffer
    /// reset, so the next draw writes every cell instead of a diff against a screen that the
    /// shell has since written over. What was still enabled (a stop this process did not see
    /// coming: SIGSTOP) is restored first, since the shell may have changed the modes under it.
    pub fn resume(&mut self) -> io::Result<()> {
        restore();
        enable(self.mouse)?;
        let size = self.terminal.size()?;
        // `resize` clears without asking the terminal where its cursor is, unlike `clear`.
        self.terminal
            .resize(Rect::new(0, 0, size.width, size.height))
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Enters the cockpit's terminal mode and installs the panic hook that restores it first.
pub fn enter(mouse: bool) -> io::Result<TerminalGuard> {
    install_panic_hook();
    enable(mouse)?;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    Ok(TerminalGuard { terminal, mouse })
}

fn enable(mouse: bool) -> io::Result<()> {
    let mut enabled = Enabled::default();
    let mut out = io::stdout();
    // Record each step as it succeeds so a failure half-way still restores what was done.
    terminal::enable_raw_mode()?;
    enabled.raw = true;
    record(enabled);
    execute!(out, terminal::EnterAlternateScreen)?;
    enabled.alternate_screen = true;
    record(enabled);
    execute!(out, event::EnableBracketedPaste)?;
    enabled.bracketed_paste = true;
    record(enabled);
    if mouse {
        execute!(out, event::EnableMouseCapture)?;
        enabled.mouse = true;
        record(enabled);
    }
    Ok(())
}

fn record(enabled: Enabled) {
    if let Ok(mut slot) = ENABLED.lock() {
        *slot = Some(enabled);
    }
}

/// Undoes what `enter` enabled. Idempotent: the second call does nothing. Errors are ignored
/// because this runs on paths (SIGHUP, panic) where the terminal may already be gone.
pub fn restore() {
    let taken = match ENABLED.lock() {
        Ok(mut slot) => slot.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    };
    let Some(enabled) = taken else { return };
    let mut out = io::stdout();
    if enabled.mouse {
        let _ = execute!(out, event::DisableMouseCapture);
    }
    if enabled.bracketed_paste {
        let _ = execute!(out, event::DisableBracketedPaste);
    }
    if enabled.alternate_screen {
        let _ = execute!(
            out,
            terminal::LeaveAlternateScreen,
            ratatui::crossterm::cursor::Show
        );
    }
    if enabled.raw {
        let _ = terminal::disable_raw_mode();
    }
    let _ = out.flush();
}

fn install_panic_hook() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The terminal first, so the message lands on a sane screen.
            restore();
            previous(info);
        }));
    });
}
