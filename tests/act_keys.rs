//! Keys that act, driven through `update` with a fixed clock: every dialog, confirm and `Esc`
//! at each step, read-only, pending rows, "until resolved" extension, runbooks, `:audit`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
mod kit;
use kit::{am, clock, labels, screen};
use onwatch::app::acts::{
    ActKind, ActionRequest, ActionResult, ActsSetup, Chain, Dialog, Outcome, UNTIL_RESOLVED, View,
};
use onwatch::app::{Clock, Effect, Msg, State, update};
use onwatch::domain::alerts::{Alert, Labels, Matcher, Observation, Silence, SilenceState};
use onwatch::domain::keymap::{Key, KeyCode};
use std::path::PathBuf;
use std::time::Duration;

fn state(read_only: bool) -> State {
    let setup = onwatch::app::state::Setup {
        read_only,
        sources: vec![am()],
        burn_rules: onwatch::domain::slo::default_rules(),
        dedup_labels: vec!["replica".into()],
        log_max_lines: 10,
        log_max_bytes: 1 << 20,
        ..kit::setup()
    };
    let mut s = kit::state(setup);
    s.acts.setup = ActsSetup {
        ack_duration: Duration::from_secs(3600),
        until_resolved_step: Duration::from_secs(1800),
        chains: vec![Chain {
            name: "crit".into(),
            matchers: labels(&[("severity", "critical")]),
            targets: vec!["pd".into(), "hook".into()],
        }],
        runbook_dir: Some(PathBuf::from("/srv/runbooks")),
        runbook_annotations: onwatch::domain::links::default_runbook_annotations(),
        over_ssh: false,
        nonce: 7,
        pagerduty_ack: None,
        reposts: vec![],
    };
    s
}

fn obs(name: &str, instance: &str, silenced_by: &[&str], annotations: Labels) -> Observation {
    let pairs = [
        ("alertname", name),
        ("severity", "critical"),
        ("instance", instance),
        ("replica", "a"),
    ];
    let alert = Alert {
        annotations: std::sync::Arc::new(annotations.into()),
        starts_at: kit::t0() - chrono::Duration::minutes(10),
        generator_url: Some("http://prom/graph".into()),
        fingerprint: format!("fp-{name}-{instance}"),
        ..kit::alert(&pairs, kit::t0())
    };
    kit::obs("prod", "am-0", kit::silenced(alert, silenced_by))
}

fn ack_silence(id: &str, m: &Labels, comment: &str, ends_in_min: i64) -> Silence {
    let c = clock();
    Silence {
        id: id.into(),
        matchers: m
            .iter()
            .map(|(k, v)| Matcher {
                name: k.clone(),
                value: v.clone(),
                is_regex: false,
                is_equal: true,
            })
            .collect(),
        starts_at: c.now() - chrono::Duration::minutes(5),
        ends_at: c.now() + chrono::Duration::minutes(ends_in_min),
        created_by: "bob".into(),
        comment: comment.into(),
        state: SilenceState::Active,
    }
}

fn feed(
    s: &mut State,
    generation: u64,
    observations: Vec<Observation>,
    silences: Vec<Silence>,
) -> Vec<Effect> {
    let c = clock();
    let snapshot = kit::snapshot("http://127.0.0.1:1", observations, silences);
    update(s, kit::alerts_msg(am(), generation, c.now(), snapshot), &c)
}

fn press(s: &mut State, k: Key) -> Vec<Effect> {
    update(s, Msg::Key(k), &clock())
}

fn ch(c: char) -> Key {
    Key::char(c)
}

const ENTER: Key = Key::plain(KeyCode::Enter);
const ESC: Key = Key::plain(KeyCode::Esc);
const TAB: Key = Key::plain(KeyCode::Tab);

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        assert!(press(s, ch(c)).is_empty());
    }
}

fn acts(effects: &[Effect]) -> Vec<ActionRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(r) => Some((**r).clone()),
            _ => None,
        })
        .collect()
}

/// Two alerts in one group (`Disk` on a and b) and one alone (`Cpu`).
fn with_alerts(read_only: bool) -> State {
    let mut s = state(read_only);
    feed(
        &mut s,
        1,
        vec![
            obs("Disk", "a", &[], Labels::new()),
            obs("Disk", "b", &[], Labels::new()),
            obs("Cpu", "a", &[], Labels::new()),
        ],
        vec![],
    );
    s
}

