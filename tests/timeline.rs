//! The incident timeline: a scripted session (alert fires, ack, escalate, note, resolve) driven
//! through `update` with a fixed clock, exported, and compared with the expected markdown.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod kit;
use chrono::{TimeZone, Utc};
use kit::labels;
use onwatch::app::acts::{ActKind, ActionRequest, ActionResult, Outcome};
use onwatch::app::state::Setup;
use onwatch::app::{Clock, Effect, FixedClock, Msg, State, update};
use onwatch::domain::alerts::{Alert, Labels};
use onwatch::domain::health::{SourceId, SourceKind};
use onwatch::domain::keymap::{Key, KeyCode};
use onwatch::domain::timeline::{Entry, export_markdown};

fn alerts(c: &FixedClock, generation: u64, firing: bool) -> Msg {
    let start = Utc.with_ymd_and_hms(2026, 11, 22, 2, 58, 0).unwrap();
    let observations = if firing {
        let pairs = [
            ("alertname", "HighErrorRate"),
            ("service", "checkout"),
            ("severity", "critical"),
        ];
        let alert = Alert {
            fingerprint: "f1".into(),
            ..kit::alert(&pairs, start)
        };
        vec![kit::obs("prod", "am-0", alert)]
    } else {
        vec![]
    };
    let snapshot = kit::snapshot("u", observations, vec![]);
    kit::alerts_msg(kit::am(), generation, c.now(), snapshot)
}

fn done(c: &FixedClock, kind: ActKind) -> Msg {
    Msg::ActionResult(ActionResult {
        request: ActionRequest {
            id: "r1".into(),
            created_at: c.now(),
            user: "alice".into(),
            kind,
        },
        outcome: Outcome::Done("ok".into()),
    })
}

fn records(effects: Vec<Effect>) -> Vec<Entry> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            Effect::Record(entry) => Some(entry),
            _ => None,
        })
        .collect()
}

#[test]
fn a_scripted_incident_exports_the_expected_markdown() {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let c = FixedClock::new(t0);
    let setup = Setup {
        sources: vec![SourceId::new(SourceKind::Alertmanager, "prod")],
        burn_rules: onwatch::domain::slo::default_rules(),
        log_max_lines: 10,
        ..kit::setup()
    };
    let mut s = State::new(setup, t0);
    let mut log = Vec::new();
    let minute = chrono::Duration::minutes(1);

    log.extend(records(update(&mut s, alerts(&c, 1, true), &c)));
    // The same alert on the next poll is not a new event.
    c.advance(minute);
    log.extend(records(update(&mut s, alerts(&c, 2, true), &c)));
    c.advance(chrono::Duration::seconds(90));
    let group = labels(&[("alertname", "HighErrorRate")]);
    log.extend(records(update(
        &mut s,
        done(
            &c,
            ActKind::Ack {
                cluster: "prod".into(),
                matchers: group.clone(),
                exclude: Default::default(),
                comment: "ACK: looking at checkout".into(),
                starts_at: c.now(),
                ends_at: c.now() + chrono::Duration::hours(1),
                until_resolved: false,
            },
        ),
        &c,
    )));
    c.advance(minute);
    log.extend(records(update(
        &mut s,
        done(
            &c,
            ActKind::Escalate {
                cluster: "prod".into(),
                chain: "critical".into(),
                target: "pagerduty primary".into(),
                labels: labels(&[
                    ("alertname", "HighErrorRate"),
                    ("service", "checkout"),
                    ("severity", "critical"),
                ]),
                annotations: Labels::new(),
                starts_at: t0,
                generator_url: None,
                fingerprint: "f1".into(),
                note: "db team please".into(),
            },
        ),
        &c,
    )));
    c.advance(minute);
    log.extend(records(update(&mut s, Msg::Key(Key::char('n')), &c)));
    for ch in "rolled back v2".chars() {
        log.extend(records(update(&mut s, Msg::Key(Key::char(ch)), &c)));
    }
    log.extend(records(update(
        &mut s,
        Msg::Key(Key::plain(KeyCode::Enter)),
        &c,
    )));
    c.advance(chrono::Duration::minutes(5));
    log.extend(records(update(&mut s, alerts(&c, 3, false), &c)));

    let md = export_markdown(&log, t0 - chrono::Duration::hours(6), c.now());
    let expected = r#"# Incident timeline

- Window: 2026-11-21 21:00:00 to 2026-11-22 03:09:30 (UTC)
- Start: 2026-11-22 03:00:00 UTC (first event)
- Alerts: HighErrorRate{service="checkout",severity="critical"}
- Clusters: prod
- SLOs: none
- Responders: alice

## Timeline

| time (UTC) | event |
|---|---|
| 03:00:00 | CRIT HighErrorRate{service="checkout",severity="critical"} firing (prod) |
| 03:02:30 | alice acked HighErrorRate: ACK: looking at checkout |
| 03:03:30 | alice escalated HighErrorRate{service="checkout",severity="critical"} to pagerduty primary: db team please |
| 03:04:30 | note by alice: rolled back v2 |
| 03:09:30 | HighErrorRate{service="checkout",severity="critical"} resolved (prod) |

## Acknowledgements and escalations

- 03:02:30 alice acknowledged HighErrorRate: ACK: looking at checkout
- 03:03:30 alice escalated HighErrorRate{service="checkout",severity="critical"} to pagerduty primary: db team please

## Time to acknowledge

| alert | fired | acknowledged | time to acknowledge |
|---|---|---|---|
| HighErrorRate{service="checkout",severity="critical"} | 03:00:00 | 03:02:30 | 2m 30s |
"#;
    assert_eq!(md, expected);
}

