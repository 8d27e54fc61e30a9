//! The incident timeline: what happened, when, and who did what, for the postmortem.
//! Events are plain data (stored as JSON lines by the runtime); the markdown export is pure.

use crate::domain::alerts::GetLabel;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Event {
    /// An alert identity seen firing for the first time (or again after it resolved).
    AlertFiring {
        alert: String,
        cluster: String,
        severity: String,
        /// The identity labels, so an ack of a whole group is matched to each of its alerts.
        #[serde(default)]
        labels: BTreeMap<String, String>,
    },
    AlertResolved {
        alert: String,
        cluster: String,
    },
    /// More than `STORM_AT` alerts of one cluster fired (or resolved) between two polls: one
    /// entry with counts, so a 300,000-alert storm is one line and not 600,000.
    Storm {
        cluster: String,
        fired: usize,
        resolved: usize,
        /// Alerts by severity label (`CRIT`, `WARN`, …).
        #[serde(default)]
        by_severity: BTreeMap<String, usize>,
        /// Alerts by `alertname`, the largest `STORM_NAMES` kept.
        #[serde(default)]
        by_alert: BTreeMap<String, usize>,
    },
    SloStatus {
        slo: String,
        from: String,
        to: String,
    },
    Ack {
        alert: String,
        cluster: String,
        by: String,
        comment: String,
        /// The silence's matchers: every alert whose labels include them is acknowledged.
        #[serde(default)]
        matchers: BTreeMap<String, String>,
        /// The ack silence: one ack, however many times it is seen (polls, restarts).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        silence_id: Option<String>,
    },
    Unack {
        alert: String,
        cluster: String,
        by: String,
    },
    Escalation {
        alert: String,
        by: String,
        target: String,
        note: String,
    },
    Note {
        by: String,
        text: String,
    },
    /// A silence (not an ack) made, extended or expired by anyone, as a poll saw it.
    Silence {
        cluster: String,
        silence_id: String,
        /// Its author (who extended or expired it is not something Alertmanager records).
        by: String,
        comment: String,
        /// As amtool writes them.
        matchers: String,
        /// `created`, `extended`, `expired` (before its end) or `ended`.
        change: String,
        ends_at: DateTime<Utc>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub event: Event,
}

/// More arrivals (or resolutions) than this in one poll of one cluster are a storm.
pub const STORM_AT: usize = 20;
/// The alert names a storm entry lists.
pub const STORM_NAMES: usize = 10;

/// Counts of a storm's alerts: by severity, and the `STORM_NAMES` largest by `alertname`.
pub fn storm_counts<'a, L: GetLabel + 'a>(
    alerts: impl Iterator<Item = (&'a str, &'a L)>,
) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let mut by_severity = BTreeMap::new();
    let mut by_alert: BTreeMap<String, usize> = BTreeMap::new();
    for (severity, labels) in alerts {
        *by_severity.entry(severity.to_string()).or_default() += 1;
        let name = labels.get_label("alertname").unwrap_or("alert");
        match by_alert.get_mut(name) {
            Some(n) => *n += 1,
            None => {
                by_alert.insert(name.to_string(), 1);
            }
        }
    }
    if by_alert.len() > STORM_NAMES {
        let mut counts: Vec<(String, usize)> = by_alert.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        counts.truncate(STORM_NAMES);
        by_alert = counts.into_iter().collect();
    }
    (by_severity, by_alert)
}

/// A readable name for an alert: `alertname{k="v",...}` from its identity labels.
pub fn alert_name<K: AsRef<str>, V: AsRef<str>>(
    labels: impl IntoIterator<Item = (K, V)>,
) -> String {
    let mut name = "alert".to_string();
    let mut rest: Vec<String> = Vec::new();
    for (k, v) in labels {
        match k.as_ref() {
            "alertname" => name = v.as_ref().to_string(),
            k => rest.push(format!("{k}=\"{}\"", v.as_ref())),
        }
    }
    if rest.is_empty() {
        name
    } else {
        format!("{name}{{{}}}", rest.join(","))
    }
}

