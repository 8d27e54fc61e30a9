//! Key -> Action, from the defaults patched by the config's `[keys]` table.
//! Clashes are refused with a message naming both actions; nothing falls back silently.
//! The key vocabulary is shared by the config (which validates `[keys]`) and the reducer.

mod action;
mod key;

pub use action::Action;
pub use key::{Key, KeyCode};
use std::collections::BTreeMap;

/// Ctrl-Z suspends onwatch to the shell wherever the cursor is (`fg` resumes it); it is read
/// before any binding, so a binding of it would never fire and is refused.
pub const SUSPEND: Key = Key::ctrl('z');

#[derive(Clone, Debug, PartialEq)]
pub struct Keymap {
    by_key: BTreeMap<Key, Action>,
}

/// The default bindings (k9s / vim habits).
pub fn default_bindings() -> BTreeMap<Action, Vec<Key>> {
    use Action::*;
    let k = Key::char;
    let p = Key::plain;
    [
        (MoveDown, vec![k('j'), p(KeyCode::Down)]),
        (MoveUp, vec![k('k'), p(KeyCode::Up)]),
        (Top, vec![k('g'), p(KeyCode::Home)]),
        (Bottom, vec![k('G'), p(KeyCode::End)]),
        (PageDown, vec![p(KeyCode::PageDown)]),
        (PageUp, vec![p(KeyCode::PageUp)]),
        (NewestPage, vec![k('N')]),
        (CycleSort, vec![k('o')]),
        (Select, vec![p(KeyCode::Enter)]),
        (Back, vec![p(KeyCode::Esc)]),
        (NextPane, vec![p(KeyCode::Tab)]),
        (PrevPane, vec![p(KeyCode::BackTab)]),
        (FocusSlo, vec![k('1')]),
        (FocusAlerts, vec![k('2')]),
        (FocusLogs, vec![k('3')]),
        (Filter, vec![k('/')]),
        (Command, vec![k(':')]),
        (Help, vec![k('?')]),
        (Ack, vec![k('a')]),
        (Unack, vec![k('u')]),
        (Escalate, vec![k('e')]),
        (Runbook, vec![k('r')]),
        (Logs, vec![k('l')]),
        (Follow, vec![k('f')]),
        (ToggleWrap, vec![k('w')]),
        (ToggleTime, vec![k('T')]),
        (NextLogView, vec![k('v')]),
        (PrevLogView, vec![k('V')]),
        (OpenTrace, vec![k('O')]),
        (ToggleSilenced, vec![k('s')]),
        (Silences, vec![k('S')]),
        (NewSilence, vec![k('c')]),
        (Refresh, vec![k('R'), Key::ctrl('r')]),
        (Note, vec![k('n')]),
        (NextTheme, vec![k('t')]),
        (Quit, vec![k('q'), Key::ctrl('c')]),
    ]
    .into_iter()
    .collect()
}

impl Keymap {
    /// Defaults with the user's bindings applied: each named action gets exactly the keys
    /// given. A key the user gives one action is taken from the default of another (so a new
    /// default binding never breaks a config that already uses its key); one key the user
    /// gives two actions is refused.
    pub fn with_overrides(overrides: &BTreeMap<Action, Vec<Key>>) -> Result<Self, String> {
        let mut by_key = BTreeMap::new();
        for (action, keys) in overrides {
            for key in keys {
                if *key == SUSPEND {
                    return Err(format!(
                        "key '{key}' suspends onwatch to the shell (fg resumes it) and cannot be \
                         bound to '{}'; choose another key in [keys]",
                        action.name()
                    ));
                }
                if let Some(other) = by_key.insert(*key, *action)
                    && other != *action
                {
                    return Err(format!(
                        "key '{key}' is bound to both '{}' and '{}'; change one of them in [keys]",
                        other.name(),
                        action.name()
                    ));
                }
            }
        }
        for (action, keys) in default_bindings() {
            if overrides.contains_key(&action) {
                continue;
            }
            for key in keys {
                by_key.entry(key).or_insert(action);
            }
        }
        Ok(Self { by_key })
    }

    pub fn action(&self, key: &Key) -> Option<Action> {
        self.by_key.get(key).copied()
    }

    /// The keys bound to an action, in a stable order, for hints and help.
    pub fn keys_for(&self, action: Action) -> Vec<Key> {
        self.by_key
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// `"j/↓"`: the keys of an action as the footer shows them.
    pub fn keys_label(&self, action: Action) -> String {
        self.keys_for(action)
            .iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }
}

impl Default for Keymap {
    fn default() -> Self {
        let mut by_key = BTreeMap::new();
        for (action, keys) in default_bindings() {
            for key in keys {
                by_key.insert(key, action);
            }
        }
        Self { by_key }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_have_no_clash_and_cover_every_action() {
        let map = Keymap::with_overrides(&BTreeMap::new()).unwrap();
        assert_eq!(map, Keymap::default());
        let bound: usize = default_bindings().values().map(Vec::len).sum();
        assert_eq!(map.by_key.len(), bound, "a default key is bound twice");
        for a in Action::ALL {
            assert!(!map.keys_for(*a).is_empty(), "{a:?} has no key");
        }
        assert_eq!(map.action(&Key::char('a')), Some(Action::Ack));
        assert_eq!(map.keys_label(Action::MoveDown), "j/↓");
    }

    #[test]
    fn override_replaces_the_keys_of_that_action() {
        let o = [(Action::Ack, vec![Key::char('A')])].into_iter().collect();
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(map.action(&Key::char('A')), Some(Action::Ack));
        assert_eq!(map.action(&Key::char('a')), None);
    }

    #[test]
    fn a_users_key_is_taken_from_another_actions_default() {
        let o = [(Action::Ack, vec![Key::char('j')])].into_iter().collect();
        let map = Keymap::with_overrides(&o).unwrap();
        assert_eq!(map.action(&Key::char('j')), Some(Action::Ack));
        assert_eq!(map.keys_label(Action::MoveDown), "↓");
    }

    #[test]
    fn the_suspend_key_cannot_be_bound() {
        let o = [(Action::Ack, vec![Key::char('A'), SUSPEND])]
            .into_iter()
            .collect();
        let err = Keymap::with_overrides(&o).unwrap_err();
        assert!(err.contains("'ctrl-z' suspends onwatch"), "{err}");
        assert!(err.contains("'ack'"), "{err}");
        assert_eq!(Keymap::default().action(&SUSPEND), None);
    }

    #[test]
    fn one_key_given_to_two_actions_is_refused_with_both_names() {
        let o = [
            (Action::Ack, vec![Key::char('x')]),
            (Action::Unack, vec![Key::char('x')]),
        ]
        .into_iter()
        .collect();
        let err = Keymap::with_overrides(&o).unwrap_err();
        assert_eq!(
            err,
            "key 'x' is bound to both 'ack' and 'unack'; change one of them in [keys]"
        );
    }
}
