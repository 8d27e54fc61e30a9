//! The silence store both Alertmanager replicas share (as if gossiped), with Alertmanager's rules
//! for validation, states and expiry. Time is passed in, so the rules are testable without waiting.

use super::matchers::{LabelMatcher, Op};
use super::rng;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireMatcher {
    pub name: String,
    pub value: String,
    pub is_regex: bool,
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// `postableSilence`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableSilence {
    #[serde(default)]
    pub id: Option<String>,
    pub matchers: Vec<WireMatcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

#[derive(Clone, Debug)]
pub struct StoredSilence {
    pub id: String,
    pub matchers: Vec<WireMatcher>,
    compiled: Vec<LabelMatcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Active,
    Pending,
    Expired,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Pending => "pending",
            State::Expired => "expired",
        }
    }
}

impl StoredSilence {
    pub fn state(&self, now: DateTime<Utc>) -> State {
        if self.ends_at <= now {
            State::Expired
        } else if self.starts_at > now {
            State::Pending
        } else {
            State::Active
        }
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        super::matchers::matches_all(&self.compiled, labels)
    }

    /// `gettableSilence`.
    pub fn to_json(&self, now: DateTime<Utc>) -> serde_json::Value {
        serde_json::json!({
            "id": self.id,
            "status": {"state": self.state(now).as_str()},
            "updatedAt": rfc3339(self.updated_at),
            "matchers": self.matchers,
            "startsAt": rfc3339(self.starts_at),
            "endsAt": rfc3339(self.ends_at),
            "createdBy": self.created_by,
            "comment": self.comment,
            "annotations": {},
        })
    }
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[derive(Debug, PartialEq)]
pub enum SilenceError {
    /// 400 with this message.
    Invalid(String),
    /// 404.
    NotFound,
    /// 500 with this message (as Alertmanager answers for an already expired silence).
    Internal(String),
}

#[derive(Debug)]
pub struct Store {
    seed: u64,
    next: u64,
    silences: Vec<StoredSilence>,
}

fn compile(ms: &[WireMatcher]) -> Result<Vec<LabelMatcher>, String> {
    if ms.is_empty() {
        return Err("silence invalid: at least one matcher required".into());
    }
    let compiled = ms
        .iter()
        .enumerate()
        .map(|(i, m)| {
            LabelMatcher::new(&m.name, Op::from_flags(m.is_regex, m.is_equal), &m.value)
                .map_err(|e| format!("silence invalid: invalid label matcher {i}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if compiled.iter().all(|m| m.matches_value("")) {
        return Err("silence invalid: at least one matcher must not match the empty string".into());
    }
    Ok(compiled)
}

impl Store {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            next: 0,
            silences: Vec::new(),
        }
    }

    fn new_id(&mut self) -> String {
        self.next += 1;
        rng::uuid(self.seed, &[900, self.next])
    }

    /// Creates or updates a silence; returns its id. Mirrors Alertmanager's checks and messages.
    pub fn post(&mut self, p: PostableSilence, now: DateTime<Utc>) -> Result<String, SilenceError> {
        if p.starts_at >= p.ends_at {
            return Err(SilenceError::Invalid(
                "Failed to create silence: start time must be before end time".into(),
            ));
        }
        if p.ends_at < now {
            return Err(SilenceError::Invalid(
                "Failed to create silence: end time can't be in the past".into(),
            ));
        }
        let compiled = compile(&p.matchers).map_err(SilenceError::Invalid)?;
        if let Some(id) = p.id.as_deref().filter(|id| !id.is_empty()) {
            let existing = self
                .silences
                .iter_mut()
                .find(|s| s.id == id)
                .ok_or(SilenceError::NotFound)?;
            if existing.state(now) != State::Expired {
                existing.matchers = p.matchers;
                existing.compiled = compiled;
                existing.starts_at = p.starts_at.max(existing.starts_at.min(now));
                existing.ends_at = p.ends_at;
                existing.created_by = p.created_by;
                existing.comment = p.comment;
                existing.updated_at = now;
                return Ok(id.to_string());
            }
        }
        let id = self.new_id();
        self.silences.push(StoredSilence {
            id: id.clone(),
            matchers: p.matchers,
            compiled,
            starts_at: p.starts_at.max(now),
            ends_at: p.ends_at,
            updated_at: now,
            created_by: p.created_by,
            comment: p.comment,
        });
        Ok(id)
    }

    /// Adds a silence that already existed before the simulator started (no clamping of times).
    pub fn preload(
        &mut self,
        p: PostableSilence,
        now: DateTime<Utc>,
    ) -> Result<String, SilenceError> {
        let compiled = compile(&p.matchers).map_err(SilenceError::Invalid)?;
        let id = self.new_id();
        self.silences.push(StoredSilence {
            id: id.clone(),
            matchers: p.matchers,
            compiled,
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            updated_at: now,
            created_by: p.created_by,
            comment: p.comment,
        });
        Ok(id)
    }

    pub fn get(&self, id: &str) -> Option<&StoredSilence> {
        self.silences.iter().find(|s| s.id == id)
    }

    /// Expires a silence now, as `DELETE /api/v2/silence/{id}` does.
    pub fn expire(&mut self, id: &str, now: DateTime<Utc>) -> Result<(), SilenceError> {
        let s = self
            .silences
            .iter_mut()
            .find(|s| s.id == id)
            .ok_or(SilenceError::NotFound)?;
        match s.state(now) {
            State::Expired => Err(SilenceError::Internal(format!(
                "silence {id} already expired"
            ))),
            State::Active => {
                s.ends_at = now;
                s.updated_at = now;
                Ok(())
            }
            State::Pending => {
                s.starts_at = now;
                s.ends_at = now;
                s.updated_at = now;
                Ok(())
            }
        }
    }

    /// Alertmanager's order: active (soonest end first), pending (soonest start), expired (latest end).
    pub fn list(&self, now: DateTime<Utc>) -> Vec<&StoredSilence> {
        let mut v: Vec<&StoredSilence> = self.silences.iter().collect();
        v.sort_by(|a, b| {
            let (sa, sb) = (a.state(now), b.state(now));
            sa.cmp(&sb).then_with(|| match sa {
                State::Active => a.ends_at.cmp(&b.ends_at),
                State::Pending => a.starts_at.cmp(&b.starts_at),
                State::Expired => b.ends_at.cmp(&a.ends_at),
            })
        });
        v
    }

    /// Ids of the active silences that match these labels.
    pub fn silencing(&self, labels: &BTreeMap<String, String>, now: DateTime<Utc>) -> Vec<String> {
        self.silences
            .iter()
            .filter(|s| s.state(now) == State::Active && s.matches(labels))
            .map(|s| s.id.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn m(name: &str, value: &str, is_regex: bool, is_equal: bool) -> WireMatcher {
        WireMatcher {
            name: name.into(),
            value: value.into(),
            is_regex,
            is_equal,
        }
    }

    fn post(matchers: Vec<WireMatcher>, now: DateTime<Utc>, mins: i64) -> PostableSilence {
        PostableSilence {
            id: None,
            matchers,
            starts_at: now,
            ends_at: now + Duration::minutes(mins),
            created_by: "alice".into(),
            comment: "ACK: looking".into(),
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn silences_match_then_expire() {
        let now = Utc::now();
        let mut st = Store::new(1);
        let id = st
            .post(
                post(
                    vec![
                        m("alertname", "Checkout.*", true, true),
                        m("severity", "info", false, false),
                    ],
                    now,
                    30,
                ),
                now,
            )
            .unwrap();
        let crit = labels(&[
            ("alertname", "CheckoutHighErrorRate"),
            ("severity", "critical"),
        ]);
        let info = labels(&[("alertname", "CheckoutHighErrorRate"), ("severity", "info")]);
        assert_eq!(st.silencing(&crit, now), vec![id.clone()]);
        assert!(st.silencing(&info, now).is_empty());
        let later = now + Duration::seconds(5);
        st.expire(&id, later).unwrap();
        assert_eq!(st.get(&id).unwrap().state(later), State::Expired);
        assert!(st.silencing(&crit, later).is_empty());
        assert!(matches!(
            st.expire(&id, later),
            Err(SilenceError::Internal(_))
        ));
        assert_eq!(st.expire("nope", later), Err(SilenceError::NotFound));
    }

    #[test]
    fn validation_mirrors_alertmanager() {
        let now = Utc::now();
        let mut st = Store::new(1);
        let bad = |r: Result<String, SilenceError>| match r {
            Err(SilenceError::Invalid(msg)) => msg,
            other => panic!("{other:?}"),
        };
        assert!(bad(st.post(post(vec![], now, 30), now)).contains("at least one matcher"));
        assert!(
            bad(st.post(post(vec![m("a", "x", false, true)], now, -5), now))
                .contains("start time must be before end time")
        );
        assert!(
            bad(st.post(post(vec![m("a", ".*", true, true)], now, 5), now))
                .contains("empty string")
        );
        assert!(
            bad(st.post(post(vec![m("a", "(", true, true)], now, 5), now)).contains("matcher 0")
        );
    }

    #[test]
    fn posting_with_an_id_updates_in_place() {
        let now = Utc::now();
        let mut st = Store::new(1);
        let id = st
            .post(post(vec![m("a", "x", false, true)], now, 30), now)
            .unwrap();
        let mut again = post(vec![m("a", "y", false, true)], now, 60);
        again.id = Some(id.clone());
        assert_eq!(st.post(again, now).unwrap(), id);
        assert_eq!(st.get(&id).unwrap().matchers[0].value, "y");
        let mut unknown = post(vec![m("a", "y", false, true)], now, 60);
        unknown.id = Some("missing".into());
        assert_eq!(st.post(unknown, now), Err(SilenceError::NotFound));
    }

    #[test]
    fn list_orders_like_alertmanager() {
        let now = Utc::now();
        let mut st = Store::new(1);
        let a = st
            .post(post(vec![m("a", "1", false, true)], now, 60), now)
            .unwrap();
        let b = st
            .post(post(vec![m("a", "2", false, true)], now, 10), now)
            .unwrap();
        let mut pending = post(vec![m("a", "3", false, true)], now, 60);
        pending.starts_at = now + Duration::minutes(5);
        let c = st.post(pending, now).unwrap();
        st.expire(&a, now).unwrap();
        let ids: Vec<&str> = st
            .list(now + Duration::seconds(1))
            .iter()
            .map(|s| s.id.as_str())
            .collect();
        assert_eq!(ids, [b.as_str(), c.as_str(), a.as_str()]);
    }
}
