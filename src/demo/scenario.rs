//! The whole scenario as pure functions of (seed, scenario seconds): traffic, alerts, logs.

use super::alert_script::{self, ScriptedAlert};
#[cfg(test)]
use super::log_script::LogEntry;
use super::log_script::{self, LogStream};
use super::traffic::Traffic;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub seed: u64,
    pub traffic: Traffic,
    pub streams: Vec<LogStream>,
}

impl Scenario {
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            traffic: Traffic::new(seed),
            streams: log_script::streams(),
        }
    }

    /// The alerts firing at scenario time `s`, as each Prometheus of the HA pair reports them.
    pub fn alerts_at(&self, s: f64) -> Vec<ScriptedAlert> {
        alert_script::alerts_at(self, s)
    }

    #[cfg(test)]
    /// Log entries of stream `idx` with scenario time in [from, to), oldest first.
    pub fn log_entries(&self, idx: usize, from: f64, to: f64) -> Vec<LogEntry> {
        log_script::entries(self, idx, from, to)
    }
}
