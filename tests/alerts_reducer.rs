//! The alerts pane through the reducer: the matcher filter, flap marking, notifications.

#![allow(clippy::unwrap_used)]

mod kit;
use chrono::{DateTime, Duration, Utc};
use kit::Cockpit;
use kit::screen;
use onwatch::app::{Effect, Key, Msg, update};
use onwatch::domain::alerts::{Alert, Silence, SilenceState};
use onwatch::domain::health::{SourceError, SourceHealth, SourceId, SourceKind};
use onwatch::domain::keymap::KeyCode;

pub fn alert(pairs: &[(&str, &str)], started_min_ago: i64, now: DateTime<Utc>) -> Alert {
    Alert {
        starts_at: now - Duration::minutes(started_min_ago),
        ..kit::alert(pairs, now)
    }
}

/// The kit's cockpit, with the view this file reads back.
trait Names {
    fn names(&self) -> Vec<String>;
}

impl Names for Cockpit {
    fn names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .state
            .groups
            .iter()
            .flat_map(|g| &g.alerts)
            .map(|a| {
                format!(
                    "{}/{}",
                    a.identity().get("alertname").unwrap_or_default(),
                    a.identity().get("service").unwrap_or_default()
                )
            })
            .collect();
        v.sort();
        v
    }
}

fn fixture(now: DateTime<Utc>) -> (Vec<Alert>, Vec<Silence>) {
    let mut silenced = alert(
        &[
            ("alertname", "DiskFull"),
            ("service", "db"),
            ("severity", "warning"),
        ],
        60,
        now,
    );
    silenced.silenced_by = vec!["m1".into()];
    (
        vec![
            alert(
                &[
                    ("alertname", "HighLatency"),
                    ("service", "checkout"),
                    ("severity", "critical"),
                ],
                30,
                now,
            ),
            alert(
                &[
                    ("alertname", "HighLatency"),
                    ("service", "search"),
                    ("severity", "warning"),
                ],
                2,
                now,
            ),
            silenced,
        ],
        vec![Silence {
            id: "m1".into(),
            matchers: vec![],
            starts_at: now - Duration::minutes(5),
            ends_at: now + Duration::hours(1),
            created_by: "carol".into(),
            comment: "db maintenance".into(),
            state: SilenceState::Active,
        }],
    )
}

#[test]
fn filter_in_matcher_syntax_replaces_the_substring_filter() {
    let mut h = Cockpit::new();
    let (alerts, silences) = fixture(h.now());
    h.poll(alerts, silences);
    assert_eq!(h.names(), ["HighLatency/checkout", "HighLatency/search"]);

    h.type_filter("{severity=\"critical\",service=~\"check.*\"}");
    assert!(h.state.input.is_none());
    assert_eq!(h.names(), ["HighLatency/checkout"]);

    h.type_filter("service!~check.*");
    assert_eq!(h.names(), ["HighLatency/search"]);

    h.type_filter("@age>10m");
    assert_eq!(h.names(), ["HighLatency/checkout"]);

    // Naming a state shows it even though silenced alerts are hidden by default.
    h.type_filter("@state=silenced");
    assert_eq!(h.names(), ["DiskFull/db"]);

    h.type_filter("@cluster=prod,alertname=HighLatency");
    assert_eq!(h.names().len(), 2);
    h.type_filter("@cluster=staging");
    assert!(h.names().is_empty());

    h.type_filter("");
    assert_eq!(h.names().len(), 2);
}

