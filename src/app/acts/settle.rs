//! Seeing a request through: the executor's news, the poll that shows an ack or un-ack done,
//! and extending the "until resolved" acks while their alert still fires.

use super::{ActKind, ActionResult, Escalated, Outcome, Pending, UNTIL_RESOLVED};
use super::{matches, request};
use crate::app::msg::Effect;
use crate::app::state::State;
use crate::domain::alerts::{AlertId, AlertReading, Labels, SilenceState};
use std::collections::BTreeSet;

/// The executor's news: pending rows, the footer, and a poll of the cluster when delivered.
pub fn on_result(state: &mut State, r: ActionResult) -> Vec<Effect> {
    let id = r.request.id.clone();
    let what = r.request.kind.describe();
    let mut effects = Vec::new();
    match &r.outcome {
        Outcome::Queued => {
            state.acts.pending.entry(id).or_insert(Pending {
                request: r.request.clone(),
                status: "pending".into(),
                delivered: None,
            });
        }
        Outcome::Retrying(reason) => {
            let p = state.acts.pending.entry(id).or_insert(Pending {
                request: r.request.clone(),
                status: String::new(),
                delivered: None,
            });
            p.status = format!("pending, retrying: {reason}");
            state.status = Some(format!("{what}: retrying: {reason}"));
        }
        Outcome::Done(detail) => {
            match &r.request.kind {
                ActKind::Ack { .. } | ActKind::Unack { .. } => {
                    // Pending until the next poll shows it (`on_alerts`).
                    let p = state.acts.pending.entry(id).or_insert(Pending {
                        request: r.request.clone(),
                        status: String::new(),
                        delivered: None,
                    });
                    p.status = "pending, confirming".into();
                    p.delivered = Some(detail.clone());
                }
                ActKind::Extend { silence_id, .. } => {
                    state.acts.extending.remove(silence_id);
                    state.acts.pending.remove(&id);
                }
                ActKind::Silence { .. } | ActKind::Expire { .. } => {
                    state.acts.pending.remove(&id);
                }
                ActKind::Escalate {
                    cluster,
                    labels,
                    target,
                    ..
                } => {
                    state.acts.pending.remove(&id);
                    state
                        .acts
                        .escalated
                        .entry(AlertId::new(cluster.as_str(), labels.into()))
                        .or_default()
                        .push(Escalated {
                            by: r.request.user.clone(),
                            target: target.clone(),
                            at: state.now,
                        });
                }
                ActKind::PagerdutyAck {
                    cluster, labels, ..
                } => {
                    state.acts.pending.remove(&id);
                    state
                        .acts
                        .pagerduty_acked
                        .insert(AlertId::new(cluster.as_str(), labels.into()));
                    state.status = Some(format!("{what}: done {detail}"));
                    return effects;
                }
            }
            state.status = Some(format!("{what}: done {detail}").trim_end().to_string());
            effects.push(Effect::Refresh(vec![crate::domain::health::SourceId::new(
                crate::domain::health::SourceKind::Alertmanager,
                r.request.kind.cluster(),
            )]));
        }
        Outcome::Failed(reason) => {
            state.acts.pending.remove(&id);
            if let ActKind::Extend { silence_id, .. } = &r.request.kind {
                state.acts.extending.remove(silence_id);
            }
            state.status = Some(format!("{what}: FAILED: {reason}"));
        }
    }
    effects
}

