//! Log lines as a pure function of (seed, scenario time). Each stream has a slot every
//! `SLOT` scenario seconds; a slot holds at most one entry, at a seeded time strictly inside it, so
//! timestamps are distinct and increasing, and the same range always yields the same entries.

use super::rng;
use super::scenario::Scenario;
use super::script;
use std::collections::BTreeMap;

pub const SLOT: f64 = 0.25;

/// Slots one query may walk (about 28 scenario hours): a line filter that never matches over a
/// month-long range must not keep a request busy for minutes.
pub const MAX_SCAN: usize = 400_000;

#[derive(Clone, Debug, PartialEq)]
pub struct LogStream {
    pub labels: BTreeMap<String, String>,
    app: &'static str,
    /// Chance that a slot holds a line when calm.
    calm: f64,
    /// Extra chance per unit of incident intensity (the storm).
    storm: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    /// Scenario seconds.
    pub at: f64,
    /// Slot number, unique per stream.
    pub slot: i64,
    pub line: String,
}

pub fn streams() -> Vec<LogStream> {
    let mk = |app: &'static str, namespace: &str, calm: f64, storm: f64| LogStream {
        labels: [
            ("cluster", "demo"),
            ("namespace", namespace),
            ("app", app),
            ("container", app),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
        app,
        calm,
        storm,
    };
    vec![
        mk("checkout", "shop", 0.2, 0.75),
        mk("payments", "shop", 0.12, 0.2),
        mk("search", "search", 0.15, 0.0),
    ]
}

#[cfg(test)]
pub fn entries(sc: &Scenario, idx: usize, from: f64, to: f64) -> Vec<LogEntry> {
    let Some(stream) = sc.streams.get(idx) else {
        return Vec::new();
    };
    let first = (from / SLOT).floor() as i64;
    let last = (to / SLOT).floor() as i64;
    (first..=last)
        .filter_map(|slot| entry(sc, idx, stream, slot))
        .filter(|e| e.at >= from && e.at < to)
        .collect()
}

/// Entries of several streams between scenario times `from` and `to` (slot-aligned bounds are
/// widened by a slot; `keep` does the exact cut), walking forward or backward in time and
/// stopping once `limit` are kept. Returns (stream index, entry) in the walking order.
pub fn collect(
    sc: &Scenario,
    streams: &[usize],
    from: f64,
    to: f64,
    limit: usize,
    forward: bool,
    keep: &dyn Fn(&LogEntry) -> bool,
) -> Vec<(usize, LogEntry)> {
    let mut out = Vec::new();
    if streams.is_empty() || limit == 0 || to < from {
        return out;
    }
    let first = (from / SLOT).floor() as i64 - 1;
    let last = (to / SLOT).floor() as i64 + 1;
    let mut slot = if forward { first } else { last };
    let mut budget = MAX_SCAN;
    while (first..=last).contains(&slot) && budget > 0 {
        budget -= 1;
        let mut here: Vec<(usize, LogEntry)> = streams
            .iter()
            .filter_map(|i| Some((*i, entry(sc, *i, sc.streams.get(*i)?, slot)?)))
            .filter(|(_, e)| keep(e))
            .collect();
        here.sort_by(|a, b| a.1.at.total_cmp(&b.1.at));
        if !forward {
            here.reverse();
        }
        for e in here {
            out.push(e);
            if out.len() >= limit {
                return out;
            }
        }
        slot += if forward { 1 } else { -1 };
    }
    out
}

/// The entry in one slot, if there is one.
pub fn entry(sc: &Scenario, idx: usize, stream: &LogStream, slot: i64) -> Option<LogEntry> {
    let (seed, s_idx, k) = (sc.seed, idx as u64, slot as u64);
    let mid = (slot as f64 + 0.5) * SLOT;
    let intensity = script::incident_intensity(mid);
    let chance = stream.calm + stream.storm * intensity;
    if rng::unit(seed, &[100, s_idx, k]) >= chance {
        return None;
    }
    let at = (slot as f64 + rng::between(seed, &[101, s_idx, k], 0.1, 0.9)) * SLOT;
    let storming = intensity > 0.0 && rng::unit(seed, &[102, s_idx, k]) < 0.3 + 0.6 * intensity;
    let pick = rng::hash(seed, &[103, s_idx, k]);
    let line = if storming && stream.storm > 0.0 {
        storm_line(stream.app, pick)
    } else {
        calm_line(stream.app, pick)
    };
    Some(LogEntry { at, slot, line })
}

