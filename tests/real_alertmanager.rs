//! Two real Alertmanager replicas (Debian `prometheus-alertmanager` 0.25) clustered on
//! 127.0.0.1, read through the real `ClusterFetcher`, `app::update` and `State`.
//! Needs `.ci/install`; fails (does not skip) without it.

#![allow(clippy::unwrap_used)]

mod am_support;

mod kit;
use am_support::{AmPair, prom_alert};
use chrono::{DateTime, Utc};
use onwatch::app::state::{AlertRow, Setup};
use onwatch::app::{Effect, FixedClock, Key, Msg, State, update};
use onwatch::domain::alerts::AlertReading;
use onwatch::poll::ClusterFetcher;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);

fn new_state(now: DateTime<Utc>) -> State {
    State::new(
        Setup {
            sources: vec![kit::am()],
            dedup_labels: vec!["replica".into(), "prometheus_replica".into()],
            ..kit::setup()
        },
        now,
    )
}

/// One poll of the cluster applied through the reducer, as the cockpit does.
struct Harness {
    state: State,
    clock: FixedClock,
    fetcher: ClusterFetcher,
    generation: u64,
    /// Every `Effect::Notify` the reducer asked for.
    notified: Vec<Effect>,
}

impl Harness {
    fn new(pair: &AmPair) -> Self {
        let now = Utc::now();
        Self {
            state: new_state(now),
            clock: FixedClock::new(now),
            fetcher: pair.fetcher("prod"),
            generation: 0,
            notified: Vec::new(),
        }
    }

    async fn poll(&mut self) {
        let result = self.fetcher.fetch().await;
        self.generation += 1;
        let msg = kit::source_msg(kit::am(), self.generation, self.clock_now(), result);
        let effects = update(&mut self.state, msg, &self.clock);
        self.keep_notifications(effects);
    }

    fn keep_notifications(&mut self, effects: Vec<Effect>) {
        self.notified.extend(
            effects
                .into_iter()
                .filter(|e| matches!(e, Effect::Notify { .. })),
        );
    }

    fn tick(&mut self) {
        let effects = update(&mut self.state, Msg::Tick, &self.clock);
        self.keep_notifications(effects);
    }

    fn clock_now(&self) -> DateTime<Utc> {
        use onwatch::app::Clock;
        self.clock.now()
    }

