//! SLO burn math (Google SRE workbook, chapter 5): burn rates, budget remaining, page/ticket status.

use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Minutes-level windows as Prometheus writes them; ordered by length.
pub type Window = Duration;

/// Whether a burn-rate rule pages someone or files a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Ticket,
    Page,
}

/// One multi-window rule: fires when both the long and the short window burn above `factor`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BurnRule {
    pub urgency: Urgency,
    pub long: Window,
    pub short: Window,
    pub factor: f64,
}

const MIN: u64 = 60;
const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

/// The workbook / Sloth defaults for a 30-day period.
pub fn default_rules() -> Vec<BurnRule> {
    let w = Duration::from_secs;
    vec![
        BurnRule {
            urgency: Urgency::Page,
            long: w(HOUR),
            short: w(5 * MIN),
            factor: 14.4,
        },
        BurnRule {
            urgency: Urgency::Page,
            long: w(6 * HOUR),
            short: w(30 * MIN),
            factor: 6.0,
        },
        BurnRule {
            urgency: Urgency::Ticket,
            long: w(DAY),
            short: w(2 * HOUR),
            factor: 3.0,
        },
        BurnRule {
            urgency: Urgency::Ticket,
            long: w(3 * DAY),
            short: w(6 * HOUR),
            factor: 1.0,
        },
    ]
}

/// Every window the rules need, plus the ones the pane shows, deduplicated and sorted.
pub fn windows_for(rules: &[BurnRule]) -> Vec<Window> {
    let mut out: Vec<Window> = rules.iter().flat_map(|r| [r.long, r.short]).collect();
    out.sort();
    out.dedup();
    out
}

/// The status of an SLO, worst first when sorted descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SloStatus {
    NoData,
    Ok,
    Ticket,
    Page,
}

impl SloStatus {
    pub fn label(self) -> &'static str {
        match self {
            SloStatus::NoData => "NO DATA",
            SloStatus::Ok => "OK",
            SloStatus::Ticket => "TICKET",
            SloStatus::Page => "PAGE",
        }
    }
}

/// What a backend measured for one SLO: error ratios (0..1) per window and over the period.
/// `None` means the backend had no data for that window (never read as 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SloMeasurement {
    pub error_ratios: BTreeMap<Window, Option<f64>>,
    pub period_ratio: Option<f64>,
}

/// The evaluation the pane shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SloEvaluation {
    pub burn_rates: BTreeMap<Window, Option<f64>>,
    /// Fraction of the period's budget left; negative when overspent; None without data.
    pub budget_remaining: Option<f64>,
    pub status: SloStatus,
    /// Time until the budget is gone at the current 1h burn rate (None if not burning or no data).
    pub time_to_exhaustion: Option<Duration>,
}

/// Burn rate = error ratio / error budget (1 - objective). Objective is a fraction (0.999).
pub fn burn_rate(error_ratio: f64, objective: f64) -> f64 {
    let budget = 1.0 - objective;
    if budget <= 0.0 {
        return if error_ratio > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
    }
    (error_ratio.max(0.0)) / budget
}

/// Budget remaining = 1 - period error ratio / budget; may go negative.
pub fn budget_remaining(period_error_ratio: f64, objective: f64) -> f64 {
    1.0 - burn_rate(period_error_ratio, objective)
}

/// Applies the multi-window multi-burn-rate rules to a measurement.
pub fn evaluate(
    objective: f64,
    period: Duration,
    m: &SloMeasurement,
    rules: &[BurnRule],
) -> SloEvaluation {
    let burn_rates: BTreeMap<Window, Option<f64>> = m
        .error_ratios
        .iter()
        .map(|(w, r)| {
            (
                *w,
                r.filter(|v| v.is_finite()).map(|v| burn_rate(v, objective)),
            )
        })
        .collect();
    let budget = m
        .period_ratio
        .filter(|v| v.is_finite())
        .map(|r| budget_remaining(r, objective));
    let burn = |w: &Window| burn_rates.get(w).copied().flatten();
    let any_data = burn_rates.values().any(Option::is_some) || budget.is_some();
    let mut status = if any_data {
        SloStatus::Ok
    } else {
        SloStatus::NoData
    };
    for rule in rules {
        let (Some(long), Some(short)) = (burn(&rule.long), burn(&rule.short)) else {
            continue;
        };
        if long > rule.factor && short > rule.factor {
            let s = match rule.urgency {
                Urgency::Page => SloStatus::Page,
                Urgency::Ticket => SloStatus::Ticket,
            };
            status = status.max(s);
        }
    }
    let time_to_exhaustion = match (budget, burn(&Duration::from_secs(HOUR))) {
        (Some(left), Some(b)) if b > 0.0 && left > 0.0 => {
            // At burn rate b the whole period's budget lasts period / b.
            let secs = left * period.as_secs_f64() / b;
            secs.is_finite()
                .then(|| Duration::from_secs_f64(secs.min(1e12)))
        }
        _ => None,
    };
    SloEvaluation {
        burn_rates,
        budget_remaining: budget,
        status,
        time_to_exhaustion,
    }
}

/// The rules whose long and short windows both burn above their factor (why a status is
/// what it is), in rule order.
pub fn fired_rules<'a>(eval: &SloEvaluation, rules: &'a [BurnRule]) -> Vec<&'a BurnRule> {
    let burn = |w: &Window| eval.burn_rates.get(w).copied().flatten();
    rules
        .iter()
        .filter(|r| match (burn(&r.long), burn(&r.short)) {
            (Some(l), Some(s)) => l > r.factor && s > r.factor,
            _ => false,
        })
        .collect()
}

