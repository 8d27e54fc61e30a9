//! A generator of SLO history with known answers: `http_requests_total{service, code}` counters
//! sampled every minute, a steady error ratio per service, incidents (a past one, a current
//! burn) as intervals of a higher ratio; and the classic histogram
//! `http_request_duration_seconds{service}` (buckets 0.3 and +Inf) of the same requests, where
//! every failed request (a timeout) and a steady share of the rest take longer than 0.3 s.
//! The ratio any window should show is computed analytically from these parameters, never
//! from the generated samples. A service that never fails has no 5xx series at all, as a
//! real exporter that creates label sets on first use would have.
//!
//! Windows end on a sample and span whole steps, so `increase()` needs no extrapolation on
//! Prometheus (the first sample sits on the window's start) and VictoriaMetrics (the sample
//! before the window is at its start): the measured ratios are exact, up to float rounding.

use std::fmt::Write as _;
use std::time::Duration;

pub const STEP: i64 = 60;

#[derive(Clone, Debug)]
pub struct Incident {
    /// How long before the end of the history it starts (a multiple of `STEP`).
    pub starts_ago: Duration,
    pub length: Duration,
    /// The error ratio while it lasts.
    pub ratio: f64,
}

#[derive(Clone, Debug)]
pub struct Service {
    pub name: String,
    /// Requests per second, steady.
    pub rps: f64,
    /// The error ratio outside incidents.
    pub baseline: f64,
    /// Non-overlapping.
    pub incidents: Vec<Incident>,
    /// The share of the successful requests slower than `LATENCY_THRESHOLD`; `None`: the
    /// service has no latency histogram.
    pub slow: Option<f64>,
}

/// The histogram bucket bound the latency SLOs use.
pub const LATENCY_THRESHOLD: &str = "0.3";

#[derive(Clone, Debug)]
pub struct History {
    /// Unix seconds of the last sample (a multiple of `STEP`).
    pub end: i64,
    pub span: Duration,
    pub services: Vec<Service>,
}

/// Errors split over two codes so queries must sum series.
const ERROR_CODES: [(&str, f64); 2] = [("500", 2.0 / 3.0), ("503", 1.0 / 3.0)];

fn secs(d: Duration) -> i64 {
    d.as_secs() as i64
}

impl Service {
    /// The error ratio of the step that starts at `x` (unix seconds).
    fn ratio_at(&self, end: i64, x: i64) -> f64 {
        for i in &self.incidents {
            let a = end - secs(i.starts_ago);
            if x >= a && x < a + secs(i.length) {
                return i.ratio;
            }
        }
        self.baseline
    }

    /// The error ratio over `window` ending at `end`: the steady ratio, corrected by how much
    /// of each incident falls inside the window (traffic is steady, so a time average).
    pub fn expected_ratio(&self, end: i64, window: Duration) -> f64 {
        let (lo, hi) = (end - secs(window), end);
        let mut sum = self.baseline * (hi - lo) as f64;
        for i in &self.incidents {
            let a = end - secs(i.starts_ago);
            let b = a + secs(i.length);
            let overlap = (hi.min(b) - lo.max(a)).max(0) as f64;
            sum += (i.ratio - self.baseline) * overlap;
        }
        sum / (hi - lo) as f64
    }

    /// The share of requests slower than the threshold over `window` ending at `end`: per
    /// step `r + slow * (1 - r)`, linear in the step's error ratio `r`, so the window's share
    /// follows from its error ratio.
    pub fn expected_slow_ratio(&self, end: i64, window: Duration) -> f64 {
        let r = self.expected_ratio(end, window);
        r + self.slow.unwrap_or(0.0) * (1.0 - r)
    }

    /// Whether the service ever fails (else it has no error series).
    fn fails(&self) -> bool {
        self.baseline > 0.0 || !self.incidents.is_empty()
    }

    /// (name, extra label, samples) per histogram series: the 0.3 and +Inf buckets, the count.
    #[allow(clippy::type_complexity)]
    fn histogram(
        &self,
        start: i64,
        end: i64,
    ) -> Vec<(&'static str, Option<&'static str>, Vec<(i64, f64)>)> {
        let Some(slow) = self.slow else {
            return Vec::new();
        };
        let per_step = self.rps * STEP as f64;
        let (mut fast, mut all) = (900.0, 1_000.0);
        let (mut fast_s, mut all_s) = (Vec::new(), Vec::new());
        let mut t = start;
        while t <= end {
            if t > start {
                let r = self.ratio_at(end, t - STEP);
                fast += per_step * (1.0 - r) * (1.0 - slow);
                all += per_step;
            }
            fast_s.push((t, fast));
            all_s.push((t, all));
            t += STEP;
        }
        let bucket = "http_request_duration_seconds_bucket";
        vec![
            (bucket, Some(LATENCY_THRESHOLD), fast_s),
            (bucket, Some("+Inf"), all_s.clone()),
            ("http_request_duration_seconds_count", None, all_s),
        ]
    }

    /// (code, samples) per series: counters at each step from the start to the end.
    fn series(&self, start: i64, end: i64) -> Vec<(&'static str, Vec<(i64, f64)>)> {
        let per_step = self.rps * STEP as f64;
        let mut ok = Vec::new();
        let mut errs: Vec<Vec<(i64, f64)>> = vec![Vec::new(); ERROR_CODES.len()];
        // Counters start mid-life, as a scraped process's would.
        let (mut ok_v, mut err_v) = (1_000.0, [10.0, 5.0]);
        let mut t = start;
        while t <= end {
            if t > start {
                let r = self.ratio_at(end, t - STEP);
                ok_v += per_step * (1.0 - r);
                for (k, (_, share)) in ERROR_CODES.iter().enumerate() {
                    err_v[k] += per_step * r * share;
                }
            }
            ok.push((t, ok_v));
            for k in 0..ERROR_CODES.len() {
                errs[k].push((t, err_v[k]));
            }
            t += STEP;
        }
        let mut out = vec![("200", ok)];
        for (k, (code, _)) in ERROR_CODES.iter().enumerate() {
            if self.fails() {
                out.push((code, std::mem::take(&mut errs[k])));
            }
        }
        out
    }

