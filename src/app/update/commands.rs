//! The `:` commands: quit, theme, refresh, help, audit, timeline, silences, wall.

use crate::app::acts;
use crate::app::msg::Effect;
use crate::app::state::{Overlay, State};

pub(super) fn run_command(state: &mut State, text: &str) -> Vec<Effect> {
    let mut words = text.split_whitespace();
    match (words.next(), words.next()) {
        (Some("q" | "quit"), None) => return super::keys::quit(state),
        (Some("theme"), Some(name)) => match state.theme_names.iter().position(|n| n == name) {
            Some(i) => {
                state.theme_index = i;
                state.status = Some(format!("theme: {name}"));
            }
            None => {
                state.status = Some(format!(
                    "no theme '{name}' (have: {})",
                    state.theme_names.join(", ")
                ))
            }
        },
        (Some("refresh"), None) => return vec![Effect::Refresh(Vec::new())],
        (Some("help"), None) => state.open_overlay(Overlay::Help),
        (Some("audit"), None) => return acts::open_audit(state),
        (Some("wall"), None) => toggle_wall(state),
        (Some("silences"), None) => acts::silences::open(state),
        (Some("timeline"), None) => {
            state.acts.view = Some(acts::View::Runbook {
                title: "incident timeline, last 24 h".into(),
                text: None,
                scroll: 0,
            });
            return vec![Effect::LoadTimeline];
        }
        (None, _) => {}
        (Some(other), _) => {
            state.status = Some(format!(
                "unknown command ':{other}' (try :theme NAME, :refresh, :audit, :timeline, :silences, :wall, :help, :quit)"
            ))
        }
    }
    Vec::new()
}

/// `:wall` switches to the war-room layout, read-only while it lasts; `:wall` again comes back.
/// A cockpit started with `--wall` or `--read-only` stays read-only.
fn toggle_wall(state: &mut State) {
    if state.wall {
        state.wall = false;
        if let Some(was) = state.read_only_before_wall.take() {
            state.read_only = was;
        }
        state.status = Some("dashboard".into());
    } else {
        state.read_only_before_wall = Some(state.read_only);
        state.wall = true;
        state.read_only = true;
        state.status = Some("wall: read-only; :wall to leave".into());
    }
}
