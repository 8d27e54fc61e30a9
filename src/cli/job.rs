//! Job control and signals, as terminal programs do them. Ctrl-Z (a key in raw mode) and SIGTSTP
//! hand the terminal back to the shell and stop the process; when it is continued the cockpit
//! takes the terminal again, repaints every cell, and hands what was typed meanwhile to the
//! reducer as one paste, which cannot act. SIGHUP, SIGTERM, SIGINT and SIGQUIT end it with the
//! terminal restored and undelivered actions left in the outbox for the next run.

use crate::app::Msg;
use crate::ui::terminal::{self, TerminalGuard};
use futures::StreamExt;
use nix::sys::signal::Signal as Sig;
use nix::unistd::{Pid, getpgid, getpgrp, getppid, getsid};
use ratatui::crossterm::event::{
    Event, EventStream, KeyCode, KeyEvent, KeyEventKind, KeyModifiers,
};
use std::io;
use std::time::Duration;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::time::Instant;

/// What a signal asks of the cockpit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// Leave with this exit status: 128 + the signal's number, as a shell reports it.
    Exit(i32),
    Stop,
    Continued,
}

/// The signals the cockpit answers, listened to from before the terminal is set up, so that
/// none of them can leave it in raw mode.
pub struct Signals {
    hangup: Signal,
    terminate: Signal,
    interrupt: Signal,
    quit: Signal,
    stop: Signal,
    cont: Signal,
}

impl Signals {
    pub fn new() -> io::Result<Self> {
        let raw = |s: Sig| signal(SignalKind::from_raw(s as i32));
        Ok(Self {
            hangup: raw(Sig::SIGHUP)?,
            terminate: raw(Sig::SIGTERM)?,
            interrupt: raw(Sig::SIGINT)?,
            quit: raw(Sig::SIGQUIT)?,
            stop: raw(Sig::SIGTSTP)?,
            cont: raw(Sig::SIGCONT)?,
        })
    }

    pub async fn recv(&mut self) -> Asked {
        let exit = |s: Sig| Asked::Exit(128 + s as i32);
        tokio::select! {
            _ = self.hangup.recv() => exit(Sig::SIGHUP),
            _ = self.terminate.recv() => exit(Sig::SIGTERM),
            _ = self.interrupt.recv() => exit(Sig::SIGINT),
            _ = self.quit.recv() => exit(Sig::SIGQUIT),
            _ = self.stop.recv() => Asked::Stop,
            _ = self.cont.recv() => Asked::Continued,
        }
    }
}

/// Ctrl-Z, which raw mode delivers as a key instead of the terminal's SIGTSTP.
pub fn is_suspend_key(k: &KeyEvent) -> bool {
    k.kind != KeyEventKind::Release
        && k.code == KeyCode::Char('z')
        && k.modifiers == KeyModifiers::CONTROL
}

/// Restores the terminal and stops until continued; false (and nothing done) when no shell
/// would continue it.
///
/// The stop is SIGSTOP, not SIGTSTP re-raised with its default disposition: tokio keeps its
/// handler for SIGTSTP installed once listened to, and putting SIG_DFL back needs unsafe code,
/// which this crate forbids. SIGSTOP stops the same way, but the kernel does not discard it for
/// an orphaned process group as it discards SIGTSTP, hence `resumable`.
pub fn suspend() -> bool {
    if !resumable() {
        return false;
    }
    terminal::restore();
    // `raise` signals this thread, so the stop takes effect before it returns: what follows
    // runs once continued.
    nix::sys::signal::raise(Sig::SIGSTOP).is_ok()
}

/// Whether a job-control shell could continue a stopped cockpit: its process group is not
/// orphaned, i.e. some member (this process, or an ancestor in the same group) has a parent in
/// another group of the same session. Otherwise a stop would last until someone sent SIGCONT
/// by hand (under `ssh host onwatch`, say), which is why the kernel ignores a terminal stop there.
fn resumable() -> bool {
    let (group, session) = (getpgrp(), getsid(None).ok());
    let mut parent = getppid();
    // A group's chain of ancestors is short; the bound only guards against a misread /proc.
    for _ in 0..32 {
        let Ok(parent_group) = getpgid(Some(parent)) else {
            return false;
        };
        if parent_group != group {
            return session.is_some() && getsid(Some(parent)).ok() == session;
        }
        match parent_of(parent) {
            Some(p) => parent = p,
            None => return false,
        }
    }
    false
}

