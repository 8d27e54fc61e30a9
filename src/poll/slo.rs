//! Measures the configured SLOs of one Prometheus-compatible source: one instant query of
//! `(errors) / (total)` per SLO and window, a few in flight at a time. An SLO with `group_by`
//! costs the same queries and yields one row per group found in their results.

use super::poller::Fetcher;
use super::slo_discover::discover;
use super::slo_target::Target;
pub use super::slo_target::ratio_of;
use crate::config::SloConfig;
use crate::domain::health::SourceError;
use crate::domain::publish::{Payload, SloSample, SloWindow};
use crate::domain::slo::SloMeasurement;
use crate::sources::prometheus::PrometheusClient;
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

/// Queries in flight at once per source: enough to be quick, few enough to be polite.
pub const MAX_IN_FLIGHT: usize = 4;
/// Slow windows are queried every this many polls by default.
pub const SLOW_EVERY: u32 = 5;
/// Windows this long or longer (and the period) move slowly: queried every `slow_every` polls.
pub const SLOW_FROM: Duration = Duration::from_secs(86_400);
/// The sparkline: the 1h error ratio over the last day, one point per half hour.
const HISTORY_SPAN: Duration = Duration::from_secs(86_400);
const HISTORY_STEP: Duration = Duration::from_secs(1_800);
const HISTORY_WINDOW: Duration = Duration::from_secs(3_600);

/// The slow values of one SLO row from the last poll that measured them all.
#[derive(Clone, Debug, Default)]
struct SlowValues {
    ratios: BTreeMap<Duration, Option<f64>>,
    period: Option<f64>,
}

pub struct SloFetcher {
    client: PrometheusClient,
    configured: Vec<Target>,
    discovered: Vec<Target>,
    windows: Vec<Duration>,
    /// Evaluate at this instant instead of now (backfilled history, replays).
    at: Option<DateTime<Utc>>,
    /// Queries sent since this fetcher was built (what a refresh costs the backend).
    queries_sent: u64,
    max_in_flight: usize,
    slow_every: u32,
    discover: bool,
    polls: u64,
    /// Per SLO, per group: the slow values kept between slow polls.
    slow: HashMap<String, BTreeMap<String, SlowValues>>,
    /// Per grouped SLO, the groups last found: the rows a failed poll reports against.
    groups: HashMap<String, BTreeSet<String>>,
    /// What the last discovery could not read of the rules (`1 rule unreadable: missing name`).
    rules_left_out: Option<String>,
    /// Discovery read no rule at all: why that may be, for this backend (shown with its mark).
    no_rules: Option<String>,
}

/// Which value of an SLO a query measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Window(Duration),
    Period,
    History,
}

/// A query's result split by group (`Err`: the series lack the `group_by` labels).
enum Answer {
    Ratio(Result<BTreeMap<String, Option<f64>>, String>),
    History(Result<BTreeMap<String, Vec<f64>>, String>),
}

/// What one SLO definition's queries of one poll came back with, by group.
#[derive(Default)]
struct Measured {
    groups: BTreeSet<String>,
    ratios: BTreeMap<String, BTreeMap<Duration, Option<f64>>>,
    period: BTreeMap<String, Option<f64>>,
    history: BTreeMap<String, Vec<f64>>,
    error: Option<String>,
    slow_failed: bool,
    queries: Vec<(Slot, String)>,
}

/// The query sent for one window: `((<error_query>) or (<total_query>) * 0) / (<total_query>)`
/// with `$window` replaced (no error series counts 0 errors; see `sli::ratio_query`).
pub fn ratio_query(slo: &SloConfig, window: Duration) -> String {
    Target::configured(slo).query(window)
}

impl SloFetcher {
    pub fn new(client: PrometheusClient, slos: Vec<SloConfig>, windows: Vec<Duration>) -> Self {
        Self {
            client,
            configured: slos.iter().map(Target::configured).collect(),
            discovered: Vec::new(),
            windows,
            at: None,
            queries_sent: 0,
            max_in_flight: MAX_IN_FLIGHT,
            slow_every: SLOW_EVERY,
            discover: false,
            polls: 0,
            slow: HashMap::new(),
            groups: HashMap::new(),
            rules_left_out: None,
            no_rules: None,
        }
    }