/// Cursor on the row whose group is `name` (expanded when `alert` is set, row of that instance).
fn select(s: &mut State, name: &str, instance: Option<&str>) {
    let g = s
        .groups
        .iter()
        .position(|g| g.labels.get("alertname").map(String::as_str) == Some(name))
        .unwrap();
    let rows = s.alert_rows();
    s.alert_cursor = rows
        .iter()
        .position(|r| *r == onwatch::app::state::AlertRow::Group(g))
        .unwrap();
    if let Some(inst) = instance {
        press(s, ENTER); // expand
        let a = s.groups[g]
            .alerts
            .iter()
            .position(|a| a.identity().get("instance") == Some(inst))
            .unwrap();
        s.alert_cursor = s
            .alert_rows()
            .iter()
            .position(|r| *r == onwatch::app::state::AlertRow::Alert(g, a))
            .unwrap();
    }
}

#[test]
fn ack_with_defaults_is_three_keystrokes_and_matches_the_identity() {
    let mut s = with_alerts(false);
    select(&mut s, "Disk", None);
    press(&mut s, ENTER); // expand the group
    press(&mut s, Key::plain(KeyCode::Down)); // 1: select the first alert
    assert!(press(&mut s, ch('a')).is_empty()); // 2
    let effects = press(&mut s, ENTER); // 3
    let reqs = acts(&effects);
    assert_eq!(reqs.len(), 1, "{effects:?}");
    let ActKind::Ack {
        cluster,
        matchers,
        exclude,
        comment,
        starts_at,
        ends_at,
        until_resolved,
    } = &reqs[0].kind
    else {
        panic!("{reqs:?}")
    };
    assert_eq!(cluster, "prod");
    assert!(exclude.is_empty(), "no re-post target, nothing to exclude");
    assert_eq!(reqs[0].user, "alice");
    // identity: the replica label is dropped
    assert_eq!(
        matchers,
        &labels(&[
            ("alertname", "Disk"),
            ("instance", "a"),
            ("severity", "critical")
        ])
    );
    assert!(comment.starts_with("ACK: "), "{comment}");
    assert_eq!(*ends_at - *starts_at, chrono::Duration::hours(1));
    assert!(!until_resolved);
    assert!(s.acts.dialog.is_none());
    // the row says "ack pending" until a poll shows the silence
    let disk = s
        .groups
        .iter()
        .find(|g| g.labels["alertname"] == "Disk")
        .unwrap();
    let a = disk
        .alerts
        .iter()
        .find(|a| a.identity().get("instance").unwrap_or_default() == "a")
        .unwrap();
    let b = disk
        .alerts
        .iter()
        .find(|a| a.identity().get("instance").unwrap_or_default() == "b")
        .unwrap();
    let row = onwatch::app::acts::row_note(&s, a).unwrap();
    assert_eq!(onwatch::app::acts::row_note(&s, b), None);
    assert!(row.starts_with("ack pending"), "{row}");
}

#[test]
fn ack_says_which_alerts_pagerduty_will_not_hear_of_when_the_key_template_is_empty() {
    let mut s = with_alerts(false);
    // Only the alerts with a `team` label have a key: none of these do.
    s.acts.setup.pagerduty_ack = Some("{{labels.team}}".into());
    select(&mut s, "Disk", None);
    press(&mut s, ch('a'));
    let out = screen(&s, 100, 30);
    assert!(
        out.contains("PagerDuty: 2 alert(s) left out: the dedup_key template is empty"),
        "{out}"
    );
    assert!(!out.contains("also acknowledged"), "{out}");
    let reqs = acts(&press(&mut s, ENTER));
    let kinds: Vec<&str> = reqs.iter().map(|r| r.kind.name()).collect();
    assert_eq!(kinds, ["ack"]);
}

