//! The scenario clock: maps real (unix) time to scenario seconds and back.
//!
//! Scenario time = `start_offset` + (real time − start instant) × `speed`. Windows in queries are read
//! in scenario seconds, so a `[5m]` rate means five minutes of the story whatever the speed.

use chrono::{DateTime, TimeZone, Utc};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScenarioClock {
    /// The real instant the simulator started, in unix nanoseconds.
    pub start_unix_ns: i128,
    /// Scenario seconds at that instant.
    pub start_offset: f64,
    /// Scenario seconds per real second (> 0).
    pub speed: f64,
}

impl ScenarioClock {
    pub fn new(start: DateTime<Utc>, start_offset: f64, speed: f64) -> Self {
        let start_unix_ns = i128::from(start.timestamp()) * 1_000_000_000
            + i128::from(start.timestamp_subsec_nanos());
        Self {
            start_unix_ns,
            start_offset,
            speed,
        }
    }

    /// Scenario seconds at a real unix time given in nanoseconds.
    pub fn scenario_at_ns(&self, unix_ns: i128) -> f64 {
        self.start_offset + (unix_ns - self.start_unix_ns) as f64 / 1e9 * self.speed
    }

    /// Scenario seconds at a real unix time given in (fractional) seconds.
    pub fn scenario_at_secs(&self, unix_secs: f64) -> f64 {
        let start = self.start_unix_ns as f64 / 1e9;
        self.start_offset + (unix_secs - start) * self.speed
    }

    /// The real unix time, in nanoseconds, at which the scenario reaches `s`. Monotonic in `s`.
    pub fn unix_ns_at(&self, s: f64) -> i128 {
        self.start_unix_ns + ((s - self.start_offset) / self.speed * 1e9).round() as i128
    }

    /// The real unix time, in seconds, at which the scenario reaches `s`.
    pub fn unix_secs_at(&self, s: f64) -> f64 {
        self.start_unix_ns as f64 / 1e9 + (s - self.start_offset) / self.speed
    }

    /// The real instant at which the scenario reaches `s`.
    pub fn datetime_at(&self, s: f64) -> DateTime<Utc> {
        let ns = self.unix_ns_at(s);
        let secs = ns.div_euclid(1_000_000_000) as i64;
        let nanos = ns.rem_euclid(1_000_000_000) as u32;
        Utc.timestamp_opt(secs, nanos)
            .single()
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    }

    /// Scenario seconds now.
    pub fn now(&self) -> f64 {
        self.scenario_at_ns(now_unix_ns())
    }
}

/// The real time now, in unix nanoseconds.
pub fn now_unix_ns() -> i128 {
    let now = Utc::now();
    i128::from(now.timestamp()) * 1_000_000_000 + i128::from(now.timestamp_subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_scales_by_speed() {
        let start = Utc.timestamp_opt(1_700_000_000, 0).single().unwrap();
        let c = ScenarioClock::new(start, 100.0, 10.0);
        assert_eq!(c.scenario_at_ns(c.start_unix_ns), 100.0);
        assert_eq!(c.scenario_at_secs(1_700_000_001.0), 110.0);
        assert_eq!(c.unix_ns_at(110.0), c.start_unix_ns + 1_000_000_000);
        assert_eq!(c.datetime_at(90.0).timestamp(), 1_699_999_999);
        assert!(c.unix_ns_at(110.25) < c.unix_ns_at(110.5));
    }
}