fn calm_line(app: &str, h: u64) -> String {
    let n = h >> 8;
    let ms = 5 + n % 180;
    let id = n % 100_000;
    match (app, h % 4) {
        ("checkout", 0) => format!(
            r#"{{"level":"info","msg":"order placed","order_id":"o-{id:05}","items":{},"latency_ms":{ms}}}"#,
            1 + n % 5
        ),
        ("checkout", 1) => {
            format!("level=info msg=\"cart updated\" cart_id=c-{id:05} duration={ms}ms")
        }
        ("checkout", 2) => format!(r#"{{"level":"debug","msg":"cache hit","key":"price:{id}"}}"#),
        ("checkout", _) => format!("INFO  GET /api/cart/{id} 200 {ms}ms"),
        ("payments", 0) => format!(
            "level=info msg=\"payment authorised\" payment_id=p-{id:05} amount={}.{:02} currency=EUR",
            n % 300,
            n % 100
        ),
        ("payments", 1) => format!(
            r#"{{"level":"warn","msg":"card declined by issuer","payment_id":"p-{id:05}","code":"do_not_honor"}}"#
        ),
        ("payments", 2) => format!(
            "level=error msg=\"provider timeout\" provider=acquirer-b payment_id=p-{id:05} after={ms}ms"
        ),
        ("payments", _) => format!("INFO  refund r-{id:05} settled"),
        (_, 0) => format!(
            r#"{{"level":"info","msg":"query served","hits":{},"took_ms":{ms}}}"#,
            n % 500
        ),
        (_, 1) => format!(
            "level=info msg=\"index refreshed\" segment={id} docs={}",
            n % 9000
        ),
        (_, 2) => format!("WARN  slow query took {}ms q=\"red shoes\"", 400 + ms),
        (_, _) => format!("INFO  GET /search?q=item-{id} 200 {ms}ms"),
    }
}

/// During the incident: errors, and lines full of terminal escape sequences a log viewer must
/// never pass through raw (colours, a window-title OSC, a clear-screen, tabs, a NUL).
fn storm_line(app: &str, h: u64) -> String {
    let n = h >> 8;
    let id = n % 100_000;
    match h % 7 {
        0 => format!(
            r#"{{"level":"error","msg":"upstream connect error","upstream":"payments:8443","error":"connection reset by peer","order_id":"o-{id:05}"}}"#
        ),
        1 => format!(
            "level=error msg=\"checkout failed\" err=\"context deadline exceeded\" order_id=o-{id:05} app={app}"
        ),
        2 => format!(
            "\x1b[31mERROR\x1b[0m \x1b[1m{app}\x1b[0m: retry budget exhausted\ttrace=\x1b[36m{id:05x}\x1b[0m"
        ),
        3 => format!("\x1b]0;pwned by {app}\x07ERROR panic in handler: index out of range [{id}]"),
        4 => format!("\x1b[2J\x1b[HFATAL worker {id} crashed; restarting"),
        5 => format!(
            "ERROR\tpool exhausted\tactive=64\twaiting={}\x00tail",
            n % 400
        ),
        _ => format!(
            "\x1b[1;33mWARN\x1b[0m circuit breaker \x1b[7mOPEN\x1b[27m for payments ({}% errors)",
            30 + n % 50
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_strictly_increasing_and_stable() {
        let sc = Scenario::new(42);
        for idx in 0..sc.streams.len() {
            let a = sc.log_entries(idx, -30.0, 300.0);
            assert!(a.len() > 50);
            assert!(a.windows(2).all(|w| w[0].at < w[1].at));
            assert_eq!(a, sc.log_entries(idx, -30.0, 300.0));
            // Splitting the range loses and repeats nothing.
            let mut b = sc.log_entries(idx, -30.0, 123.4);
            b.extend(sc.log_entries(idx, 123.4, 300.0));
            assert_eq!(a, b);
        }
    }

    #[test]
    fn the_incident_storms_with_errors_and_escapes() {
        let sc = Scenario::new(42);
        let calm = sc.log_entries(0, 0.0, 60.0);
        let storm = sc.log_entries(0, 120.0, 180.0);
        assert!(
            storm.len() > 2 * calm.len(),
            "{} vs {}",
            storm.len(),
            calm.len()
        );
        assert!(storm.iter().any(|e| e.line.contains("\x1b[31m")));
        assert!(storm.iter().any(|e| e.line.contains("\x1b]0;")));
        assert!(storm.iter().any(|e| e.line.contains("\x1b[2J")));
        assert!(
            storm
                .iter()
                .any(|e| e.line.contains('\0') && e.line.contains('\t'))
        );
        assert!(!calm.iter().any(|e| e.line.contains('\x1b')));
    }

    #[test]
    fn calm_lines_mix_json_logfmt_and_plain_text() {
        let sc = Scenario::new(42);
        let lines: Vec<String> = sc
            .log_entries(2, 0.0, 60.0)
            .into_iter()
            .map(|e| e.line)
            .collect();
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with('{') && l.contains(r#""level":"#))
        );
        assert!(lines.iter().any(|l| l.starts_with("level=")));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("INFO") || l.starts_with("WARN"))
        );
    }

    #[test]
    fn collect_walks_in_order_stops_at_the_limit_and_is_bounded() {
        let sc = Scenario::new(42);
        let all = [0, 1, 2];
        let fwd = collect(&sc, &all, 100.0, 160.0, 50, true, &|_| true);
        assert_eq!(fwd.len(), 50);
        assert!(fwd.windows(2).all(|w| w[0].1.at < w[1].1.at));
        let back = collect(&sc, &all, 100.0, 160.0, 50, false, &|_| true);
        assert!(back.windows(2).all(|w| w[0].1.at > w[1].1.at));
        assert!(back[0].1.at > fwd[49].1.at);
        // A filter that matches nothing over a year returns promptly.
        let none = collect(&sc, &all, -3e7, 0.0, 10, true, &|_| false);
        assert!(none.is_empty());
    }

    #[test]
    fn seeds_differ() {
        let a = Scenario::new(1).log_entries(0, 0.0, 30.0);
        let b = Scenario::new(2).log_entries(0, 0.0, 30.0);
        assert_ne!(a, b);
    }
}