#[test]
fn an_age_filter_follows_the_clock_between_polls() {
    let mut h = Cockpit::new();
    let now = h.now();
    let mut young = alert(&[("alertname", "Young")], 0, now);
    young.starts_at = now - Duration::minutes(10) + Duration::seconds(3);
    let boundary = young.starts_at + Duration::minutes(10);
    h.poll(vec![young, alert(&[("alertname", "Old")], 30, now)], vec![]);
    h.type_filter("@age>10m");
    assert_eq!(h.names(), ["Old/"]);
    // The tick re-applies the filter only once the next boundary has passed.
    assert_eq!(
        h.state.filter_due,
        Some(boundary + Duration::nanoseconds(1))
    );
    let tick = |h: &mut Cockpit| {
        h.clock.advance(Duration::seconds(1));
        update(&mut h.state, Msg::Tick, &h.clock);
    };
    for _ in 0..3 {
        tick(&mut h);
        assert_eq!(h.names(), ["Old/"], "at {}", h.now());
    }
    // 10 min 01 s old: shown, with no poll in between; no boundary is left to wait for.
    tick(&mut h);
    assert_eq!(h.names(), ["Old/", "Young/"]);
    assert_eq!(h.state.filter_due, None);

    // The other way: an alert leaves `@age<10m` when it turns 10 min old.
    h.type_filter("@age<10m");
    assert!(h.names().is_empty());
    h.type_filter("@age<=11m");
    assert_eq!(h.names(), ["Young/"]);
    assert_eq!(
        h.state.filter_due,
        Some(boundary + Duration::minutes(1) + Duration::nanoseconds(1))
    );
    for _ in 0..60 {
        tick(&mut h);
    }
    assert!(h.names().is_empty());

    // Without an age term the tick never regroups.
    h.type_filter("alertname=Young");
    assert_eq!(h.state.filter_due, None);
}

#[test]
fn a_bad_filter_keeps_the_input_open_with_the_reason() {
    let mut h = Cockpit::new();
    let (alerts, silences) = fixture(h.now());
    h.poll(alerts, silences);
    h.type_filter("service=~check.*");
    let before = h.names();

    h.type_filter("service=~\"(unclosed\"");
    assert!(h.state.input.is_some(), "the input stays open");
    let err = h.state.input_error.clone().unwrap();
    assert!(err.contains("regex"), "{err}");
    // The last good filter still applies.
    assert_eq!(h.names(), before);

    // It is drawn next to the input.
    let backend = ratatui::backend::TestBackend::new(100, 30);
    let mut terminal = ratatui::Terminal::new(backend).unwrap();
    let theme = onwatch::ui::load_theme("default", None).unwrap();
    terminal
        .draw(|f| onwatch::ui::draw(f, &h.state, &theme))
        .unwrap();
    let buf = terminal.backend().buffer().clone();
    let row = |y: u16| -> String { (0..100).map(|x| buf[(x, y)].symbol().to_string()).collect() };
    assert!(row(28).contains("✗ bad regex"), "{}", row(28));

    // Typing clears the error; Esc leaves the filter as it was.
    h.key(Key::plain(KeyCode::Backspace));
    assert!(h.state.input_error.is_none());
    h.key(Key::plain(KeyCode::Esc));
    assert!(h.state.input.is_none());
    assert_eq!(h.names(), before);
}

fn notifications(effects: &[Effect]) -> Vec<(String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify { title, body } => Some((title.clone(), body.clone())),
            _ => None,
        })
        .collect()
}

fn crit(name: &str, instance: &str, now: DateTime<Utc>) -> Alert {
    alert(
        &[
            ("alertname", name),
            ("instance", instance),
            ("severity", "critical"),
        ],
        1,
        now,
    )
}

#[test]
fn new_criticals_in_one_update_are_one_notification_then_rate_limited() {
    let mut h = Cockpit::new();
    let now = h.now();
    let mut alerts: Vec<Alert> = (0..5)
        .map(|i| crit("NodeDown", &format!("h{i}"), now))
        .collect();
    alerts.push(alert(
        &[("alertname", "Warn"), ("severity", "warning")],
        1,
        now,
    ));
    let sent = notifications(&h.poll(alerts.clone(), vec![]));
    assert_eq!(
        sent,
        [("5 critical alerts firing".into(), "NodeDown".into())]
    );

    // The same alerts on the next poll: nothing new.
    h.clock.advance(Duration::seconds(15));
    assert!(notifications(&h.poll(alerts.clone(), vec![])).is_empty());

    // A new one 20 s after the last notification waits for the 30 s interval...
    h.clock.advance(Duration::seconds(5));
    alerts.push(crit("DbDown", "db-1", h.now()));
    assert!(notifications(&h.poll(alerts.clone(), vec![])).is_empty());
    // ...and a tick once it has passed delivers it.
    h.clock.advance(Duration::seconds(10));
    let sent = notifications(&update(&mut h.state, Msg::Tick, &h.clock));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "CRIT DbDown (prod)");
}

