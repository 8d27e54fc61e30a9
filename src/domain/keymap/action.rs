//! The keymap vocabulary: every key the user can press maps to one of these.
//! Names are the serde snake_case names used in the config's `[keys]` table.

use serde::{Deserialize, Serialize};

macro_rules! actions {
    ($( $(#[doc = $doc:literal])* $variant:ident => $name:literal, $hint:literal; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Action {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The config name (`move_down`).
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name,)* }
            }

            /// A short word for the footer hints.
            pub fn hint(self) -> &'static str {
                match self { $(Action::$variant => $hint,)* }
            }

            /// The one-line description shown in `?` help (the doc comment).
            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => concat!($($doc),*).trim_ascii(),)* }
            }

            pub fn from_name(name: &str) -> Option<Action> {
                Action::ALL.iter().copied().find(|a| a.name() == name)
            }
        }
    };
}

actions! {
    /// Move the selection down.
    MoveDown => "move_down", "down";
    /// Move the selection up.
    MoveUp => "move_up", "up";
    /// Jump to the first row.
    Top => "top", "top";
    /// Jump to the last row.
    Bottom => "bottom", "bottom";
    /// Move a page down.
    PageDown => "page_down", "page";
    /// Move a page up.
    PageUp => "page_up", "page";
    /// Select the newest unacknowledged page, wherever it sorted.
    NewestPage => "newest_page", "new page";
    /// Sort the alerts another way (pages first, severity, newest, name, count).
    CycleSort => "cycle_sort", "sort";
    /// Expand or collapse a group, or open the detail view.
    Select => "select", "open";
    /// Close the overlay, the detail view or the filter.
    Back => "back", "back";
    /// Focus the next pane.
    NextPane => "next_pane", "pane";
    /// Focus the previous pane.
    PrevPane => "prev_pane", "pane";
    /// Focus the SLO pane.
    FocusSlo => "focus_slo", "slo";
    /// Focus the alerts pane.
    FocusAlerts => "focus_alerts", "alerts";
    /// Focus the logs pane.
    FocusLogs => "focus_logs", "logs";
    /// Filter the focused pane (names for SLOs, matchers for alerts, text for logs).
    Filter => "filter", "filter";
    /// A command: :theme NAME, :refresh, :audit, :timeline, :wall, :help, :quit.
    Command => "command", "cmd";
    /// Show the keys.
    Help => "help", "help";
    /// Acknowledge the selected alert or group (an Alertmanager silence).
    Ack => "ack", "ack";
    /// Expire the acknowledgement of the selected alert.
    Unack => "unack", "unack";
    /// Escalate the selected alert to the next target of its chain.
    Escalate => "escalate", "escalate";
    /// Open the runbook of the selected alert.
    Runbook => "runbook", "runbook";
    /// Show the logs for the selected alert.
    Logs => "logs", "logs";
    /// Follow or pause the log tail.
    Follow => "follow", "follow";
    /// Wrap long log lines, or cut them at the pane's edge.
    ToggleWrap => "toggle_wrap", "wrap";
    /// Show or hide the time of each log line.
    ToggleTime => "toggle_time", "time";
    /// Switch to the next log view.
    NextLogView => "next_log_view", "view";
    /// Switch to the previous log view.
    PrevLogView => "prev_log_view", "view";
    /// Open the trace of the newest log line shown with a trace id (copy it over SSH).
    OpenTrace => "open_trace", "trace";
    /// Show or hide silenced and inhibited alerts.
    ToggleSilenced => "toggle_silenced", "silenced";
    /// Open the silences of every cluster (`:silences`).
    Silences => "silences", "silences";
    /// A new silence on the selected alert or group.
    NewSilence => "new_silence", "silence";
    /// Poll every source now.
    Refresh => "refresh", "refresh";
    /// Add a note to the incident timeline.
    Note => "note", "note";
    /// Switch to the next theme.
    NextTheme => "next_theme", "theme";
    /// Quit (asks first while a page is active).
    Quit => "quit", "quit";
}

impl Action {
    /// Actions that change something outside the cockpit, or write the incident record in the
    /// user's name (a note a watcher types would be signed by whoever runs the cockpit): refused
    /// in read-only mode. The runbook only opens or shows a page, so it stays.
    pub fn is_mutating(self) -> bool {
        matches!(
            self,
            Action::Ack | Action::Unack | Action::Escalate | Action::Note | Action::NewSilence
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_descriptions_exist() {
        for a in Action::ALL {
            let json = serde_json::to_string(a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.name()));
            assert_eq!(Action::from_name(a.name()), Some(*a));
            assert!(!a.description().is_empty(), "{a:?}");
            assert!(a.description().ends_with('.'), "{a:?}");
        }
    }
}
