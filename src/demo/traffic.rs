//! Request traffic per service as a function of scenario time: a steady history before the
//! scenario, then a looped, seeded per-second profile. Counters are integrals of the rates, computed
//! in O(1) from prefix sums, so a 30-day window costs the same as a 5-minute one.

use super::rng;
use super::script::{self, CYCLE};
use std::collections::BTreeMap;

const SECONDS: usize = CYCLE as usize;

/// One simulated service and its request/error rates.
#[derive(Clone, Debug)]
pub struct ServiceTraffic {
    pub name: &'static str,
    pub namespace: &'static str,
    /// Requests per second in the steady history.
    pub base_rps: f64,
    /// Error ratio in the history before `recent_since`.
    pub old_error_ratio: f64,
    /// Error ratio in the history from `recent_since` to scenario time 0.
    pub recent_error_ratio: f64,
    pub recent_since: f64,
    /// Per-second requests and errors over one loop, and their prefix sums (SECONDS + 1 entries).
    total: Vec<f64>,
    errors: Vec<f64>,
    cum_total: Vec<f64>,
    cum_errors: Vec<f64>,
}

impl ServiceTraffic {
    fn new(
        seed: u64,
        idx: u64,
        name: &'static str,
        base_rps: f64,
        steady_error_ratio: f64,
        incident_peak: f64,
    ) -> Self {
        let mut total = Vec::with_capacity(SECONDS);
        let mut errors = Vec::with_capacity(SECONDS);
        for sec in 0..SECONDS {
            let s = sec as f64 + 0.5;
            let wobble = 1.0 + rng::between(seed, &[idx, 1, sec as u64], -0.06, 0.06);
            let err_noise = 1.0 + rng::between(seed, &[idx, 2, sec as u64], -0.3, 0.3);
            let rps = base_rps * wobble;
            let intensity = script::incident_intensity(s);
            let peak = incident_peak * (1.0 + rng::between(seed, &[idx, 3, sec as u64], -0.1, 0.1));
            let ratio = (steady_error_ratio * err_noise) * (1.0 - intensity) + peak * intensity;
            total.push(rps);
            errors.push(rps * ratio.min(0.95));
        }
        let prefix = |v: &[f64]| {
            let mut out = Vec::with_capacity(v.len() + 1);
            out.push(0.0);
            let mut acc = 0.0;
            for x in v {
                acc += x;
                out.push(acc);
            }
            out
        };
        let (cum_total, cum_errors) = (prefix(&total), prefix(&errors));
        Self {
            name,
            namespace: "shop",
            base_rps,
            old_error_ratio: steady_error_ratio,
            recent_error_ratio: steady_error_ratio,
            recent_since: 0.0,
            total,
            errors,
            cum_total,
            cum_errors,
        }
    }

    /// Cumulative (requests, errors) from scenario time 0 to `t` (negative before 0).
    fn cumulative(&self, t: f64) -> (f64, f64) {
        if t < 0.0 {
            let back = -t;
            let recent = back.min(-self.recent_since.min(0.0));
            let old = back - recent;
            let req = self.base_rps * back;
            let err =
                self.base_rps * (recent * self.recent_error_ratio + old * self.old_error_ratio);
            return (-req, -err);
        }
        let loops = (t / CYCLE).floor();
        let p = t - loops * CYCLE;
        let i = (p.floor() as usize).min(SECONDS - 1);
        let frac = p - i as f64;
        let full = (self.cum_total[SECONDS], self.cum_errors[SECONDS]);
        (
            loops * full.0 + self.cum_total[i] + frac * self.total[i],
            loops * full.1 + self.cum_errors[i] + frac * self.errors[i],
        )
    }

    /// (requests, errors) served in the scenario interval [a, b].
    pub fn increase(&self, a: f64, b: f64) -> (f64, f64) {
        let (ta, ea) = self.cumulative(a);
        let (tb, eb) = self.cumulative(b);
        ((tb - ta).max(0.0), (eb - ea).max(0.0))
    }

    /// Error ratio over the window ending at `s`.
    pub fn error_ratio(&self, s: f64, window: f64) -> f64 {
        let (t, e) = self.increase(s - window, s);
        if t > 0.0 { e / t } else { 0.0 }
    }
}

/// One counter series `http_requests_total{...}`: a linear mix of its service's requests and errors.
#[derive(Clone, Debug)]
pub struct Series {
    pub labels: BTreeMap<String, String>,
    pub service: usize,
    coeff_total: f64,
    coeff_errors: f64,
}

pub const METRIC: &str = "http_requests_total";

/// Share of requests answered 404 (not errors for the SLOs).
const NOT_FOUND_SHARE: f64 = 0.01;

#[derive(Clone, Debug)]
pub struct Traffic {
    pub services: Vec<ServiceTraffic>,
    pub series: Vec<Series>,
}