/// `n` distinct alerts of one cluster, names `Storm0`..`Storm4` in turn, severities in turn.
fn storm(c: &FixedClock, generation: u64, n: usize) -> Msg {
    let start = Utc.with_ymd_and_hms(2026, 11, 22, 2, 58, 0).unwrap();
    let observations = (0..n)
        .map(|i| {
            let name = format!("Storm{}", i % 5);
            let instance = format!("host-{i}");
            let severity = ["critical", "warning"][i % 2];
            let pairs = [
                ("alertname", name.as_str()),
                ("instance", instance.as_str()),
                ("severity", severity),
            ];
            kit::obs("prod", "am-0", kit::alert(&pairs, start))
        })
        .collect();
    let snapshot = kit::snapshot("u", observations, vec![]);
    kit::alerts_msg(kit::am(), generation, c.now(), snapshot)
}

#[test]
fn a_storm_is_one_timeline_entry_with_counts_and_a_few_alerts_stay_one_each() {
    use onwatch::domain::timeline::{Event, STORM_AT, describe};
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let c = FixedClock::new(t0);
    let setup = Setup {
        sources: vec![SourceId::new(SourceKind::Alertmanager, "prod")],
        ..kit::setup()
    };
    let mut s = State::new(setup, t0);
    let few = records(update(&mut s, storm(&c, 1, STORM_AT), &c));
    assert_eq!(
        few.len(),
        STORM_AT,
        "at the threshold each alert is its own entry"
    );
    c.advance(chrono::Duration::minutes(1));
    let stormed = records(update(&mut s, storm(&c, 2, 1000), &c));
    assert_eq!(stormed.len(), 1, "{stormed:?}");
    let Event::Storm {
        fired,
        resolved,
        by_severity,
        by_alert,
        cluster,
    } = &stormed[0].event
    else {
        panic!("a storm entry: {stormed:?}")
    };
    assert_eq!(
        (*fired, *resolved, cluster.as_str()),
        (1000 - STORM_AT, 0, "prod")
    );
    assert_eq!(by_severity.values().sum::<usize>(), 1000 - STORM_AT);
    assert_eq!(by_alert.len(), 5);
    let line = describe(&stormed[0].event);
    assert!(
        line.starts_with("storm: 980 alerts fired in one poll (prod): CRIT 490, WARN 490"),
        "{line}"
    );
    // The same alerts next poll are nothing new; all of them gone is one resolution entry.
    c.advance(chrono::Duration::minutes(1));
    assert!(records(update(&mut s, storm(&c, 3, 1000), &c)).is_empty());
    c.advance(chrono::Duration::minutes(1));
    let cleared = records(update(&mut s, storm(&c, 4, 0), &c));
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    assert!(describe(&cleared[0].event).starts_with("storm: 1000 alerts resolved"));
    // Written and read back as the timeline file holds it.
    let json = serde_json::to_string(&stormed[0]).unwrap();
    let back: Entry = serde_json::from_str(&json).unwrap();
    assert_eq!(back, stormed[0]);
}
