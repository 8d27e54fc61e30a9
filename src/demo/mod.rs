//! The embedded simulator: Prometheus-, Alertmanager- and Loki-compatible APIs on 127.0.0.1,
//! playing a seeded, looping ten-minute incident.
//!
//! The scenario (`script`, `traffic`, `alert_script`, `log_script`) is pure: functions of the seed
//! and scenario time. The routes only map wire parameters to scenario time and shape the answers.

mod alert_script;
mod am_routes;
pub mod clock;
mod config_text;
mod escalations;
mod log_script;
mod loki_routes;
mod matchers;
mod params;
mod prom_routes;
mod promql;
mod rng;
mod scenario;
mod script;
mod server;
mod silences;
mod sim;
mod slos;
mod traffic;

pub use clock::ScenarioClock;
pub use config_text::LOKI_QUERY;
pub use server::DemoServer;
pub use slos::{DemoSlo, SLOS};

use std::time::Duration;

/// Length of one loop of the script, in scenario seconds.
pub const SCENARIO_LOOP: Duration = Duration::from_secs(script::CYCLE as u64);
/// Scenario time at which the checkout incident is at full strength and paging (the first loop).
pub const INCIDENT_PAGING_AT: Duration = Duration::from_secs(330);

#[derive(Clone, Debug, PartialEq)]
pub struct DemoOptions {
    /// Seeds every random choice of the scenario; the same seed plays the same story.
    pub seed: u64,
    /// Scenario seconds per real second.
    pub speed: f64,
    /// Where in the scenario to start (0 = the calm before the incident).
    pub start_offset: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 42,
            speed: 1.0,
            start_offset: Duration::ZERO,
        }
    }
}