/// A process's parent, from `/proc/PID/stat` (Linux); None where that cannot be read.
fn parent_of(pid: Pid) -> Option<Pid> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after the last.
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
    Some(Pid::from_raw(ppid))
}

/// A quiet gap this long ends what was already queued: type-ahead sits in the terminal's input
/// buffer and arrives at once.
const QUIET: Duration = Duration::from_millis(50);
/// Input that keeps coming is not type-ahead; the cockpit does not wait longer for it.
const MOST: Duration = Duration::from_millis(500);

/// After a stop: the terminal taken again (every cell to be written anew), and what was typed
/// meanwhile as one `Msg::Pasted`, after the terminal's size, which may have changed.
pub async fn resume(guard: &mut TerminalGuard, events: &mut EventStream) -> io::Result<Vec<Msg>> {
    guard.resume()?;
    let mut text = String::new();
    let end = Instant::now() + MOST;
    loop {
        let wait = QUIET.min(end.saturating_duration_since(Instant::now()));
        match tokio::time::timeout(wait, events.next()).await {
            Ok(Some(Ok(Event::Key(k)))) if k.kind != KeyEventKind::Release => {
                text.extend(key_text(&k));
            }
            Ok(Some(Ok(Event::Paste(p)))) => text.push_str(&p),
            Ok(Some(Ok(_))) => {}
            // A closed input stream is seen again by the event loop, which ends on it.
            Ok(Some(Err(_)) | None) | Err(_) => break,
        }
    }
    let size = guard.terminal.size()?;
    let mut msgs = vec![Msg::Resize {
        width: size.width,
        height: size.height,
    }];
    if !text.is_empty() {
        msgs.push(Msg::Pasted(text));
    }
    Ok(msgs)
}

/// The text a key typed, as a paste would carry it; keys that type nothing (arrows, F-keys)
/// carry nothing. A control key becomes its control character, which the reducer blanks.
fn key_text(k: &KeyEvent) -> Option<char> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    match k.code {
        KeyCode::Char(c) if ctrl && c.is_ascii_alphabetic() => {
            Some(char::from(c.to_ascii_uppercase() as u8 & 0x1f))
        }
        KeyCode::Char(c) => Some(c),
        KeyCode::Enter => Some('\n'),
        KeyCode::Tab | KeyCode::BackTab => Some('\t'),
        KeyCode::Backspace => Some('\u{7f}'),
        KeyCode::Esc => Some('\u{1b}'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_keys_become_the_text_they_typed() {
        let key = |code, modifiers| key_text(&KeyEvent::new(code, modifiers));
        assert_eq!(key(KeyCode::Char('a'), KeyModifiers::NONE), Some('a'));
        assert_eq!(key(KeyCode::Char('A'), KeyModifiers::SHIFT), Some('A'));
        assert_eq!(key(KeyCode::Enter, KeyModifiers::NONE), Some('\n'));
        assert_eq!(
            key(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Some('\u{3}')
        );
        assert_eq!(key(KeyCode::Up, KeyModifiers::NONE), None);
    }

    #[test]
    fn only_ctrl_z_suspends() {
        let key = |code, modifiers| is_suspend_key(&KeyEvent::new(code, modifiers));
        assert!(key(KeyCode::Char('z'), KeyModifiers::CONTROL));
        assert!(!key(KeyCode::Char('z'), KeyModifiers::NONE));
        assert!(!key(
            KeyCode::Char('z'),
            KeyModifiers::CONTROL | KeyModifiers::ALT
        ));
    }

    #[test]
    fn the_parent_is_read_from_proc() {
        let me = Pid::this();
        assert_eq!(parent_of(me), Some(getppid()));
    }
}