    /// Evaluates every query at `at` rather than at the time of the poll.
    pub fn evaluated_at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    /// At most `n` queries in flight at once (at least 1).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = n.max(1);
        self
    }

    /// Slow windows, the period and the sparkline every `n`th poll (1: every poll).
    pub fn slow_every(mut self, n: u32) -> Self {
        self.slow_every = n.max(1);
        self
    }

    /// Also measure the SLOs found in the source's Sloth and Pyrra recording rules.
    pub fn discover(mut self, on: bool) -> Self {
        self.discover = on;
        self
    }

    /// The windows measured for `t`: those of its own rules, else the cockpit's.
    fn windows_of<'a>(&'a self, t: &'a Target) -> &'a [Duration] {
        if t.rules.is_empty() {
            &self.windows
        } else {
            &t.rule_windows
        }
    }

    /// Queries sent so far, successful or not.
    pub fn queries_sent(&self) -> u64 {
        self.queries_sent
    }

    /// How many queries a full refresh (slow windows included) of the configured SLOs runs.
    pub fn query_count(&self) -> usize {
        self.configured.len() * (self.windows.len() + 2)
    }

    pub fn max_in_flight_value(&self) -> usize {
        self.max_in_flight
    }

    fn is_slow(w: Duration) -> bool {
        w >= SLOW_FROM
    }

    /// Rediscovers on the slow cadence; a failed discovery keeps what was found before.
    async fn rediscover(&mut self, slow_due: bool) -> Result<(), SourceError> {
        if !self.discover || !(slow_due || self.polls == 0) {
            return Ok(());
        }
        self.queries_sent += 1;
        let (groups, unreadable) = self.client.rules_lenient().await?;
        self.no_rules = match (groups.is_empty(), self.no_rules.take()) {
            (false, _) => None,
            // The cause does not change while the answer stays empty: asked once.
            (true, Some(known)) => Some(known),
            (true, None) => {
                let kind = self.client.identify().await.map(|b| b.kind);
                Some(crate::sources::prometheus::no_rules_hint(kind))
            }
        };
        let left_out = unreadable.describe();
        if left_out != self.rules_left_out {
            // Said when it changes, not every rediscovery: the log is read after the fact.
            if let Some(note) = &left_out {
                tracing::warn!(prometheus = ?self.client, "SLO discovery: {note}");
            }
            self.rules_left_out = left_out;
        }
        let configured: BTreeSet<&str> = self.configured.iter().map(|t| t.name.as_str()).collect();
        self.discovered = discover(&groups)
            .into_iter()
            .filter(|d| !configured.contains(d.def.name.as_str()))
            .map(Target::found)
            .collect();
        Ok(())
    }

    pub async fn fetch(&mut self) -> Result<Payload, SourceError> {
        let slow_due = self.polls.is_multiple_of(u64::from(self.slow_every));
        let discovery = self.rediscover(slow_due).await;
        self.polls += 1;
        if self.configured.is_empty() && self.discovered.is_empty() {
            discovery?;
            // Nothing to measure: still prove the source answers, so its health is real.
            self.queries_sent += 1;
            self.client.instant("1", None).await?;
            return Ok(Payload::Slo(Arc::new(self.window(Vec::new()))));
        }
        let targets: Vec<Target> = self
            .configured
            .iter()
            .chain(&self.discovered)
            .cloned()
            .collect();
        // One evaluation time for every query, so the windows of a row agree.
        let at = self.at.unwrap_or_else(Utc::now);
        let mut jobs = Vec::new();
        let mut reuse = vec![false; targets.len()];
        for (i, t) in targets.iter().enumerate() {
            let slow_query = slow_due || !self.slow.contains_key(&t.name);
            reuse[i] = !slow_query;
            for w in self.windows_of(t).iter().filter(|w| t.has(**w)) {
                if slow_query || !Self::is_slow(*w) {
                    jobs.push((i, Slot::Window(*w), t.query(*w)));
                }
            }
            if slow_query {
                if t.has(t.period) {
                    jobs.push((i, Slot::Period, t.query(t.period)));
                }
                if t.has(HISTORY_WINDOW) {
                    jobs.push((i, Slot::History, t.query(HISTORY_WINDOW)));
                }
            }
        }
        self.queries_sent += jobs.len() as u64;
        let client = &self.client;
        let targets_ref = &targets;
        let mut answers = stream::iter(jobs)
            .map(|(i, slot, q)| async move {
                let t = &targets_ref[i];
                let r = match slot {
                    Slot::History => client
                        .range(&q, at - HISTORY_SPAN, at, HISTORY_STEP)
                        .await
                        .map(|s| Answer::History(t.histories(&s))),
                    _ => client
                        .instant(&q, Some(at))
                        .await
                        .map(|s| Answer::Ratio(t.ratios(&s))),
                };
                (i, slot, q, r)
            })
            .buffer_unordered(self.max_in_flight);
        let mut results: Vec<(usize, Slot, String, Result<Answer, SourceError>)> = Vec::new();
        let (mut answered, mut unreachable) = (false, 0);
        while let Some(r) = answers.next().await {
            match &r.3 {
                Ok(_) => answered = true,
                Err(e @ (SourceError::Timeout(_) | SourceError::Unreachable(_))) if !answered => {
                    unreachable += 1;
                    // A whole round sent and none answered: the backend is down, not one
                    // query slow. The rounds left would only wait as long again, each.
                    if unreachable >= self.max_in_flight {
                        return Err(e.clone());
                    }
                }
                Err(_) => {}
            }
            results.push(r);
        }
        drop(answers);

        if let Some(first) = results.iter().find_map(|(_, _, _, r)| r.as_ref().err())
            && results.iter().all(|(_, _, _, r)| r.is_err())
        {
            return Err(first.clone());
        }
        let mut measured: Vec<Measured> = targets.iter().map(|_| Measured::default()).collect();
        for (i, slot, q, r) in results {
            let Some(m) = measured.get_mut(i) else {
                continue;
            };
            m.queries.push((slot, q));
            let failed = match (slot, r) {
                (Slot::Window(w), Ok(Answer::Ratio(Ok(v)))) => {
                    for (g, r) in v {
                        m.groups.insert(g.clone());
                        m.ratios.entry(g).or_default().insert(w, r);
                    }
                    None
                }
                (Slot::Period, Ok(Answer::Ratio(Ok(v)))) => {
                    m.groups.extend(v.keys().cloned());
                    m.period.extend(v);
                    None
                }
                (_, Ok(Answer::History(Ok(h)))) => {
                    m.history = h;
                    None
                }
                (_, Ok(Answer::Ratio(Ok(_)))) => None,
                // The sparkline is an extra: its failure leaves the rows' values current.
                (Slot::History, Err(e)) => {
                    tracing::debug!(slo = %targets[i].name, error = %e, "burn history query failed");
                    None
                }
                (Slot::History, Ok(Answer::History(Err(e)))) => {
                    tracing::debug!(slo = %targets[i].name, error = %e, "burn history query failed");
                    None
                }
                (_, Ok(Answer::Ratio(Err(e)) | Answer::History(Err(e)))) => Some(e),
                (_, Err(e)) => Some(e.to_string()),
            };
            if let Some(e) = failed {
                m.slow_failed |= slot_is_slow(slot);
                m.error.get_or_insert(e);
            }
        }
        let mut samples = Vec::new();
        for ((t, m), reuse) in targets.iter().zip(measured).zip(reuse) {
            samples.extend(self.rows_of(t, m, reuse));
        }
        Ok(Payload::Slo(Arc::new(self.window(samples))))
    }

    fn window(&self, samples: Vec<SloSample>) -> SloWindow {
        SloWindow {
            samples,
            notes: self.no_rules.iter().cloned().collect(),
        }
    }

    /// The samples of one SLO definition: one, or one per group. Between slow polls the slow
    /// windows keep their last measured values.
    fn rows_of(&mut self, t: &Target, mut m: Measured, reuse: bool) -> Vec<SloSample> {
        let groups: BTreeSet<String> = if t.group_by.is_empty() {
            BTreeSet::from([String::new()])
        } else if !m.groups.is_empty() {
            self.groups.insert(t.name.clone(), m.groups.clone());
            std::mem::take(&mut m.groups)
        } else if m.error.is_some() {
            // Nothing came back: the error goes on the rows there were.
            self.groups.get(&t.name).cloned().unwrap_or_default()
        } else {
            // The backend knows no group: the definition shows as one row without data.
            self.groups.remove(&t.name);
            BTreeSet::new()
        };
        let groups = if groups.is_empty() {
            BTreeSet::from([String::new()])
        } else {
            groups
        };
        let mut queries = std::mem::take(&mut m.queries);
        queries.sort_by_key(|(slot, _)| slot_order(*slot));
        let queries: Vec<String> = queries.into_iter().map(|(_, q)| q).collect();
        let graph_url =
            (t.broken.is_none()).then(|| self.client.graph_url(&t.query(HISTORY_WINDOW)));
        let kept = if reuse {
            self.slow.get(&t.name).cloned().unwrap_or_default()
        } else {
            BTreeMap::new()
        };
        let mut fresh_slow = BTreeMap::new();
        let mut out = Vec::new();
        for g in groups {
            let name = format!("{}{g}", t.name);
            let mut ratios = m.ratios.remove(&g).unwrap_or_default();
            let mut measurement = SloMeasurement {
                error_ratios: self
                    .windows_of(t)
                    .iter()
                    .map(|w| (*w, ratios.remove(w).flatten()))
                    .collect(),
                period_ratio: m.period.get(&g).copied().flatten(),
            };
            if let Some(v) = kept.get(&g) {
                for (w, r) in &v.ratios {
                    measurement.error_ratios.insert(*w, *r);
                }
                measurement.period_ratio = v.period;
            }
            if !reuse {
                let slow = SlowValues {
                    ratios: measurement
                        .error_ratios
                        .iter()
                        .filter(|(w, _)| Self::is_slow(**w))
                        .map(|(w, r)| (*w, *r))
                        .collect(),
                    period: measurement.period_ratio,
                };
                fresh_slow.insert(g.clone(), slow);
            }
            out.push(SloSample {
                new_row: t.new_row(&name),
                rules: t.rules.clone(),
                family: (!t.group_by.is_empty()).then(|| t.name.clone()),
                measurement,
                error: m.error.clone().or_else(|| t.broken.clone()),
                queries: queries.clone(),
                history: m.history.remove(&g),
                graph_url: graph_url.clone(),
                name,
            });
        }
        if m.slow_failed {
            self.slow.remove(&t.name);
        } else if !reuse {
            self.slow.insert(t.name.clone(), fresh_slow);
        }
        out
    }
}