#[test]
fn ack_with_pagerduty_configured_also_acknowledges_each_pagerduty_alert_once() {
    let mut s = with_alerts(false);
    s.acts.setup.pagerduty_ack = Some("{{alertname}}/{{labels.instance}}/{{cluster}}".into());
    // the group: one silence, and one acknowledge per distinct dedup key (a and b)
    select(&mut s, "Disk", None);
    press(&mut s, ch('a'));
    let out = screen(&s, 100, 30);
    assert!(
        out.contains("PagerDuty: also acknowledged (dedup_key Disk/a/prod and 1 more)"),
        "{out}"
    );
    let reqs = acts(&press(&mut s, ENTER));
    let kinds: Vec<&str> = reqs.iter().map(|r| r.kind.name()).collect();
    assert_eq!(kinds, ["ack", "pagerduty_ack", "pagerduty_ack"]);
    let keys: Vec<&str> = reqs
        .iter()
        .filter_map(|r| match &r.kind {
            ActKind::PagerdutyAck { dedup_key, .. } => Some(dedup_key.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(keys, ["Disk/a/prod", "Disk/b/prod"]);
    assert!(
        s.status
            .clone()
            .unwrap()
            .ends_with("; PagerDuty acknowledge sent"),
        "{:?}",
        s.status
    );

    // one alert, both effects: the PagerDuty result, then the poll confirming the silence
    select(&mut s, "Cpu", None);
    press(&mut s, ch('a'));
    let reqs = acts(&press(&mut s, ENTER));
    let [ack, pd] = reqs.as_slice() else {
        panic!("{reqs:?}")
    };
    let ActKind::PagerdutyAck {
        cluster,
        labels: l,
        dedup_key,
    } = &pd.kind
    else {
        panic!("{pd:?}")
    };
    assert_eq!(
        (cluster.as_str(), dedup_key.as_str()),
        ("prod", "Cpu/a/prod")
    );
    assert_eq!(l.get("replica"), None, "the identity, as the ack matches");
    let done = |s: &mut State, r: &ActionRequest, detail: &str| {
        update(
            s,
            Msg::ActionResult(ActionResult {
                request: r.clone(),
                outcome: Outcome::Done(detail.into()),
            }),
            &clock(),
        )
    };
    // a PagerDuty result polls no Alertmanager
    assert!(done(&mut s, pd, "PagerDuty acknowledge accepted (HTTP 202)").is_empty());
    assert!(
        s.status
            .clone()
            .unwrap()
            .starts_with("PagerDuty acknowledge \"Cpu/a/prod\": done")
    );
    done(&mut s, ack, "s-cpu");
    let ActKind::Ack {
        matchers, comment, ..
    } = &ack.kind
    else {
        panic!()
    };
    feed(
        &mut s,
        2,
        vec![
            obs("Disk", "a", &[], Labels::new()),
            obs("Disk", "b", &[], Labels::new()),
            obs("Cpu", "a", &["s-cpu"], Labels::new()),
        ],
        vec![ack_silence("s-cpu", matchers, comment, 60)],
    );
    let status = s.status.clone().unwrap();
    assert!(
        status.contains("confirmed by the poll; PagerDuty acknowledged"),
        "{status}"
    );
    let cpu = s
        .groups
        .iter()
        .find(|g| g.labels["alertname"] == "Cpu")
        .unwrap()
        .alerts[0]
        .clone();
    let row = onwatch::app::acts::row_note(&s, &cpu).unwrap();
    assert!(row.starts_with("PD acked · acked by bob"), "{row}");

    // without the option, an ack sends no PagerDuty event
    let mut plain = with_alerts(false);
    select(&mut plain, "Cpu", None);
    press(&mut plain, ch('a'));
    assert!(!screen(&plain, 100, 30).contains("PagerDuty"));
    let reqs = acts(&press(&mut plain, ENTER));
    assert_eq!(reqs.len(), 1);
}

#[test]
fn group_ack_matches_exactly_the_group_and_previews_it() {
    let mut s = with_alerts(false);
    select(&mut s, "Disk", None);
    press(&mut s, ch('a'));
    let Some(Dialog::Ack(d)) = &s.acts.dialog else {
        panic!()
    };
    assert_eq!(
        d.targets,
        vec![("prod".to_string(), labels(&[("alertname", "Disk")]))]
    );
    assert_eq!(d.preview.len(), 2);
    assert!(!d.wider_than_selection());
    typed(&mut s, "on it");
    press(&mut s, TAB); // 1h -> 4h
    let reqs = acts(&press(&mut s, ENTER));
    let ActKind::Ack {
        comment,
        starts_at,
        ends_at,
        ..
    } = &reqs[0].kind
    else {
        panic!()
    };
    assert_eq!(comment, "ACK: on it");
    assert_eq!(*ends_at - *starts_at, chrono::Duration::hours(4));
}

#[test]
fn preview_warns_when_the_silence_matches_more_than_the_selection() {
    let mut s = state(false);
    // an alert whose identity is a subset of another's: silencing it silences both
    let mut wide = obs("Net", "a", &[], Labels::new());
    std::sync::Arc::make_mut(&mut std::sync::Arc::make_mut(&mut wide.alert).labels)
        .remove("instance");
    feed(
        &mut s,
        1,
        vec![wide, obs("Net", "b", &[], Labels::new())],
        vec![],
    );
    select(&mut s, "Net", None);
    press(&mut s, ENTER);
    let rows = s.alert_rows();
    // the alert without an instance label
    let a = s.groups[0]
        .alerts
        .iter()
        .position(|a| !a.identity().contains_key("instance"))
        .unwrap();
    s.alert_cursor = rows
        .iter()
        .position(|r| *r == onwatch::app::state::AlertRow::Alert(0, a))
        .unwrap();
    press(&mut s, ch('a'));
    let Some(Dialog::Ack(d)) = &s.acts.dialog else {
        panic!()
    };
    assert_eq!(d.selected, 1);
    assert_eq!(d.preview.len(), 2);
    assert!(d.wider_than_selection());
}

#[test]
fn until_resolved_is_marked_and_extended_while_the_alert_fires() {
    let mut s = with_alerts(false);
    select(&mut s, "Cpu", None);
    press(&mut s, ch('a'));
    press(&mut s, TAB);
    press(&mut s, TAB); // 1h -> 4h -> until resolved
    let reqs = acts(&press(&mut s, ENTER));
    let ActKind::Ack {
        comment,
        until_resolved,
        starts_at,
        ends_at,
        matchers,
        ..
    } = &reqs[0].kind
    else {
        panic!()
    };
    assert!(until_resolved);
    assert!(comment.ends_with(UNTIL_RESOLVED), "{comment}");
    assert_eq!(*ends_at - *starts_at, chrono::Duration::minutes(30));

    // the poll shows it with 10 minutes left while the alert still fires: extended once
    let sil = ack_silence("s-1", matchers, comment, 10);
    let e = feed(
        &mut s,
        2,
        vec![obs("Cpu", "a", &["s-1"], Labels::new())],
        vec![sil.clone()],
    );
    let ext = acts(&e);
    assert_eq!(ext.len(), 1, "{e:?}");
    let ActKind::Extend {
        silence_id,
        ends_at,
        created_by,
        ..
    } = &ext[0].kind
    else {
        panic!()
    };
    assert_eq!(silence_id, "s-1");
    assert_eq!(created_by, "bob");
    assert_eq!(*ends_at, clock().now() + chrono::Duration::minutes(30));
    // not again while that extension is in flight
    assert!(
        acts(&feed(
            &mut s,
            3,
            vec![obs("Cpu", "a", &["s-1"], Labels::new())],
            vec![sil.clone()]
        ))
        .is_empty()
    );
    // resolved (no alert silenced by it): not extended
    let mut s2 = with_alerts(false);
    assert!(acts(&feed(&mut s2, 2, vec![], vec![sil.clone()])).is_empty());
    // plenty of time left: not extended
    let mut s3 = with_alerts(false);
    let long = ack_silence("s-1", matchers, comment, 25);
    assert!(
        acts(&feed(
            &mut s3,
            2,
            vec![obs("Cpu", "a", &["s-1"], Labels::new())],
            vec![long]
        ))
        .is_empty()
    );
    // a wall sends nothing, not even extensions
    let mut wall = with_alerts(true);
    assert!(
        acts(&feed(
            &mut wall,
            2,
            vec![obs("Cpu", "a", &["s-1"], Labels::new())],
            vec![sil]
        ))
        .is_empty()
    );
}

#[test]
fn esc_cancels_every_dialog_at_every_step() {
    // ack: right after opening, after typing, after changing the duration
    for steps in 0..3 {
        let mut s = with_alerts(false);
        select(&mut s, "Disk", None);
        press(&mut s, ch('a'));
        if steps >= 1 {
            typed(&mut s, "x");
        }
        if steps >= 2 {
            press(&mut s, TAB);
        }
        assert!(press(&mut s, ESC).is_empty());
        assert!(s.acts.dialog.is_none());
        assert!(s.acts.pending.is_empty());
        assert_eq!(s.status.as_deref(), Some("ack cancelled"));
    }
    // escalate: after opening, after typing a note, after picking another target
    for steps in 0..3 {
        let mut s = with_alerts(false);
        select(&mut s, "Cpu", None);
        press(&mut s, ch('e'));
        assert!(matches!(s.acts.dialog, Some(Dialog::Escalate(_))));
        if steps >= 1 {
            typed(&mut s, "help");
        }
        if steps >= 2 {
            press(&mut s, TAB);
        }
        assert!(press(&mut s, ESC).is_empty());
        assert!(s.acts.dialog.is_none());
        assert_eq!(s.status.as_deref(), Some("escalate cancelled"));
    }
    // unack: Esc, n and ctrl-c all keep the silence; ctrl-y (a paste elsewhere) is no "yes"
    for cancel in [ESC, ch('n'), Key::ctrl('c')] {
        let mut s = state(false);
        let m = labels(&[
            ("alertname", "Cpu"),
            ("instance", "a"),
            ("severity", "critical"),
        ]);
        feed(
            &mut s,
            1,
            vec![obs("Cpu", "a", &["s-9"], Labels::new())],
            vec![ack_silence("s-9", &m, "ACK: mine", 30)],
        );
        select(&mut s, "Cpu", None);
        press(&mut s, ch('u'));
        assert!(matches!(s.acts.dialog, Some(Dialog::Unack(_))));
        assert!(press(&mut s, Key::ctrl('y')).is_empty());
        assert!(matches!(s.acts.dialog, Some(Dialog::Unack(_))));
        assert!(press(&mut s, cancel).is_empty());
        assert!(s.acts.dialog.is_none());
        assert_eq!(s.status.as_deref(), Some("unack cancelled"));
    }
    // the views close with Esc too
    let mut s = with_alerts(false);
    press(&mut s, Key::char(':'));
    typed(&mut s, "audit");
    assert_eq!(press(&mut s, ENTER), vec![Effect::LoadAudit]);
    assert!(matches!(s.acts.view, Some(View::Audit { .. })));
    press(&mut s, ESC);
    assert!(s.acts.view.is_none());
    // and with ctrl-c, which neither quits nor copies
    press(&mut s, Key::char(':'));
    typed(&mut s, "audit");
    press(&mut s, ENTER);
    assert!(press(&mut s, Key::ctrl('c')).is_empty());
    assert!(s.acts.view.is_none() && !s.quit);
}

#[test]
fn unack_expires_the_ack_silence_after_confirm_and_waits_for_the_poll() {
    let mut s = state(false);
    let m = labels(&[
        ("alertname", "Cpu"),
        ("instance", "a"),
        ("severity", "critical"),
    ]);
    let sil = ack_silence("s-9", &m, "ACK: mine", 30);
    feed(
        &mut s,
        1,
        vec![obs("Cpu", "a", &["s-9"], Labels::new())],
        vec![sil.clone()],
    );
    select(&mut s, "Cpu", None);
    press(&mut s, ch('u'));
    let reqs = acts(&press(&mut s, ENTER));
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        reqs[0].kind,
        ActKind::Unack {
            cluster: "prod".into(),
            silence_id: "s-9".into(),
            matchers: m.clone()
        }
    );
    // delivered: the cluster is polled at once, and the row stays pending until the poll
    let e = update(
        &mut s,
        Msg::ActionResult(ActionResult {
            request: reqs[0].clone(),
            outcome: Outcome::Done("s-9".into()),
        }),
        &clock(),
    );
    // The refresh, and the un-ack for the incident timeline.
    assert_eq!(e[0], Effect::Refresh(vec![am()]));
    assert!(
        matches!(&e[1..], [Effect::Record(r)] if matches!(r.event, onwatch::domain::timeline::Event::Unack { .. }))
    );
    assert_eq!(s.acts.pending.len(), 1);
    let mut expired = sil;
    expired.state = SilenceState::Expired;
    feed(
        &mut s,
        2,
        vec![obs("Cpu", "a", &[], Labels::new())],
        vec![expired],
    );
    assert!(s.acts.pending.is_empty());
    // nothing acked under the cursor: no dialog
    press(&mut s, ch('u'));
    assert!(s.acts.dialog.is_none());
    assert_eq!(s.status.as_deref(), Some("unack: nothing acked here"));
}

#[test]
fn ack_pending_then_retrying_then_confirmed_by_the_poll() {
    let mut s = with_alerts(false);
    select(&mut s, "Cpu", None);
    press(&mut s, ch('a'));
    let req = acts(&press(&mut s, ENTER)).remove(0);
    let result = |o| {
        Msg::ActionResult(ActionResult {
            request: req.clone(),
            outcome: o,
        })
    };
    update(
        &mut s,
        result(Outcome::Retrying("unreachable: refused".into())),
        &clock(),
    );
    let cpu = |s: &State| {
        s.groups
            .iter()
            .find(|g| g.labels["alertname"] == "Cpu")
            .unwrap()
            .alerts[0]
            .clone()
    };
    assert_eq!(
        onwatch::app::acts::row_note(&s, &cpu(&s)).as_deref(),
        Some("ack pending, retrying: unreachable: refused")
    );
    update(&mut s, result(Outcome::Done("s-new".into())), &clock());
    assert!(onwatch::app::acts::row_note(&s, &cpu(&s)).is_some());
    // while it waits for the poll, each tick polls the cluster again
    assert_eq!(
        update(&mut s, Msg::Tick, &clock()),
        vec![Effect::Refresh(vec![am()])]
    );
    // a poll without the silence keeps it pending; with it, it is settled
    feed(&mut s, 2, vec![obs("Cpu", "a", &[], Labels::new())], vec![]);
    assert_eq!(s.acts.pending.len(), 1);
    let ActKind::Ack {
        matchers, comment, ..
    } = &req.kind
    else {
        panic!()
    };
    // the silence is there but the freshest report of the alert does not say so yet
    feed(
        &mut s,
        3,
        vec![obs("Cpu", "a", &[], Labels::new())],
        vec![ack_silence("s-new", matchers, comment, 60)],
    );
    assert_eq!(s.acts.pending.len(), 1);
    feed(
        &mut s,
        4,
        vec![obs("Cpu", "a", &["s-new"], Labels::new())],
        vec![ack_silence("s-new", matchers, comment, 60)],
    );
    assert!(s.acts.pending.is_empty());
    assert!(s.status.clone().unwrap().contains("confirmed by the poll"));
    assert!(update(&mut s, Msg::Tick, &clock()).is_empty());
}

#[test]
fn escalate_offers_the_next_target_and_the_row_says_who_escalated_to_what() {
    let mut s = with_alerts(false);
    select(&mut s, "Cpu", None);
    press(&mut s, ch('e'));
    let Some(Dialog::Escalate(d)) = &s.acts.dialog else {
        panic!()
    };
    assert_eq!(d.target, 0);
    typed(&mut s, "db on fire");
    let req = acts(&press(&mut s, ENTER)).remove(0);
    let ActKind::Escalate {
        target,
        chain,
        note,
        labels: l,
        fingerprint,
        ..
    } = &req.kind
    else {
        panic!()
    };
    assert_eq!(
        (chain.as_str(), target.as_str(), note.as_str()),
        ("crit", "pd", "db on fire")
    );
    assert_eq!(l.get("replica"), None);
    assert_eq!(fingerprint, "fp-Cpu-a");
    update(
        &mut s,
        Msg::ActionResult(ActionResult {
            request: req.clone(),
            outcome: Outcome::Done("accepted".into()),
        }),
        &clock(),
    );
    let cpu = s
        .groups
        .iter()
        .find(|g| g.labels["alertname"] == "Cpu")
        .unwrap()
        .alerts[0]
        .clone();
    assert_eq!(
        onwatch::app::acts::row_note(&s, &cpu).as_deref(),
        Some("esc alice→pd")
    );
    // the next `e` offers the next target
    press(&mut s, ch('e'));
    let Some(Dialog::Escalate(d)) = &s.acts.dialog else {
        panic!()
    };
    assert_eq!(d.chain.targets[d.target], "hook");
    press(&mut s, ESC);
    // no chain matches a warning
    let mut w = state(false);
    let mut o = obs("Warn", "a", &[], Labels::new());
    std::sync::Arc::make_mut(&mut std::sync::Arc::make_mut(&mut o.alert).labels)
        .insert("severity", "warning");
    feed(&mut w, 1, vec![o], vec![]);
    press(&mut w, ch('e'));
    assert!(w.acts.dialog.is_none());
    assert!(w.status.unwrap().contains("no [[escalation]] chain"));
}

#[test]
fn read_only_and_wall_refuse_every_key_that_acts_and_send_nothing() {
    for wall in [false, true] {
        // --read-only, or `:wall` in a cockpit that could act
        let mut s = state(!wall);
        if wall {
            press(&mut s, ch(':'));
            typed(&mut s, "wall");
            press(&mut s, ENTER);
            assert!(s.wall && s.read_only);
        }
        let m = labels(&[
            ("alertname", "Cpu"),
            ("instance", "a"),
            ("severity", "critical"),
        ]);
        // acked "until resolved" with 5 minutes left while it fires: a cockpit that can act
        // would extend it on this poll
        let extend = feed(
            &mut s,
            1,
            vec![obs(
                "Cpu",
                "a",
                &["s-9"],
                labels(&[("runbook_url", "https://rb.example/cpu")]),
            )],
            vec![ack_silence(
                "s-9",
                &m,
                &format!("ACK: x {UNTIL_RESOLVED}"),
                5,
            )],
        );
        assert!(acts(&extend).is_empty(), "wall={wall}: {extend:?}");
        s.acts.setup.pagerduty_ack = Some("{{alertname}}".into());
        select(&mut s, "Cpu", None);
        let records = s.records.len();
        // ack, un-ack, escalate, note
        for k in ['a', 'u', 'e', 'n'] {
            let e = press(&mut s, ch(k));
            assert!(e.is_empty(), "wall={wall} {k}: {e:?}");
            assert!(s.acts.dialog.is_none() && s.input.is_none(), "{k}");
            assert!(
                s.status.as_deref().unwrap().starts_with("read-only"),
                "wall={wall} {k}: {:?}",
                s.status
            );
            // and Enter afterwards confirms nothing
            assert!(acts(&press(&mut s, ENTER)).is_empty());
            select(&mut s, "Cpu", None);
        }
        assert!(s.acts.pending.is_empty());
        assert_eq!(s.records.len(), records, "no note in the timeline");
        // the runbook sends nothing: it still opens
        assert_eq!(
            press(&mut s, ch('r')),
            vec![Effect::OpenUrl("https://rb.example/cpu".into())]
        );
    }
}

#[test]
fn the_runbook_is_read_from_the_configured_annotations_in_their_order() {
    let mut s = state(false);
    s.acts.setup.runbook_annotations = vec!["wiki".into(), "runbook_url".into()];
    let both = labels(&[
        ("wiki", "https://wiki.example/cpu"),
        ("runbook_url", "https://rb.example/cpu"),
    ]);
    feed(&mut s, 1, vec![obs("Cpu", "a", &[], both)], vec![]);
    assert_eq!(
        press(&mut s, ch('r')),
        vec![Effect::OpenUrl("https://wiki.example/cpu".into())],
        "the first configured key wins"
    );
    let mut s = state(false);
    s.acts.setup.runbook_annotations = vec!["wiki".into()];
    feed(
        &mut s,
        1,
        vec![obs(
            "Cpu",
            "a",
            &[],
            labels(&[("runbook_url", "https://rb.example/cpu")]),
        )],
        vec![],
    );
    s.acts.setup.runbook_dir = None;
    assert!(
        press(&mut s, ch('r')).is_empty(),
        "runbook_url is not configured here"
    );
    assert_eq!(
        s.status.as_deref(),
        Some("runbook: no wiki annotation and no [runbooks] dir configured")
    );
}

#[test]
fn an_escalation_carries_the_configured_runbook_as_runbook_url() {
    let mut s = state(false);
    s.acts.setup.runbook_annotations = vec!["wiki".into()];
    let wiki = labels(&[("wiki", "https://wiki.example/cpu")]);
    feed(&mut s, 1, vec![obs("Cpu", "a", &[], wiki)], vec![]);
    select(&mut s, "Cpu", None);
    press(&mut s, ch('e'));
    typed(&mut s, "page the db team");
    let req = acts(&press(&mut s, ENTER)).remove(0);
    let ActKind::Escalate { annotations, .. } = &req.kind else {
        panic!("{req:?}")
    };
    assert_eq!(
        annotations.get("runbook_url").map(String::as_str),
        Some("https://wiki.example/cpu"),
        "what PagerDuty and webhooks read, decided when the request is made"
    );
    assert_eq!(
        annotations.get("wiki").map(String::as_str),
        Some("https://wiki.example/cpu")
    );
}

#[test]
fn runbook_opens_locally_shows_over_ssh_and_refuses_bad_urls() {
    let ann = |u: &str| labels(&[("runbook_url", u)]);
    let run = |url: Option<&str>, ssh: bool| {
        let mut s = state(false);
        s.acts.setup.over_ssh = ssh;
        feed(
            &mut s,
            1,
            vec![obs("Cpu", "a", &[], url.map(ann).unwrap_or_default())],
            vec![],
        );
        let e = press(&mut s, ch('r'));
        (s, e)
    };
    let (_, e) = run(Some("https://rb.example/cpu"), false);
    assert_eq!(e, vec![Effect::OpenUrl("https://rb.example/cpu".into())]);
    let (_, e) = run(None, false);
    assert_eq!(
        e,
        vec![Effect::OpenUrl("file:///srv/runbooks/Cpu.md".into())]
    );
    let (s, e) = run(None, true);
    assert_eq!(e, vec![Effect::ReadRunbook("/srv/runbooks/Cpu.md".into())]);
    assert!(matches!(s.acts.view, Some(View::Runbook { .. })));
    let (mut s, e) = run(Some("https://rb.example/cpu"), true);
    assert!(e.is_empty());
    assert_eq!(
        s.acts.view,
        Some(View::Link {
            url: "https://rb.example/cpu".into()
        })
    );
    assert_eq!(
        press(&mut s, ch('c')),
        vec![Effect::Copy("https://rb.example/cpu".into())]
    );
    press(&mut s, ESC);
    assert!(s.acts.view.is_none());
    for bad in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "-x",
        "https://a/$(id)",
    ] {
        let (s, e) = run(Some(bad), false);
        assert!(e.is_empty(), "{bad}");
        assert!(
            s.status.as_deref().unwrap().contains("refused"),
            "{bad}: {:?}",
            s.status
        );
    }
}

#[test]
fn a_runbook_the_opener_cannot_open_is_copied_and_the_footer_says_why() {
    let mut s = state(false);
    feed(
        &mut s,
        1,
        vec![obs(
            "Cpu",
            "a",
            &[],
            labels(&[("runbook_url", "https://rb.example/cpu")]),
        )],
        vec![],
    );
    assert_eq!(
        press(&mut s, ch('r')),
        vec![Effect::OpenUrl("https://rb.example/cpu".into())]
    );
    let e = update(
        &mut s,
        Msg::OpenFailed {
            url: "https://rb.example/cpu".into(),
            why: "no browser opener (xdg-open: not found)".into(),
        },
        &clock(),
    );
    assert_eq!(e, vec![Effect::Copy("https://rb.example/cpu".into())]);
    let screen = screen(&s, 120, 40);
    let footer = screen.lines().last().unwrap();
    assert!(
        footer.contains("no browser opener (xdg-open: not found); URL copied"),
        "{footer}"
    );
    assert!(!footer.contains("opening"), "{footer}");
}

/// An opener looked up on a `PATH` made for the test: none there, one that fails, one that
/// opens.
#[tokio::test]
async fn the_opener_says_when_it_is_missing_or_fails() {
    use onwatch::actions::opener::Opener;
    use std::os::unix::fs::PermissionsExt;
    let empty = tempfile::tempdir().unwrap();
    let on = |dir: &std::path::Path| Opener {
        program: "xdg-open".into(),
        path: Some(dir.as_os_str().to_owned()),
    };
    assert_eq!(
        on(empty.path()).open("https://rb.example/cpu").await,
        Err("no browser opener (xdg-open: not found)".to_string())
    );
    for (code, want) in [
        (
            3,
            Err("the browser opener failed (xdg-open: exit status: 3)".to_string()),
        ),
        (0, Ok(())),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("xdg-open");
        std::fs::write(&script, format!("#!/bin/sh\nexit {code}\n")).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(on(dir.path()).open("https://rb.example/cpu").await, want);
    }
}

#[test]
fn dialogs_render_at_80x24_and_200x50() {
    for (w, h) in [(80, 24), (200, 50)] {
        let mut s = with_alerts(false);
        select(&mut s, "Disk", None);
        press(&mut s, ch('a'));
        typed(&mut s, "looking");
        let out = screen(&s, w, h);
        for want in [
            "Acknowledge",
            "silence on prod: {alertname=\"Disk\"}",
            "[1h]",
            "looking",
            "matches 2 alert(s)",
            "Enter ack",
        ] {
            assert!(out.contains(want), "{w}x{h} lacks {want:?}:\n{out}");
        }
        press(&mut s, TAB);
        press(&mut s, TAB);
        let out = screen(&s, w, h);
        assert!(out.contains("[until resolved]"), "{out}");
        assert!(out.contains("extended only while some onwatch"), "{out}");
        press(&mut s, ESC);

        select(&mut s, "Cpu", None);
        press(&mut s, ch('e'));
        let out = screen(&s, w, h);
        for want in ["Escalate", "chain crit:", "▶ pd", "hook", "Enter escalate"] {
            assert!(out.contains(want), "{w}x{h} lacks {want:?}:\n{out}");
        }
        press(&mut s, ESC);
        // the pending ack shows on the row
        select(&mut s, "Cpu", None);
        press(&mut s, ch('a'));
        press(&mut s, ENTER);
        let out = screen(&s, w, h);
        assert!(out.contains("ack pending"), "{w}x{h}:\n{out}");
    }
}

#[test]
fn runbook_markdown_renders_headings_lists_and_code() {
    let mut s = with_alerts(false);
    s.acts.setup.over_ssh = true;
    press(&mut s, ch('r'));
    update(
        &mut s,
        Msg::RunbookText {
            title: "/srv/runbooks/Disk.md".into(),
            result: Ok("# Disk full\n\n- check `df -h`\n  * nested\n```\nrm -rf /tmp/cache\n```\nplain \u{1b}[31mtext\n".into()),
        },
        &clock(),
    );
    let out = screen(&s, 100, 30);
    for want in [
        "Disk full",
        "• check `df -h`",
        "  • nested",
        "  rm -rf /tmp/cache",
        "plain ^[[31mtext",
    ] {
        assert!(out.contains(want), "lacks {want:?}:\n{out}");
    }
    assert!(!out.contains("# Disk"), "{out}");
    assert!(!out.contains("```"), "{out}");
}

#[test]
fn audit_view_shows_one_line_per_action() {
    let mut s = with_alerts(false);
    press(&mut s, Key::char(':'));
    typed(&mut s, "audit");
    press(&mut s, ENTER);
    let line = r#"{"time":"2026-11-22T03:00:00Z","user":"alice","host":"h","ssh_client":null,"id":"1","action":"ack","cluster":"prod","matchers":{"alertname":"Disk"},"outcome":"done","detail":"sil-1"}"#;
    update(
        &mut s,
        Msg::AuditLines(Ok(vec![line.into(), "not json".into()])),
        &clock(),
    );
    let out = screen(&s, 120, 30);
    assert!(
        out.contains(r#"2026-11-22 03:00:00 alice ack prod {"alertname":"Disk"} done sil-1"#),
        "{out}"
    );
    assert!(out.contains("not json"), "{out}");
}
