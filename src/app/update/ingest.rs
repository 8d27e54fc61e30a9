//! What the pollers publish, applied: a source's health, SLO samples (rows that appear and go
//! with their groups, evaluations, the timeline's status changes), alert snapshots and log
//! windows (with the lines a window moved past counted as dropped).

use crate::app::msg::{LogWindow, Payload, SloSample, SourceUpdate};
use crate::app::state::{SloRow, State};
use crate::domain::slo;
use crate::domain::timeline::{Entry, Event};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

pub(super) fn apply_source(state: &mut State, update: SourceUpdate) {
    let Some(health) = state.sources.iter_mut().find(|h| h.id == update.source) else {
        return;
    };
    if update.generation <= health.generation {
        return; // stale: a newer snapshot was already applied
    }
    health.generation = update.generation;
    health.slow = update.slow;
    let payload = match update.result {
        Ok(p) => {
            health.last_ok = Some(update.fetched_at);
            health.last_error = None;
            p
        }
        Err(e) => {
            // Keep the last good data; the pane shows it dimmed with this error.
            health.last_error = Some(e);
            return;
        }
    };
    let name = update.source.name.clone();
    match payload {
        Payload::Slo(samples) => {
            state
                .sources
                .iter_mut()
                .filter(|h| h.id == update.source)
                .for_each(|h| h.degraded.clone_from(&samples.notes));
            apply_slos(state, &name, &samples, update.fetched_at);
            // Rows re-sort by how badly they burn: the cursor stays on its SLO.
            state.reselect_slo();
        }
        Payload::Alerts(snapshot) => {
            let degraded: Vec<String> = snapshot
                .replicas
                .iter()
                .flat_map(|r| {
                    let error = r.error.as_ref().map(|e| e.to_string());
                    // Left-out items are shown as a failed replica is: the rest still shows.
                    error
                        .into_iter()
                        .chain(r.unreadable.iter().cloned())
                        .map(move |e| format!("{}: {e}", r.name))
                })
                .collect();
            if let Some(h) = state.sources.iter_mut().find(|h| h.id == update.source) {
                h.degraded = degraded;
            }
            record_seen_acks(state, &name, &snapshot.silences);
            record_silence_changes(state, &name, &snapshot.silences);
            state.set_cluster(name, snapshot);
        }
        Payload::Logs(window) => {
            if let Some(h) = state.sources.iter_mut().find(|h| h.id == update.source) {
                h.quiet_since = window.quiet_since;
                h.degraded = window.unreadable.iter().cloned().collect();
            }
            apply_logs(state, &name, &window);
        }
    }
}

/// Acks made by anyone (amtool, the Alertmanager UI, another cockpit) go to the timeline when a
/// poll first shows them, with their author and when they were made.
fn record_seen_acks(state: &mut State, cluster: &str, silences: &[crate::domain::alerts::Silence]) {
    use crate::domain::timeline::{Entry, Event, alert_name};
    for s in silences {
        if s.state != crate::domain::alerts::SilenceState::Active || !state.alert_policy.is_ack(s) {
            continue;
        }
        if !state
            .acks_recorded
            .insert((cluster.to_string(), s.id.clone()))
        {
            continue;
        }
        let matchers: crate::domain::alerts::Labels = s
            .matchers
            .iter()
            .filter(|m| m.is_equal && !m.is_regex)
            .map(|m| (m.name.clone(), m.value.clone()))
            .collect();
        state.records.push(Entry {
            at: s.starts_at.min(state.now),
            event: Event::Ack {
                alert: alert_name(&matchers),
                cluster: cluster.to_string(),
                by: s.created_by.clone(),
                comment: s.comment.clone(),
                matchers,
                silence_id: Some(s.id.clone()),
            },
        });
    }
}

/// Silences made, extended and expired by anyone go to the timeline as a poll sees them (the
/// first poll of a cluster only takes note of what is there).
fn record_silence_changes(
    state: &mut State,
    cluster: &str,
    silences: &[crate::domain::alerts::Silence],
) {
    use crate::domain::timeline::{Entry, Event};
    let before = state.silences_seen.get(cluster);
    let (changes, seen) =
        crate::domain::silence_changes::changes(before, silences, &state.alert_policy);
    for (s, change) in changes {
        state.records.push(Entry {
            at: state.now,
            event: Event::Silence {
                cluster: cluster.to_string(),
                silence_id: s.id.clone(),
                by: s.created_by.clone(),
                comment: s.comment.clone(),
                matchers: crate::domain::silence_list::matchers_text(&s.matchers),
                change: change.as_str().to_string(),
                ends_at: s.ends_at,
            },
        });
    }
    state.silences_seen.insert(cluster.to_string(), seen);
}

