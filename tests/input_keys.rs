//! The keys of the input lines and the dialogs' text fields, driven through `update`: readline
//! editing, Esc and Ctrl-C cancelling (never quitting), ↑/↓ recalling earlier filters and
//! commands.

mod kit;
use kit::{am, labels, press, screen, type_text};
use onwatch::app::acts::{ActsSetup, Chain, Dialog};
use onwatch::app::state::{InputKind, Overlay, Setup};
use onwatch::app::{Effect, State};
use onwatch::domain::alerts::Observation;
use onwatch::domain::keymap::{Key, KeyCode};

const ENTER: Key = Key::plain(KeyCode::Enter);
const ESC: Key = Key::plain(KeyCode::Esc);
const UP: Key = Key::plain(KeyCode::Up);
const DOWN: Key = Key::plain(KeyCode::Down);
const CTRL_C: Key = Key::ctrl('c');

fn obs(name: &str, severity: &str) -> Observation {
    let alert = kit::alert(&[("alertname", name), ("severity", severity)], kit::t0());
    kit::obs("prod", "am-0", alert)
}

/// Two alerts from `prod`, one of them with an escalation chain, the cursor on the first group.
fn cockpit() -> State {
    let setup = Setup {
        sources: vec![am()],
        acts: ActsSetup {
            chains: vec![Chain {
                name: "crit".into(),
                matchers: labels(&[("severity", "critical")]),
                targets: vec!["pd".into()],
            }],
            ..ActsSetup::default()
        },
        ..kit::setup()
    };
    let mut s = kit::state(setup);
    let snapshot = kit::snapshot(
        "http://127.0.0.1:1",
        vec![obs("Disk", "critical"), obs("Cpu", "warning")],
        vec![],
    );
    let c = kit::clock();
    onwatch::app::update(&mut s, kit::alerts_msg(am(), 1, kit::t0(), snapshot), &c);
    assert_eq!(s.groups.len(), 2);
    s
}

fn quits(effects: &[Effect]) -> bool {
    effects.iter().any(|e| matches!(e, Effect::Quit))
}

fn acts(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Act(_)))
        .count()
}

