//! The one-line editor behind the filter, command and note inputs and the dialogs' comment and
//! note: the text, the cursor (in chars) and the editing keys. Pure; `ui/` draws it.
//!
//! The keys do what the emacs-style text area drawn around it always did with them (Ctrl-A/E,
//! Ctrl-B/F, Alt-B/F, Ctrl-K, Ctrl-W, Ctrl-Y, Ctrl-U undo, Ctrl-R redo, ...), so a user's habits
//! keep working; it holds one line, so a typed newline becomes the space the multi-line text
//! was joined with.

use crate::domain::keymap::{Key, KeyCode};
use unicode_width::UnicodeWidthChar;

/// How many edits undo remembers.
const HISTORY: usize = 50;
/// Tab inserts spaces up to the next multiple of this many columns.
const TAB: usize = 4;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// In chars, `0..=text.chars().count()`.
    cursor: usize,
    /// What the last kill (Ctrl-K, Ctrl-J, Ctrl-W, Alt-D) removed, for Ctrl-Y.
    yank: String,
    history: Vec<Edit>,
    /// Edits `..undone` are applied; the ones after were undone and can be redone.
    undone: usize,
}

/// One change: the text and cursor before and after it.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Edit {
    before: (String, usize),
    after: (String, usize),
}

/// Where word moves stop: a word is a run of one kind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CharKind {
    Space,
    Punct,
    Other,
}

impl CharKind {
    fn of(c: char) -> Self {
        if c.is_whitespace() {
            Self::Space
        } else if c == '_' {
            Self::Other
        } else if c.is_ascii_punctuation() {
            Self::Punct
        } else {
            Self::Other
        }
    }
}

impl LineEdit {
    pub fn new() -> Self {
        Self::default()
    }