#[test]
fn at_start_what_already_fires_is_one_notification_once_every_cluster_answered() {
    let mut h = Cockpit::new();
    h.state.sources.push(SourceHealth::new(SourceId::new(
        SourceKind::Alertmanager,
        "prod-us",
    )));
    let now = h.now();
    let mut acked = crit("Acked", "x", now);
    acked.silenced_by = vec!["s".into()];
    let ack = Silence {
        id: "s".into(),
        matchers: vec![],
        starts_at: now,
        ends_at: now + Duration::hours(1),
        created_by: "bob".into(),
        comment: "ACK: mine".into(),
        state: SilenceState::Active,
    };
    let prod = vec![
        crit("NodeDown", "h1", now),
        crit("NodeDown", "h2", now),
        acked,
    ];
    // One cluster of two has answered: nothing yet, not a notification per cluster.
    assert!(notifications(&h.poll(prod.clone(), vec![ack.clone()])).is_empty());
    h.clock.advance(Duration::seconds(1));
    assert!(notifications(&update(&mut h.state, Msg::Tick, &h.clock)).is_empty());
    // The second answers: one notification for the three firing, not the acked one.
    let us = vec![crit("DbDown", "db-1", now)];
    let sent = notifications(&h.poll_cluster("prod-us", us.clone(), vec![]));
    assert_eq!(
        sent,
        [("3 critical alerts firing".into(), "NodeDown, DbDown".into())]
    );
    // Polls that show the same alerts tell nothing; one that starts later is new.
    h.clock.advance(Duration::seconds(40));
    assert!(notifications(&h.poll(prod.clone(), vec![ack.clone()])).is_empty());
    let more = vec![
        crit("DbDown", "db-1", now),
        crit("DiskFull", "db-2", h.now()),
    ];
    let sent = notifications(&h.poll_cluster("prod-us", more, vec![]));
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "CRIT DiskFull (prod-us)");
}

#[test]
fn a_cluster_down_at_start_does_not_hold_the_start_notification() {
    let mut h = Cockpit::new();
    h.state.sources.push(SourceHealth::new(SourceId::new(
        SourceKind::Alertmanager,
        "prod-us",
    )));
    let now = h.now();
    assert!(
        notifications(&h.poll(vec![crit("A", "1", now), crit("B", "2", now)], vec![])).is_empty()
    );
    h.generation += 1;
    let failed = kit::source_msg(
        SourceId::new(SourceKind::Alertmanager, "prod-us"),
        h.generation,
        now,
        Err(SourceError::Unreachable("connection refused".into())),
    );
    let sent = notifications(&update(&mut h.state, failed, &h.clock));
    assert_eq!(sent, [("2 critical alerts firing".into(), "A, B".into())]);
}

#[test]
fn silenced_acked_and_warning_alerts_never_notify() {
    let mut h = Cockpit::new();
    let now = h.now();
    let mut silenced = crit("A", "x", now);
    silenced.silenced_by = vec!["s".into()];
    let sil = Silence {
        id: "s".into(),
        matchers: vec![],
        starts_at: now,
        ends_at: now + Duration::hours(1),
        created_by: "bob".into(),
        comment: "ACK: mine".into(),
        state: SilenceState::Active,
    };
    let warn = alert(&[("alertname", "W"), ("severity", "warning")], 1, now);
    assert!(notifications(&h.poll(vec![silenced, warn], vec![sil])).is_empty());
}

