//! Who an alert is: its Alertmanager cluster and its labels without the dedup labels. One type
//! names an alert everywhere the cockpit follows one over time (dedup, acks and escalations,
//! flap history, notifications, the timeline).

use super::LabelSet;
use serde::{Serialize, Serializer};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Built once per alert per poll (by dedup) and shared after that: a clone is a reference
/// count, equality and hashing start from a hash computed at construction.
#[derive(Clone)]
pub struct AlertId(Arc<Inner>);

struct Inner {
    hash: u64,
    /// Shared by every alert of the cluster (dedup hands out one name per cluster).
    cluster: Arc<str>,
    labels: LabelSet,
}

impl AlertId {
    pub fn new(cluster: &str, labels: LabelSet) -> Self {
        let hash = super::identity_key(cluster, labels.iter());
        Self(Arc::new(Inner {
            hash,
            cluster: Arc::from(cluster),
            labels,
        }))
    }

    /// `new` when the caller already hashed the identity with `identity_key` (dedup does, to
    /// find duplicates without building label maps).
    pub(super) fn with_hash(cluster: Arc<str>, labels: LabelSet, hash: u64) -> Self {
        debug_assert_eq!(hash, super::identity_key(&cluster, labels.iter()));
        Self(Arc::new(Inner {
            hash,
            cluster,
            labels,
        }))
    }

    /// The very same identity (one built once and handed on), not just an equal one.
    pub fn is_same(&self, other: &AlertId) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    pub fn cluster(&self) -> &str {
        &self.0.cluster
    }

    /// The identity labels (the dedup labels dropped): the matchers of an ack of this alert.
    pub fn labels(&self) -> &LabelSet {
        &self.0.labels
    }
}

impl PartialEq for AlertId {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.0.hash == other.0.hash
                && self.0.cluster == other.0.cluster
                && self.0.labels == other.0.labels)
    }
}

impl Eq for AlertId {}

impl Hash for AlertId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0.hash);
    }
}

/// By cluster, then labels: maps keyed by identity list alerts in a stable, readable order.
impl Ord for AlertId {
    fn cmp(&self, other: &Self) -> Ordering {
        if Arc::ptr_eq(&self.0, &other.0) {
            return Ordering::Equal;
        }
        (&*self.0.cluster, &self.0.labels).cmp(&(&*other.0.cluster, &other.0.labels))
    }
}

impl PartialOrd for AlertId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Debug for AlertId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:?}", self.0.cluster, self.0.labels)
    }
}

impl Serialize for AlertId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("AlertId", 2)?;
        st.serialize_field("cluster", &self.0.cluster)?;
        st.serialize_field("labels", &self.0.labels)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashSet};

    fn labels(pairs: &[(&str, &str)]) -> LabelSet {
        LabelSet::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn equal_identities_are_one_key_in_hash_and_tree_maps() {
        let a = AlertId::new("prod", labels(&[("alertname", "A"), ("job", "x")]));
        let b = AlertId::new("prod", labels(&[("job", "x"), ("alertname", "A")]));
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_eq!(HashSet::from([a.clone(), b.clone()]).len(), 1);
        assert_eq!(BTreeSet::from([a.clone(), b]).len(), 1);
        assert_eq!(a.cluster(), "prod");
        assert_eq!(a.labels(), &labels(&[("alertname", "A"), ("job", "x")]));
    }

    #[test]
    fn another_cluster_or_label_is_another_alert() {
        let a = AlertId::new("prod", labels(&[("alertname", "A")]));
        let other_cluster = AlertId::new("stage", labels(&[("alertname", "A")]));
        let other_label = AlertId::new("prod", labels(&[("alertname", "B")]));
        assert_ne!(a, other_cluster);
        assert_ne!(a, other_label);
        // ordered by cluster first, so a cluster's alerts list together
        assert!(a < other_cluster && other_label < other_cluster);
    }
}