    /// An editor holding `text` as if typed, the cursor after it (undo empties it).
    pub fn with_text(text: &str) -> Self {
        let mut edit = Self::new();
        edit.insert_str(text);
        edit
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor, in chars from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    /// The byte offset of char `col` (the end for `col` past it).
    fn offset(&self, col: usize) -> usize {
        self.text
            .char_indices()
            .nth(col)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies one key; true when the text changed.
    pub fn key(&mut self, key: Key) -> bool {
        let (ctrl, alt) = (key.ctrl, key.alt);
        match key.code {
            KeyCode::Char('m') if ctrl && !alt => self.insert_char('\n'),
            KeyCode::Char(c) if !ctrl && !alt => self.insert_char(c),
            KeyCode::Enter => self.insert_char('\n'),
            KeyCode::Tab | KeyCode::BackTab if !ctrl && !alt => self.insert_tab(),
            KeyCode::Char('h') if ctrl && !alt => self.backspace(),
            KeyCode::Backspace if !ctrl && !alt => self.backspace(),
            KeyCode::Char('d') if ctrl && !alt => self.delete(),
            KeyCode::Delete if !ctrl && !alt => self.delete(),
            KeyCode::Char('k') if ctrl && !alt => self.kill_to_end(),
            KeyCode::Char('j') if ctrl && !alt => self.kill_to_start(),
            KeyCode::Char('w') if ctrl && !alt => self.kill_word_back(),
            KeyCode::Char('h') | KeyCode::Backspace if !ctrl && alt => self.kill_word_back(),
            KeyCode::Char('d') | KeyCode::Delete if !ctrl && alt => self.kill_word_forward(),
            KeyCode::Char('u') if ctrl && !alt => self.undo(),
            KeyCode::Char('r') if ctrl && !alt => self.redo(),
            KeyCode::Char('y') if ctrl && !alt => self.paste(),
            _ => {
                self.move_key(key);
                false
            }
        }
    }

    /// The keys that only move the cursor.
    fn move_key(&mut self, key: Key) {
        let (ctrl, alt) = (key.ctrl, key.alt);
        match key.code {
            KeyCode::Char('f') if ctrl && !alt => self.right(),
            KeyCode::Right if !ctrl && !alt => self.right(),
            KeyCode::Char('b') if ctrl && !alt => self.left(),
            KeyCode::Left if !ctrl && !alt => self.left(),
            KeyCode::Char('a') if ctrl && !alt => self.home(),
            KeyCode::Home => self.home(),
            KeyCode::Left | KeyCode::Char('b') if ctrl && alt => self.home(),
            KeyCode::Char('e') if ctrl && !alt => self.end(),
            KeyCode::End => self.end(),
            KeyCode::Right | KeyCode::Char('f') if ctrl && alt => self.end(),
            KeyCode::Char('f') if !ctrl && alt => self.word_right(),
            KeyCode::Right if ctrl && !alt => self.word_right(),
            KeyCode::Char('b') if !ctrl && alt => self.word_left(),
            KeyCode::Left if ctrl && !alt => self.word_left(),
            // Paging moved the text area's cursor into a page it had never drawn (zero rows
            // and columns): to the start of the line.
            KeyCode::PageDown | KeyCode::PageUp => self.home(),
            KeyCode::Char('v') if ctrl != alt => self.home(),
            // Up, Down and the rest: one line has nowhere else to go.
            _ => {}
        }
    }

    /// Replaces the text and cursor, remembering the change for undo.
    fn change(&mut self, text: String, cursor: usize, before_cursor: usize) {
        let before = (std::mem::replace(&mut self.text, text), before_cursor);
        self.cursor = cursor;
        self.history.truncate(self.undone);
        if self.history.len() == HISTORY {
            self.history.remove(0);
        }
        self.history.push(Edit {
            before,
            after: (self.text.clone(), cursor),
        });
        self.undone = self.history.len();
    }

    /// Inserts at the cursor; a newline or carriage return becomes a space.
    pub fn insert_char(&mut self, c: char) -> bool {
        let c = if c == '\n' || c == '\r' { ' ' } else { c };
        let mut s = [0; 4];
        self.insert_str(c.encode_utf8(&mut s))
    }

    /// Inserts at the cursor, which moves past it; newlines become spaces.
    pub fn insert_str(&mut self, s: &str) -> bool {
        if s.is_empty() {
            return false;
        }
        let s = s.replace("\r\n", " ").replace(['\n', '\r'], " ");
        let at = self.offset(self.cursor);
        let mut text = self.text.clone();
        text.insert_str(at, &s);
        let before = self.cursor;
        self.change(text, before + s.chars().count(), before);
        true
    }

    /// Spaces up to the next tab stop (by display width).
    pub fn insert_tab(&mut self) -> bool {
        let width: usize = self
            .text
            .chars()
            .take(self.cursor)
            .map(|c| if c.is_control() { 0 } else { c.width().unwrap_or(0) })
            .sum();
        self.insert_str(&" ".repeat(TAB - width % TAB))
    }

    /// Removes chars `from..to`; `before_cursor` is where undo puts the cursor back.
    fn remove(&mut self, from: usize, to: usize, before_cursor: usize, yank: bool) -> bool {
        if from >= to {
            return false;
        }
        let (a, b) = (self.offset(from), self.offset(to));
        let mut text = self.text.clone();
        let removed: String = text.drain(a..b).collect();
        if yank {
            self.yank = removed;
        }
        self.change(text, from, before_cursor);
        true
    }

    pub fn backspace(&mut self) -> bool {
        let c = self.cursor;
        c > 0 && self.remove(c - 1, c, c, false)
    }

    pub fn delete(&mut self) -> bool {
        let c = self.cursor;
        c < self.len() && self.remove(c, c + 1, c + 1, false)
    }

    /// Ctrl-K: from the cursor to the end, kept for Ctrl-Y.
    pub fn kill_to_end(&mut self) -> bool {
        let (c, end) = (self.cursor, self.len());
        self.remove(c, end, end, true)
    }

    /// Ctrl-J: from the start to the cursor, kept for Ctrl-Y.
    pub fn kill_to_start(&mut self) -> bool {
        let c = self.cursor;
        self.remove(0, c, c, true)
    }

    /// Ctrl-W: the word before the cursor (and the spaces after it), kept for Ctrl-Y.
    pub fn kill_word_back(&mut self) -> bool {
        let c = self.cursor;
        let from = self.word_start_back().unwrap_or(0);
        self.remove(from, c, c, true)
    }

    /// Alt-D: from the cursor to the end of the next word, kept for Ctrl-Y.
    pub fn kill_word_forward(&mut self) -> bool {
        let c = self.cursor;
        let to = self.word_end_forward().unwrap_or_else(|| self.len());
        self.remove(c, to, to, true)
    }

    /// Ctrl-Y: what the last kill removed, at the cursor.
    pub fn paste(&mut self) -> bool {
        let yank = self.yank.clone();
        self.insert_str(&yank)
    }

    pub fn undo(&mut self) -> bool {
        let Some(i) = self.undone.checked_sub(1) else {
            return false;
        };
        self.undone = i;
        let (text, cursor) = self.history[i].before.clone();
        self.text = text;
        self.cursor = cursor.min(self.len());
        true
    }

    pub fn redo(&mut self) -> bool {
        let Some(edit) = self.history.get(self.undone) else {
            return false;
        };
        let (text, cursor) = edit.after.clone();
        self.undone += 1;
        self.text = text;
        self.cursor = cursor.min(self.len());
        true
    }

    pub fn left(&mut self) {
        self.cursor = self.cursor.saturating_sub(1);
    }

    pub fn right(&mut self) {
        self.cursor = (self.cursor + 1).min(self.len());
    }

    pub fn home(&mut self) {
        self.cursor = 0;
    }

    pub fn end(&mut self) {
        self.cursor = self.len();
    }

    /// To the start of the next word, else the end.
    pub fn word_right(&mut self) {
        self.cursor = self.word_start_forward().unwrap_or_else(|| self.len());
    }

    /// To the start of this or the previous word, else the start.
    pub fn word_left(&mut self) {
        self.cursor = self.word_start_back().unwrap_or(0);
    }

    fn word_start_forward(&self) -> Option<usize> {
        let mut it = self.text.chars().enumerate().skip(self.cursor);
        let mut prev = CharKind::of(it.next()?.1);
        for (col, c) in it {
            let cur = CharKind::of(c);
            if cur != CharKind::Space && prev != cur {
                return Some(col);
            }
            prev = cur;
        }
        None
    }

    fn word_end_forward(&self) -> Option<usize> {
        let mut it = self.text.chars().enumerate().skip(self.cursor);
        let mut prev = CharKind::of(it.next()?.1);
        for (col, c) in it {
            let cur = CharKind::of(c);
            if prev != CharKind::Space && prev != cur {
                return Some(col);
            }
            prev = cur;
        }
        None
    }

    fn word_start_back(&self) -> Option<usize> {
        let head = &self.text[..self.offset(self.cursor)];
        let mut it = head.chars().rev().enumerate();
        let mut cur = CharKind::of(it.next()?.1);
        for (i, c) in it {
            let next = CharKind::of(c);
            if cur != CharKind::Space && next != cur {
                return Some(self.cursor - i);
            }
            cur = next;
        }
        (cur != CharKind::Space).then_some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> LineEdit {
        let mut e = LineEdit::new();
        for c in s.chars() {
            e.key(Key::char(c));
        }
        e
    }

    fn alt(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: false,
            alt: true,
        }
    }

    fn with(code: KeyCode, ctrl: bool, alt: bool) -> Key {
        Key { code, ctrl, alt }
    }

    fn press(e: &mut LineEdit, keys: &[Key]) {
        for k in keys {
            e.key(*k);
        }
    }

    fn at(e: &LineEdit) -> (&str, usize) {
        (e.text(), e.cursor())
    }

    #[test]
    fn typing_inserts_at_the_cursor() {
        let mut e = typed("acd");
        press(&mut e, &[Key::plain(KeyCode::Left), Key::plain(KeyCode::Left)]);
        e.key(Key::char('b'));
        assert_eq!(at(&e), ("abcd", 2));
    }

    #[test]
    fn the_cursor_counts_chars_not_bytes() {
        let mut e = typed("é🐱x");
        assert_eq!(e.cursor(), 3);
        e.key(Key::plain(KeyCode::Left));
        e.key(Key::plain(KeyCode::Backspace));
        assert_eq!(at(&e), ("éx", 1));
        e.key(Key::plain(KeyCode::Delete));
        assert_eq!(at(&e), ("é", 1));
    }

    #[test]
    fn backspace_and_delete_stop_at_the_ends() {
        let mut e = typed("ab");
        assert!(!e.key(Key::plain(KeyCode::Delete)));
        e.key(Key::plain(KeyCode::Home));
        assert!(!e.key(Key::plain(KeyCode::Backspace)));
        assert!(e.key(Key::ctrl('d')));
        assert_eq!(at(&e), ("b", 0));
        e.key(Key::plain(KeyCode::End));
        assert!(e.key(Key::ctrl('h')));
        assert_eq!(at(&e), ("", 0));
    }

    #[test]
    fn moves_stay_inside_the_line() {
        let mut e = typed("abc");
        press(&mut e, &[Key::plain(KeyCode::Right), Key::ctrl('f')]);
        assert_eq!(e.cursor(), 3);
        press(&mut e, &[Key::ctrl('b'), Key::ctrl('a')]);
        assert_eq!(e.cursor(), 0);
        e.key(Key::plain(KeyCode::Left));
        assert_eq!(e.cursor(), 0);
        e.key(Key::ctrl('e'));
        assert_eq!(e.cursor(), 3);
        for k in [KeyCode::Up, KeyCode::Down] {
            e.key(Key::plain(k));
            assert_eq!(at(&e), ("abc", 3));
        }
        e.key(with(KeyCode::Left, true, true));
        assert_eq!(e.cursor(), 0);
        e.key(with(KeyCode::Right, true, true));
        assert_eq!(e.cursor(), 3);
    }

    #[test]
    fn paging_goes_to_the_start_as_the_text_area_did() {
        for k in [
            Key::plain(KeyCode::PageUp),
            Key::plain(KeyCode::PageDown),
            Key::ctrl('v'),
            alt('v'),
        ] {
            let mut e = typed("abc");
            e.key(k);
            assert_eq!(at(&e), ("abc", 0), "{k:?}");
        }
    }

    #[test]
    fn word_moves_stop_at_word_and_punctuation_starts() {
        let mut e = typed("foo bar_baz(x)");
        e.key(Key::plain(KeyCode::Home));
        let mut stops = Vec::new();
        for _ in 0..5 {
            e.key(alt('f'));
            stops.push(e.cursor());
        }
        assert_eq!(stops, [4, 11, 12, 13, 14]);
        let mut back = Vec::new();
        for _ in 0..5 {
            e.key(with(KeyCode::Left, true, false));
            back.push(e.cursor());
        }
        assert_eq!(back, [13, 12, 11, 4, 0]);
        e.key(with(KeyCode::Right, true, false));
        assert_eq!(e.cursor(), 4);
        e.key(alt('b'));
        assert_eq!(e.cursor(), 0);
    }

    #[test]
    fn word_back_skips_trailing_spaces() {
        let mut e = typed("aaa bbb  ");
        e.key(alt('b'));
        assert_eq!(e.cursor(), 4);
        let mut e = typed("   ");
        e.key(alt('b'));
        assert_eq!(e.cursor(), 0);
    }

    #[test]
    fn ctrl_w_kills_the_word_before_the_cursor() {
        let mut e = typed("aaa bbb ccc");
        e.key(Key::ctrl('w'));
        assert_eq!(at(&e), ("aaa bbb ", 8));
        e.key(Key::ctrl('w'));
        assert_eq!(at(&e), ("aaa ", 4));
        e.key(alt('h'));
        assert_eq!(at(&e), ("", 0));
        assert!(!e.key(with(KeyCode::Backspace, false, true)));
        let mut e = typed("  ");
        e.key(Key::ctrl('w'));
        assert_eq!(at(&e), ("", 0));
    }

    #[test]
    fn alt_d_kills_to_the_end_of_the_next_word() {
        let mut e = typed("aaa bbb ccc");
        e.key(Key::plain(KeyCode::Home));
        e.key(alt('d'));
        assert_eq!(at(&e), (" bbb ccc", 0));
        e.key(with(KeyCode::Delete, false, true));
        assert_eq!(at(&e), (" ccc", 0));
        e.key(alt('d'));
        assert_eq!(at(&e), ("", 0));
        assert!(!e.key(alt('d')));
    }

    #[test]
    fn ctrl_k_and_ctrl_j_kill_to_the_ends_and_ctrl_y_yanks_back() {
        let mut e = typed("abcde");
        press(&mut e, &[Key::plain(KeyCode::Left), Key::plain(KeyCode::Left)]);
        e.key(Key::ctrl('k'));
        assert_eq!(at(&e), ("abc", 3));
        assert!(!e.key(Key::ctrl('k')));
        e.key(Key::ctrl('a'));
        e.key(Key::ctrl('y'));
        assert_eq!(at(&e), ("deabc", 2));
        e.key(Key::ctrl('j'));
        assert_eq!(at(&e), ("abc", 0));
        assert!(!e.key(Key::ctrl('j')));
        e.key(Key::ctrl('e'));
        e.key(Key::ctrl('y'));
        assert_eq!(at(&e), ("abcde", 5));
    }

    #[test]
    fn backspace_and_delete_leave_the_yank_alone() {
        let mut e = typed("ab cd");
        e.key(Key::ctrl('w'));
        e.key(Key::plain(KeyCode::Backspace));
        e.key(Key::ctrl('a'));
        e.key(Key::plain(KeyCode::Delete));
        e.key(Key::ctrl('y'));
        assert_eq!(at(&e), ("cdb", 2));
        assert!(!LineEdit::new().key(Key::ctrl('y')));
    }

    #[test]
    fn ctrl_u_undoes_and_ctrl_r_redoes() {
        let mut e = typed("ab");
        e.key(Key::ctrl('u'));
        assert_eq!(at(&e), ("a", 1));
        e.key(Key::ctrl('u'));
        assert_eq!(at(&e), ("", 0));
        assert!(!e.key(Key::ctrl('u')));
        e.key(Key::ctrl('r'));
        assert_eq!(at(&e), ("a", 1));
        e.key(Key::char('x'));
        assert!(!e.key(Key::ctrl('r')), "a new edit drops what was undone");
        assert_eq!(at(&e), ("ax", 2));
    }

    #[test]
    fn undo_puts_the_cursor_where_the_text_area_did() {
        // a forward deletion comes back with the cursor after what it restored
        let mut e = typed("abcd");
        e.key(Key::ctrl('a'));
        e.key(Key::plain(KeyCode::Delete));
        e.key(Key::ctrl('u'));
        assert_eq!(at(&e), ("abcd", 1));
        e.key(Key::ctrl('a'));
        e.key(Key::ctrl('k'));
        e.key(Key::ctrl('u'));
        assert_eq!(at(&e), ("abcd", 4));
        e.key(Key::ctrl('r'));
        assert_eq!(at(&e), ("", 0));
    }

    #[test]
    fn undo_remembers_fifty_edits() {
        let mut e = typed(&"x".repeat(60));
        while e.key(Key::ctrl('u')) {}
        assert_eq!(e.text(), "x".repeat(10));
    }

    #[test]
    fn prefilled_text_is_an_edit_undo_takes_back() {
        let mut e = LineEdit::with_text("severity=page");
        assert_eq!(at(&e), ("severity=page", 13));
        e.key(Key::ctrl('u'));
        assert_eq!(at(&e), ("", 0));
    }

    #[test]
    fn tab_inserts_spaces_to_the_next_stop() {
        let mut e = typed("hi");
        e.key(Key::plain(KeyCode::Tab));
        assert_eq!(at(&e), ("hi  ", 4));
        e.key(Key::plain(KeyCode::BackTab));
        assert_eq!(e.text(), "hi      ");
        let mut e = typed("日");
        e.key(Key::plain(KeyCode::Tab));
        assert_eq!(e.text(), "日  ");
        assert!(!e.key(with(KeyCode::Tab, true, false)));
    }

    #[test]
    fn newlines_become_the_space_lines_were_joined_with() {
        let mut e = typed("a");
        e.key(Key::ctrl('m'));
        e.key(Key::plain(KeyCode::Enter));
        e.key(Key::char('\n'));
        e.key(Key::char('b'));
        assert_eq!(at(&e), ("a   b", 5));
        assert_eq!(LineEdit::with_text("x\r\ny\nz").text(), "x y z");
    }

    #[test]
    fn other_modified_and_function_keys_change_nothing() {
        let mut e = typed("abc");
        for k in [
            alt('x'),
            Key::ctrl('z'),
            Key::ctrl('x'),
            Key::ctrl('c'),
            with(KeyCode::Backspace, true, false),
            Key::plain(KeyCode::F(2)),
            Key::plain(KeyCode::Esc),
            alt('<'),
            alt('>'),
        ] {
            assert!(!e.key(k), "{k:?}");
            assert_eq!(at(&e), ("abc", 3), "{k:?}");
        }
    }
}
