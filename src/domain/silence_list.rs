//! The silences of every cluster as one list: what `:silences` and `onwatch silence list` show.
//! One row per silence (the replicas' copies are merged before this), with whether it is an
//! onwatch-style ack, how long it has left and how many alerts it matches now.

use super::alerts::{AlertPolicy, DedupedAlert, LabelSet, Matcher, Silence, SilenceState};
use super::matchers::{Op, ValueMatcher};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// How far back expired silences are listed when asked for.
pub const EXPIRED_WITHIN: Duration = Duration::hours(24);

/// What a silence is to the on-call engineer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SilenceKind {
    /// Its comment starts with the ack prefix: someone is on it.
    Ack,
    /// Any other silence: maintenance, a known issue, noise held quiet.
    Silence,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SilenceRow<'a> {
    pub cluster: &'a str,
    pub silence: &'a Silence,
    pub kind: SilenceKind,
    /// Alerts it matches now: for an active silence those Alertmanager says it silences, for a
    /// pending or expired one those its matchers would take.
    pub matching: usize,
}

impl SilenceRow<'_> {
    pub fn state_word(&self) -> &'static str {
        match self.silence.state {
            SilenceState::Active => "active",
            SilenceState::Pending => "pending",
            SilenceState::Expired => "expired",
        }
    }

    /// `1h20m left`, `in 5m` (until it starts), `2h ago` (since it ended).
    pub fn when(&self, now: DateTime<Utc>) -> String {
        let span = super::duration::label(self.time_left(now).to_std().unwrap_or_default());
        match self.silence.state {
            SilenceState::Active => format!("{span} left"),
            SilenceState::Pending => format!("in {span}"),
            SilenceState::Expired => format!("{span} ago"),
        }
    }

    /// Until its end (active), until its start (pending), since its end (expired).
    pub fn time_left(&self, now: DateTime<Utc>) -> Duration {
        match self.silence.state {
            SilenceState::Pending => self.silence.starts_at - now,
            SilenceState::Active => self.silence.ends_at - now,
            SilenceState::Expired => now - self.silence.ends_at,
        }
    }
}

/// The rows for `clusters` (name, its silences, its alerts): active ones first, soonest end
/// first; then pending, soonest start first; then, when `expired` is set, those expired in the
/// last `EXPIRED_WITHIN`, latest first.
pub fn silence_rows<'a>(
    clusters: impl IntoIterator<Item = (&'a str, &'a [Silence], &'a [DedupedAlert])>,
    policy: &AlertPolicy,
    now: DateTime<Utc>,
    expired: bool,
) -> Vec<SilenceRow<'a>> {
    let mut rows = Vec::new();
    for (cluster, silences, alerts) in clusters {
        // What Alertmanager says each silence silences, counted in one pass over the alerts.
        let mut silencing: HashMap<&str, usize> = HashMap::new();
        for a in alerts {
            for id in &a.alert.silenced_by {
                *silencing.entry(id.as_str()).or_default() += 1;
            }
        }
        for s in silences {
            let shown = match s.state {
                SilenceState::Active | SilenceState::Pending => true,
                SilenceState::Expired => expired && now - s.ends_at <= EXPIRED_WITHIN,
            };
            if !shown {
                continue;
            }
            let matching = match s.state {
                SilenceState::Active => silencing.get(s.id.as_str()).copied().unwrap_or(0),
                _ => match compile(&s.matchers) {
                    Some(ms) => alerts
                        .iter()
                        .filter(|a| matches_all(&ms, &a.alert.labels))
                        .count(),
                    None => 0,
                },
            };
            rows.push(SilenceRow {
                cluster,
                silence: s,
                kind: if policy.is_ack(s) {
                    SilenceKind::Ack
                } else {
                    SilenceKind::Silence
                },
                matching,
            });
        }
    }
    let rank = |s: &Silence| match s.state {
        SilenceState::Active => 0,
        SilenceState::Pending => 1,
        SilenceState::Expired => 2,
    };
    rows.sort_by(|a, b| {
        let (x, y) = (a.silence, b.silence);
        rank(x)
            .cmp(&rank(y))
            .then_with(|| match x.state {
                SilenceState::Active => x.ends_at.cmp(&y.ends_at),
                SilenceState::Pending => x.starts_at.cmp(&y.starts_at),
                SilenceState::Expired => y.ends_at.cmp(&x.ends_at),
            })
            .then_with(|| (a.cluster, &x.id).cmp(&(b.cluster, &y.id)))
    });
    rows
}

/// A silence's matchers, compiled; `None` when one cannot be (Alertmanager would have refused
/// it, so it matches nothing).
pub fn compile(matchers: &[Matcher]) -> Option<Vec<ValueMatcher>> {
    matchers
        .iter()
        .map(|m| ValueMatcher::new(&m.name, Op::from_flags(m.is_regex, m.is_equal), &m.value).ok())
        .collect()
}

/// Every matcher holds, a missing label read as empty (Alertmanager's rule).
pub fn matches_all(matchers: &[ValueMatcher], labels: &LabelSet) -> bool {
    matchers
        .iter()
        .all(|m| m.matches(labels.get(&m.name).unwrap_or("")))
}

