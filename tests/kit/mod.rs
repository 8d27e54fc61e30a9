//! The shared test kit: fixtures every test binary builds the same way, defined once. Each
//! binary uses a part, so what it leaves unused is not a warning.
#![allow(dead_code)]

use onwatch::domain::alerts::Labels;

/// A label set from pairs: `labels(&[("alertname", "X"), ("severity", "critical")])`.
pub fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
