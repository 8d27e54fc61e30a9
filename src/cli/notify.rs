//! Performs `Effect::Notify`: a desktop notification through notify-rust (pure-Rust D-Bus) when a
//! session bus exists, the terminal bell, and OSC 9 / OSC 777 sequences for terminals that turn
//! them into notifications (over SSH too). Each channel is switched in `[notify]`.

use crate::config::NotifyConfig;
use std::io::Write;

pub struct Notifier {
    config: NotifyConfig,
    session_bus: bool,
}

impl Notifier {
    pub fn new(config: NotifyConfig, session_bus: bool) -> Self {
        Self {
            config,
            session_bus,
        }
    }

    /// A session bus is announced by `DBUS_SESSION_BUS_ADDRESS` (absent over plain SSH).
    pub fn from_env(config: NotifyConfig) -> Self {
        let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some_and(|v| !v.is_empty());
        Self::new(config, bus)
    }

    /// Whether the desktop channel will be used (then OSC is skipped: the same terminal would
    /// show the notification twice).
    pub fn uses_desktop(&self) -> bool {
        self.config.desktop && self.session_bus
    }

    /// Sends through every enabled channel. `out` is the terminal (bell and OSC go there).
    /// Never blocks on D-Bus: the desktop notification is sent from a spawned task.
    pub fn notify(&self, title: &str, body: &str, out: &mut impl Write) {
        if self.uses_desktop() {
            let (title, body) = (clean(title, 120), clean(body, 400));
            tokio::spawn(async move {
                let sent = notify_rust::Notification::new()
                    .appname("onwatch")
                    .summary(&title)
                    .body(&body)
                    .show_async()
                    .await;
                if let Err(e) = sent {
                    tracing::warn!("desktop notification failed: {e}");
                }
            });
        }
        let mut bytes = Vec::new();
        if self.config.bell {
            bytes.push(0x07);
        }
        if self.config.osc && !self.uses_desktop() {
            bytes.extend_from_slice(osc_sequences(title, body).as_bytes());
        }
        if !bytes.is_empty() {
            // A terminal that went away is not worth failing the cockpit for.
            let _ = out.write_all(&bytes).and_then(|()| out.flush());
        }
    }
}

/// OSC 9 (iTerm2, WezTerm, Windows Terminal, kitty) and OSC 777 (urxvt, foot, VTE), BEL ended.
pub fn osc_sequences(title: &str, body: &str) -> String {
    let title = clean(title, 120).replace(';', ",");
    let body = clean(body, 400).replace(';', ",");
    format!("\x1b]9;{title}: {body}\x07\x1b]777;notify;{title};{body}\x07")
}

/// Text safe inside an OSC string: no ESC, BEL or other C0/C1 control and no invisible format
/// character (each becomes a space),
/// at most `max` characters.
pub fn clean(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() || crate::domain::visible::shown_as_code(c) {
                ' '
            } else {
                c
            }
        })
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(desktop: bool, bell: bool, osc: bool) -> NotifyConfig {
        NotifyConfig {
            desktop,
            bell,
            osc,
            ..NotifyConfig::default()
        }
    }

    #[test]
    fn osc_text_cannot_end_the_sequence_early() {
        let s = osc_sequences("a\x1b]0;pwned\x07b", "x\u{9b}31m;y\nz");
        // Exactly the four control bytes the two sequences need.
        assert_eq!(s.matches('\x1b').count(), 2);
        assert_eq!(s.matches('\x07').count(), 2);
        assert!(!s.contains('\u{9b}'));
        assert!(!s.contains('\n'));
        assert_eq!(
            s,
            "\x1b]9;a ]0,pwned b: x 31m,y z\x07\x1b]777;notify;a ]0,pwned b;x 31m,y z\x07"
        );
    }

    #[test]
    fn channels_follow_the_config_and_the_bus() {
        let mut out = Vec::new();
        Notifier::new(cfg(true, true, true), false).notify("t", "b", &mut out);
        assert_eq!(out, b"\x07\x1b]9;t: b\x07\x1b]777;notify;t;b\x07");

        let mut out = Vec::new();
        Notifier::new(cfg(true, false, false), false).notify("t", "b", &mut out);
        assert!(out.is_empty());

        let mut out = Vec::new();
        Notifier::new(cfg(false, true, false), true).notify("t", "b", &mut out);
        assert_eq!(out, b"\x07");
        assert!(!Notifier::new(cfg(false, true, true), true).uses_desktop());
        assert!(Notifier::new(cfg(true, true, true), true).uses_desktop());
    }
}