/// After an alerts snapshot: settle pending acks the poll now shows, extend "until resolved"
/// acks that are about to end while their alert still fires.
pub fn on_alerts(state: &mut State, cluster: &str) -> Vec<Effect> {
    let Some(snap) = state.clusters.get(cluster) else {
        return Vec::new();
    };
    // Settled when the silence is seen and every alert it matches reads accordingly: with
    // several replicas the freshest report of an alert may come from one that has not had
    // the silence by gossip yet, and the row must not flash "firing" in between.
    let current = state.cluster_alerts(cluster);
    let seen: Vec<String> = state
        .acts
        .pending
        .iter()
        .filter(|(_, p)| p.request.kind.cluster() == cluster)
        .filter(|(_, p)| {
            let Some(silence) = &p.delivered else {
                return false;
            };
            let found = snap.silences.iter().find(|s| &s.id == silence);
            let matching = || {
                current
                    .iter()
                    .filter(|a| p.request.kind.covers(&a.alert.labels))
            };
            match &p.request.kind {
                ActKind::Ack { .. } => {
                    found.is_some_and(|s| s.state != SilenceState::Expired)
                        && matching().all(|a| a.reading != AlertReading::Firing)
                }
                ActKind::Unack { .. } => {
                    found.is_none_or(|s| s.state == SilenceState::Expired)
                        && matching().all(|a| !a.alert.silenced_by.contains(silence))
                }
                _ => true,
            }
        })
        .map(|(id, _)| id.clone())
        .collect();
    for id in seen {
        if let Some(p) = state.acts.pending.remove(&id) {
            let also = match &p.request.kind {
                ActKind::Ack { matchers, .. } => pagerduty_note(state, cluster, matchers),
                _ => "",
            };
            state.status = Some(format!(
                "{}: confirmed by the poll{also}",
                p.request.kind.describe()
            ));
        }
    }
    if state.read_only {
        return Vec::new();
    }
    let step = state.acts.setup.until_resolved_step;
    let half = chrono::Duration::from_std(step / 2).unwrap_or(chrono::Duration::minutes(15));
    let full = chrono::Duration::from_std(step).unwrap_or(chrono::Duration::minutes(30));
    let mut extend = Vec::new();
    for s in &snap.silences {
        if s.state != SilenceState::Active
            || !state.alert_policy.is_ack(s)
            || !s.comment.contains(UNTIL_RESOLVED)
            || s.ends_at - state.now > half
            || state.acts.extending.contains(&s.id)
        {
            continue;
        }
        let still_fires = snap
            .observations
            .iter()
            .any(|o| o.alert.silenced_by.contains(&s.id));
        if !still_fires {
            continue;
        }
        // Posted again as it is: a regex matcher would not survive the round trip.
        if s.matchers.iter().any(|m| m.is_regex) {
            continue;
        }
        let side = |equal: bool| -> Labels {
            s.matchers
                .iter()
                .filter(|m| m.is_equal == equal)
                .map(|m| (m.name.clone(), m.value.clone()))
                .collect()
        };
        extend.push(ActKind::Extend {
            cluster: cluster.to_string(),
            silence_id: s.id.clone(),
            matchers: side(true),
            exclude: side(false),
            comment: s.comment.clone(),
            created_by: s.created_by.clone(),
            starts_at: s.starts_at,
            ends_at: state.now + full,
        });
    }
    let mut effects = Vec::new();
    for kind in extend {
        if let ActKind::Extend { silence_id, .. } = &kind {
            state.acts.extending.insert(silence_id.clone());
        }
        effects.push(request(state, kind));
    }
    effects
}

/// How the PagerDuty acknowledge of the alerts an ack matches went, for the footer.
fn pagerduty_note(state: &State, cluster: &str, matchers: &Labels) -> &'static str {
    let pending = state.acts.pending.values().any(|p| match &p.request.kind {
        ActKind::PagerdutyAck {
            cluster: c, labels, ..
        } => c == cluster && matches(labels, matchers),
        _ => false,
    });
    if pending {
        "; PagerDuty acknowledge pending"
    } else if state
        .acts
        .pagerduty_acked
        .iter()
        .any(|id| id.cluster() == cluster && matches(id.labels(), matchers))
    {
        "; PagerDuty acknowledged"
    } else {
        ""
    }
}

/// Once a second while a delivered ack or un-ack waits for the poll to show it: poll its
/// cluster again (replicas learn silences by gossip, a moment after the one we posted to).
pub fn on_tick(state: &State) -> Vec<Effect> {
    let clusters: BTreeSet<&str> = state
        .acts
        .pending
        .values()
        .filter(|p| p.delivered.is_some())
        .map(|p| p.request.kind.cluster())
        .collect();
    if clusters.is_empty() {
        return Vec::new();
    }
    vec![Effect::Refresh(
        clusters
            .into_iter()
            .map(|c| {
                crate::domain::health::SourceId::new(
                    crate::domain::health::SourceKind::Alertmanager,
                    c,
                )
            })
            .collect(),
    )]
}
