//! De-duplication: one alert per identity within a cluster, whichever replica or HA
//! Prometheus reported it, the freshest report kept.

use super::{AlertId, AlertPolicy, DedupedAlert, LabelSet, Observation, Silence, read_state_with};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Labels with the dedup labels (e.g. `replica`, `prometheus_replica`) removed.
pub fn identity(labels: &LabelSet, dedup_labels: &[String]) -> LabelSet {
    labels.without(dedup_labels)
}

/// The hash of an alert identity within a cluster (what `AlertId` is hashed by).
pub fn identity_key<'a>(
    cluster: &str,
    identity: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> u64 {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same alert gets the same key on every poll. Fx, not SipHash: this runs
    // for every label of every report on every poll, and no input here is adversarial enough
    // to matter (a collision still dedups correctly, see `dedup_refs`).
    let mut h = rustc_hash::FxHasher::default();
    cluster.hash(&mut h);
    for (k, v) in identity {
        k.hash(&mut h);
        v.hash(&mut h);
    }
    h.finish()
}

/// Merges observations whose identities are equal within a cluster.
pub fn dedup(
    observations: impl IntoIterator<Item = Observation>,
    dedup_labels: &[String],
    silences: &BTreeMap<String, Vec<Silence>>,
    policy: &AlertPolicy,
) -> Vec<DedupedAlert> {
    let observations: Vec<Observation> = observations.into_iter().collect();
    dedup_refs(
        &observations,
        dedup_labels,
        |cluster| silences.get(cluster).map(Vec::as_slice).unwrap_or(&[]),
        policy,
    )
}

/// One identity being merged: borrowed until the end, so only the winner is cloned.
struct Slot<'a> {
    first: &'a Observation,
    best: &'a Observation,
    sources: Vec<String>,
    /// The identity's hash, before any probing past a collision.
    hash: u64,
}

/// `dedup` over borrowed observations (the state keeps its snapshots and clones only one alert
/// per identity). Identities are hashed (`identity_key`), never built as maps to compare.
pub fn dedup_refs<'a, 's>(
    observations: impl IntoIterator<Item = &'a Observation>,
    dedup_labels: &[String],
    silences_of: impl Fn(&str) -> &'s [Silence],
    policy: &AlertPolicy,
) -> Vec<DedupedAlert> {
    dedup_since(observations, &[], dedup_labels, silences_of, policy)
}

/// `dedup_refs`, reusing the identities of `previous` (the last poll's result): an alert whose
/// labels are the very ones it kept (`AlertShare` hands out the same) keeps its `AlertId`, so
/// a quiet poll builds no identity.
pub fn dedup_since<'a, 's>(
    observations: impl IntoIterator<Item = &'a Observation>,
    previous: &[DedupedAlert],
    dedup_labels: &[String],
    silences_of: impl Fn(&str) -> &'s [Silence],
    policy: &AlertPolicy,
) -> Vec<DedupedAlert> {
    // The previous alerts hold their labels alive, so an address here is those labels.
    let known: rustc_hash::FxHashMap<usize, &AlertId> = previous
        .iter()
        .map(|d| (Arc::as_ptr(&d.alert.labels) as usize, &d.id))
        .collect();
    let is_dedup = |k: &str| dedup_labels.iter().any(|d| d == k);
    let mut index: rustc_hash::FxHashMap<u64, usize> = Default::default();
    let mut slots: Vec<Slot<'a>> = Vec::new();
    // The replicas of a cluster report the same alert with the same shared labels
    // (`AlertShare`): seen once by those, the identity is not hashed and compared again.
    let mut by_labels: rustc_hash::FxHashMap<(usize, usize), usize> = Default::default();
    for obs in observations {
        let shared = (
            Arc::as_ptr(&obs.alert.labels) as usize,
            obs.cluster.as_ptr() as usize,
        );
        let kept = || obs.alert.labels.iter().filter(|(k, _)| !is_dedup(k));
        let known = by_labels.get(&shared).copied();
        let hash = match known {
            Some(i) => slots[i].hash,
            None => identity_key(&obs.cluster, kept()),
        };
        let mut key = hash;
        // Open addressing over the key space: a (never yet seen) 64-bit collision still dedups
        // correctly, because identities are compared before merging.
        let slot = known.or_else(|| {
            loop {
                match index.get(&key) {
                    Some(&i) => {
                        let first = slots[i].first;
                        let same = first.cluster == obs.cluster
                            && first
                                .alert
                                .labels
                                .iter()
                                .filter(|(k, _)| !is_dedup(k))
                                .eq(kept());
                        if same {
                            break Some(i);
                        }
                        key = key.wrapping_add(1);
                    }
                    None => break None,
                }
            }
        });
        by_labels.insert(shared, slot.unwrap_or(slots.len()));
        let source = source_name(obs, &is_dedup);
        match slot {
            Some(i) => {
                let slot = &mut slots[i];
                if !slot.sources.contains(&source) {
                    slot.sources.push(source);
                }
                if obs.alert.updated_at > slot.best.alert.updated_at {
                    slot.best = obs;
                }
            }
            None => {
                index.insert(key, slots.len());
                slots.push(Slot {
                    first: obs,
                    best: obs,
                    sources: vec![source],
                    hash,
                });
            }
        }
    }
    // Per cluster, silences by id (one lookup per silenced alert instead of a scan), and the
    // cluster's name, shared by all its alerts' identities.
    let mut by_cluster: HashMap<&str, (HashMap<&str, &Silence>, Arc<str>)> = HashMap::new();
    // Most alerts come from the same replicas: one shared list each, not one per alert.
    let mut lists: HashMap<Vec<String>, Arc<[String]>> = HashMap::new();
    slots
        .into_iter()
        .map(|mut slot| {
            slot.sources.sort();
            let best = slot.best;
            let (silences, cluster) = by_cluster.entry(&best.cluster).or_insert_with(|| {
                let silences = silences_of(&best.cluster)
                    .iter()
                    .map(|s| (s.id.as_str(), s))
                    .collect();
                (silences, Arc::clone(&best.cluster))
            });
            let reading = read_state_with(&best.alert, |id| silences.get(id).copied(), policy);
            let id = known
                .get(&(Arc::as_ptr(&best.alert.labels) as usize))
                .filter(|id| id.cluster() == &**cluster)
                .map_or_else(
                    || {
                        AlertId::with_hash(
                            Arc::clone(cluster),
                            identity(&best.alert.labels, dedup_labels),
                            slot.hash,
                        )
                    },
                    |id| (*id).clone(),
                );
            DedupedAlert {
                id,
                alert: Arc::clone(&best.alert),
                sources: match lists.get(&slot.sources) {
                    Some(list) => Arc::clone(list),
                    None => {
                        let list: Arc<[String]> = slot.sources.as_slice().into();
                        lists.insert(slot.sources, Arc::clone(&list));
                        list
                    }
                },
                reading,
                severity: policy.severity.of(&best.alert.labels),
                flapping: false,
            }
        })
        .collect()
}

/// `replica` or `replica/label=value` for an HA Prometheus pair.
fn source_name(obs: &Observation, is_dedup: &impl Fn(&str) -> bool) -> String {
    let dedup = || obs.alert.labels.iter().filter(|(k, _)| is_dedup(k));
    let len = dedup().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>();
    let mut source = String::with_capacity(obs.replica.len() + len);
    source.push_str(&obs.replica);
    let mut first = true;
    for (k, v) in dedup() {
        source.push(if first { '/' } else { ',' });
        first = false;
        source.push_str(k);
        source.push('=');
        source.push_str(v);
    }
    source
}