#[test]
fn a_flapping_alert_notifies_once_not_once_per_flap() {
    let mut h = Cockpit::new();
    let mut sent = Vec::new();
    for minute in 0..30 {
        let alerts = if minute % 2 == 0 {
            vec![crit("Flappy", "a", h.now())]
        } else {
            vec![]
        };
        sent.extend(notifications(&h.poll(alerts, vec![])));
        h.clock.advance(Duration::minutes(1));
        sent.extend(notifications(&update(&mut h.state, Msg::Tick, &h.clock)));
    }
    assert_eq!(sent.len(), 1, "{sent:?}");
    let flappy = onwatch::domain::alerts::AlertId::new(
        "prod",
        (*crit("Flappy", "a", h.now()).labels).clone(),
    );
    assert!(h.state.flaps.history(&flappy).unwrap().flapping);
}

#[test]
fn an_alert_flapping_when_it_first_becomes_page_worthy_does_not_notify() {
    // It flaps while a maintenance silence hides it; when the silence ends it is still flapping.
    let mut h = Cockpit::new();
    let silence = |now: DateTime<Utc>| Silence {
        id: "m".into(),
        matchers: vec![],
        starts_at: now - Duration::hours(1),
        ends_at: now + Duration::hours(1),
        created_by: "carol".into(),
        comment: "maintenance".into(),
        state: SilenceState::Active,
    };
    let mut sent = Vec::new();
    for minute in 0..12 {
        let mut a = crit("Flappy", "b", h.now());
        a.silenced_by = vec!["m".into()];
        let alerts = if minute % 2 == 0 { vec![a] } else { vec![] };
        sent.extend(notifications(&h.poll(alerts, vec![silence(h.now())])));
        h.clock.advance(Duration::minutes(1));
        sent.extend(notifications(&update(&mut h.state, Msg::Tick, &h.clock)));
    }
    assert!(sent.is_empty(), "{sent:?}");
    // The silence is gone; the alert fires unsilenced but is flapping.
    let sent = notifications(&h.poll(vec![crit("Flappy", "b", h.now())], vec![]));
    assert!(sent.is_empty(), "{sent:?}");
    assert!(h.state.groups[0].alerts[0].flapping);
    assert_eq!(h.state.groups[0].flapping, 1);
}

