//! Flap detection as Nagios Core does it (its "Detection and Handling of State Flapping"):
//! the last 21 samples of an alert's state, transitions weighted linearly from 0.75 (oldest)
//! to 1.25 (newest), percent state change = Σ weights × 100 / 20, with hysteresis between the
//! low and high thresholds.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

/// 21 states give at most 20 transitions (`MAX_STATE_HISTORY_ENTRIES`).
pub const SAMPLES: usize = 21;
const SLOTS: usize = SAMPLES - 1;

#[derive(Clone, Debug, PartialEq)]
pub struct FlapConfig {
    pub enabled: bool,
    /// How often each alert's state is sampled.
    pub sample_period: Duration,
    /// Flapping stops at or below this percent.
    pub low: f64,
    /// Flapping starts at or above this percent.
    pub high: f64,
}

impl Default for FlapConfig {
    /// The Nagios sample configuration: 5% / 20%; one sample a minute.
    fn default() -> Self {
        Self {
            enabled: true,
            sample_period: Duration::from_secs(60),
            low: 5.0,
            high: 20.0,
        }
    }
}

/// Weight of transition slot `i` (1 = oldest pair, 20 = newest pair).
pub fn weight(i: usize) -> f64 {
    0.75 + (i as f64 - 1.0) * (1.25 - 0.75) / (SLOTS as f64 - 1.0)
}

/// Percent state change of up to 21 samples, oldest first. A shorter history is aligned to the
/// newest end: the missing older slots hold no change.
pub fn percent_state_change(samples: &[bool]) -> f64 {
    let samples = &samples[samples.len().saturating_sub(SAMPLES)..];
    let first_slot = SAMPLES - samples.len(); // slots before this have no data
    let sum = samples
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] != w[1])
        .map(|(j, _)| weight(first_slot + j + 1))
        // A fold from +0.0: an empty float `sum` is -0.0, which would print as "-0.0%".
        .fold(0.0, |acc, w| acc + w);
    sum * 100.0 / SLOTS as f64
}

/// Nagios's decision: start at `>= high`, stop at `<= low`, unchanged in between.
pub fn next_flapping(was: bool, percent: f64, low: f64, high: f64) -> bool {
    if percent >= high {
        true
    } else if percent <= low {
        false
    } else {
        was
    }
}

/// One identity's last samples and flapping flag.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlapHistory {
    /// Oldest first, at most `SAMPLES`.
    samples: Vec<bool>,
    pub percent: f64,
    pub flapping: bool,
}

impl FlapHistory {
    pub fn samples(&self) -> &[bool] {
        &self.samples
    }

    /// Records one sample; returns whether the flapping flag changed.
    pub fn record(&mut self, firing: bool, cfg: &FlapConfig) -> bool {
        if self.samples.len() == SAMPLES {
            self.samples.remove(0);
        }
        self.samples.push(firing);
        self.percent = percent_state_change(&self.samples);
        let was = self.flapping;
        // Detection off clears a flap (Nagios: "Disabled flap detection").
        self.flapping = cfg.enabled && next_flapping(was, self.percent, cfg.low, cfg.high);
        was != self.flapping
    }

    /// Nothing left to remember: every sample says "not firing".
    fn is_quiet(&self) -> bool {
        self.samples.iter().all(|s| !s) && !self.flapping
    }
}

/// Histories of every alert identity seen, sampled once per sample period.
#[derive(Clone, Debug)]
pub struct FlapTracker<K> {
    histories: HashMap<K, FlapHistory>,
    last_sample: Option<DateTime<Utc>>,
}

impl<K> Default for FlapTracker<K> {
    fn default() -> Self {
        Self {
            histories: HashMap::new(),
            last_sample: None,
        }
    }
}

impl<K: Eq + Hash + Clone> FlapTracker<K> {
    pub fn history(&self, key: &K) -> Option<&FlapHistory> {
        self.histories.get(key)
    }

    pub fn is_flapping(&self, key: &K) -> bool {
        self.histories.get(key).is_some_and(|h| h.flapping)
    }

    pub fn is_due(&self, now: DateTime<Utc>, cfg: &FlapConfig) -> bool {
        let period = chrono::Duration::from_std(cfg.sample_period)
            .unwrap_or(chrono::Duration::MAX)
            .max(chrono::Duration::seconds(1));
        self.last_sample.is_none_or(|t| now - t >= period)
    }

