//! Silences made, extended and expired by anyone (amtool, the Alertmanager UI, another
//! cockpit, this one), as polls see them: for the incident timeline. Acks are left out: they
//! have their own entries, and an "until resolved" ack is extended every few minutes.

use super::alerts::{AlertPolicy, Silence, SilenceState};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What a poll last showed of one silence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seen {
    pub state: SilenceState,
    pub ends_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Created,
    /// Its end moved later.
    Extended,
    /// Ended before its time: someone expired it.
    Expired,
    /// Ran to its end.
    Ended,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Extended => "extended",
            Change::Expired => "expired",
            Change::Ended => "ended",
        }
    }
}

/// The changes from `before` (what the last poll of the cluster showed; `None` on the first,
/// which only takes note of what is there) to `silences`, and what to remember for the next.
pub fn changes<'a>(
    before: Option<&HashMap<String, Seen>>,
    silences: &'a [Silence],
    policy: &AlertPolicy,
) -> (Vec<(&'a Silence, Change)>, HashMap<String, Seen>) {
    let live = |s: SilenceState| s != SilenceState::Expired;
    let mut out = Vec::new();
    let mut seen = HashMap::with_capacity(silences.len());
    for s in silences.iter().filter(|s| !policy.is_ack(s)) {
        seen.insert(
            s.id.clone(),
            Seen {
                state: s.state,
                ends_at: s.ends_at,
            },
        );
        let Some(before) = before else {
            continue;
        };
        let change = match before.get(&s.id) {
            None if live(s.state) => Some(Change::Created),
            None => None,
            Some(was) if live(was.state) && !live(s.state) => Some(if s.ends_at < was.ends_at {
                Change::Expired
            } else {
                Change::Ended
            }),
            Some(was) if live(s.state) && s.ends_at > was.ends_at => Some(Change::Extended),
            Some(_) => None,
        };
        if let Some(c) = change {
            out.push((s, c));
        }
    }
    (out, seen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::Matcher;
    use chrono::{Duration, TimeZone};

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 3, 0, 0).unwrap() + Duration::minutes(min)
    }

    fn s(id: &str, state: SilenceState, end: i64, comment: &str) -> Silence {
        Silence {
            id: id.into(),
            matchers: vec![Matcher {
                name: "alertname".into(),
                value: "Disk".into(),
                is_regex: false,
                is_equal: true,
            }],
            starts_at: t(-10),
            ends_at: t(end),
            created_by: "bob".into(),
            comment: comment.into(),
            state,
        }
    }

    fn kinds(c: &[(&Silence, Change)]) -> Vec<(String, Change)> {
        c.iter().map(|(s, c)| (s.id.clone(), *c)).collect()
    }

    #[test]
    fn the_first_poll_only_takes_note_then_each_change_is_said_once() {
        let policy = AlertPolicy::default();
        let first = vec![
            s("a", SilenceState::Active, 60, "window"),
            s("b", SilenceState::Active, 30, "x"),
        ];
        let (c, seen) = changes(None, &first, &policy);
        assert!(c.is_empty());
        let second = vec![
            s("a", SilenceState::Active, 120, "window"), // extended
            s("b", SilenceState::Expired, 5, "x"),       // expired early
            s("c", SilenceState::Pending, 90, "Sunday"), // new
            s("d", SilenceState::Active, 90, "ACK: on it"), // an ack: its own entries
        ];
        let (c, seen) = changes(Some(&seen), &second, &policy);
        assert_eq!(
            kinds(&c),
            [
                ("a".to_string(), Change::Extended),
                ("b".to_string(), Change::Expired),
                ("c".to_string(), Change::Created)
            ]
        );
        let (c, seen) = changes(Some(&seen), &second, &policy);
        assert!(c.is_empty(), "nothing changed: nothing said");
        let third = vec![s("c", SilenceState::Expired, 90, "Sunday")];
        let (c, _) = changes(Some(&seen), &third, &policy);
        assert_eq!(
            kinds(&c),
            [("c".to_string(), Change::Ended)],
            "ran to its end"
        );
    }
}