/// Markdown for the postmortem: start, scope, the timeline, who acked and escalated what, and
/// the time to acknowledge per alert. Only entries at or after `since` are used.
pub fn export_markdown(entries: &[Entry], since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    // An ack silence seen again (a later poll, a restarted cockpit) is the same ack.
    let mut acks = std::collections::HashSet::new();
    let mut entries: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.at >= since && e.at <= now)
        .filter(|e| match &e.event {
            Event::Ack {
                silence_id: Some(id),
                cluster,
                ..
            } => acks.insert((cluster.as_str(), id.as_str())),
            _ => true,
        })
        .collect();
    // Acks seen on a poll are dated when they were made, which can be before what came in
    // the file ahead of them.
    entries.sort_by_key(|e| e.at);
    let mut md = String::new();
    let _ = writeln!(md, "# Incident timeline\n");
    let start = entries.first().map(|e| e.at);
    let _ = writeln!(
        md,
        "- Window: {} to {} (UTC)",
        since.format("%Y-%m-%d %H:%M:%S"),
        now.format("%Y-%m-%d %H:%M:%S")
    );
    match start {
        Some(s) => {
            let _ = writeln!(
                md,
                "- Start: {} UTC (first event)",
                s.format("%Y-%m-%d %H:%M:%S")
            );
        }
        None => {
            let _ = writeln!(md, "- No events in this window.");
            return md;
        }
    }
    let mut alerts: Vec<&str> = Vec::new();
    let mut clusters: Vec<&str> = Vec::new();
    let mut slos: Vec<&str> = Vec::new();
    let mut people: Vec<&str> = Vec::new();
    for e in &entries {
        match &e.event {
            Event::AlertFiring { alert, cluster, .. } => {
                push_unique(&mut alerts, alert);
                push_unique(&mut clusters, cluster);
            }
            Event::SloStatus { slo, .. } => push_unique(&mut slos, slo),
            Event::Ack { by, .. }
            | Event::Unack { by, .. }
            | Event::Escalation { by, .. }
            | Event::Note { by, .. } => push_unique(&mut people, by),
            Event::Storm { cluster, .. } => push_unique(&mut clusters, cluster),
            Event::AlertResolved { .. } | Event::Silence { .. } => {}
        }
    }
    let list = |v: &[&str]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(md, "- Alerts: {}", list(&alerts));
    let _ = writeln!(md, "- Clusters: {}", list(&clusters));
    let _ = writeln!(md, "- SLOs: {}", list(&slos));
    let _ = writeln!(md, "- Responders: {}", list(&people));

    let _ = writeln!(md, "\n## Timeline\n");
    let _ = writeln!(md, "| time (UTC) | event |");
    let _ = writeln!(md, "|---|---|");
    for e in &entries {
        let _ = writeln!(
            md,
            "| {} | {} |",
            e.at.format("%H:%M:%S"),
            cell(&describe(&e.event))
        );
    }

    let _ = writeln!(md, "\n## Acknowledgements and escalations\n");
    let mut any = false;
    for e in &entries {
        let line = match &e.event {
            Event::Ack {
                alert, by, comment, ..
            } => format!("{by} acknowledged {alert}: {comment}"),
            Event::Unack { alert, by, .. } => {
                format!("{by} withdrew the acknowledgement of {alert}")
            }
            Event::Escalation {
                alert,
                by,
                target,
                note,
            } => format!("{by} escalated {alert} to {target}: {note}"),
            _ => continue,
        };
        any = true;
        let _ = writeln!(md, "- {} {}", e.at.format("%H:%M:%S"), line);
    }
    if !any {
        let _ = writeln!(md, "- none");
    }

    let _ = writeln!(md, "\n## Time to acknowledge\n");
    let _ = writeln!(md, "| alert | fired | acknowledged | time to acknowledge |");
    let _ = writeln!(md, "|---|---|---|---|");
    for alert in &alerts {
        let fired = entries.iter().find_map(|e| match &e.event {
            Event::AlertFiring {
                alert: a,
                labels,
                cluster,
                ..
            } if a == alert => Some((e.at, labels, cluster)),
            _ => None,
        });
        let Some((fired, labels, cluster)) = fired else {
            continue;
        };
        let acked = entries
            .iter()
            .filter(|e| e.at >= fired)
            .find_map(|e| match &e.event {
                Event::Ack { alert: a, .. } if a == alert => Some(e.at),
                Event::Ack {
                    matchers,
                    cluster: c,
                    ..
                } if c == cluster
                    && !matchers.is_empty()
                    && matchers.iter().all(|(k, v)| labels.get(k) == Some(v)) =>
                {
                    Some(e.at)
                }
                _ => None,
            });
        let (when, tta) = match acked {
            Some(a) => (
                a.format("%H:%M:%S").to_string(),
                human((a - fired).num_seconds()),
            ),
            None => ("not acknowledged".to_string(), "–".to_string()),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} |",
            cell(alert),
            fired.format("%H:%M:%S"),
            when,
            tta
        );
    }
    md
}