#[test]
fn detail_view_shows_everything_about_the_alert() {
    let mut h = Cockpit::new();
    let now = h.now();
    let mut a = crit("HighLatency", "api-1", now);
    let annotations = std::sync::Arc::make_mut(&mut a.annotations);
    annotations.insert("summary", "p99 above 2s");
    annotations.insert("description", "checkout is slow\x1b[31m");
    annotations.insert("runbook_url", "https://runbooks.example/latency");
    annotations.insert("dashboard", "https://grafana.example/d/1");
    a.generator_url = Some("http://prometheus.example/graph?g0.expr=x".into());
    a.receivers = vec!["pager".into(), "slack".into()].into();
    a.silenced_by = vec!["s1".into()];
    let sil = Silence {
        id: "s1".into(),
        matchers: vec![],
        starts_at: now - Duration::minutes(3),
        ends_at: now + Duration::minutes(57),
        created_by: "bob".into(),
        comment: "ACK: on it".into(),
        state: SilenceState::Active,
    };
    for _ in 0..3 {
        h.poll(vec![a.clone()], vec![sil.clone()]);
        h.clock.advance(Duration::minutes(1));
        update(&mut h.state, Msg::Tick, &h.clock);
    }
    h.key(Key::plain(KeyCode::Enter)); // expand
    h.key(Key::char('j'));
    h.key(Key::plain(KeyCode::Enter)); // open
    assert!(matches!(
        h.state.overlay,
        Some(onwatch::app::state::Overlay::AlertDetail(_))
    ));
    let text = screen(&h.state, 140, 45);
    for want in [
        "acked by bob, 6 min ago, expires in 54 min",
        "p99 above 2s",
        "checkout is slow",
        "https://runbooks.example/latency",
        "http://prometheus.example/graph?g0.expr=x",
        "pager, slack",
        "ack s1 by bob",
        "ACK: on it",
        "dashboard",
        "prod",
        "by 1 source: am-0",
        "·················████ 0.0% (flapping from 20%, until 5%)",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
    assert!(!text.contains('\x1b'));
}

#[test]
fn the_alertmanager_cluster_splits_groups_and_a_cluster_label_is_only_a_label() {
    use onwatch::domain::health::{SourceId, SourceKind};
    let mut c = Cockpit::with(onwatch::app::state::Setup {
        sources: vec![
            SourceId::new(SourceKind::Alertmanager, "prod"),
            SourceId::new(SourceKind::Alertmanager, "staging"),
        ],
        ..kit::setup()
    });
    let now = c.now();
    // Both clusters' alerts carry the same `cluster` label, as kube-prometheus setups do.
    let labelled = alert(&[("alertname", "Down"), ("cluster", "eu-1")], 5, now);
    c.poll_cluster("prod", vec![labelled.clone()], vec![]);
    c.poll_cluster("staging", vec![labelled], vec![]);
    let groups: Vec<(String, String)> = c
        .state
        .groups
        .iter()
        .map(|g| (g.labels["alertname"].clone(), g.labels["@cluster"].clone()))
        .collect();
    assert_eq!(
        groups,
        [
            ("Down".to_string(), "prod".to_string()),
            ("Down".to_string(), "staging".to_string())
        ]
    );
    // Grouping by the label itself is grouping by the label.
    c.state.group_by = vec!["cluster".into()];
    c.state.regroup();
    assert!(
        c.state.groups.iter().all(|g| g.labels["cluster"] == "eu-1"),
        "{:?}",
        c.state.groups
    );
    assert_eq!(
        c.state.groups.len(),
        2,
        "still one group per Alertmanager cluster"
    );
}

#[test]
fn the_snapshot_json_carries_silenced_and_inhibited_alerts_with_their_counts() {
    use onwatch::domain::alerts::AmState;
    let mut c = Cockpit::new();
    let now = c.now();
    let firing = alert(&[("alertname", "Disk"), ("instance", "a")], 5, now);
    let silenced = kit::silenced(
        alert(&[("alertname", "Disk"), ("instance", "b")], 5, now),
        &["s1"],
    );
    let inhibited = Alert {
        state: AmState::Suppressed,
        inhibited_by: vec!["fp-node-down".into()],
        ..alert(&[("alertname", "Disk"), ("instance", "c")], 5, now)
    };
    let maintenance = onwatch::domain::alerts::Silence {
        id: "s1".into(),
        matchers: vec![],
        starts_at: now,
        ends_at: now + Duration::hours(1),
        created_by: "bob".into(),
        comment: "db maintenance".into(),
        state: onwatch::domain::alerts::SilenceState::Active,
    };
    let alerts = vec![firing, silenced, inhibited];
    c.poll(alerts.clone(), vec![maintenance.clone()]);
    assert_eq!(
        c.state.groups[0].alerts.len(),
        1,
        "the pane hides them by default"
    );
    let v = onwatch::app::report::state_json(&c.state);
    // A headless snapshot has its pane show every alert, and the report reads the pane's groups:
    // the same record as grouping again.
    let mut headless = Cockpit::new();
    onwatch::app::report::show_every_alert(&mut headless.state);
    headless.poll(alerts, vec![maintenance]);
    assert_eq!(headless.state.groups[0].alerts.len(), 3);
    assert_eq!(
        onwatch::app::report::state_json(&headless.state)["alert_groups"],
        v["alert_groups"]
    );
    let g = &v["alert_groups"][0];
    assert_eq!(
        (&g["firing"], &g["silenced"], &g["inhibited"]),
        (&1.into(), &1.into(), &1.into()),
        "{g}"
    );
    let states: Vec<(&str, &serde_json::Value, &serde_json::Value)> = g["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["state"].as_str().unwrap(),
                &a["silenced_by"],
                &a["inhibited_by"],
            )
        })
        .collect();
    assert!(
        states.contains(&(
            "silenced",
            &serde_json::json!(["s1"]),
            &serde_json::json!([])
        )),
        "{states:?}"
    );
    assert!(
        states.contains(&(
            "inhibited",
            &serde_json::json!([]),
            &serde_json::json!(["fp-node-down"])
        )),
        "{states:?}"
    );
    assert_eq!(states.len(), 3);
}