fn footer(s: &State) -> String {
    screen(s, 100, 30)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

fn line(s: &State) -> &str {
    s.input.as_ref().map_or("<closed>", |i| i.text())
}

/// `/`, the line cleared with Ctrl-U, `text`, Enter.
fn apply_filter(s: &mut State, text: &str) {
    press(s, Key::char('/'));
    press(s, Key::ctrl('u'));
    type_text(s, text);
    press(s, ENTER);
    assert!(s.input.is_none(), "{text} was refused: {:?}", s.input_error);
}

#[test]
fn ctrl_c_cancels_the_filter_line_and_keeps_the_filter() {
    let mut s = cockpit();
    apply_filter(&mut s, "alertname=Disk");
    assert_eq!(s.alert_filter, "alertname=Disk");
    press(&mut s, Key::char('/'));
    type_text(&mut s, ",severity=");
    let effects = press(&mut s, CTRL_C);
    assert!(
        !quits(&effects) && !s.quit,
        "Ctrl-C in an input never quits"
    );
    assert!(s.input.is_none());
    assert_eq!(s.alert_filter, "alertname=Disk");
    assert_eq!(s.groups.len(), 1);
    let f = footer(&s);
    assert!(f.contains("filter cancelled"), "{f}");
}

#[test]
fn esc_and_ctrl_c_cancel_every_input_line_and_say_which() {
    let mut s = cockpit();
    for (open, what) in [('/', "filter"), (':', "command"), ('n', "note")] {
        for cancel in [ESC, CTRL_C] {
            press(&mut s, Key::char(open));
            type_text(&mut s, "half typed");
            assert!(s.input.is_some());
            let effects = press(&mut s, cancel);
            assert!(!quits(&effects) && !s.quit, "{what} {cancel:?}");
            assert!(s.input.is_none(), "{what} {cancel:?}");
            assert_eq!(
                s.status.as_deref(),
                Some(format!("{what} cancelled").as_str())
            );
        }
    }
    assert!(
        s.records.is_empty(),
        "a cancelled note is not in the timeline"
    );
    // Outside an input, Ctrl-C is still the keymap's quit, which asks first during a page.
    press(&mut s, CTRL_C);
    assert_eq!(s.overlay, Some(Overlay::ConfirmQuit));
}

#[test]
fn a_bad_filter_is_cancelled_with_its_error() {
    let mut s = cockpit();
    press(&mut s, Key::char('/'));
    type_text(&mut s, "{bad");
    press(&mut s, ENTER);
    assert!(s.input_error.is_some());
    press(&mut s, CTRL_C);
    assert_eq!((s.input.is_none(), s.input_error.as_ref()), (true, None));
}

#[test]
fn ctrl_c_cancels_the_ack_and_escalate_dialogs_and_sends_nothing() {
    let mut s = cockpit();
    for (open, what) in [('a', "ack"), ('e', "escalate")] {
        press(&mut s, Key::char(open));
        let opened = match &s.acts.dialog {
            Some(Dialog::Ack(_)) => "ack",
            Some(Dialog::Escalate(_)) => "escalate",
            other => panic!("{open}: {other:?}"),
        };
        assert_eq!(opened, what);
        type_text(&mut s, "on it");
        let effects = press(&mut s, CTRL_C);
        assert_eq!(acts(&effects), 0, "{what}");
        assert!(!quits(&effects) && !s.quit, "{what}");
        assert!(s.acts.dialog.is_none(), "{what}");
        let f = footer(&s);
        assert!(f.contains(&format!("{what} cancelled")), "{f}");
    }
    // Nothing was left to send: Enter now opens the group, it does not ack.
    assert_eq!(acts(&press(&mut s, ENTER)), 0);
}

#[test]
fn the_ack_comment_edits_with_readline_keys() {
    let mut s = cockpit();
    press(&mut s, Key::char('a'));
    type_text(&mut s, "disk full");
    press(&mut s, Key::ctrl('w'));
    type_text(&mut s, "filling");
    press(&mut s, Key::ctrl('a'));
    type_text(&mut s, "db ");
    press(&mut s, Key::ctrl('e'));
    press(&mut s, Key::ctrl('u'));
    type_text(&mut s, "looking");
    let Some(Dialog::Ack(d)) = &s.acts.dialog else {
        panic!("the ack dialog closed: {:?}", s.status);
    };
    assert_eq!(d.comment.text(), "looking");
    press(&mut s, Key::ctrl('y'));
    let effects = press(&mut s, ENTER);
    let comment = effects
        .iter()
        .find_map(|e| match e {
            Effect::Act(r) => match &r.kind {
                onwatch::app::acts::ActKind::Ack { comment, .. } => Some(comment.clone()),
                _ => None,
            },
            _ => None,
        })
        .unwrap_or_default();
    assert_eq!(comment, "ACK: lookingdb disk filling");
}

#[test]
fn up_and_down_recall_earlier_filters() {
    let mut s = cockpit();
    apply_filter(&mut s, "severity=warning");
    apply_filter(&mut s, "alertname=Disk");
    apply_filter(&mut s, "alertname=Disk");
    press(&mut s, Key::char('/'));
    press(&mut s, Key::ctrl('u'));
    type_text(&mut s, "sev");
    press(&mut s, UP);
    assert_eq!(line(&s), "alertname=Disk");
    press(&mut s, UP);
    assert_eq!(line(&s), "severity=warning", "no duplicates in a row");
    press(&mut s, UP);
    assert_eq!(line(&s), "severity=warning", "the oldest stays");
    press(&mut s, DOWN);
    assert_eq!(line(&s), "alertname=Disk");
    press(&mut s, DOWN);
    assert_eq!(line(&s), "sev", "back to what was being typed");
    press(&mut s, DOWN);
    assert_eq!(line(&s), "sev");
    // A recalled filter applies like a typed one.
    press(&mut s, UP);
    press(&mut s, UP);
    press(&mut s, ENTER);
    assert_eq!(s.alert_filter, "severity=warning");
    assert_eq!(s.groups.len(), 1);
    let name = s.groups[0].alerts[0].identity().get("alertname");
    assert_eq!(name, Some("Cpu"));
}

#[test]
fn the_filter_line_opens_on_the_filter_and_up_goes_past_it() {
    let mut s = cockpit();
    apply_filter(&mut s, "severity=warning");
    apply_filter(&mut s, "alertname=Disk");
    press(&mut s, Key::char('/'));
    assert_eq!(line(&s), "alertname=Disk");
    press(&mut s, UP);
    assert_eq!(line(&s), "severity=warning");
    // Undo takes the recall back.
    press(&mut s, Key::ctrl('_'));
    assert_eq!(line(&s), "alertname=Disk");
}

#[test]
fn the_command_line_recalls_commands_not_filters() {
    let mut s = cockpit();
    apply_filter(&mut s, "alertname=Disk");
    press(&mut s, Key::char(':'));
    type_text(&mut s, "help");
    press(&mut s, ENTER);
    press(&mut s, ESC);
    press(&mut s, Key::char(':'));
    assert_eq!(s.input.as_ref().map(|i| &i.kind), Some(&InputKind::Command));
    press(&mut s, UP);
    assert_eq!(line(&s), "help");
    press(&mut s, UP);
    assert_eq!(line(&s), "help", "only one command so far");
    press(&mut s, ESC);
    // A cancelled line is not kept.
    press(&mut s, Key::char(':'));
    type_text(&mut s, "theme nope");
    press(&mut s, CTRL_C);
    press(&mut s, Key::char(':'));
    press(&mut s, UP);
    assert_eq!(line(&s), "help");
    // Notes have no history: ↑ leaves the note as typed.
    press(&mut s, ESC);
    press(&mut s, Key::char('n'));
    type_text(&mut s, "paged db");
    press(&mut s, UP);
    assert_eq!(line(&s), "paged db");
}

#[test]
fn every_prompt_keeps_its_text_apart_from_what_is_typed() {
    let mut s = cockpit();
    for (key, shown) in [
        ('n', "note: rolled back"),
        ('/', "/ rolled back"),
        (':', ": rolled back"),
    ] {
        press(&mut s, Key::char(key));
        type_text(&mut s, "rolled back");
        assert!(footer(&s).starts_with(shown), "{key}: {:?}", footer(&s));
        press(&mut s, ESC);
    }
}

#[test]
fn a_long_filter_error_wraps_above_the_line_instead_of_being_cut() {
    let mut s = cockpit();
    press(&mut s, Key::char('/'));
    let long = format!("service=~\"(unclosed{}\"", "-x".repeat(60));
    type_text(&mut s, &long);
    press(&mut s, ENTER);
    let err = s.input_error.clone().expect("refused");
    let shown = screen(&s, 80, 24);
    let rows: Vec<&str> = shown.lines().collect();
    let above: String = rows[..23]
        .iter()
        .filter(|r| r.contains("✗") || r.starts_with("   "))
        .map(|r| r.trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(err.chars().count() > 80, "a long error: {err}");
    let words: Vec<&str> = err.split_whitespace().collect();
    assert!(
        above.contains(words[words.len() - 1]),
        "the end of {err:?} is shown:\n{shown}"
    );
    assert!(rows[23].starts_with("/ "), "the line stays: {}", rows[23]);
}