fn push_unique<'a>(v: &mut Vec<&'a str>, s: &'a str) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// One line of the timeline.
pub fn describe(e: &Event) -> String {
    match e {
        Event::AlertFiring {
            alert,
            cluster,
            severity,
            ..
        } => format!("{severity} {alert} firing ({cluster})"),
        Event::AlertResolved { alert, cluster } => format!("{alert} resolved ({cluster})"),
        Event::Storm {
            cluster,
            fired,
            resolved,
            by_severity,
            by_alert,
        } => {
            let list = |m: &BTreeMap<String, usize>| {
                let mut v: Vec<(&String, &usize)> = m.iter().collect();
                v.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                v.iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let what = match (fired, resolved) {
                (f, 0) => format!("{f} alerts fired"),
                (0, r) => format!("{r} alerts resolved"),
                (f, r) => format!("{f} alerts fired, {r} resolved"),
            };
            format!(
                "storm: {what} in one poll ({cluster}): {}; {}",
                list(by_severity),
                list(by_alert)
            )
        }
        Event::SloStatus { slo, from, to } => format!("SLO {slo}: {from} -> {to}"),
        Event::Ack {
            alert, by, comment, ..
        } => format!("{by} acked {alert}: {comment}"),
        Event::Unack { alert, by, .. } => format!("{by} un-acked {alert}"),
        Event::Escalation {
            alert,
            by,
            target,
            note,
        } => format!("{by} escalated {alert} to {target}: {note}"),
        Event::Note { by, text } => format!("note by {by}: {text}"),
        Event::Silence {
            cluster,
            by,
            comment,
            matchers,
            change,
            ends_at,
            ..
        } => match change.as_str() {
            "created" => format!(
                "{by} silenced {matchers} until {} ({cluster}): {comment}",
                ends_at.format("%Y-%m-%d %H:%M UTC")
            ),
            "extended" => format!(
                "silence {matchers} by {by} extended to {} ({cluster})",
                ends_at.format("%Y-%m-%d %H:%M UTC")
            ),
            "expired" => format!("silence {matchers} by {by} expired ({cluster})"),
            other => format!("silence {matchers} by {by} {other} ({cluster})"),
        },
    }
}

/// Markdown table cells cannot hold `|` or line breaks.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn human(secs: i64) -> String {
    let s = secs.max(0);
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m {}s", s / 60, s % 60)
    } else {
        format!("{}h {}m", s / 3600, (s % 3600) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(min: i64, sec: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
            + chrono::Duration::seconds(min * 60 + sec)
    }

    #[test]
    fn alert_names_are_stable_and_readable() {
        let labels: BTreeMap<String, String> =
            [("alertname", "HighErrorRate"), ("service", "checkout")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(alert_name(&labels), "HighErrorRate{service=\"checkout\"}");
    }

    #[test]
    fn export_lists_scope_timeline_and_time_to_ack() {
        let a = "HighErrorRate{service=\"checkout\"}".to_string();
        let entries = vec![
            Entry {
                at: at(0, 0),
                event: Event::AlertFiring {
                    alert: a.clone(),
                    cluster: "prod".into(),
                    severity: "critical".into(),
                    labels: [("alertname", "HighErrorRate"), ("service", "checkout")]
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                },
            },
            // A group ack: its matchers are a subset of the alert's labels.
            Entry {
                at: at(2, 30),
                event: Event::Ack {
                    alert: "HighErrorRate".into(),
                    cluster: "prod".into(),
                    by: "alice".into(),
                    comment: "ACK: on it".into(),
                    matchers: [("alertname".to_string(), "HighErrorRate".to_string())]
                        .into_iter()
                        .collect(),
                    silence_id: Some("s1".into()),
                },
            },
            Entry {
                at: at(3, 0),
                event: Event::Note {
                    by: "alice".into(),
                    text: "rolled back | v2".into(),
                },
            },
            Entry {
                at: at(9, 0),
                event: Event::AlertResolved {
                    alert: a.clone(),
                    cluster: "prod".into(),
                },
            },
        ];
        let md = export_markdown(&entries, at(-60, 0), at(10, 0));
        assert!(
            md.contains("- Start: 2026-11-22 03:00:00 UTC (first event)"),
            "{md}"
        );
        assert!(md.contains("- Responders: alice"));
        assert!(
            md.contains("| 03:03:00 | note by alice: rolled back \\| v2 |"),
            "{md}"
        );
        assert!(
            md.contains("| HighErrorRate{service=\"checkout\"} | 03:00:00 | 03:02:30 | 2m 30s |"),
            "{md}"
        );
        assert!(
            md.contains("- 03:02:30 alice acknowledged HighErrorRate: ACK: on it"),
            "{md}"
        );
        // Entries before `since` are left out.
        let late = export_markdown(&entries, at(5, 0), at(10, 0));
        assert!(!late.contains("acknowledged HighErrorRate"));
        assert!(late.contains("resolved"));
    }

    #[test]
    fn entries_round_trip_as_json_lines() {
        let e = Entry {
            at: at(1, 0),
            event: Event::Note {
                by: "bob".into(),
                text: "hi".into(),
            },
        };
        let line = serde_json::to_string(&e).unwrap();
        assert_eq!(
            line,
            r#"{"at":"2026-11-22T03:01:00Z","kind":"note","by":"bob","text":"hi"}"#
        );
        assert_eq!(serde_json::from_str::<Entry>(&line).unwrap(), e);
    }
}
