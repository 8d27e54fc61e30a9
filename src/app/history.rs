//! The filters and commands entered this session, for ↑/↓ in the input line: most recent first,
//! bounded, no entry twice in a row. Nothing is written to disk.

use super::state::InputKind;
use std::collections::VecDeque;

/// How many lines each history keeps; the oldest goes first.
pub const LIMIT: usize = 50;

/// One history (the filters, or the commands) and where ↑/↓ are in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// Newest first.
    lines: VecDeque<String>,
    /// While browsing: the entry shown, and the line that was being typed before the first ↑.
    browse: Option<(usize, String)>,
}

impl History {
    /// Remembers an entered line (trimmed; an empty one, or the same as the last, is not kept)
    /// and ends any browsing.
    pub fn push(&mut self, line: &str) {
        self.browse = None;
        let line = line.trim();
        if line.is_empty() || self.lines.front().is_some_and(|l| l == line) {
            return;
        }
        self.lines.push_front(line.to_string());
        self.lines.truncate(LIMIT);
    }

    /// ↑: the next older entry; `typed` is what the line holds now, given back by `newer`
    /// past the newest entry. `None` at the oldest or with nothing kept. The first ↑ passes
    /// over an entry the line already holds (the filter line opens on the current filter).
    pub fn older(&mut self, typed: &str) -> Option<&str> {
        let next = match &self.browse {
            None if self.lines.front().is_some_and(|l| l == typed.trim()) => 1,
            None => 0,
            Some((at, _)) => at + 1,
        };
        if next >= self.lines.len() {
            return None;
        }
        match &mut self.browse {
            Some((at, _)) => *at = next,
            None => self.browse = Some((next, typed.to_string())),
        }
        self.lines.get(next).map(String::as_str)
    }

    /// ↓: the next newer entry, then what was being typed; `None` when not browsing.
    pub fn newer(&mut self) -> Option<String> {
        let (at, typed) = self.browse.take()?;
        match at.checked_sub(1) {
            Some(prev) => {
                self.browse = Some((prev, typed));
                self.lines.get(prev).cloned()
            }
            None => Some(typed),
        }
    }

    /// Forgets where ↑/↓ were (a new input line starts at what is typed).
    pub fn reset(&mut self) {
        self.browse = None;
    }

    /// The kept lines, newest first.
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(String::as_str)
    }
}

/// The input line's histories: filters (`/`, either pane) and `:` commands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputHistory {
    pub filter: History,
    pub command: History,
}

impl InputHistory {
    /// The history ↑/↓ browse in this kind of line; notes have none.
    pub fn of(&mut self, kind: &InputKind) -> Option<&mut History> {
        match kind {
            InputKind::Filter => Some(&mut self.filter),
            InputKind::Command => Some(&mut self.command),
            InputKind::Note => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(lines: &[&str]) -> History {
        let mut h = History::default();
        for l in lines {
            h.push(l);
        }
        h
    }

    #[test]
    fn up_goes_back_newest_first_and_stops_at_the_oldest() {
        let mut h = with(&["a", "b", "c"]);
        assert_eq!(h.older("typed"), Some("c"));
        assert_eq!(h.older("c"), Some("b"));
        assert_eq!(h.older("b"), Some("a"));
        assert_eq!(h.older("a"), None);
        assert_eq!(h.newer().as_deref(), Some("b"), "still on the oldest");
    }

    #[test]
    fn down_comes_back_to_what_was_being_typed() {
        let mut h = with(&["a", "b"]);
        assert_eq!(h.newer(), None, "not browsing");
        h.older("sev");
        h.older("b");
        assert_eq!(h.newer().as_deref(), Some("b"));
        assert_eq!(h.newer().as_deref(), Some("sev"));
        assert_eq!(h.newer(), None);
        assert_eq!(
            h.older("sev2"),
            Some("b"),
            "browsing starts again at the newest"
        );
        assert_eq!(h.newer().as_deref(), Some("sev2"));
    }

    #[test]
    fn the_first_up_passes_over_what_the_line_already_holds() {
        let mut h = with(&["a", "b"]);
        assert_eq!(h.older("b"), Some("a"));
        assert_eq!(h.newer().as_deref(), Some("b"));
        assert_eq!(h.newer().as_deref(), Some("b"), "what was typed");
        let mut h = with(&["a"]);
        assert_eq!(h.older("a"), None);
    }

    #[test]
    fn nothing_kept_gives_nothing() {
        let mut h = History::default();
        assert_eq!(h.older("x"), None);
        assert_eq!(h.newer(), None);
    }

    #[test]
    fn no_duplicates_in_a_row_and_no_empty_lines() {
        let h = with(&["a", " a ", "b", "a", "", "  "]);
        assert_eq!(h.lines().collect::<Vec<_>>(), ["a", "b", "a"]);
    }

    #[test]
    fn bounded_the_oldest_goes_first() {
        let lines: Vec<String> = (0..LIMIT + 7).map(|i| format!("f{i}")).collect();
        let mut h = History::default();
        for l in &lines {
            h.push(l);
        }
        let kept: Vec<&str> = h.lines().collect();
        assert_eq!(kept.len(), LIMIT);
        assert_eq!(kept.first(), Some(&"f56"));
        assert_eq!(kept.last(), Some(&"f7"));
    }

    #[test]
    fn push_and_reset_end_browsing() {
        let mut h = with(&["a", "b"]);
        h.older("x");
        h.push("c");
        assert_eq!(h.older("y"), Some("c"));
        h.reset();
        assert_eq!(h.newer(), None);
        assert_eq!(h.older("z"), Some("c"));
    }
}
