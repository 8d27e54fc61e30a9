//! One SLO definition as the SLO fetcher measures it: its query template and how the
//! results of its queries split into rows (one per `group_by` group).

use super::slo_discover::Discovered;
use crate::config::SloConfig;
use crate::domain::duration;
use crate::domain::sli;
use crate::domain::slo::{BurnRule, SloDef, SloOrigin, windows_for};
use crate::sources::prometheus::{Sample, Series};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// One SLO definition as the fetcher measures it.
#[derive(Clone, Debug)]
pub(super) struct Target {
    pub(super) name: String,
    /// As a fraction (the rows of a grouped SLO are built from it).
    pub(super) objective: f64,
    pub(super) period: Duration,
    /// The query with `$window` where the window goes.
    pub(super) template: String,
    /// Labels whose values make one row each; empty: one row.
    pub(super) group_by: Vec<String>,
    /// Why this SLO cannot be measured (a config the validation would refuse).
    pub(super) broken: Option<String>,
    /// The windows the source records (discovered SLOs); `None`: every window.
    pub(super) windows: Option<BTreeSet<Duration>>,
    pub(super) discovered: Option<(SloDef, SloOrigin)>,
    /// Its own burn-rate rules (a Pyrra SLO) and their windows, measured instead of the
    /// cockpit's; empty: the cockpit's.
    pub(super) rules: Vec<BurnRule>,
    pub(super) rule_windows: Vec<Duration>,
}

impl Target {
    pub(super) fn configured(slo: &SloConfig) -> Self {
        let (template, broken) = match slo.queries() {
            Ok((error, total)) => (sli::ratio_query(&error, &total, &slo.group_by), None),
            Err(e) => (String::new(), Some(e)),
        };
        Target {
            name: slo.name.clone(),
            objective: slo.objective / 100.0,
            period: slo.period,
            template,
            group_by: slo.group_by.clone(),
            broken,
            windows: None,
            discovered: None,
            rules: Vec::new(),
            rule_windows: Vec::new(),
        }
    }

    pub(super) fn found(d: Discovered) -> Self {
        Target {
            name: d.def.name.clone(),
            objective: d.def.objective,
            period: d.def.period,
            template: d.template,
            group_by: d.group_by,
            broken: None,
            windows: Some(d.windows),
            discovered: Some((d.def, d.origin)),
            rule_windows: windows_for(&d.rules),
            rules: d.rules,
        }
    }

    pub(super) fn query(&self, window: Duration) -> String {
        self.template.replace("$window", &duration::label(window))
    }

    pub(super) fn has(&self, window: Duration) -> bool {
        self.broken.is_none() && self.windows.as_ref().is_none_or(|w| w.contains(&window))
    }

    /// The row a group's sample adds when the state has none by its name.
    pub(super) fn new_row(&self, name: &str) -> Option<(SloDef, SloOrigin)> {
        if self.group_by.is_empty() {
            return self.discovered.clone();
        }
        let def = SloDef {
            name: name.to_string(),
            source: String::new(),
            objective: self.objective,
            period: self.period,
        };
        let origin = self
            .discovered
            .as_ref()
            .map_or(SloOrigin::Config, |(_, o)| *o);
        Some((def, origin))
    }

    /// Error ratios by group in an instant query's result: the row-name suffix
    /// (`{service="cart"}`, or "" without `group_by`) to its ratio.
    /// A discovered SLO's recorded series by group (its rules keep the `group_by` labels).
    fn recorded_groups<T: Clone>(
        &self,
        series: &[T],
        labels: impl Fn(&T) -> &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, Vec<T>>, String> {
        let mut by_group: BTreeMap<String, Vec<T>> = BTreeMap::new();
        for s in series {
            let group = sli::group_key(labels(s), &self.group_by)
                .map_err(|missing| format!("a recorded series has no {missing} label"))?;
            by_group.entry(group).or_default().push(s.clone());
        }
        Ok(by_group)
    }

    pub(super) fn ratios(
        &self,
        samples: &[Sample],
    ) -> Result<BTreeMap<String, Option<f64>>, String> {
        if self.group_by.is_empty() {
            return Ok(BTreeMap::from([(String::new(), ratio_of(samples))]));
        }
        if self.discovered.is_some() {
            // A recorded ratio per group, the worst series of each.
            let groups = self.recorded_groups(samples, |s| &s.labels)?;
            return Ok(groups.into_iter().map(|(g, s)| (g, ratio_of(&s))).collect());
        }
        let mut sums: BTreeMap<String, [Option<f64>; 2]> = BTreeMap::new();
        for s in samples {
            let (side, group) = sli::side_and_group(&s.labels, &self.group_by)?;
            add(&mut sums.entry(group).or_default()[side as usize], s.value);
        }
        Ok(sums
            .into_iter()
            .map(|(g, [e, t])| (g, sli::joined_ratio(e, t)))
            .collect())
    }

    /// The sparkline by group in a range query's result, as `ratios` joins an instant one.
    pub(super) fn histories(
        &self,
        series: &[Series],
    ) -> Result<BTreeMap<String, Vec<f64>>, String> {
        if self.group_by.is_empty() {
            return Ok(BTreeMap::from([(String::new(), history_of(series))]));
        }
        if self.discovered.is_some() {
            let groups = self.recorded_groups(series, |s| &s.labels)?;
            return Ok(groups
                .into_iter()
                .map(|(g, s)| (g, history_of(&s)))
                .collect());
        }
        let mut sums: BTreeMap<String, BTreeMap<i64, [Option<f64>; 2]>> = BTreeMap::new();
        for s in series {
            let (side, group) = sli::side_and_group(&s.labels, &self.group_by)?;
            let steps = sums.entry(group).or_default();
            for (t, v) in &s.values {
                add(
                    &mut steps.entry((*t * 1000.0) as i64).or_default()[side as usize],
                    *v,
                );
            }
        }
        Ok(sums
            .into_iter()
            .map(|(g, steps)| {
                let h = steps
                    .into_values()
                    .filter_map(|[e, t]| sli::joined_ratio(e, t))
                    .collect();
                (g, h)
            })
            .collect())
    }
}

/// Sums the series of one side of one group (several when a query keeps more labels).
fn add(sum: &mut Option<f64>, v: f64) {
    *sum = Some(sum.unwrap_or(0.0) + v);
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

/// The worst series at each step, oldest first; steps without a finite value are left out.
fn history_of(series: &[Series]) -> Vec<f64> {
    let mut by_time: BTreeMap<i64, f64> = BTreeMap::new();
    for s in series {
        for (t, v) in &s.values {
            if v.is_finite() {
                let e = by_time.entry((*t * 1000.0) as i64).or_insert(*v);
                *e = e.max(*v);
            }
        }
    }
    by_time.into_values().collect()
}
