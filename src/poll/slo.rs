//! Measures the configured SLOs of one Prometheus-compatible source: one instant query of
//! `(errors) / (total)` per SLO and window, a few in flight at a time.

use super::poller::Fetcher;
use crate::app::msg::{Payload, SloSample};
use crate::config::SloConfig;
use crate::domain::duration;
use crate::domain::health::SourceError;
use crate::domain::slo::SloMeasurement;
use crate::sources::prometheus::{PrometheusClient, Sample};
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use std::sync::Arc;
use std::time::Duration;

/// Queries in flight at once per source: enough to be quick, few enough to be polite.
pub const MAX_IN_FLIGHT: usize = 4;

pub struct SloFetcher {
    client: PrometheusClient,
    slos: Vec<SloConfig>,
    windows: Vec<Duration>,
    /// Evaluate at this instant instead of now (backfilled history, replays).
    at: Option<DateTime<Utc>>,
    /// Queries sent since this fetcher was built (what a refresh costs the backend).
    queries_sent: u64,
}

/// Which value of an SLO a query measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Slot {
    Window(Duration),
    Period,
}

/// `(<error_query>) / (<total_query>)` with `$window` replaced.
pub fn ratio_query(slo: &SloConfig, window: Duration) -> String {
    let w = duration::label(window);
    format!(
        "({}) / ({})",
        slo.error_query.replace("$window", &w),
        slo.total_query.replace("$window", &w)
    )
}

/// The error ratio a query result stands for. No series means no data (never 0); NaN is 0/0,
/// no traffic, also no data. Several series (a query without `sum`): the worst one.
pub fn ratio_of(samples: &[Sample]) -> Option<f64> {
    samples
        .iter()
        .map(|s| s.value)
        .filter(|v| v.is_finite())
        .fold(None, |acc: Option<f64>, v| {
            Some(acc.map_or(v, |a| a.max(v)))
        })
}

impl SloFetcher {
    pub fn new(client: PrometheusClient, slos: Vec<SloConfig>, windows: Vec<Duration>) -> Self {
        Self {
            client,
            slos,
            windows,
            at: None,
            queries_sent: 0,
        }
    }

    /// Evaluates every query at `at` rather than at the time of the poll.
    pub fn evaluated_at(mut self, at: DateTime<Utc>) -> Self {
        self.at = Some(at);
        self
    }

    /// Queries sent so far, successful or not.
    pub fn queries_sent(&self) -> u64 {
        self.queries_sent
    }

    /// How many queries one fetch runs.
    pub fn query_count(&self) -> usize {
        self.slos.len() * (self.windows.len() + 1)
    }

    pub async fn fetch(&mut self) -> Result<Payload, SourceError> {
        if self.slos.is_empty() {
            // Nothing to measure: still prove the source answers, so its health is real.
            self.client.instant("1", None).await?;
            return Ok(Payload::Slo(Arc::new(Vec::new())));
        }
        // One evaluation time for every query, so the windows of a row agree.
        let at = self.at.unwrap_or_else(Utc::now);
        let mut jobs = Vec::new();
        for (i, slo) in self.slos.iter().enumerate() {
            for w in &self.windows {
                jobs.push((i, Slot::Window(*w), ratio_query(slo, *w)));
            }
            jobs.push((i, Slot::Period, ratio_query(slo, slo.period)));
        }
        self.queries_sent += jobs.len() as u64;
        let client = &self.client;
        let results: Vec<(usize, Slot, Result<Option<f64>, SourceError>)> = stream::iter(jobs)
            .map(|(i, slot, q)| async move {
                let r = client.instant(&q, Some(at)).await.map(|s| ratio_of(&s));
                (i, slot, r)
            })
            .buffer_unordered(MAX_IN_FLIGHT)
            .collect()
            .await;

        if let Some(first) = results.iter().find_map(|(_, _, r)| r.as_ref().err())
            && results.iter().all(|(_, _, r)| r.is_err())
        {
            return Err(first.clone());
        }
        let mut samples: Vec<SloSample> = self
            .slos
            .iter()
            .map(|slo| SloSample {
                name: slo.name.clone(),
                measurement: SloMeasurement {
                    error_ratios: self.windows.iter().map(|w| (*w, None)).collect(),
                    period_ratio: None,
                },
                error: None,
            })
            .collect();
        for (i, slot, r) in results {
            let Some(sample) = samples.get_mut(i) else {
                continue;
            };
            match (slot, r) {
                (Slot::Window(w), Ok(v)) => {
                    sample.measurement.error_ratios.insert(w, v);
                }
                (Slot::Period, Ok(v)) => sample.measurement.period_ratio = v,
                (_, Err(e)) => {
                    sample.error.get_or_insert_with(|| e.to_string());
                }
            }
        }
        Ok(Payload::Slo(Arc::new(samples)))
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
    use std::collections::BTreeMap;

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
        };
        assert_eq!(
            ratio_query(&slo, Duration::from_secs(300)),
            "(sum(rate(e[5m]))) / (sum(rate(t[5m])))"
        );
        assert_eq!(
            ratio_query(&slo, slo.period),
            "(sum(rate(e[30d]))) / (sum(rate(t[30d])))"
        );
    }
}
