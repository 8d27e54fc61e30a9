//! The one-line editor behind the filter, command and note inputs and the dialogs' comment and
//! note: the text, the cursor (in chars) and the editing keys. Pure; `ui/` draws it.
//!
//! The keys are readline's (Ctrl-A/E, Ctrl-B/F, Alt-B/F, Ctrl-U/K, Ctrl-W, Alt-D, Ctrl-Y, Ctrl-_
//! undo), as in a shell, plus Ctrl-R redo and the few the text area drawn around it also
//! answered (Ctrl-J, paging); it holds one line, so a typed newline becomes a space.

use crate::domain::keymap::{Key, KeyCode};
use unicode_width::UnicodeWidthChar;

/// The keys of every input line and dialog text field, as `?` help lists them. The last three
/// are answered around the editor: by the input line (history) and by it and the dialogs.
pub const INPUT_KEYS: &[(&str, &str)] = &[
    ("ctrl-a/e home/end", "to the start / end"),
    ("ctrl-b/f ←/→", "a char left / right"),
    ("alt-b/f ctrl-←/→", "a word left / right"),
    ("ctrl-u/k", "cut to start / end"),
    ("ctrl-w alt-d", "cut a word ← / →"),
    ("ctrl-y", "paste the last cut"),
    ("ctrl-h/d", "delete a char ← / →"),
    ("ctrl-_ ctrl-r", "undo / redo"),
    ("↑/↓", "history (/ and :)"),
    ("esc/ctrl-c enter", "cancel / apply"),
];

/// Esc or Ctrl-C: what cancels an input line or a dialog (never quits from inside one).
pub fn cancels(key: Key) -> bool {
    match key.code {
        KeyCode::Esc => true,
        KeyCode::Char('c') => key.ctrl && !key.alt,
        _ => false,
    }
}

/// How many edits undo remembers.
const HISTORY: usize = 50;
/// Tab inserts spaces up to the next multiple of this many columns.
const TAB: usize = 4;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// In chars, `0..=text.chars().count()`.
    cursor: usize,
    /// What the last kill (Ctrl-U, Ctrl-K, Ctrl-W, Alt-D) removed, for Ctrl-Y.
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
            KeyCode::Char('u' | 'j') if ctrl && !alt => self.kill_to_start(),
            KeyCode::Char('w') if ctrl && !alt => self.kill_word_back(),
            KeyCode::Char('h') | KeyCode::Backspace if !ctrl && alt => self.kill_word_back(),
            KeyCode::Char('d') | KeyCode::Delete if !ctrl && alt => self.kill_word_forward(),
            // Ctrl-/ sends the same byte as Ctrl-_ on most terminals; both are emacs's undo.
            KeyCode::Char('_' | '/') if ctrl && !alt => self.undo(),
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
        let s = one_line(s);
        let at = self.offset(self.cursor);
        let mut text = self.text.clone();
        text.insert_str(at, &s);
        let before = self.cursor;
        self.change(text, before + s.chars().count(), before);
        true
    }

    /// The whole line replaced by `text` (a recalled filter or command), the cursor after it;
    /// one edit, which undo takes back.
    pub fn set_text(&mut self, text: &str) -> bool {
        let text = one_line(text);
        let before = self.cursor;
        let end = text.chars().count();
        if text == self.text {
            self.cursor = end;
            return false;
        }
        self.change(text, end, before);
        true
    }

    /// Spaces up to the next tab stop (by display width).
    pub fn insert_tab(&mut self) -> bool {
        let width: usize = self
            .text
            .chars()
            .take(self.cursor)
            .map(|c| {
                if c.is_control() {
                    0
                } else {
                    c.width().unwrap_or(0)
                }
            })
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

    /// Ctrl-U: from the start to the cursor, kept for Ctrl-Y.
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

/// What a newline was in the text area: the space its lines were joined with.
fn one_line(s: &str) -> String {
    s.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests;