fn apply_slos(state: &mut State, source: &str, samples: &[SloSample], at: DateTime<Utc>) {
    // The rows of an SLO with group_by follow the groups in the results: a group gone from
    // them loses its row (the definition's own row, shown before any group, included).
    let mut families: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in samples {
        if let Some(f) = &s.family {
            families.entry(f).or_default().insert(&s.name);
        }
    }
    state.slos.retain(|r| {
        let family = r.family.as_deref().unwrap_or(&r.def.name);
        r.def.source != source
            || families
                .get(family)
                .is_none_or(|names| names.contains(r.def.name.as_str()))
    });
    // Rows for SLOs the source discovered and groups that appeared; configured rows are kept
    // as they are.
    for sample in samples {
        if let Some((def, origin)) = &sample.new_row
            && !state
                .slos
                .iter()
                .any(|r| r.def.source == source && r.def.name == def.name)
        {
            let mut def = def.clone();
            def.source = source.to_string();
            let mut row = SloRow::new(def, *origin);
            row.family = sample.family.clone();
            row.rules = sample.rules.clone();
            state.slos.push(row);
        }
    }
    for row in state.slos.iter_mut().filter(|r| r.def.source == source) {
        let Some(sample) = samples.iter().find(|s| s.name == row.def.name) else {
            continue;
        };
        let empty = sample
            .measurement
            .error_ratios
            .values()
            .all(Option::is_none)
            && sample.measurement.period_ratio.is_none();
        let had_data = row
            .eval
            .as_ref()
            .is_some_and(|e| e.status != slo::SloStatus::NoData);
        // Series that vanish (a renamed metric, a dropped scrape) are a fault, not a recovery.
        row.error = sample.error.clone().or_else(|| {
            (empty && had_data).then(|| "no data: every query returned an empty result".into())
        });
        row.fetched_at = Some(at);
        if !sample.queries.is_empty() {
            row.queries = sample.queries.clone();
        }
        if sample.graph_url.is_some() {
            row.graph_url = sample.graph_url.clone();
        }
        if let Some(h) = &sample.history {
            row.burn_history = h
                .iter()
                .map(|r| slo::burn_rate(*r, row.def.objective))
                .collect();
        }
        // A failed query keeps the last good values (shown dimmed, with their age) rather
        // than mixing fresh and missing windows; a row never measured shows what it got.
        if row.error.is_some() && row.eval.is_some() {
            continue;
        }
        let eval = slo::evaluate(
            row.def.objective,
            row.def.period,
            &sample.measurement,
            row.rules_or(&state.burn_rules),
        );
        let before = row
            .eval
            .as_ref()
            .map_or(slo::SloStatus::NoData, |e| e.status);
        // The timeline keeps changes that matter: from the first reading only a page or ticket.
        if eval.status != before
            && (row.eval.is_some()
                || matches!(eval.status, slo::SloStatus::Page | slo::SloStatus::Ticket))
        {
            state.records.push(Entry {
                at,
                event: Event::SloStatus {
                    slo: row.def.name.clone(),
                    from: before.label().to_string(),
                    to: eval.status.label().to_string(),
                },
            });
        }
        row.eval = Some(eval);
        row.measurement = Some(sample.measurement.clone());
        row.eval_at = Some(at);
    }
}

fn apply_logs(state: &mut State, source: &str, window: &LogWindow) {
    let seen = state.log_seq.get(source).copied();
    // Lines the source's window moved past before we saw them are lost: count them.
    let gap = match seen {
        Some(s) => window.first_seq.saturating_sub(s + 1),
        None => window.first_seq,
    };
    state.logs.add_dropped(gap);
    let mut last = seen;
    for (i, line) in window.lines.iter().enumerate() {
        let seq = window.first_seq + i as u64;
        if seen.is_some_and(|s| seq <= s) {
            continue;
        }
        state.logs.push(line.clone());
        if !state.follow {
            // keep the paused view still while lines arrive below it
            state.log_scroll += 1;
        }
        last = Some(seq);
    }
    if let Some(l) = last {
        state.log_seq.insert(source.to_string(), l);
    }
}
