//! The state as JSON for `onwatch snapshot --format json` (its field names are a contract other tools rely on).

use super::state::State;
use crate::domain::duration;
use serde_json::{Value, json};

/// Every alert of every cluster (silenced and inhibited too, whatever the pane shows), grouped
/// and sorted as the pane groups them, with the filter not applied: the report is the record.
fn every_alert_grouped(state: &State) -> Vec<crate::domain::alerts::AlertGroup> {
    use crate::domain::alerts::{self, DedupedAlert};
    let all: Vec<DedupedAlert> = state
        .deduped
        .values()
        .flatten()
        .map(|a| DedupedAlert {
            flapping: state.flaps.is_flapping(&a.id),
            ..a.clone()
        })
        .collect();
    alerts::sort_groups(alerts::group(all, &state.grouping()), state.alert_sort)
}

pub fn state_json(state: &State) -> Value {
    let sources: Vec<Value> = state
        .sources
        .iter()
        .map(|h| {
            json!({
                "name": h.id.name,
                "kind": h.id.kind.as_str(),
                "ok": h.is_ok(),
                "error": h.last_error.as_ref().map(|e| e.to_string()),
                "degraded": h.notes(state.now),
                "age_seconds": h.age_seconds(state.now),
            })
        })
        .collect();
    let slos: Vec<Value> = state
        .slo_order()
        .into_iter()
        .map(|i| {
            let row = &state.slos[i];
            let eval = row.eval.as_ref();
            let burn: serde_json::Map<String, Value> = eval
                .map(|e| e.burn_rates.iter().map(|(w, b)| (duration::label(*w), json!(b))).collect())
                .unwrap_or_default();
            json!({
                "name": row.def.name,
                "source": row.def.source,
                "objective": row.def.objective * 100.0,
                "period": duration::label(row.def.period),
                "budget_remaining": eval.and_then(|e| e.budget_remaining),
                "burn_rates": burn,
                "status": eval.map(|e| e.status).unwrap_or(crate::domain::slo::SloStatus::NoData),
                "time_to_exhaustion_seconds": eval.and_then(|e| e.time_to_exhaustion).map(|d| d.as_secs()),
                "error": row.error,
            })
        })
        .collect();
    let groups: Vec<Value> = every_alert_grouped(state)
        .iter()
        .map(|g| {
            json!({
                "labels": g.labels,
                "worst_severity": g.worst,
                "firing": g.firing,
                "acked": g.acked,
                "silenced": g.silenced,
                "inhibited": g.inhibited,
                "flapping": g.flapping,
                "alerts": g.alerts.iter().map(|a| json!({
                    "cluster": a.cluster(),
                    "labels": a.alert.labels,
                    "annotations": a.alert.annotations,
                    "state": a.reading.name(),
                    "reading": a.reading,
                    "silenced_by": a.alert.silenced_by,
                    "inhibited_by": a.alert.inhibited_by,
                    "flapping": a.flapping,
                    "severity": a.severity,
                    "starts_at": a.alert.starts_at,
                    "sources": a.sources,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let logs: Vec<Value> = state
        .logs
        .iter()
        .map(|l| json!({"timestamp": l.timestamp, "source": l.source, "level": l.level, "line": l.line}))
        .collect();
    json!({
        "generated_at": state.now,
        "user": state.user,
        "sources": sources,
        "slos": slos,
        "alert_groups": groups,
        "logs": logs,
        "logs_dropped": state.logs.dropped(),
    })
}
