//! `:silences` through `update` and drawn into a `TestBackend`: every silence once, active then
//! pending, an ack said as such, expired ones on `x`; marks and a confirmed bulk expiry become
//! one expire request each; refused read-only.

#![allow(clippy::unwrap_used)]

mod kit;

use chrono::Duration;
use kit::Cockpit;
use onwatch::app::Effect;
use onwatch::domain::act::ActKind;
use onwatch::domain::alerts::{Matcher, Silence, SilenceState};
use onwatch::domain::keymap::{Key, KeyCode};

fn silence(c: &Cockpit, id: &str, state: SilenceState, ends_in_min: i64, comment: &str) -> Silence {
    let now = c.now();
    Silence {
        id: id.into(),
        matchers: vec![Matcher {
            name: "alertname".into(),
            value: format!("Alert-{id}"),
            is_regex: false,
            is_equal: true,
        }],
        starts_at: match state {
            SilenceState::Pending => now + Duration::minutes(10),
            _ => now - Duration::minutes(30),
        },
        ends_at: now + Duration::minutes(ends_in_min),
        created_by: "bob".into(),
        comment: comment.into(),
        state,
    }
}

fn open(c: &mut Cockpit) {
    c.key(Key::char(':'));
    for ch in "silences".chars() {
        c.key(Key::char(ch));
    }
    c.key(Key::plain(KeyCode::Enter));
}

