//! An alert's labels or annotations, held compactly: a storm holds tens of thousands of these,
//! and a tree of owned strings costs about four times the text it holds (a node per eleven
//! entries, an allocation per name and per value). Here a set is two allocations: the names
//! and values back to back in name order, and where each ends.

use serde::ser::{Serialize, SerializeMap, Serializer};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// Reads a label by name: an alert's compact set and a map being edited (matchers, a request's
/// labels) alike.
pub trait GetLabel {
    fn get_label(&self, name: &str) -> Option<&str>;
}

impl GetLabel for BTreeMap<String, String> {
    fn get_label(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl GetLabel for LabelSet {
    fn get_label(&self, name: &str) -> Option<&str> {
        self.get(name)
    }
}

impl<T: GetLabel + ?Sized> GetLabel for &T {
    fn get_label(&self, name: &str) -> Option<&str> {
        (**self).get_label(name)
    }
}

impl<T: GetLabel + ?Sized> GetLabel for std::sync::Arc<T> {
    fn get_label(&self, name: &str) -> Option<&str> {
        (**self).get_label(name)
    }
}

/// Names are unique and in order, as in a `BTreeMap` (the last of a repeated name wins).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct LabelSet {
    text: Box<str>,
    /// The end in `text` of each name and each value, two per label.
    ends: Box<[u32]>,
}

impl LabelSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// From pairs in any order. A set whose text passes 4 GiB keeps the labels before that
    /// (no answer under the response cap comes near it).
    pub fn from_pairs<K: AsRef<str>, V: AsRef<str>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let mut pairs: Vec<(K, V)> = pairs.into_iter().collect();
        // Stable, so among equal names the last given is the last here and is the one kept.
        pairs.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        let mut text = String::with_capacity(
            pairs
                .iter()
                .map(|(k, v)| k.as_ref().len() + v.as_ref().len())
                .sum(),
        );
        let mut ends = Vec::with_capacity(pairs.len() * 2);
        for (i, (k, v)) in pairs.iter().enumerate() {
            let next_is_same = pairs
                .get(i + 1)
                .is_some_and(|(n, _)| n.as_ref() == k.as_ref());
            if next_is_same {
                continue;
            }
            let (Ok(name_end), Ok(value_end)) = (
                u32::try_from(text.len() + k.as_ref().len()),
                u32::try_from(text.len() + k.as_ref().len() + v.as_ref().len()),
            ) else {
                break;
            };
            text.push_str(k.as_ref());
            text.push_str(v.as_ref());
            ends.extend([name_end, value_end]);
        }
        Self {
            text: text.into_boxed_str(),
            ends: ends.into_boxed_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len() / 2
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn span(&self, at: usize) -> &str {
        let start = match at {
            0 => 0,
            _ => self.ends[at - 1] as usize,
        };
        &self.text[start..self.ends[at] as usize]
    }

    fn name(&self, i: usize) -> &str {
        self.span(2 * i)
    }

    fn value(&self, i: usize) -> &str {
        self.span(2 * i + 1)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.name(mid).cmp(name) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Some(self.value(mid)),
            }
        }
        None
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Name and value pairs, in name order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            set: self,
            at: 0..self.len(),
        }
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> + Clone {
        self.iter().map(|(k, _)| k)
    }

    /// This set without the labels named in `drop` (an alert's identity: its labels without the
    /// HA replica labels).
    pub fn without(&self, drop: &[String]) -> Self {
        Self::from_pairs(self.iter().filter(|(k, _)| !drop.iter().any(|d| d == k)))
    }

    /// Sets `name` to `value`. Rebuilds the set: for tests and the rare edit, never a poll.
    pub fn insert(&mut self, name: &str, value: &str) {
        self.extend([(name, value)]);
    }

    /// Sets each pair (rebuilding the set once).
    pub fn extend<K: AsRef<str>, V: AsRef<str>>(
        &mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) {
        let mut all = self.to_map();
        all.extend(
            pairs
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string())),
        );
        *self = Self::from(all);
    }

    /// Drops `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let value = self.get(name)?.to_string();
        *self = Self::from_pairs(self.iter().filter(|(k, _)| *k != name));
        Some(value)
    }

    /// An owned map, for the few places that edit labels (matchers, reposted alerts).
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

