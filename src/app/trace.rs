//! The open_trace key: the trace id in the log line at the pane's position, as the configured
//! trace URL (`[logs] trace_url`; found by `view::trace_link`), opened with the runbook
//! opener's rules.

use super::msg::Effect;
use super::state::State;
pub use super::view::{LOOKBACK, TraceLink, trace_link as current};
use crate::domain::links::check_web;

/// The open_trace key: the system opener locally; over SSH the URL is copied (OSC 52), the
/// pane's trace line being a hyperlink (OSC 8) already. A URL that is not http(s) is refused.
pub fn open(state: &mut State) -> Vec<Effect> {
    if state.log.trace_url.is_none() {
        state.status = Some("trace: no [logs] trace_url configured".into());
        return Vec::new();
    }
    let Some(link) = super::view::trace_link(state) else {
        state.status = Some("trace: no trace id in the log lines shown".into());
        return Vec::new();
    };
    let url = match check_web(&link.url, "trace URL") {
        Ok(url) => url,
        Err(e) => {
            state.status = Some(e);
            return Vec::new();
        }
    };
    if state.acts.setup.over_ssh {
        state.status = Some(format!(
            "trace {} URL copied to the clipboard (OSC 52)",
            link.id
        ));
        vec![Effect::Copy(url)]
    } else {
        state.status = Some(format!("opening trace {}", link.id));
        vec![Effect::OpenUrl(url)]
    }
}