    /// `sum(rate(http_requests_total{service="…",code=~"5.."}[$window]))` and its total.
    pub fn queries(&self) -> (String, String) {
        (
            format!(
                r#"sum(rate(http_requests_total{{service="{}",code=~"5.."}}[$window]))"#,
                self.name
            ),
            format!(
                r#"sum(rate(http_requests_total{{service="{}"}}[$window]))"#,
                self.name
            ),
        )
    }
}

impl History {
    pub fn start(&self) -> i64 {
        self.end - secs(self.span)
    }

    pub fn service(&self, name: &str) -> &Service {
        self.services.iter().find(|s| s.name == name).unwrap()
    }

    /// OpenMetrics text for `promtool tsdb create-blocks-from openmetrics` (seconds).
    pub fn openmetrics(&self) -> String {
        let mut out = String::with_capacity(64 << 20);
        out.push_str("# HELP http_requests Requests served.\n# TYPE http_requests counter\n");
        for s in &self.services {
            for (code, samples) in s.series(self.start(), self.end) {
                for (t, v) in samples {
                    let _ = writeln!(
                        out,
                        "http_requests_total{{code=\"{code}\",service=\"{}\"}} {v} {t}",
                        s.name
                    );
                }
            }
        }
        out.push_str(
            "# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n",
        );
        for s in &self.services {
            for (name, le, samples) in s.histogram(self.start(), self.end) {
                let le = le.map(|b| format!(",le=\"{b}\"")).unwrap_or_default();
                for (t, v) in samples {
                    let _ = writeln!(out, "{name}{{service=\"{}\"{le}}} {v} {t}", s.name);
                }
            }
        }
        out.push_str("# EOF\n");
        out
    }

    /// JSON lines for VictoriaMetrics' `/api/v1/import` (milliseconds).
    pub fn vm_import(&self) -> String {
        let mut out = String::new();
        for s in &self.services {
            for (code, samples) in s.series(self.start(), self.end) {
                let values: Vec<String> = samples.iter().map(|(_, v)| format!("{v}")).collect();
                let stamps: Vec<String> = samples
                    .iter()
                    .map(|(t, _)| (t * 1000).to_string())
                    .collect();
                let _ = writeln!(
                    out,
                    r#"{{"metric":{{"__name__":"http_requests_total","service":"{}","code":"{code}"}},"values":[{}],"timestamps":[{}]}}"#,
                    s.name,
                    values.join(","),
                    stamps.join(",")
                );
            }
            for (name, le, samples) in s.histogram(self.start(), self.end) {
                let le = le.map(|b| format!(r#","le":"{b}""#)).unwrap_or_default();
                let values: Vec<String> = samples.iter().map(|(_, v)| format!("{v}")).collect();
                let stamps: Vec<String> = samples
                    .iter()
                    .map(|(t, _)| (t * 1000).to_string())
                    .collect();
                let _ = writeln!(
                    out,
                    r#"{{"metric":{{"__name__":"{name}","service":"{}"{le}}},"values":[{}],"timestamps":[{}]}}"#,
                    s.name,
                    values.join(","),
                    stamps.join(",")
                );
            }
        }
        out
    }
}

/// An end time on the step grid, an hour or more in the past (VictoriaMetrics ignores the
/// newest 30 s; Prometheus needs no head data).
pub fn recent_end() -> i64 {
    let now = chrono::Utc::now().timestamp();
    (now / 3600) * 3600 - 3600
}

/// 31 days ending at `end` (so a 30-day window has a sample at its start), three services:
/// `checkout` with a past incident and a current burn, `search` burning slowly and steadily,
/// `static` never failing (no error series) but sometimes slow.
pub fn standard(end: i64) -> History {
    let m = |n: u64| Duration::from_secs(n * 60);
    let h = |n: u64| Duration::from_secs(n * 3600);
    History {
        end,
        span: Duration::from_secs(31 * 86_400),
        services: vec![
            Service {
                name: "checkout".into(),
                rps: 20.0,
                baseline: 0.0004,
                incidents: vec![
                    // A past incident: 2 hours at 5% errors, ten days ago.
                    Incident {
                        starts_ago: h(240),
                        length: h(2),
                        ratio: 0.05,
                    },
                    // The current burn: the last 40 minutes at 5%.
                    Incident {
                        starts_ago: m(40),
                        length: m(40),
                        ratio: 0.05,
                    },
                    // Earlier today: 90 minutes at 0.6%, inside the 2h..1d windows.
                    Incident {
                        starts_ago: h(5),
                        length: m(90),
                        ratio: 0.006,
                    },
                ],
                slow: Some(0.002),
            },
            Service {
                name: "search".into(),
                rps: 7.0,
                baseline: 0.0015,
                incidents: vec![Incident {
                    starts_ago: Duration::from_secs(2 * 86_400),
                    length: h(6),
                    ratio: 0.004,
                }],
                slow: Some(0.01),
            },
            Service {
                name: "static".into(),
                rps: 3.0,
                baseline: 0.0,
                incidents: vec![],
                slow: Some(0.0005),
            },
        ],
    }
}
