//! State shared by every listener: the scenario, its clock, the gossiped silences and what
//! escalations sent.

use super::clock::ScenarioClock;
use super::escalations::Escalations;
use super::scenario::Scenario;
use super::silences::Store;
use chrono::{DateTime, Utc};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug)]
pub struct Sim {
    pub scenario: Scenario,
    pub clock: ScenarioClock,
    pub started: DateTime<Utc>,
    silences: Mutex<Store>,
    escalations: Mutex<Escalations>,
    pub prometheus_url: String,
    /// host:port of each Alertmanager replica, for the cluster peers in `/api/v2/status`.
    pub am_peers: Vec<String>,
}

impl Sim {
    pub fn new(
        scenario: Scenario,
        clock: ScenarioClock,
        started: DateTime<Utc>,
        silences: Store,
        prometheus_url: String,
        am_peers: Vec<String>,
    ) -> Self {
        Self {
            scenario,
            clock,
            started,
            silences: Mutex::new(silences),
            escalations: Mutex::default(),
            prometheus_url,
            am_peers,
        }
    }

    /// The silence store; a panic elsewhere while holding it leaves plain data, still usable.
    pub fn silences(&self) -> MutexGuard<'_, Store> {
        self.silences.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Alerts re-posted and webhook bodies received; as for `silences`, a poisoned lock is fine.
    pub fn escalations(&self) -> MutexGuard<'_, Escalations> {
        self.escalations.lock().unwrap_or_else(|e| e.into_inner())
    }
}