#[test]
fn an_ack_made_elsewhere_reaches_the_timeline_once_with_its_author() {
    use onwatch::domain::alerts::{Matcher, Silence, SilenceState};
    use onwatch::domain::timeline::Event;
    let mut c = Cockpit::new();
    let now = c.now();
    let ack = Silence {
        id: "amtool-1".into(),
        matchers: vec![Matcher {
            name: "alertname".into(),
            value: "Disk".into(),
            is_regex: false,
            is_equal: true,
        }],
        starts_at: now - Duration::minutes(2),
        ends_at: now + Duration::hours(1),
        created_by: "bob".into(),
        comment: "ack: looking".into(),
        state: SilenceState::Active,
    };
    let silenced = kit::silenced(alert(&[("alertname", "Disk")], 5, now), &["amtool-1"]);
    let acks = |effects: Vec<Effect>| -> Vec<(String, String)> {
        effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::Record(onwatch::domain::timeline::Entry {
                    event: Event::Ack { by, alert, .. },
                    ..
                }) => Some((by, alert)),
                _ => None,
            })
            .collect()
    };
    let first = acks(c.poll(vec![silenced.clone()], vec![ack.clone()]));
    assert_eq!(first, [("bob".to_string(), "Disk".to_string())]);
    assert!(acks(c.poll(vec![silenced], vec![ack])).is_empty(), "once");
}

#[test]
fn the_snapshot_json_is_written_as_it_is_serialised_with_every_outside_string_masked() {
    let mut c = Cockpit::new();
    let now = c.now();
    const SECRET: &str = "tok3n-in-a-label-9f2";
    let leaky = Alert {
        annotations: std::sync::Arc::new([("summary".to_string(), format!("ask {SECRET}"))].into()),
        ..kit::silenced(
            alert(&[("alertname", "Leak"), ("token", SECRET)], 5, now),
            &["s1"],
        )
    };
    let silence = Silence {
        id: "s1".into(),
        matchers: vec![],
        starts_at: now,
        ends_at: now + Duration::hours(1),
        created_by: SECRET.into(),
        comment: format!("ACK {SECRET}"),
        state: SilenceState::Active,
    };
    c.poll(vec![leaky], vec![silence]);
    let mut redactor = onwatch::domain::redact::Redactor::new();
    redactor.add_secret(SECRET);
    let mut out = Vec::new();
    onwatch::app::report::write_json(&c.state, &redactor, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains(SECRET), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
    let a = &v["alert_groups"][0]["alerts"][0];
    assert_eq!(a["labels"]["token"], "***");
    assert_eq!(a["annotations"]["summary"], "ask ***");
    assert_eq!(a["state"], "acked");
    assert_eq!(a["reading"]["state"], "acked");
    assert_eq!(a["reading"]["by"], "***");
    assert_eq!(a["reading"]["comment"], "ACK ***");
    assert_eq!(a["reading"]["silence_id"], "s1");
    assert!(a["reading"]["since"].is_string() && a["reading"]["until"].is_string());
    for key in [
        "generated_at",
        "user",
        "sources",
        "slos",
        "alert_groups",
        "logs",
        "logs_dropped",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    let g = &v["alert_groups"][0];
    assert_eq!((&g["acked"], &g["firing"]), (&1.into(), &0.into()), "{g}");
}
