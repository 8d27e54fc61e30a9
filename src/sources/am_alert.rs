//! One alert of `/api/v2/alerts` (`gettableAlert`), read borrowing from the answer: a poll of a
//! storm reads tens of thousands, and most are the alert the last poll already holds. Such an
//! alert is compared, field by field, with the kept copy and costs only the few small lists it
//! was read into; only a new or changed alert is built (and then shared, `AlertShare`).

use crate::domain::alerts::{Alert, AlertShare, AmState, LabelSet};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAlert<'a> {
    #[serde(borrow)]
    labels: Pairs<'a>,
    #[serde(default, borrow)]
    annotations: Pairs<'a>,
    #[serde(default, borrow)]
    receivers: Vec<WireReceiver<'a>>,
    #[serde(default, borrow)]
    fingerprint: Borrowed<'a>,
    #[serde(deserialize_with = "timestamp::starts_at")]
    starts_at: DateTime<Utc>,
    #[serde(default, deserialize_with = "timestamp::updated_at")]
    updated_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "timestamp::ends_at")]
    ends_at: Option<DateTime<Utc>>,
    #[serde(default, borrow, rename = "generatorURL")]
    generator_url: Option<Borrowed<'a>>,
    #[serde(default, borrow)]
    status: WireAlertStatus<'a>,
}

#[derive(Deserialize)]
struct WireReceiver<'a> {
    #[serde(default, borrow)]
    name: Borrowed<'a>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAlertStatus<'a> {
    #[serde(default, borrow)]
    state: Borrowed<'a>,
    #[serde(default, borrow)]
    silenced_by: Vec<Borrowed<'a>>,
    #[serde(default, borrow)]
    inhibited_by: Vec<Borrowed<'a>>,
    // `mutedBy` (added after 0.25) is not read: unknown fields are skipped, so both the Debian
    // 0.25 server and current releases parse.
}