/// An SLO as configured (or discovered).
#[derive(Clone, Debug, PartialEq)]
pub struct SloDef {
    pub name: String,
    /// The `[[prometheus]]` source it is measured on.
    pub source: String,
    /// As a fraction: 99.9% is 0.999.
    pub objective: f64,
    pub period: Duration,
}

/// Where an SLO's definition comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SloOrigin {
    #[default]
    Config,
    Sloth,
    Pyrra,
}

impl SloOrigin {
    pub fn label(self) -> &'static str {
        match self {
            SloOrigin::Config => "config",
            SloOrigin::Sloth => "sloth",
            SloOrigin::Pyrra => "pyrra",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn w(s: &str) -> Window {
        crate::domain::duration::parse(s).unwrap()
    }

    fn measurement(ratios: &[(&str, f64)], period: Option<f64>) -> SloMeasurement {
        SloMeasurement {
            error_ratios: ratios.iter().map(|(k, v)| (w(k), Some(*v))).collect(),
            period_ratio: period,
        }
    }

    const THIRTY_DAYS: Duration = Duration::from_secs(30 * DAY);

    #[test]
    fn burn_rate_is_ratio_over_budget() {
        assert!((burn_rate(0.001, 0.999) - 1.0).abs() < 1e-9);
        assert!((burn_rate(0.0144, 0.999) - 14.4).abs() < 1e-9);
        assert_eq!(burn_rate(0.0, 0.999), 0.0);
    }

    #[test]
    fn budget_goes_negative_when_overspent() {
        assert!((budget_remaining(0.0005, 0.999) - 0.5).abs() < 1e-9);
        assert!((budget_remaining(0.002, 0.999) + 1.0).abs() < 1e-9);
    }

    #[test]
    fn fast_burn_pages_only_when_both_windows_agree() {
        let rules = default_rules();
        let paging = measurement(&[("1h", 0.02), ("5m", 0.02)], Some(0.0005));
        assert_eq!(
            evaluate(0.999, THIRTY_DAYS, &paging, &rules).status,
            SloStatus::Page
        );
        // The spike is over: the 5m window has recovered, so no page.
        let recovered = measurement(&[("1h", 0.02), ("5m", 0.0001)], Some(0.0005));
        assert_eq!(
            evaluate(0.999, THIRTY_DAYS, &recovered, &rules).status,
            SloStatus::Ok
        );
    }

    #[test]
    fn slow_burn_files_a_ticket() {
        let rules = default_rules();
        let m = measurement(
            &[("3d", 0.0015), ("6h", 0.0012), ("1h", 0.001), ("5m", 0.001)],
            Some(0.0009),
        );
        let e = evaluate(0.999, THIRTY_DAYS, &m, &rules);
        assert_eq!(e.status, SloStatus::Ticket);
        assert!((e.budget_remaining.unwrap() - 0.1).abs() < 1e-9);
    }

    #[test]
    fn missing_data_is_no_data_not_zero() {
        let m = SloMeasurement {
            error_ratios: [(w("1h"), None), (w("5m"), None)].into_iter().collect(),
            period_ratio: None,
        };
        let e = evaluate(0.999, THIRTY_DAYS, &m, &default_rules());
        assert_eq!(e.status, SloStatus::NoData);
        assert_eq!(e.budget_remaining, None);
        assert_eq!(e.burn_rates[&w("1h")], None);
    }

    #[test]
    fn time_to_exhaustion_at_current_hourly_burn() {
        // Half the budget left, burning at 10x: 0.5 * 30d / 10 = 1.5d.
        let m = measurement(&[("1h", 0.01)], Some(0.0005));
        let e = evaluate(0.999, THIRTY_DAYS, &m, &default_rules());
        let tte = e.time_to_exhaustion.unwrap().as_secs_f64();
        assert!((tte - 1.5 * DAY as f64).abs() < 1.0, "{tte}");
    }

    #[test]
    fn fired_rules_say_why() {
        let rules = default_rules();
        let m = measurement(&[("1h", 0.02), ("5m", 0.02), ("6h", 0.001)], Some(0.0));
        let e = evaluate(0.999, THIRTY_DAYS, &m, &rules);
        let fired = fired_rules(&e, &rules);
        assert_eq!(fired.len(), 1);
        assert_eq!(fired[0].long, w("1h"));
        assert_eq!(fired[0].urgency, Urgency::Page);
    }

    #[test]
    fn windows_cover_every_rule() {
        let labels: Vec<String> = windows_for(&default_rules())
            .into_iter()
            .map(crate::domain::duration::label)
            .collect();
        assert_eq!(labels, ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]);
    }

    proptest! {
        #[test]
        fn burn_is_non_negative_and_monotone(a in 0.0f64..1.0, b in 0.0f64..1.0, obj in 0.9f64..0.99999) {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(burn_rate(lo, obj) >= 0.0);
            prop_assert!(burn_rate(lo, obj) <= burn_rate(hi, obj));
        }

        #[test]
        fn never_pages_when_every_window_burns_under_one(
            burns in proptest::collection::vec(0.0f64..1.0, 7), obj in 0.9f64..0.9999
        ) {
            let windows = windows_for(&default_rules());
            let m = SloMeasurement {
                error_ratios: windows.iter().zip(&burns).map(|(w, b)| (*w, Some(b * (1.0 - obj)))).collect(),
                period_ratio: Some(0.0),
            };
            let s = evaluate(obj, THIRTY_DAYS, &m, &default_rules()).status;
            prop_assert!(s != SloStatus::Page && s != SloStatus::Ticket);
        }
    }
}
