//! The read-only helpers drawing calls: the alerts pane's rows, the SLO order, a row's note
//! about pending actions, the trace link at the logs pane's position. Never write State here.

use super::acts::ActKind;
use super::state::{AlertRow, SloRow, State};
use crate::domain::alerts::{AlertReading, DedupedAlert};
use crate::domain::log_query::{trace_id, trace_url};

impl State {
    pub fn theme_name(&self) -> &str {
        self.theme_names
            .get(self.theme_index)
            .map(String::as_str)
            .unwrap_or("default")
    }

    /// About how many lines the open overlay has, to stop scrolling at its end (drawing
    /// clamps to what it really drew).
    pub fn overlay_len(&self) -> usize {
        use super::state::Overlay;
        match &self.overlay {
            None | Some(Overlay::ConfirmQuit) => 0,
            // Laid out to fit the screen.
            Some(Overlay::Help) => 0,
            // The fields, each silence, each label and annotation.
            Some(Overlay::AlertDetail(a)) => {
                16 + a.alert.silenced_by.len() + a.alert.labels.len() + a.alert.annotations.len()
            }
            Some(Overlay::SloDetail(..)) => 60,
        }
    }

    /// Rows of the alerts pane: each group, followed by its alerts when expanded.
    pub fn alert_rows(&self) -> Vec<AlertRow> {
        let mut rows = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            rows.push(AlertRow::Group(g));
            if self.expanded.contains(&group.key()) {
                rows.extend((0..group.alerts.len()).map(|a| AlertRow::Alert(g, a)));
            }
        }
        rows
    }

    /// SLO rows worst first (page, ticket, ok, no data), then by budget left.
    pub fn slo_order(&self) -> Vec<usize> {
        self.slo_order_first(self.slos.len())
    }

    /// The first `n` rows of `slo_order` (what a pane of `n` lines shows): only those are
    /// sorted, so a frame costs one pass over the rest, not a sort of them.
    pub fn slo_order_first(&self, n: usize) -> Vec<usize> {
        // The key walks each row's burn rates: computed once per row, not per comparison. The
        // index last makes keys unique, so the order is the stable sort's whatever the method.
        let needle = self.slo_filter.to_lowercase();
        let mut keyed: Vec<_> = self
            .slos
            .iter()
            .enumerate()
            .filter(|(_, row)| needle.is_empty() || slo_text(row).contains(&needle))
            .map(|(i, row)| (slo_rank(row), i))
            .collect();
        if n < keyed.len() {
            if n == 0 {
                return Vec::new();
            }
            keyed.select_nth_unstable(n - 1);
            keyed.truncate(n);
        }
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, i)| i).collect()
    }
}

/// SLO names more than one source has (the same rules discovered on two backends): their
/// rows say which source each is (`slo_label`).
pub fn ambiguous_slo_names(state: &State) -> std::collections::HashSet<&str> {
    let mut first_source: std::collections::HashMap<&str, &str> = Default::default();
    let mut twice = std::collections::HashSet::new();
    for r in &state.slos {
        let source = *first_source
            .entry(r.def.name.as_str())
            .or_insert(r.def.source.as_str());
        if source != r.def.source {
            twice.insert(r.def.name.as_str());
        }
    }
    twice
}

/// The row's name as drawn: `checkout (prom-eu)` when another source has an SLO by that name.
pub fn slo_label(row: &SloRow, ambiguous: &std::collections::HashSet<&str>) -> String {
    if ambiguous.contains(row.def.name.as_str()) {
        format!("{} ({})", row.def.name, row.def.source)
    } else {
        row.def.name.clone()
    }
}

/// What `/` in the SLO pane looks in: the name, the source and where the definition came from.
fn slo_text(row: &SloRow) -> String {
    format!("{} {} {:?}", row.def.name, row.def.source, row.origin).to_lowercase()
}

/// Where an SLO row sorts: worst status first, then least budget left (none: last), then
/// the fastest burn right now.
fn slo_rank(
    row: &SloRow,
) -> (
    std::cmp::Reverse<crate::domain::slo::SloStatus>,
    i64,
    std::cmp::Reverse<i64>,
) {
    let eval = row.eval.as_ref();
    let status = eval.map_or(crate::domain::slo::SloStatus::NoData, |e| e.status);
    let budget = eval
        .and_then(|e| e.budget_remaining)
        .unwrap_or(f64::INFINITY);
    let burn = eval
        .and_then(|e| e.burn_rates.values().flatten().copied().reduce(f64::max))
        .unwrap_or(0.0);
    (
        std::cmp::Reverse(status),
        ordered(budget),
        std::cmp::Reverse(ordered(burn)),
    )
}

/// Total order on f64 for sorting (NaN last).
fn ordered(v: f64) -> i64 {
    if v.is_nan() {
        i64::MAX
    } else {
        (v * 1e9).clamp(-9e18, 9e18) as i64
    }
}

/// What the row says instead of its reading while an action on it is pending, who escalated
/// it to what, and that PagerDuty acknowledged it too. Backend text: sanitise before drawing.
pub fn row_note(state: &State, alert: &DedupedAlert) -> Option<String> {
    let pending = state.acts.pending.values().find(|p| {
        p.request.kind.cluster() == alert.cluster()
            && !matches!(p.request.kind, ActKind::Extend { .. })
            && p.request.kind.covers(&alert.alert.labels)
    });
    let esc = state
        .acts
        .escalated
        .get(&alert.id)
        .and_then(|v| v.last())
        .map(|e| format!("esc {}→{}", e.by, e.target));
    let pend = pending.map(|p| format!("{} {}", p.request.kind.name(), p.status));
    let note = match (pend, esc) {
        (None, None) => None,
        (Some(p), None) => Some(p),
        (None, Some(e)) => Some(e),
        (Some(p), Some(e)) => Some(format!("{p} · {e}")),
    };
    let pd_acked = matches!(alert.reading, AlertReading::Acked { .. })
        && state.acts.pagerduty_acked.contains(&alert.id);
    if !pd_acked {
        return note;
    }
    // first, so a narrow column cuts the ack's expiry rather than this
    let rest = note.unwrap_or_else(|| alert.reading.describe(state.now));
    Some(format!("PD acked · {rest}"))
}

/// An escalated copy whose original still fires in its cluster: the same incident, counted
/// and paged once (the copy is for the next tier's routing, not a second problem).
pub fn is_repeat_of_original(state: &State, alert: &DedupedAlert) -> bool {
    use crate::domain::act::is_escalated_copy;
    let reposts = &state.acts.setup.reposts;
    if reposts.is_empty() || !is_escalated_copy(&alert.alert.labels, reposts) {
        return false;
    }
    let name = alert.identity().get("alertname");
    state.cluster_alerts(alert.cluster()).iter().any(|o| {
        o.identity().get("alertname") == name
            && !is_escalated_copy(&o.alert.labels, reposts)
            && o.alert.ends_at.is_none_or(|e| e > state.now)
    })
}

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
pub fn trace_link(state: &State) -> Option<TraceLink> {
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
