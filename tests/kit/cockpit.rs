//! A cockpit driven as the shell drives it: one State, a clock the test moves, and
//! Alertmanager polls numbered as a poller numbers them.

use chrono::{DateTime, Utc};
use onwatch::app::state::Setup;
use onwatch::app::{Clock, Effect, FixedClock, Msg, State, update};
use onwatch::domain::alerts::{Alert, Silence};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::keymap::Key;

pub struct Cockpit {
    pub state: State,
    pub clock: FixedClock,
    pub generation: u64,
}

impl Cockpit {
    /// One Alertmanager cluster, `prod`, whose replicas differ by the `replica` label.
    pub fn new() -> Self {
        Self::with(Setup {
            sources: vec![super::am()],
            dedup_labels: vec!["replica".into()],
            ..super::setup()
        })
    }

    pub fn with(setup: Setup) -> Self {
        Self {
            state: super::state(setup),
            clock: super::clock(),
            generation: 0,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn send(&mut self, msg: Msg) -> Vec<Effect> {
        update(&mut self.state, msg, &self.clock)
    }

    /// Cluster `prod` answers a poll with these alerts (from replica am-0) and silences.
    pub fn poll(&mut self, alerts: Vec<Alert>, silences: Vec<Silence>) -> Vec<Effect> {
        self.poll_cluster("prod", alerts, silences)
    }

    pub fn poll_cluster(
        &mut self,
        cluster: &str,
        alerts: Vec<Alert>,
        silences: Vec<Silence>,
    ) -> Vec<Effect> {
        self.generation += 1;
        let observations = alerts
            .into_iter()
            .map(|alert| super::obs(cluster, "am-0", alert))
            .collect();
        let snapshot = super::snapshot("http://am-0", observations, silences);
        let source = SourceId::new(SourceKind::Alertmanager, cluster);
        let msg = super::alerts_msg(source, self.generation, self.now(), snapshot);
        self.send(msg)
    }

    pub fn key(&mut self, k: Key) -> Vec<Effect> {
        self.send(Msg::Key(k))
    }

    /// Each key of `keys` in turn (`"jja"`), the effects of all of them.
    pub fn keys(&mut self, keys: &str) -> Vec<Effect> {
        keys.chars().flat_map(|c| self.key(Key::char(c))).collect()
    }

    pub fn type_filter(&mut self, text: &str) {
        for k in super::filter_keys(text) {
            self.key(k);
        }
    }
}