impl Traffic {
    pub fn new(seed: u64) -> Self {
        let mut checkout = ServiceTraffic::new(
            seed,
            0,
            "checkout",
            rng::between(seed, &[0, 10], 120.0, 180.0),
            rng::between(seed, &[0, 11], 0.0002, 0.0004),
            rng::between(seed, &[0, 12], 0.35, 0.45),
        );
        checkout.namespace = "shop";
        // A 99.5 SLO burning at about 2x since five days before the scenario: a ticket, not a page.
        let payments_ratio = rng::between(seed, &[1, 11], 0.009, 0.011);
        let mut payments = ServiceTraffic::new(
            seed,
            1,
            "payments",
            rng::between(seed, &[1, 10], 40.0, 60.0),
            payments_ratio,
            0.0,
        );
        payments.old_error_ratio = 0.0005;
        payments.recent_since = script::PAYMENTS_BURN_SINCE;
        let mut search = ServiceTraffic::new(
            seed,
            2,
            "search",
            rng::between(seed, &[2, 10], 200.0, 300.0),
            rng::between(seed, &[2, 11], 0.0003, 0.0006),
            0.0,
        );
        search.namespace = "search";
        let services = vec![checkout, payments, search];
        let mut series = Vec::new();
        for (i, svc) in services.iter().enumerate() {
            let codes: [(&str, f64, f64); 4] = [
                ("200", 1.0 - NOT_FOUND_SHARE, -1.0),
                ("404", NOT_FOUND_SHARE, 0.0),
                ("500", 0.0, 0.7),
                ("503", 0.0, 0.3),
            ];
            for (code, ct, ce) in codes {
                let labels = [
                    ("__name__", METRIC),
                    ("code", code),
                    ("job", "demo"),
                    ("namespace", svc.namespace),
                    ("service", svc.name),
                ]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                series.push(Series {
                    labels,
                    service: i,
                    coeff_total: ct,
                    coeff_errors: ce,
                });
            }
        }
        Self { services, series }
    }

    pub fn service(&self, name: &str) -> Option<&ServiceTraffic> {
        self.services.iter().find(|s| s.name == name)
    }

    /// Counter increase of one series over the scenario interval [a, b].
    pub fn series_increase(&self, series: &Series, a: f64, b: f64) -> f64 {
        let Some(svc) = self.services.get(series.service) else {
            return 0.0;
        };
        let (t, e) = svc.increase(a, b);
        (series.coeff_total * t + series.coeff_errors * e).max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn burn(t: &Traffic, svc: &str, s: f64, window: f64, objective: f64) -> f64 {
        t.service(svc).unwrap().error_ratio(s, window) / (1.0 - objective)
    }

    const M: f64 = 60.0;
    const H: f64 = 3600.0;
    const D: f64 = 86_400.0;

    #[test]
    fn checkout_pages_during_the_incident_but_not_before() {
        let t = Traffic::new(42);
        let at = 330.0;
        assert!(burn(&t, "checkout", at, 5.0 * M, 0.999) > 14.4);
        assert!(burn(&t, "checkout", at, H, 0.999) > 14.4);
        assert!(burn(&t, "checkout", 50.0, 5.0 * M, 0.999) < 1.0);
        assert!(burn(&t, "checkout", 50.0, H, 0.999) < 1.0);
    }

    #[test]
    fn payments_tickets_without_paging() {
        let t = Traffic::new(42);
        for at in [0.0, 330.0, 5000.0] {
            let b = |w| burn(&t, "payments", at, w, 0.995);
            assert!(b(3.0 * D) > 1.0 && b(6.0 * H) > 1.0, "ticket at {at}");
            assert!(!(b(H) > 14.4 && b(5.0 * M) > 14.4), "fast page at {at}");
            assert!(
                !(b(6.0 * H) > 6.0 && b(30.0 * M) > 6.0),
                "slow page at {at}"
            );
        }
    }

    #[test]
    fn search_stays_healthy() {
        let t = Traffic::new(42);
        for w in [5.0 * M, H, D, 3.0 * D, 30.0 * D] {
            assert!(burn(&t, "search", 330.0, w, 0.995) < 1.0);
        }
    }

    #[test]
    fn counters_are_additive_across_the_start_and_loops() {
        let t = Traffic::new(7);
        let svc = t.service("checkout").unwrap();
        for (a, m, b) in [
            (-1000.0, 0.0, 1000.0),
            (10.0, 600.0, 1900.5),
            (-40.0 * D, -2.0 * D, 3.3),
        ] {
            let (t1, e1) = svc.increase(a, m);
            let (t2, e2) = svc.increase(m, b);
            let (t3, e3) = svc.increase(a, b);
            assert!((t1 + t2 - t3).abs() < 1e-6 * t3);
            assert!((e1 + e2 - e3).abs() < 1e-6 * e3.max(1.0));
        }
        // Per-second history matches the steady base rate.
        let (req, _) = svc.increase(-100.0, -50.0);
        assert!((req - 50.0 * svc.base_rps).abs() < 1e-6);
    }

    #[test]
    fn series_sum_to_the_service_totals() {
        let t = Traffic::new(3);
        let (a, b) = (100.0, 400.0);
        let sum: f64 = t
            .series
            .iter()
            .filter(|s| s.labels["service"] == "checkout")
            .map(|s| t.series_increase(s, a, b))
            .sum();
        let (total, _) = t.service("checkout").unwrap().increase(a, b);
        assert!((sum - total).abs() < 1e-6 * total);
    }

    #[test]
    fn seed_changes_the_numbers() {
        let a = Traffic::new(1)
            .service("checkout")
            .unwrap()
            .increase(0.0, 600.0);
        let b = Traffic::new(2)
            .service("checkout")
            .unwrap()
            .increase(0.0, 600.0);
        let c = Traffic::new(1)
            .service("checkout")
            .unwrap()
            .increase(0.0, 600.0);
        assert_ne!(a, b);
        assert_eq!(a, c);
    }
}