fn slot_is_slow(slot: Slot) -> bool {
    match slot {
        Slot::Window(w) => SloFetcher::is_slow(w),
        Slot::Period | Slot::History => true,
    }
}

fn slot_order(slot: Slot) -> (u8, Duration) {
    match slot {
        Slot::Window(w) => (0, w),
        Slot::Period => (1, Duration::ZERO),
        Slot::History => (2, Duration::ZERO),
    }
}

impl Fetcher for SloFetcher {
    fn fetch(&mut self) -> impl Future<Output = Result<Payload, SourceError>> + Send {
        SloFetcher::fetch(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::prometheus::Sample;

    fn sample(v: f64) -> Sample {
        Sample {
            labels: BTreeMap::new(),
            timestamp: 0.0,
            value: v,
        }
    }

    #[test]
    fn empty_and_nan_are_no_data_never_zero() {
        assert_eq!(ratio_of(&[]), None);
        assert_eq!(ratio_of(&[sample(f64::NAN)]), None);
        assert_eq!(ratio_of(&[sample(0.0)]), Some(0.0));
        assert_eq!(
            ratio_of(&[sample(0.01), sample(f64::NAN), sample(0.03)]),
            Some(0.03)
        );
    }

    #[test]
    fn window_is_substituted_in_both_queries() {
        let slo = SloConfig {
            name: "x".into(),
            source: "p".into(),
            objective: 99.9,
            period: Duration::from_secs(30 * 86_400),
            error_query: "sum(rate(e[$window]))".into(),
            total_query: "sum(rate(t[$window]))".into(),
            ..Default::default()
        };
        assert_eq!(
            ratio_query(&slo, Duration::from_secs(300)),
            "((sum(rate(e[5m]))) or (sum(rate(t[5m]))) * 0) / (sum(rate(t[5m])))"
        );
        assert_eq!(
            ratio_query(&slo, slo.period),
            "((sum(rate(e[30d]))) or (sum(rate(t[30d]))) * 0) / (sum(rate(t[30d])))"
        );
    }
}
