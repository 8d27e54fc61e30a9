//! One copy of each alert, however many replicas and polls report it: the replicas of a cluster
//! gossip the same alerts, and most alerts do not change between polls, so each copy read
//! again is compared with the one kept and dropped when equal. A storm of 10,000 alerts on two
//! replicas is then held once, not twice, and a quiet poll keeps the alerts of the last one.

use super::{Alert, LabelSet};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};

/// The alerts of this poll and of the last one, by fingerprint (Alertmanager's hash of the
/// labels, the same on every replica).
#[derive(Debug, Default)]
pub struct AlertShare {
    gens: Mutex<Generations>,
}

#[derive(Debug, Default)]
struct Generations {
    current: HashSet<ByFingerprint>,
    previous: HashSet<ByFingerprint>,
    /// By content: the alerts of one rule, and an HA Prometheus pair's two copies of an alert
    /// (their `replica` labels differ, so their fingerprints do), carry equal annotations,
    /// generator URL and receivers.
    annotations: Interned<LabelSet>,
    generator_urls: Interned<str>,
    receivers: Interned<[String]>,
}

impl Generations {
    fn intern_parts(&mut self, alert: &mut Alert) {
        self.annotations.intern(&mut alert.annotations);
        if let Some(url) = &mut alert.generator_url {
            self.generator_urls.intern(url);
        }
        self.receivers.intern(&mut alert.receivers);
    }

    /// A kept alert's parts are this poll's too (shared by what arrives after it).
    fn keep_parts(&mut self, alert: &Alert) {
        self.annotations.keep(&alert.annotations);
        if let Some(url) = &alert.generator_url {
            self.generator_urls.keep(url);
        }
        self.receivers.keep(&alert.receivers);
    }
}

/// A kept alert, found by its fingerprint (no second copy of it as a key).
#[derive(Debug)]
struct ByFingerprint(Arc<Alert>);

impl std::borrow::Borrow<str> for ByFingerprint {
    fn borrow(&self) -> &str {
        &self.0.fingerprint
    }
}

impl PartialEq for ByFingerprint {
    fn eq(&self, other: &Self) -> bool {
        self.0.fingerprint == other.0.fingerprint
    }
}

impl Eq for ByFingerprint {}

impl std::hash::Hash for ByFingerprint {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `str` hashes, so a lookup by `&str` finds it.
        self.0.fingerprint.as_str().hash(state);
    }
}

/// Values seen this poll and the last, one copy of each.
#[derive(Debug)]
struct Interned<T: ?Sized> {
    now: HashSet<Arc<T>>,
    before: HashSet<Arc<T>>,
}

impl<T: ?Sized> Default for Interned<T> {
    fn default() -> Self {
        Self {
            now: HashSet::new(),
            before: HashSet::new(),
        }
    }
}

impl<T: ?Sized + Eq + std::hash::Hash> Interned<T> {
    /// `value` becomes the kept copy of what it holds.
    fn intern(&mut self, value: &mut Arc<T>) {
        if let Some(kept) = self.now.get(&**value) {
            *value = Arc::clone(kept);
            return;
        }
        if let Some(kept) = self.before.take(&**value) {
            *value = kept;
        }
        self.now.insert(Arc::clone(value));
    }

    fn keep(&mut self, value: &Arc<T>) {
        if !self.now.contains(&**value) {
            self.before.remove(&**value);
            self.now.insert(Arc::clone(value));
        }
    }

    fn end_poll(&mut self) {
        self.before = std::mem::take(&mut self.now);
    }
}