fn expiries(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(req) => match &req.kind {
                ActKind::Expire { silence_id, .. } => Some(silence_id.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn cockpit_with_silences() -> Cockpit {
    let mut c = Cockpit::new();
    let now = c.now();
    let alert = kit::silenced(kit::alert(&[("alertname", "Alert-s1")], now), &["s1"]);
    let silences = vec![
        silence(&c, "s2", SilenceState::Active, 120, "db maintenance"),
        silence(&c, "s1", SilenceState::Active, 20, "ACK: looking"),
        silence(&c, "p1", SilenceState::Pending, 240, "Sunday window"),
        silence(&c, "old", SilenceState::Expired, -60, "done"),
    ];
    c.poll(vec![alert], silences);
    c
}

#[test]
fn every_silence_is_listed_once_active_first_and_the_expired_on_x() {
    let mut c = cockpit_with_silences();
    open(&mut c);
    let screen = kit::screen::screen(&c.state, 120, 30);
    assert!(screen.contains("Silences: 2 active, 1 pending"), "{screen}");
    let row = |id: &str| {
        screen
            .lines()
            .position(|l| l.contains(&format!("Alert-{id}")))
            .unwrap_or_else(|| panic!("no row for {id}:\n{screen}"))
    };
    assert!(row("s1") < row("s2") && row("s2") < row("p1"), "{screen}");
    let s1 = screen.lines().nth(row("s1")).unwrap();
    assert!(
        s1.contains("ack") && s1.contains("20m left") && s1.contains("ACK: looking"),
        "{s1}"
    );
    let p1 = screen.lines().nth(row("p1")).unwrap();
    assert!(p1.contains("pending") && p1.contains("in 10m"), "{p1}");
    assert!(!screen.contains("Alert-old"), "{screen}");
    c.keys("x");
    let screen = kit::screen::screen(&c.state, 120, 30);
    assert!(
        screen.contains("1 expired in 24 h") && screen.contains("Alert-old"),
        "{screen}"
    );
    // 80x24 still shows the rows and the keys.
    let small = kit::screen::screen(&c.state, 80, 24);
    assert!(
        small.contains("Alert-s1") && small.contains("esc close"),
        "{small}"
    );
}

#[test]
fn marked_silences_are_expired_together_after_a_confirmation() {
    let mut c = cockpit_with_silences();
    open(&mut c);
    // mark s1 and s2 (the cursor moves down after each mark)
    let effects = c.keys("  ");
    assert!(expiries(&effects).is_empty());
    assert!(expiries(&c.keys("e")).is_empty(), "asked first");
    let screen = kit::screen::screen(&c.state, 120, 30);
    assert!(screen.contains("expire 2 silence(s)? y"), "{screen}");
    let sent = expiries(&c.keys("y"));
    assert_eq!(sent, ["s1", "s2"]);
    // Without marks, `e` takes the row under the cursor; any key but y cancels.
    c.keys("e");
    assert!(expiries(&c.keys("n")).is_empty());
    assert_eq!(c.state.status.as_deref(), Some("expiry cancelled"));
}

#[test]
fn read_only_sends_nothing() {
    let mut c = cockpit_with_silences();
    c.state.read_only = true;
    open(&mut c);
    c.keys("e");
    assert!(expiries(&c.keys("y")).is_empty());
    assert!(c.state.status.as_deref().unwrap().contains("read-only"));
    c.key(Key::plain(KeyCode::Esc));
    assert!(c.state.acts.view.is_none());
}

#[test]
fn the_cursor_row_stays_in_sight_in_a_long_list() {
    let mut c = Cockpit::new();
    let silences: Vec<Silence> = (0..60)
        .map(|i| {
            silence(
                &c,
                &format!("n{i:02}"),
                SilenceState::Active,
                10 + i,
                "window",
            )
        })
        .collect();
    c.poll(vec![], silences);
    open(&mut c);
    c.keys("G");
    let screen = kit::screen::screen(&c.state, 80, 24);
    assert!(screen.contains("Alert-n59"), "{screen}");
    assert!(!screen.contains("Alert-n00"), "{screen}");
    c.keys("g");
    let screen = kit::screen::screen(&c.state, 80, 24);
    assert!(
        screen.contains("Alert-n00") && !screen.contains("Alert-n59"),
        "{screen}"
    );
}

#[test]
fn silences_made_extended_and_expired_by_anyone_reach_the_timeline_once() {
    use onwatch::domain::timeline::{Entry, Event};
    let records = |effects: Vec<Effect>| -> Vec<(String, String)> {
        effects
            .into_iter()
            .filter_map(|e| match e {
                Effect::Record(Entry {
                    event:
                        Event::Silence {
                            silence_id, change, ..
                        },
                    ..
                }) => Some((silence_id, change)),
                _ => None,
            })
            .collect()
    };
    let mut c = Cockpit::new();
    let window = silence(&c, "w", SilenceState::Active, 60, "db maintenance");
    assert!(
        records(c.poll(vec![], vec![window.clone()])).is_empty(),
        "there before we looked"
    );
    let mut longer = window.clone();
    longer.ends_at += Duration::hours(1);
    let fresh = silence(&c, "n", SilenceState::Active, 30, "known issue");
    let ack = silence(&c, "k", SilenceState::Active, 30, "ack: on it");
    assert_eq!(
        records(c.poll(vec![], vec![longer.clone(), fresh.clone(), ack])),
        [
            ("w".to_string(), "extended".to_string()),
            ("n".to_string(), "created".to_string())
        ]
    );
    let mut gone = fresh.clone();
    gone.state = SilenceState::Expired;
    gone.ends_at = c.now();
    assert_eq!(
        records(c.poll(vec![], vec![longer.clone(), gone.clone()])),
        [("n".to_string(), "expired".to_string())]
    );
    assert!(
        records(c.poll(vec![], vec![longer, gone])).is_empty(),
        "once"
    );
    let line = onwatch::domain::timeline::describe(&Event::Silence {
        cluster: "prod".into(),
        silence_id: "n".into(),
        by: "bob".into(),
        comment: "known issue".into(),
        matchers: r#"{alertname="Disk"}"#.into(),
        change: "created".into(),
        ends_at: c.now(),
    });
    assert!(
        line.starts_with(r#"bob silenced {alertname="Disk"} until "#),
        "{line}"
    );
}

fn silences_made(effects: &[Effect]) -> Vec<(String, String, String)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(req) => match &req.kind {
                ActKind::Silence {
                    cluster,
                    matchers,
                    comment,
                    replaces: None,
                    ..
                } => Some((
                    cluster.clone(),
                    onwatch::domain::silence_list::matchers_text(matchers),
                    comment.clone(),
                )),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn type_text(c: &mut Cockpit, text: &str) {
    for ch in text.chars() {
        c.key(Key::char(ch));
    }
}

#[test]
fn a_new_silence_is_previewed_then_sent_to_every_cluster_with_its_matchers_and_comment() {
    let mut c = Cockpit::new();
    let now = c.now();
    let alerts = (1..=3)
        .map(|i| {
            kit::alert(
                &[("alertname", "Disk"), ("instance", &format!("db-{i}"))],
                now,
            )
        })
        .chain([kit::alert(
            &[("alertname", "Disk"), ("instance", "web-1")],
            now,
        )])
        .collect();
    c.poll(alerts, vec![]);
    open(&mut c);
    c.keys("c");
    type_text(&mut c, "alertname=Disk, instance=~\"db-.*\"");
    let screen = kit::screen::screen(&c.state, 100, 30);
    assert!(screen.contains("New silence, every cluster"), "{screen}");
    assert!(
        screen.contains("matches 3 alerts now: Disk{instance=\"db-1\"}"),
        "{screen}"
    );
    assert!(screen.contains("from now until"), "{screen}");
    // No comment yet: refused, the dialog stays.
    assert!(silences_made(&c.key(Key::plain(KeyCode::Enter))).is_empty());
    assert!(
        c.state
            .status
            .as_deref()
            .unwrap()
            .contains("comment is required")
    );
    c.key(Key::plain(KeyCode::Tab));
    c.key(Key::plain(KeyCode::Tab));
    type_text(&mut c, "disk swap");
    let sent = silences_made(&c.key(Key::plain(KeyCode::Enter)));
    assert_eq!(
        sent,
        [(
            "prod".to_string(),
            r#"{alertname="Disk", instance=~"db-.*"}"#.to_string(),
            "disk swap".to_string()
        )]
    );
    assert!(c.state.acts.dialog.is_none());
    assert!(matches!(
        c.state.acts.view,
        Some(onwatch::app::acts::View::Silences(_))
    ));
}

#[test]
fn a_silence_that_takes_nothing_or_everything_is_said_before_enter() {
    let mut c = Cockpit::new();
    let now = c.now();
    let alerts = (0..25)
        .map(|i| kit::alert(&[("alertname", "Cpu"), ("instance", &format!("h{i}"))], now))
        .collect();
    c.poll(alerts, vec![]);
    open(&mut c);
    c.keys("c");
    type_text(&mut c, "alertname=Nope");
    let screen = kit::screen::screen(&c.state, 100, 30);
    assert!(screen.contains("matches no alert now"), "{screen}");
    for _ in 0.."alertname=Nope".len() {
        c.key(Key::plain(KeyCode::Backspace));
    }
    type_text(&mut c, "alertname=Cpu");
    let screen = kit::screen::screen(&c.state, 100, 30);
    assert!(
        screen.contains("matches 25 alerts now (more than 20"),
        "{screen}"
    );
    for _ in 0.."alertname=Cpu".len() {
        c.key(Key::plain(KeyCode::Backspace));
    }
    type_text(&mut c, "env!=prod");
    let screen = kit::screen::screen(&c.state, 100, 30);
    assert!(screen.contains("silence everything"), "{screen}");
    c.key(Key::plain(KeyCode::Esc));
    assert!(c.state.acts.dialog.is_none());
    assert_eq!(c.state.status.as_deref(), Some("silence cancelled"));
}

#[test]
fn the_alert_filter_prefills_the_matchers_and_read_only_refuses() {
    let mut c = Cockpit::new();
    c.type_filter("severity=critical");
    c.state.read_only = true;
    open(&mut c);
    c.keys("c");
    let Some(onwatch::app::acts::Dialog::Silence(d)) = &c.state.acts.dialog else {
        panic!("no dialog");
    };
    assert_eq!(d.matchers.text(), "severity=critical");
    assert_eq!(d.field, 2, "straight to the comment");
    type_text(&mut c, "known issue");
    assert!(silences_made(&c.key(Key::plain(KeyCode::Enter))).is_empty());
    assert!(c.state.status.as_deref().unwrap().contains("read-only"));
}

#[test]
fn plus_makes_the_silence_under_the_cursor_an_hour_longer() {
    let mut c = cockpit_with_silences();
    open(&mut c);
    let effects = c.keys("+");
    let sent: Vec<(Option<String>, chrono::DateTime<chrono::Utc>)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(req) => match &req.kind {
                ActKind::Silence {
                    replaces, ends_at, ..
                } => Some((replaces.clone(), *ends_at)),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(
        sent,
        [(
            Some("s1".to_string()),
            c.now() + Duration::minutes(20) + Duration::hours(1)
        )],
        "the first row, soonest to end"
    );
    c.state.read_only = true;
    assert!(c.keys("+").is_empty());
}

#[test]
fn c_on_a_group_or_an_alert_prefills_what_it_selects() {
    let mut c = Cockpit::new();
    let now = c.now();
    let alerts = ["db-1", "db-2"]
        .iter()
        .map(|i| kit::alert(&[("alertname", "Disk"), ("instance", i)], now))
        .collect();
    c.poll(alerts, vec![]);
    c.keys("2");
    let matchers = |c: &Cockpit| match &c.state.acts.dialog {
        Some(onwatch::app::acts::Dialog::Silence(d)) => d.matchers.text().to_string(),
        other => panic!("no silence dialog: {other:?}"),
    };
    c.keys("c");
    assert_eq!(
        matchers(&c),
        r#"alertname="Disk""#,
        "the group's shared labels"
    );
    c.key(Key::plain(KeyCode::Esc));
    c.key(Key::plain(KeyCode::Enter)); // expand the group
    c.keys("j");
    c.keys("c");
    assert_eq!(
        matchers(&c),
        r#"alertname="Disk", instance="db-1""#,
        "the alert's identity"
    );
    type_text(&mut c, "disk swap");
    let sent = silences_made(&c.key(Key::plain(KeyCode::Enter)));
    assert_eq!(sent[0].1, r#"{alertname="Disk", instance="db-1"}"#);
}