/// A JSON object of strings as its pairs, borrowed where they hold no escape.
#[derive(Default)]
struct Pairs<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Pairs<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Pairs<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a map of strings")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Pairs<'a>, M::Error> {
                let mut pairs = Vec::with_capacity(map.size_hint().unwrap_or(8).min(64));
                while let Some((k, v)) = map.next_entry::<Borrowed<'a>, Borrowed<'a>>()? {
                    pairs.push((k.0, v.0));
                }
                // Alertmanager (Go) writes map keys sorted; sorted here whatever wrote them,
                // so they compare with a kept set pair by pair.
                if !pairs.is_sorted_by(|a, b| a.0 <= b.0) {
                    pairs.sort_by(|a, b| a.0.cmp(&b.0));
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A string borrowed from the input when it has no escapes (a `Cow` field alone would always
/// be an owned copy).
#[derive(Default)]
struct Borrowed<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Borrowed<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = Borrowed<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Borrowed<'a>, E> {
                Ok(Borrowed(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Borrowed<'a>, E> {
                Ok(Borrowed(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_str(V(std::marker::PhantomData))
    }
}

impl std::ops::Deref for Borrowed<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Pairs<'_> {
    /// The same names and values as `set` (a repeated name in the answer is never equal: the
    /// set kept only its last value).
    fn same_as(&self, set: &LabelSet) -> bool {
        self.0.len() == set.len()
            && self
                .0
                .iter()
                .zip(set.iter())
                .all(|((k, v), (sk, sv))| k == sk && v == sv)
    }

    fn to_set(&self) -> LabelSet {
        LabelSet::from_pairs(self.0.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
    }
}

fn am_state(text: &str) -> AmState {
    match text {
        "suppressed" => AmState::Suppressed,
        "unprocessed" => AmState::Unprocessed,
        // "active" and anything a future release invents: show it rather than hide it.
        _ => AmState::Active,
    }
}

impl WireAlert<'_> {
    fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at.unwrap_or(self.starts_at)
    }

    /// Go's zero time means "no end".
    fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.ends_at.filter(|t| t.timestamp() > 0)
    }

    fn generator_url(&self) -> Option<&str> {
        self.generator_url
            .as_ref()
            .map(|u| &*u.0)
            .filter(|u| !u.is_empty())
    }

    /// Whether `kept` is this alert as `to_alert` would build it.
    fn same_as(&self, kept: &Alert) -> bool {
        *self.fingerprint.0 == *kept.fingerprint
            && self.starts_at == kept.starts_at
            && self.updated_at() == kept.updated_at
            && self.ends_at() == kept.ends_at
            && am_state(&self.status.state) == kept.state
            && self
                .status
                .silenced_by
                .iter()
                .map(|s| &*s.0)
                .eq(kept.silenced_by.iter().map(String::as_str))
            && self
                .status
                .inhibited_by
                .iter()
                .map(|s| &*s.0)
                .eq(kept.inhibited_by.iter().map(String::as_str))
            && self.generator_url() == kept.generator_url.as_deref()
            && self
                .receivers
                .iter()
                .map(|r| &*r.name.0)
                .eq(kept.receivers.iter().map(String::as_str))
            && self.labels.same_as(&kept.labels)
            && self.annotations.same_as(&kept.annotations)
    }

    fn to_alert(&self) -> Alert {
        Alert {
            labels: Arc::new(self.labels.to_set()),
            annotations: Arc::new(self.annotations.to_set()),
            state: am_state(&self.status.state),
            silenced_by: self
                .status
                .silenced_by
                .iter()
                .map(|s| s.0.to_string())
                .collect(),
            inhibited_by: self
                .status
                .inhibited_by
                .iter()
                .map(|s| s.0.to_string())
                .collect(),
            starts_at: self.starts_at,
            updated_at: self.updated_at(),
            ends_at: self.ends_at(),
            generator_url: self.generator_url().map(Arc::from),
            fingerprint: self.fingerprint.0.to_string(),
            receivers: self
                .receivers
                .iter()
                .map(|r| r.name.0.to_string())
                .collect(),
        }
    }
}

pub fn decode_alert(raw: &str) -> Result<Alert, serde_json::Error> {
    serde_json::from_str::<WireAlert<'_>>(raw).map(|w| w.to_alert())
}

/// `decode_alert` into `share`: the kept copy when the alert is unchanged (nothing built),
/// else the new alert, shared from now on.
pub fn decode_alert_shared(raw: &str, share: &AlertShare) -> Result<Arc<Alert>, serde_json::Error> {
    let w = serde_json::from_str::<WireAlert<'_>>(raw)?;
    if let Some(kept) = share.kept_if(&w.fingerprint, |kept| w.same_as(kept)) {
        return Ok(kept);
    }
    Ok(share.share(w.to_alert()))
}

mod timestamp {
    use chrono::{DateTime, FixedOffset, Utc};
    use serde::de::{self, Deserialize, Deserializer, Visitor};

    struct Rfc3339;

    impl Visitor<'_> for Rfc3339 {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 timestamp")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            DateTime::parse_from_rfc3339(v)
                .or_else(|_| v.parse::<DateTime<FixedOffset>>())
                .map(|t| t.with_timezone(&Utc))
                .map_err(E::custom)
        }
    }

    struct Timestamp(DateTime<Utc>);

    impl<'de> Deserialize<'de> for Timestamp {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_str(Rfc3339).map(Timestamp)
        }
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        d.deserialize_str(Rfc3339)
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<Timestamp>::deserialize(d).map(|t| t.map(|t| t.0))
    }

    // Named per field: an unreadable alert's reason says which timestamp (and not its text).
    pub fn starts_at<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        required(d).map_err(|_| de::Error::custom("bad startsAt"))
    }

    pub fn updated_at<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        optional(d).map_err(|_| de::Error::custom("bad updatedAt"))
    }

    pub fn ends_at<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        optional(d).map_err(|_| de::Error::custom("bad endsAt"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_alert_decodes_with_defaults() {
        let a = decode_alert(
            r#"{"labels":{"alertname":"X"},"startsAt":"2026-11-22T03:00:00Z","status":{"state":"weird"},"extra":1}"#,
        )
        .unwrap();
        assert_eq!(a.state, AmState::Active);
        assert_eq!(a.updated_at, a.starts_at);
        assert_eq!(a.ends_at, None);
        assert!(a.receivers.is_empty());
    }

    #[test]
    fn timestamps_read_strict_and_relaxed_rfc3339() {
        let a = decode_alert(
            r#"{"labels":{},"startsAt":"2026-11-22T04:00:00.5+01:00","updatedAt":"2026-11-22 03:00:01Z","endsAt":null}"#,
        )
        .unwrap();
        assert_eq!(a.starts_at.to_rfc3339(), "2026-11-22T03:00:00.500+00:00");
        assert_eq!(a.updated_at.to_rfc3339(), "2026-11-22T03:00:01+00:00");
        assert_eq!(a.ends_at, None);
        assert!(decode_alert(r#"{"labels":{},"startsAt":"yesterday"}"#).is_err());
    }

    #[test]
    fn zero_end_time_reads_as_none() {
        let a = decode_alert(
            r#"{"labels":{},"startsAt":"2026-11-22T03:00:00Z","endsAt":"0001-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(a.ends_at, None);
    }

    const ALERT: &str = r#"{"labels":{"alertname":"Disk","instance":"db-1"},"annotations":{"summary":"full"},"receivers":[{"name":"pager"}],"fingerprint":"f1","startsAt":"2026-11-22T03:00:00Z","updatedAt":"2026-11-22T03:01:00Z","endsAt":"2026-11-22T05:00:00Z","generatorURL":"http://prom/graph","status":{"state":"suppressed","silencedBy":["s1"],"inhibitedBy":[]}}"#;

    #[test]
    fn an_unchanged_alert_is_the_kept_copy_and_any_change_is_a_new_one() {
        let share = AlertShare::default();
        let first = decode_alert_shared(ALERT, &share).unwrap();
        assert_eq!(*first, decode_alert(ALERT).unwrap());
        share.end_poll();
        let again = decode_alert_shared(ALERT, &share).unwrap();
        assert!(
            Arc::ptr_eq(&first, &again),
            "the last poll's copy, nothing built"
        );
        let same_poll = decode_alert_shared(ALERT, &share).unwrap();
        assert!(
            Arc::ptr_eq(&first, &same_poll),
            "the other replica's copy too"
        );
        // Every field the cockpit keeps tells a changed alert apart.
        for (from, to) in [
            (r#""db-1""#, r#""db-2""#),
            (r#""full""#, r#""fuller""#),
            (r#""pager""#, r#""slack""#),
            ("03:01:00Z", "03:02:00Z"),
            ("05:00:00Z", "06:00:00Z"),
            ("03:00:00Z", "02:00:00Z"),
            ("http://prom/graph", "http://prom/other"),
            (r#""suppressed""#, r#""active""#),
            (r#"["s1"]"#, r#"["s2"]"#),
            (r#""inhibitedBy":[]"#, r#""inhibitedBy":["a"]"#),
        ] {
            let changed = ALERT.replacen(from, to, 1);
            assert_ne!(changed, ALERT);
            let got = decode_alert_shared(&changed, &share).unwrap();
            assert!(!Arc::ptr_eq(&first, &got), "{from} -> {to}");
            assert_eq!(*got, decode_alert(&changed).unwrap(), "{from} -> {to}");
        }
    }

    #[test]
    fn escaped_and_unsorted_labels_read_as_their_values() {
        let a = decode_alert(
            r#"{"labels":{"z":"1","a":"say \"hi\"","a":"last"},"startsAt":"2026-11-22T03:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(a.labels.keys().collect::<Vec<_>>(), ["a", "z"]);
        assert_eq!(
            a.labels.get("a"),
            Some("last"),
            "a repeated name keeps its last value"
        );
        let share = AlertShare::default();
        let raw = r#"{"labels":{"z":"1","a":"x\"y"},"fingerprint":"f","startsAt":"2026-11-22T03:00:00Z"}"#;
        let first = decode_alert_shared(raw, &share).unwrap();
        assert!(Arc::ptr_eq(
            &first,
            &decode_alert_shared(raw, &share).unwrap()
        ));
    }
}
