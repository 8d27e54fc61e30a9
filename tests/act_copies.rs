//! Escalated copies (an alert re-posted with `escalated="true"` so the next tier is paged):
//! an ack before the escalation does not mute it, a group's second `e` moves along the chain,
//! and the wall counts the copy and its original as one incident.

#![allow(clippy::unwrap_used)]
mod kit;
use chrono::Duration;
use kit::Cockpit;
use onwatch::app::acts::{ActKind, ActionResult, ActsSetup, Chain, Dialog, Outcome};
use onwatch::app::state::Setup;
use onwatch::app::{Effect, Msg};
use onwatch::domain::alerts::{Alert, Matcher, Silence, SilenceState};
use onwatch::domain::keymap::{Key, KeyCode};

fn cockpit() -> Cockpit {
    Cockpit::with(Setup {
        sources: vec![kit::am()],
        acts: ActsSetup {
            chains: vec![Chain {
                name: "crit".into(),
                matchers: kit::labels(&[("severity", "critical")]),
                targets: vec!["next tier".into(), "pd".into()],
            }],
            reposts: vec![kit::labels(&[("escalated", "true")])],
            ..ActsSetup::default()
        },
        ..kit::setup()
    })
}

fn original(c: &Cockpit) -> Alert {
    Alert {
        starts_at: c.now() - Duration::minutes(10),
        ..kit::alert(
            &[
                ("alertname", "Down"),
                ("severity", "critical"),
                ("instance", "db-1"),
            ],
            c.now(),
        )
    }
}

/// What the re-post target sends: the original's labels plus `escalated="true"`, newer.
fn copy(c: &Cockpit) -> Alert {
    let mut a = original(c);
    std::sync::Arc::make_mut(&mut a.labels).insert("escalated", "true");
    a.starts_at = c.now() - Duration::minutes(1);
    a
}

fn enter(c: &mut Cockpit) -> Vec<Effect> {
    c.key(Key::plain(KeyCode::Enter))
}

fn requests(effects: &[Effect]) -> Vec<ActKind> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(r) => Some(r.kind.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_group_ack_keeps_its_silence_off_the_escalated_copy() {
    let mut c = cockpit();
    c.poll(vec![original(&c), copy(&c)], vec![]);
    c.keys("a"); // the group row, Down
    let Some(Dialog::Ack(d)) = &c.state.acts.dialog else {
        panic!("no ack dialog")
    };
    assert_eq!(
        d.preview.len(),
        1,
        "the copy is not in what the silence matches"
    );
    let screen = kit::screen(&c.state, 100, 30);
    assert!(
        screen.contains(r#"not escalated copies (escalated!="true")"#),
        "{screen}"
    );
    let sent = requests(&enter(&mut c));
    let [
        ActKind::Ack {
            matchers, exclude, ..
        },
    ] = sent.as_slice()
    else {
        panic!("{sent:?}")
    };
    assert_eq!(matchers, &kit::labels(&[("alertname", "Down")]));
    assert_eq!(exclude, &kit::labels(&[("escalated", "true")]));
}

#[test]
fn an_ack_of_the_copy_itself_names_it_and_excludes_nothing() {
    let mut c = cockpit();
    c.poll(vec![original(&c), copy(&c)], vec![]);
    enter(&mut c); // expand; the copy is newer, so first
    c.keys("ja");
    let sent = requests(&enter(&mut c));
    let [
        ActKind::Ack {
            matchers, exclude, ..
        },
    ] = sent.as_slice()
    else {
        panic!("{sent:?}")
    };
    assert_eq!(matchers.get("escalated").map(String::as_str), Some("true"));
    assert!(exclude.is_empty(), "{exclude:?}");
}

#[test]
fn a_second_escalation_on_the_group_moves_along_the_chain() {
    let mut c = cockpit();
    c.poll(vec![original(&c)], vec![]);
    c.keys("e");
    let Some(Dialog::Escalate(d)) = &c.state.acts.dialog else {
        panic!("no escalation dialog")
    };
    assert_eq!(d.target, 0);
    let effects = enter(&mut c);
    let Some(Effect::Act(request)) = effects.iter().find(|e| matches!(e, Effect::Act(_))) else {
        panic!("{effects:?}")
    };
    c.send(Msg::ActionResult(ActionResult {
        request: (**request).clone(),
        outcome: Outcome::Done("posted".into()),
    }));
    // The re-post arrives and sorts first in the group (newest page).
    c.poll(vec![original(&c), copy(&c)], vec![]);
    assert_eq!(
        c.state.groups[0].alerts[0].alert.labels.get("escalated"),
        Some("true")
    );
    c.keys("e");
    let Some(Dialog::Escalate(d)) = &c.state.acts.dialog else {
        panic!("no escalation dialog")
    };
    assert_eq!(d.chain.targets[d.target], "pd", "moved on, as on the row");
}

#[test]
fn the_copy_and_its_original_are_one_incident_on_the_wall_and_in_pages() {
    let mut c = cockpit();
    c.poll(vec![original(&c), copy(&c)], vec![]);
    assert_eq!(onwatch::ui::wall::counts(&c.state).critical, 1);
    assert_eq!(c.state.page_worthy.len(), 1);
    // Once the original resolves, the copy is what still fires.
    c.poll(vec![copy(&c)], vec![]);
    assert_eq!(onwatch::ui::wall::counts(&c.state).critical, 1);
    assert_eq!(c.state.page_worthy.len(), 1);
}

#[test]
fn an_until_resolved_ack_is_extended_with_its_exclusions_intact() {
    let mut c = cockpit();
    let ack = Silence {
        id: "s1".into(),
        matchers: vec![
            Matcher {
                name: "alertname".into(),
                value: "Down".into(),
                is_regex: false,
                is_equal: true,
            },
            Matcher {
                name: "escalated".into(),
                value: "true".into(),
                is_regex: false,
                is_equal: false,
            },
        ],
        starts_at: c.now() - Duration::minutes(50),
        ends_at: c.now() + Duration::minutes(5),
        created_by: "alice".into(),
        comment: format!("ACK: on it {}", onwatch::app::acts::UNTIL_RESOLVED),
        state: SilenceState::Active,
    };
    let silenced = kit::silenced(original(&c), &["s1"]);
    let sent = requests(&c.poll(vec![silenced], vec![ack]));
    let [
        ActKind::Extend {
            matchers, exclude, ..
        },
    ] = sent.as_slice()
    else {
        panic!("{sent:?}")
    };
    assert_eq!(matchers, &kit::labels(&[("alertname", "Down")]));
    assert_eq!(exclude, &kit::labels(&[("escalated", "true")]));
}