/// `{alertname="Disk", instance=~"db-.*"}`: matchers as amtool and the `/` filter write them.
pub fn matchers_text(matchers: &[Matcher]) -> String {
    let inner: Vec<String> = matchers
        .iter()
        .map(|m| {
            let op = Op::from_flags(m.is_regex, m.is_equal).as_str();
            format!("{}{op}{:?}", m.name, m.value)
        })
        .collect();
    format!("{{{}}}", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::{Alert, AlertId, AlertReading, AmState, Severity};
    use chrono::TimeZone;
    use std::sync::Arc;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0).unwrap()
    }

    fn m(name: &str, value: &str, is_regex: bool, is_equal: bool) -> Matcher {
        Matcher {
            name: name.into(),
            value: value.into(),
            is_regex,
            is_equal,
        }
    }

    fn silence(id: &str, state: SilenceState, start: i64, end: i64, comment: &str) -> Silence {
        Silence {
            id: id.into(),
            matchers: vec![m("alertname", "Disk", false, true)],
            starts_at: now() + Duration::minutes(start),
            ends_at: now() + Duration::minutes(end),
            created_by: "bob".into(),
            comment: comment.into(),
            state,
        }
    }

    fn alert(pairs: &[(&str, &str)], silenced_by: &[&str]) -> DedupedAlert {
        let labels = LabelSet::from_pairs(pairs.iter().copied());
        DedupedAlert {
            id: AlertId::new("prod", labels.clone()),
            alert: Arc::new(Alert {
                labels: Arc::new(labels),
                annotations: Arc::default(),
                state: AmState::Active,
                silenced_by: silenced_by.iter().map(|s| s.to_string()).collect(),
                inhibited_by: vec![],
                starts_at: now(),
                updated_at: now(),
                ends_at: None,
                generator_url: None,
                fingerprint: String::new(),
                receivers: Arc::default(),
            }),
            sources: Arc::default(),
            reading: AlertReading::Firing,
            severity: Severity::Critical,
            flapping: false,
        }
    }

    #[test]
    fn active_then_pending_then_recently_expired_each_in_its_order() {
        let silences = vec![
            silence("late", SilenceState::Active, -10, 120, "maintenance"),
            silence("soon", SilenceState::Active, -10, 5, "ACK: on it"),
            silence("next", SilenceState::Pending, 60, 120, "window"),
            silence("old", SilenceState::Expired, -200, -30, "x"),
            silence("ancient", SilenceState::Expired, -3000, -2000, "x"),
        ];
        let alerts = vec![alert(&[("alertname", "Disk")], &["soon"])];
        let ids = |expired: bool| -> Vec<String> {
            silence_rows(
                [("prod", silences.as_slice(), alerts.as_slice())],
                &AlertPolicy::default(),
                now(),
                expired,
            )
            .iter()
            .map(|r| r.silence.id.clone())
            .collect()
        };
        assert_eq!(ids(false), ["soon", "late", "next"]);
        assert_eq!(
            ids(true),
            ["soon", "late", "next", "old"],
            "a day back, no more"
        );
        let rows = silence_rows(
            [("prod", silences.as_slice(), alerts.as_slice())],
            &AlertPolicy::default(),
            now(),
            false,
        );
        assert_eq!(rows[0].kind, SilenceKind::Ack);
        assert_eq!(rows[1].kind, SilenceKind::Silence);
        assert_eq!(rows[0].time_left(now()), Duration::minutes(5));
        assert_eq!(
            rows[2].time_left(now()),
            Duration::minutes(60),
            "until it starts"
        );
    }

    #[test]
    fn an_active_silence_counts_what_alertmanager_says_it_silences_a_pending_one_what_it_would() {
        let mut pending = silence("p", SilenceState::Pending, 30, 90, "window");
        pending.matchers = vec![
            m("alertname", "Disk", false, true),
            m("instance", "db-.*", true, true),
            m("env", "staging", false, false),
        ];
        let silences = vec![silence("a", SilenceState::Active, -5, 60, "x"), pending];
        let alerts = vec![
            alert(&[("alertname", "Disk"), ("instance", "db-1")], &["a"]),
            alert(
                &[
                    ("alertname", "Disk"),
                    ("instance", "db-2"),
                    ("env", "staging"),
                ],
                &[],
            ),
            alert(&[("alertname", "Disk"), ("instance", "web-1")], &[]),
            alert(&[("alertname", "Disk"), ("instance", "db-3")], &[]),
        ];
        let rows = silence_rows(
            [("prod", silences.as_slice(), alerts.as_slice())],
            &AlertPolicy::default(),
            now(),
            false,
        );
        let counts: Vec<(&str, usize)> = rows
            .iter()
            .map(|r| (r.silence.id.as_str(), r.matching))
            .collect();
        assert_eq!(
            counts,
            [("a", 1), ("p", 2)],
            "db-1 and db-3; staging is excluded"
        );
    }

    #[test]
    fn a_silence_whose_regex_cannot_compile_matches_nothing() {
        let mut bad = silence("b", SilenceState::Pending, 5, 10, "x");
        bad.matchers = vec![m("alertname", "(", true, true)];
        let alerts = vec![alert(&[("alertname", "(")], &[])];
        let rows = silence_rows(
            [("prod", std::slice::from_ref(&bad), alerts.as_slice())],
            &AlertPolicy::default(),
            now(),
            false,
        );
        assert_eq!(rows[0].matching, 0);
    }

    #[test]
    fn matchers_read_as_amtool_writes_them() {
        let ms = [
            m("alertname", "Disk", false, true),
            m("instance", "db-.*", true, true),
            m("env", "staging", false, false),
            m("job", "x\"y", true, false),
        ];
        assert_eq!(
            matchers_text(&ms),
            r#"{alertname="Disk", instance=~"db-.*", env!="staging", job!~"x\"y"}"#
        );
    }
}