    /// Polls until `done` holds (gossip and ingestion are asynchronous), bounded by DEADLINE.
    async fn poll_until(&mut self, what: &str, done: impl Fn(&State) -> bool) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            self.poll().await;
            if done(&self.state) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for: {what}; groups: {:#?}",
                summary(&self.state)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn key(&mut self, c: char) {
        update(&mut self.state, Msg::Key(Key::char(c)), &self.clock);
    }
}

fn summary(state: &State) -> Vec<(String, usize, usize, usize)> {
    state
        .groups
        .iter()
        .map(|g| (g.key(), g.firing, g.acked, g.silenced))
        .collect()
}

fn total_alerts(state: &State) -> usize {
    state.groups.iter().map(|g| g.alerts.len()).sum()
}

/// Three alerts, each posted by two Prometheus replicas to both Alertmanagers.
async fn post_fixture(pair: &AmPair) {
    let start = Utc::now() - chrono::Duration::minutes(10);
    let mut alerts = Vec::new();
    for replica in ["prom-a", "prom-b"] {
        for labels in [
            &[
                ("alertname", "HighLatency"),
                ("service", "api"),
                ("severity", "critical"),
            ][..],
            &[
                ("alertname", "HighLatency"),
                ("service", "web"),
                ("severity", "critical"),
            ],
            &[
                ("alertname", "DiskFull"),
                ("instance", "db-1"),
                ("severity", "warning"),
            ],
        ] {
            alerts.push(prom_alert(labels, replica, start, None));
        }
    }
    pair.post_alerts(&alerts).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ha_pairs_on_two_replicas_dedup_into_groups() {
    let pair = AmPair::start().await;
    post_fixture(&pair).await;
    let mut h = Harness::new(&pair);
    h.poll_until("3 alerts from 4 sources each", |s| {
        total_alerts(s) == 3
            && s.groups
                .iter()
                .flat_map(|g| &g.alerts)
                .all(|a| a.sources.len() == 4)
    })
    .await;
    let groups = &h.state.groups;
    assert_eq!(groups.len(), 2, "{:?}", summary(&h.state));
    assert_eq!(groups[0].labels["alertname"], "HighLatency");
    assert_eq!(groups[0].firing, 2);
    assert_eq!(groups[0].worst.label(), "CRIT");
    assert_eq!(groups[1].labels["alertname"], "DiskFull");
    assert_eq!(groups[1].firing, 1);
    let sources = &*groups[1].alerts[0].sources;
    assert_eq!(
        sources,
        &[
            "am-0/replica=prom-a",
            "am-0/replica=prom-b",
            "am-1/replica=prom-a",
            "am-1/replica=prom-b"
        ]
    );
    assert!(h.state.sources[0].degraded.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ack_and_maintenance_silences_read_through_the_api() {
    let pair = AmPair::start().await;
    post_fixture(&pair).await;
    pair.silence(
        &[("alertname", "DiskFull")],
        "bob",
        "ACK: looking at the disk",
    )
    .await;
    pair.silence(&[("service", "web")], "carol", "db maintenance")
        .await;
    let mut h = Harness::new(&pair);
    // Silenced alerts are hidden by default; `s` shows them.
    h.key('s');
    assert!(h.state.show_silenced);
    h.poll_until("one acked, one silenced", |s| {
        let all: Vec<_> = s.groups.iter().flat_map(|g| &g.alerts).collect();
        all.len() == 3
            && all.iter().filter(|a| a.reading.name() == "acked").count() == 1
            && all
                .iter()
                .filter(|a| a.reading.name() == "silenced")
                .count()
                == 1
    })
    .await;
    let all: Vec<_> = h.state.groups.iter().flat_map(|g| &g.alerts).collect();
    let acked = all
        .iter()
        .find(|a| a.identity().get("alertname").unwrap_or_default() == "DiskFull")
        .unwrap();
    assert!(
        matches!(&acked.reading, AlertReading::Acked { by, comment, .. } if by == "bob" && comment.starts_with("ACK")),
        "{:?}",
        acked.reading
    );
    let web = all
        .iter()
        .find(|a| a.identity().get("service").is_some_and(|s| s == "web"))
        .unwrap();
    assert!(
        matches!(&web.reading, AlertReading::Silenced { by, comment, .. } if by == "carol" && comment == "db maintenance"),
        "{:?}",
        web.reading
    );
    let label = acked.reading.describe(h.state.now);
    assert!(label.starts_with("acked by bob"), "{label}");
    let label = web.reading.describe(h.state.now);
    assert!(label.contains("silenced: db maintenance"), "{label}");
    // Hidden again: the acked alert stays (it is still a problem someone owns), the
    // maintenance one goes.
    h.key('s');
    assert_eq!(total_alerts(&h.state), 2, "{:?}", summary(&h.state));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_down_costs_nothing_and_comes_back() {
    let mut pair = AmPair::start().await;
    post_fixture(&pair).await;
    let mut h = Harness::new(&pair);
    h.poll_until("3 alerts", |s| total_alerts(s) == 3).await;

    pair.stop(1);
    h.poll().await;
    assert_eq!(total_alerts(&h.state), 3, "{:?}", summary(&h.state));
    let health = &h.state.sources[0];
    assert!(health.last_error.is_none(), "{:?}", health.last_error);
    assert_eq!(health.degraded.len(), 1, "{:?}", health.degraded);
    assert!(
        health.degraded[0].starts_with("am-1"),
        "{:?}",
        health.degraded
    );
    // Only am-0 answers: each alert now comes from its two Prometheus replicas.
    assert!(
        h.state
            .groups
            .iter()
            .flat_map(|g| &g.alerts)
            .all(|a| a.sources.iter().all(|s| s.starts_with("am-0")))
    );

    pair.restart(1).await;
    // Alerts are lost on restart; Prometheus re-sends them.
    post_fixture(&pair).await;
    h.poll_until("healthy again with 4 sources", |s| {
        s.sources[0].degraded.is_empty()
            && s.groups
                .iter()
                .flat_map(|g| &g.alerts)
                .all(|a| a.sources.len() == 4)
    })
    .await;
    assert_eq!(total_alerts(&h.state), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_alerts_stay_usable() {
    let pair = AmPair::start().await;
    let start = Utc::now() - chrono::Duration::minutes(30);
    let alerts: Vec<_> = (0..10_000)
        .map(|i| {
            let name = format!("Alert{}", i % 50);
            let instance = format!("host-{i}:9100");
            let sev = ["critical", "warning", "info"][i % 3];
            prom_alert(
                &[
                    ("alertname", name.as_str()),
                    ("instance", instance.as_str()),
                    ("severity", sev),
                ],
                "prom-a",
                start,
                None,
            )
        })
        .collect();
    pair.post_alerts(&alerts).await;
    let mut h = Harness::new(&pair);
    h.poll_until("10,000 alerts", |s| total_alerts(s) == 10_000)
        .await;
    assert_eq!(h.state.groups.len(), 50);
    assert!(h.state.groups.iter().all(|g| g.alerts.len() == 200));

    // Keys between polls act on the whole set: move, expand, move into the group.
    h.key('j');
    assert_eq!(h.state.alert_cursor, 1);
    update(
        &mut h.state,
        Msg::Key(Key::plain(onwatch::domain::keymap::KeyCode::Enter)),
        &h.clock,
    );
    assert_eq!(h.state.alert_rows().len(), 50 + 200);
    h.key('j');
    assert!(matches!(
        h.state.alert_rows()[h.state.alert_cursor],
        AlertRow::Alert(1, 0)
    ));
    // A poll arriving now keeps the expansion and the cursor.
    h.poll().await;
    assert_eq!(h.state.alert_rows().len(), 50 + 200);
    assert_eq!(h.state.alert_cursor, 2);
}

fn find<'a>(state: &'a State, name: &str) -> Option<&'a onwatch::domain::alerts::DedupedAlert> {
    state
        .groups
        .iter()
        .flat_map(|g| &g.alerts)
        .find(|a| a.identity().get("alertname").unwrap_or_default() == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_fired_and_resolved_on_a_schedule_is_flapping_a_steady_one_is_not() {
    let pair = AmPair::start().await;
    let mut h = Harness::new(&pair);
    let hour = chrono::Duration::hours(1);
    let steady = [("alertname", "Steady"), ("severity", "warning")];
    let flappy = [("alertname", "Flappy"), ("severity", "critical")];
    pair.post_alerts(&[prom_alert(
        &steady,
        "prom-a",
        Utc::now(),
        Some(Utc::now() + hour),
    )])
    .await;
    let mut starts = Utc::now();
    let cycles = 10;
    for cycle in 0..cycles {
        let firing = cycle % 2 == 0;
        let now = Utc::now();
        // Fired with an end an hour away; resolved with an explicit end just past.
        let ends = if firing {
            // Before any end we post next: Alertmanager refuses an end before the start.
            starts = now - chrono::Duration::minutes(1);
            now + hour
        } else {
            now - chrono::Duration::seconds(1)
        };
        pair.post_alerts(&[prom_alert(&flappy, "prom-a", starts, Some(ends))])
            .await;
        h.poll_until("Alertmanager shows the new state", |s| {
            find(s, "Flappy").is_some() == firing && find(s, "Steady").is_some()
        })
        .await;
        // One sample period later the tick samples what the last poll showed.
        h.clock.advance(chrono::Duration::minutes(1));
        h.tick();
    }
    // End on a firing state so the flapping alert is on screen.
    pair.post_alerts(&[prom_alert(
        &flappy,
        "prom-a",
        Utc::now(),
        Some(Utc::now() + hour),
    )])
    .await;
    h.poll_until("Flappy back", |s| find(s, "Flappy").is_some())
        .await;

    let flappy = find(&h.state, "Flappy").unwrap();
    assert!(flappy.flapping, "{:?}", h.state.flaps.history(&flappy.id));
    let history = h.state.flaps.history(&flappy.id).unwrap();
    assert!(history.samples().len() >= cycles, "{history:?}");
    assert!(history.percent >= h.state.flap_config.high, "{history:?}");
    let group = h
        .state
        .groups
        .iter()
        .find(|g| g.labels["alertname"] == "Flappy")
        .unwrap();
    assert_eq!(group.flapping, 1);

    // One notification (when it first fired), not one per flap.
    assert_eq!(h.notified.len(), 1, "{:?}", h.notified);
    assert!(
        matches!(&h.notified[0], Effect::Notify { title, .. } if title.contains("Flappy")),
        "{:?}",
        h.notified
    );

    let steady = find(&h.state, "Steady").unwrap();
    assert!(!steady.flapping);
    assert_eq!(h.state.flaps.history(&steady.id).unwrap().percent, 0.0);
}
