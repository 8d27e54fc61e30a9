//! crossterm key events -> the app's own `Key` (the app never sees the terminal library), and
//! the app's line editor back into the text-area widget that draws it.

use super::theme::{Role, Theme};
use crate::app::line_edit::LineEdit;
use crate::domain::keymap::{Key, KeyCode};
use ratatui::crossterm::event::{KeyCode as Ct, KeyEvent, KeyModifiers};
use ratatui::style::{Modifier, Style};
use ratatui_textarea::{CursorMove, TextArea};

/// The widget for one frame: the editor's text with its cursor, in the theme's colours. Built
/// fresh each frame, so it scrolls just far enough to show the cursor.
pub fn text_area(edit: &LineEdit, theme: &Theme) -> TextArea<'static> {
    let mut ta = TextArea::new(vec![edit.text().to_string()]);
    let col = u16::try_from(edit.cursor()).unwrap_or(u16::MAX);
    ta.move_cursor(CursorMove::Jump(0, col));
    ta.set_style(theme.style(Role::Fg));
    ta.set_cursor_line_style(Style::new());
    ta.set_cursor_style(theme.style(Role::Fg).add_modifier(Modifier::REVERSED));
    ta
}

pub fn from_crossterm(event: KeyEvent) -> Option<Key> {
    let code = match event.code {
        Ct::Char(c) => KeyCode::Char(c),
        Ct::Enter => KeyCode::Enter,
        Ct::Esc => KeyCode::Esc,
        Ct::Tab => KeyCode::Tab,
        Ct::BackTab => KeyCode::BackTab,
        Ct::Backspace => KeyCode::Backspace,
        Ct::Delete => KeyCode::Delete,
        Ct::Up => KeyCode::Up,
        Ct::Down => KeyCode::Down,
        Ct::Left => KeyCode::Left,
        Ct::Right => KeyCode::Right,
        Ct::Home => KeyCode::Home,
        Ct::End => KeyCode::End,
        Ct::PageUp => KeyCode::PageUp,
        Ct::PageDown => KeyCode::PageDown,
        Ct::F(n) => KeyCode::F(n),
        _ => return None,
    };
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let code = match code {
        // Ctrl-_ (readline's undo) arrives as the byte 0x1F, which crossterm reads as Ctrl-7.
        KeyCode::Char('7') if ctrl => KeyCode::Char('_'),
        // Terminals send ctrl-letters lowercase or uppercase depending on shift; normalise.
        KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
        other => other,
    };
    Some(Key {
        code,
        ctrl,
        alt: event.modifiers.contains(KeyModifiers::ALT),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_keys_and_modifiers() {
        let k = |code, m| from_crossterm(KeyEvent::new(code, m));
        assert_eq!(k(Ct::Char('j'), KeyModifiers::NONE), Some(Key::char('j')));
        assert_eq!(k(Ct::Char('G'), KeyModifiers::SHIFT), Some(Key::char('G')));
        assert_eq!(
            k(Ct::Char('C'), KeyModifiers::CONTROL | KeyModifiers::SHIFT),
            Some(Key::ctrl('c'))
        );
        assert_eq!(
            k(Ct::Enter, KeyModifiers::NONE),
            Some(Key::plain(KeyCode::Enter))
        );
        assert_eq!(k(Ct::CapsLock, KeyModifiers::NONE), None);
        assert_eq!(
            k(Ct::Char('7'), KeyModifiers::CONTROL),
            Some(Key::ctrl('_'))
        );
    }
}