impl AlertShare {
    /// The kept copy when one equal to `alert` is known (this poll or the last), else
    /// `alert`, kept from now on. A copy that differs only in what each replica stamps
    /// (`updatedAt`, `endsAt`) still shares the kept one's labels and annotations. Replicas
    /// decoding at once share through the lock.
    pub fn share(&self, mut alert: Alert) -> Arc<Alert> {
        if alert.fingerprint.is_empty() {
            return Arc::new(alert);
        }
        let mut g = self.gens.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ByFingerprint(kept)) = g.current.get(alert.fingerprint.as_str()) {
            if **kept == alert {
                return Arc::clone(kept);
            }
            reuse_parts(&mut alert, kept);
            g.intern_parts(&mut alert);
            return Arc::new(alert);
        }
        let kept = match g.previous.take(alert.fingerprint.as_str()).map(|k| k.0) {
            Some(old) if *old == alert => {
                g.keep_parts(&old);
                old
            }
            Some(old) => {
                reuse_parts(&mut alert, &old);
                g.intern_parts(&mut alert);
                Arc::new(alert)
            }
            None => {
                g.intern_parts(&mut alert);
                Arc::new(alert)
            }
        };
        g.current.insert(ByFingerprint(Arc::clone(&kept)));
        kept
    }

    /// The kept alert with `fingerprint` when `unchanged` says it is the one just read (this
    /// poll's, or the last poll's, kept from now on): the caller then builds nothing.
    pub fn kept_if(
        &self,
        fingerprint: &str,
        unchanged: impl Fn(&Alert) -> bool,
    ) -> Option<Arc<Alert>> {
        if fingerprint.is_empty() {
            return None;
        }
        let mut g = self.gens.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(ByFingerprint(kept)) = g.current.get(fingerprint) {
            return unchanged(kept).then(|| Arc::clone(kept));
        }
        let old = g.previous.get(fingerprint)?;
        if !unchanged(&old.0) {
            return None;
        }
        let kept = g.previous.take(fingerprint)?;
        let alert = Arc::clone(&kept.0);
        g.current.insert(kept);
        g.keep_parts(&alert);
        Some(alert)
    }

    /// The poll is over: its alerts are the ones the next poll compares with; alerts it did
    /// not see are let go.
    pub fn end_poll(&self) {
        let mut g = self.gens.lock().unwrap_or_else(PoisonError::into_inner);
        g.previous = std::mem::take(&mut g.current);
        g.annotations.end_poll();
        g.generator_urls.end_poll();
        g.receivers.end_poll();
    }
}

/// `alert`'s labels and annotations are `kept`'s where equal (most are).
fn reuse_parts(alert: &mut Alert, kept: &Alert) {
    if kept.labels == alert.labels {
        alert.labels = Arc::clone(&kept.labels);
    }
    if kept.annotations == alert.annotations {
        alert.annotations = Arc::clone(&kept.annotations);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::alerts::AmState;
    use chrono::{TimeZone, Utc};

    fn alert(fingerprint: &str, summary: &str) -> Alert {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        Alert {
            labels: Arc::new([("alertname".to_string(), "Disk".to_string())].into()),
            annotations: Arc::new([("summary".to_string(), summary.to_string())].into()),
            state: AmState::Active,
            silenced_by: vec![],
            inhibited_by: vec![],
            starts_at: at,
            updated_at: at,
            ends_at: None,
            generator_url: None,
            fingerprint: fingerprint.into(),
            receivers: Arc::default(),
        }
    }

    #[test]
    fn equal_copies_are_one_and_a_changed_alert_is_its_own() {
        let share = AlertShare::default();
        let a = share.share(alert("f1", "full"));
        let b = share.share(alert("f1", "full"));
        assert!(
            Arc::ptr_eq(&a, &b),
            "the second replica's copy is the first"
        );
        let changed = share.share(alert("f1", "fuller"));
        assert!(!Arc::ptr_eq(&a, &changed));
        assert_eq!(
            changed.annotations.get("summary").unwrap_or_default(),
            "fuller"
        );
        // Another replica's stamp differs: its own alert, the same labels and annotations.
        let mut stamped = alert("f1", "fuller");
        stamped.updated_at += chrono::Duration::seconds(1);
        let stamped = share.share(stamped);
        assert!(!Arc::ptr_eq(&changed, &stamped));
        assert!(Arc::ptr_eq(&a.labels, &stamped.labels));
        // Another alert with the same annotations (the other copy of an HA pair) shares them.
        let twin = share.share(alert("f9", "full"));
        assert!(Arc::ptr_eq(&a.annotations, &twin.annotations));
        let unkeyed = (share.share(alert("", "x")), share.share(alert("", "x")));
        assert!(
            !Arc::ptr_eq(&unkeyed.0, &unkeyed.1),
            "no fingerprint: never merged"
        );
    }

    #[test]
    fn an_alert_unchanged_since_the_last_poll_is_the_last_polls_copy() {
        let share = AlertShare::default();
        let first = share.share(alert("f1", "full"));
        let gone = share.share(alert("f2", "x"));
        share.end_poll();
        let again = share.share(alert("f1", "full"));
        assert!(Arc::ptr_eq(&first, &again));
        share.end_poll();
        share.end_poll();
        // f2 was not seen for a poll: its copy was let go (only the test holds it).
        assert_eq!(Arc::strong_count(&gone), 1);
        assert_eq!(
            Arc::strong_count(&first),
            2,
            "the test's two handles; f1 too is gone"
        );
    }
}
