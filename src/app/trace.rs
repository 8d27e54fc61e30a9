//! Trace links: the trace id in the log line at the pane's position becomes the configured
//! trace URL (`[logs] trace_url`), opened with the runbook opener's rules.

use super::msg::Effect;
use super::state::State;
use crate::domain::links::check_web;
use crate::domain::log_query::{trace_id, trace_url};

/// How far up from the pane's bottom line a trace id is looked for: more lines than any pane
/// shows, few enough to look for on every frame.
pub const LOOKBACK: usize = 200;

/// A trace id found in a line, and its URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLink {
    pub id: String,
    pub url: String,
}

/// The trace of the newest line at or above the pane's bottom line (the scroll position) that
/// the view shows and that carries a valid trace id; the logs pane shows this link, and the
/// open_trace key opens it. `None` without a `trace_url`.
pub fn current(state: &State) -> Option<TraceLink> {
    let (pattern, template) = (
        state.log.trace_pattern.as_ref()?,
        state.log.trace_url.as_ref()?,
    );
    let len = state.logs.len();
    let end = len - state.log_scroll.min(len);
    state
        .logs
        .iter()
        .take(end)
        .rev()
        .filter(|l| state.log.shows(l))
        .take(LOOKBACK)
        .find_map(|l| {
            let id = trace_id(pattern, &l.line)?;
            let url = trace_url(template, id)?;
            Some(TraceLink {
                id: id.to_string(),
                url,
            })
        })
}

/// The open_trace key: the system opener locally; over SSH the URL is copied (OSC 52), the
/// pane's trace line being a hyperlink (OSC 8) already. A URL that is not http(s) is refused.
pub fn open(state: &mut State) -> Vec<Effect> {
    if state.log.trace_url.is_none() {
        state.status = Some("trace: no [logs] trace_url configured".into());
        return Vec::new();
    }
    let Some(link) = current(state) else {
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