    /// Takes one sample at `now` if one is due. `firing`: the identities present and firing.
    /// `frozen(key)`: identities whose source cannot be read now (no sample: absent from an
    /// unreachable Alertmanager is not "resolved"). Returns whether any flag changed.
    pub fn sample<'a>(
        &mut self,
        now: DateTime<Utc>,
        firing: impl IntoIterator<Item = &'a K>,
        frozen: impl Fn(&K) -> bool,
        cfg: &FlapConfig,
    ) -> bool
    where
        K: 'a,
    {
        if !self.is_due(now, cfg) {
            return false;
        }
        self.last_sample = Some(now);
        let mut changed = false;
        let mut seen = std::collections::HashSet::new();
        for key in firing {
            if !seen.insert(key) {
                continue;
            }
            changed |= self
                .histories
                .entry(key.clone())
                .or_default()
                .record(true, cfg);
        }
        for (key, h) in self.histories.iter_mut() {
            if !seen.contains(key) && !frozen(key) {
                changed |= h.record(false, cfg);
            }
        }
        self.histories.retain(|_, h| !h.is_quiet());
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// States t1..t21 with changes at the given positions (a change at t_k means t_k differs from
    /// t_{k-1}).
    fn with_changes_at(changes: &[usize]) -> Vec<bool> {
        let mut s = vec![false];
        for k in 2..=SAMPLES {
            let last = s[s.len() - 1];
            s.push(if changes.contains(&k) { !last } else { last });
        }
        s
    }

    #[test]
    fn weights_run_from_three_quarters_to_five_quarters() {
        assert!((weight(1) - 0.75).abs() < 1e-12);
        assert!((weight(20) - 1.25).abs() < 1e-12);
        let total: f64 = (1..=20).map(weight).sum();
        assert!((total - 20.0).abs() < 1e-9, "{total}");
    }

    #[test]
    fn reference_table() {
        // (changes at t_k, expected percent) from flap-detection.md §1.2.
        let table: &[(&[usize], f64)] = &[
            (&[], 0.0),
            (&[21], 6.25),
            (&[2], 3.75),
            (&[3, 4, 5, 9, 12, 16, 19], 33.355),
            (&(2..=21).collect::<Vec<_>>(), 100.0),
        ];
        for (changes, want) in table {
            let got = percent_state_change(&with_changes_at(changes));
            assert!((got - want).abs() < 0.01, "{changes:?}: {got} != {want}");
        }
    }

    #[test]
    fn docs_example_slot_weights() {
        // The reference lists the weights of slots 2, 3, 4, 8, 11, 15, 18.
        let w: Vec<f64> = [2, 3, 4, 8, 11, 15, 18]
            .iter()
            .map(|i| weight(*i))
            .collect();
        let want = [0.7763, 0.8026, 0.8289, 0.9342, 1.0132, 1.1184, 1.1974];
        for (g, e) in w.iter().zip(want) {
            assert!((g - e).abs() < 1e-4, "{g} != {e}");
        }
        assert!((w.iter().sum::<f64>() - 6.6711).abs() < 1e-3);
    }

    #[test]
    fn short_history_aligns_to_the_newest_end() {
        // Two samples, one change: it sits in the newest slot.
        assert!((percent_state_change(&[false, true]) - 6.25).abs() < 1e-9);
        assert!(percent_state_change(&[true]).is_sign_positive());
        assert_eq!(percent_state_change(&[true]), 0.0);
        assert_eq!(percent_state_change(&[]), 0.0);
        // More than 21: only the newest 21 count.
        let mut long = vec![true, false, true, false];
        long.extend(std::iter::repeat_n(false, 21));
        assert_eq!(percent_state_change(&long), 0.0);
    }

    #[test]
    fn hysteresis_table() {
        // (was, percent, expected) with low 5 / high 20.
        let table = [
            (false, 19.99, false),
            (false, 20.0, true),
            (true, 5.01, true),
            (true, 5.0, false),
            (false, 12.0, false),
            (true, 12.0, true),
            (true, 100.0, true),
            (false, 0.0, false),
        ];
        for (was, pct, want) in table {
            assert_eq!(next_flapping(was, pct, 5.0, 20.0), want, "{was} {pct}");
        }
    }

    #[test]
    fn flapping_starts_then_stops_after_a_quiet_stretch() {
        let cfg = FlapConfig::default();
        let mut h = FlapHistory::default();
        let mut started = None;
        for i in 0..10 {
            h.record(i % 2 == 0, &cfg);
            if h.flapping && started.is_none() {
                started = Some(i);
            }
        }
        // Transitions in the newest slots weigh ~1.2 each: 6% each, the 4th crosses 20%.
        assert_eq!(started, Some(4));
        let mut stopped = None;
        for i in 0..SAMPLES {
            h.record(true, &cfg);
            if !h.flapping && stopped.is_none() {
                stopped = Some(i);
                assert!(h.percent <= cfg.low);
            }
        }
        assert!(stopped.is_some());
        assert!(!h.flapping);
    }

    #[test]
    fn disabled_detection_never_flaps_but_still_measures() {
        let cfg = FlapConfig {
            enabled: false,
            ..FlapConfig::default()
        };
        let mut h = FlapHistory::default();
        for i in 0..21 {
            h.record(i % 2 == 0, &cfg);
        }
        assert!(!h.flapping);
        assert!((h.percent - 100.0).abs() < 1e-9);
    }

    #[test]
    fn tracker_samples_once_per_period_and_absent_is_not_firing() {
        use chrono::TimeZone;
        let cfg = FlapConfig::default();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        let mut tr: FlapTracker<String> = FlapTracker::default();
        let a = "a".to_string();
        let steady = "steady".to_string();
        for m in 0..12 {
            let now = t0 + chrono::Duration::minutes(m);
            let mut firing = vec![&steady];
            if m % 2 == 0 {
                firing.push(&a);
            }
            tr.sample(now, firing.iter().copied(), |_| false, &cfg);
            // A second call within the period records nothing.
            tr.sample(now + chrono::Duration::seconds(30), [&a], |_| false, &cfg);
        }
        assert_eq!(tr.history(&a).map(|h| h.samples().len()), Some(12));
        assert!(tr.is_flapping(&a));
        assert!(!tr.is_flapping(&steady));
        assert_eq!(tr.history(&steady).map(|h| h.percent), Some(0.0));
    }

    #[test]
    fn frozen_identities_are_not_sampled() {
        use chrono::TimeZone;
        let cfg = FlapConfig::default();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        let mut tr: FlapTracker<String> = FlapTracker::default();
        let a = "a".to_string();
        tr.sample(t0, [&a], |_| false, &cfg);
        tr.sample(t0 + chrono::Duration::minutes(1), [], |_| true, &cfg);
        assert_eq!(
            tr.history(&a).map(|h| h.samples().to_vec()),
            Some(vec![true])
        );
    }
}