/// The pairs of a set, in name order.
#[derive(Clone)]
pub struct Iter<'a> {
    set: &'a LabelSet,
    at: std::ops::Range<usize>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a str, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        let i = self.at.next()?;
        Some((self.set.name(i), self.set.value(i)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.at.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let i = self.at.next_back()?;
        Some((self.set.name(i), self.set.value(i)))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a LabelSet {
    type Item = (&'a str, &'a str);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Pair by pair, as a `BTreeMap` orders: a list of alerts by identity reads alphabetically.
impl Ord for LabelSet {
    fn cmp(&self, other: &Self) -> Ordering {
        self.iter().cmp(other.iter())
    }
}

impl PartialOrd for LabelSet {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for LabelSet {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for LabelSet {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(pairs: I) -> Self {
        Self::from_pairs(pairs)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> From<[(K, V); N]> for LabelSet {
    fn from(pairs: [(K, V); N]) -> Self {
        Self::from_pairs(pairs)
    }
}

impl From<BTreeMap<String, String>> for LabelSet {
    fn from(map: BTreeMap<String, String>) -> Self {
        Self::from_pairs(map)
    }
}

impl From<&BTreeMap<String, String>> for LabelSet {
    fn from(map: &BTreeMap<String, String>) -> Self {
        Self::from_pairs(map)
    }
}

impl PartialEq<BTreeMap<String, String>> for LabelSet {
    fn eq(&self, map: &BTreeMap<String, String>) -> bool {
        self.len() == map.len()
            && self
                .iter()
                .eq(map.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

impl Serialize for LabelSet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_like_the_map_it_replaces() {
        let set = LabelSet::from([("job", "api"), ("alertname", "Disk"), ("a", "")]);
        assert_eq!(set.len(), 3);
        assert_eq!(set.get("alertname"), Some("Disk"));
        assert_eq!(set.get("a"), Some(""), "an empty value is a value");
        assert_eq!(set.get("missing"), None);
        assert_eq!(set.keys().collect::<Vec<_>>(), ["a", "alertname", "job"]);
        assert_eq!(
            format!("{set:?}"),
            r#"{"a": "", "alertname": "Disk", "job": "api"}"#
        );
    }

    #[test]
    fn a_repeated_name_keeps_its_last_value() {
        let set = LabelSet::from([("x", "1"), ("y", "2"), ("x", "3")]);
        assert_eq!(set.iter().collect::<Vec<_>>(), [("x", "3"), ("y", "2")]);
    }

    #[test]
    fn names_and_values_that_run_together_stay_apart() {
        let a = LabelSet::from([("a", "bc")]);
        let b = LabelSet::from([("ab", "c")]);
        assert_ne!(a, b);
        assert_eq!(b.get("ab"), Some("c"));
        assert_eq!(a.get("ab"), None);
    }

    #[test]
    fn encodes_as_a_json_map_in_name_order() {
        let set = LabelSet::from([("z", "1"), ("msg", r#"say "hi""#), ("é", "ü")]);
        assert_eq!(
            serde_json::to_string(&set).expect("encodes"),
            r#"{"msg":"say \"hi\"","z":"1","é":"ü"}"#
        );
    }

    #[test]
    fn without_drops_the_named_labels() {
        let set = LabelSet::from([("alertname", "Disk"), ("replica", "a")]);
        assert_eq!(
            set.without(&["replica".into()]),
            LabelSet::from([("alertname", "Disk")])
        );
    }

    proptest! {
        #[test]
        fn agrees_with_a_btreemap(pairs in proptest::collection::vec(("[a-c]{0,3}", "[a-cé]{0,3}"), 0..12)) {
            let map: BTreeMap<String, String> = pairs.iter().cloned().collect();
            let set = LabelSet::from_pairs(pairs.iter().map(|(k, v)| (k, v)));
            prop_assert!(set == map);
            for (k, v) in &map {
                prop_assert_eq!(set.get(k), Some(v.as_str()));
            }
            prop_assert_eq!(set.get("zz"), None);
            let other: BTreeMap<String, String> = pairs.iter().rev().cloned().collect();
            let other_set = LabelSet::from(&other);
            prop_assert_eq!(set.cmp(&other_set), map.cmp(&other));
            prop_assert_eq!(set == other_set, map == other);
        }
    }
}
