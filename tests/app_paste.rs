//! Pasted text through `update`: it lands in the line or dialog field being typed, with its
//! newlines and control characters made spaces, and it never confirms, acts or quits.

mod kit;
use kit::{am, clock, labels, press};
use onwatch::app::acts::{Chain, Dialog};
use onwatch::app::{Effect, Msg, State, update};
use onwatch::domain::keymap::{Key, KeyCode};

const ENTER: Key = Key::plain(KeyCode::Enter);

fn paste(s: &mut State, text: &str) -> Vec<Effect> {
    update(s, Msg::Pasted(text.into()), &clock())
}

/// One critical alert `Disk` on prod, the cursor on its group, an escalation chain for it.
fn with_alert() -> State {
    let mut s = kit::state(onwatch::app::state::Setup {
        sources: vec![am()],
        ..kit::setup()
    });
    s.acts.setup.ack_duration = std::time::Duration::from_secs(3600);
    s.acts.setup.chains = vec![Chain {
        name: "crit".into(),
        matchers: labels(&[("severity", "critical")]),
        targets: vec!["pd".into()],
    }];
    let alert = kit::alert(
        &[("alertname", "Disk"), ("severity", "critical")],
        kit::t0(),
    );
    let snapshot = kit::snapshot(
        "http://127.0.0.1:1",
        vec![kit::obs("prod", "am-0", alert)],
        vec![],
    );
    update(
        &mut s,
        kit::alerts_msg(am(), 1, kit::t0(), snapshot),
        &clock(),
    );
    assert_eq!(s.groups.len(), 1, "the alert is shown");
    s
}

fn acts(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Act(_)))
        .count()
}

#[test]
fn a_paste_into_the_filter_line_is_text_and_does_not_apply_it() {
    let mut s = with_alert();
    press(&mut s, Key::char('/'));
    assert!(paste(&mut s, "severity=\"critical\",\r\n\tinstance=~\"db.*\"\n").is_empty());
    let input = s.input.as_ref().expect("the filter line stays open");
    assert_eq!(input.text(), "severity=\"critical\",   instance=~\"db.*\" ");
    assert_eq!(
        s.alert_filter, "",
        "the pasted newline did not apply the filter"
    );
    press(&mut s, ENTER);
    assert!(s.input.is_none(), "{:?}", s.input_error);
    assert_eq!(
        s.alert_filter,
        "severity=\"critical\",   instance=~\"db.*\""
    );
}

#[test]
fn a_paste_with_a_newline_into_the_ack_comment_never_posts() {
    let mut s = with_alert();
    press(&mut s, Key::char('a'));
    assert!(matches!(s.acts.dialog, Some(Dialog::Ack(_))));
    let effects = paste(&mut s, "rolled back\nq\r\n");
    assert_eq!(acts(&effects), 0, "{effects:?}");
    assert!(!effects.contains(&Effect::Quit));
    let Some(Dialog::Ack(d)) = &s.acts.dialog else {
        panic!("the ack dialog stays open: {:?}", s.acts.dialog)
    };
    assert!(
        d.comment.text().ends_with("rolled back q  "),
        "{:?}",
        d.comment.text()
    );
    assert!(
        s.acts.pending.is_empty(),
        "nothing was handed to the executor"
    );
    // Only the user's own Enter posts, with the pasted comment.
    let effects = press(&mut s, ENTER);
    assert_eq!(acts(&effects), 1, "{effects:?}");
}

#[test]
fn a_paste_into_the_escalation_note_never_sends() {
    let mut s = with_alert();
    press(&mut s, Key::char('e'));
    let effects = paste(&mut s, "db team\npaged");
    assert_eq!(acts(&effects), 0, "{effects:?}");
    let Some(Dialog::Escalate(d)) = &s.acts.dialog else {
        panic!("the escalation dialog stays open: {:?}", s.acts.dialog)
    };
    assert_eq!(d.note.text(), "db team paged");
}

#[test]
fn a_paste_with_nothing_being_typed_is_ignored_and_the_footer_says_why() {
    let mut s = with_alert();
    // A shell line that, typed as keys, would open the ack dialog and confirm it, then quit.
    let effects = paste(&mut s, "a\rkubectl get pods\rq");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(s.acts.dialog.is_none());
    assert!(s.overlay.is_none());
    assert!(!s.quit);
    let status = s.status.clone().unwrap_or_default();
    assert!(
        status.contains("pasted text ignored") && status.contains("own keypress"),
        "{status}"
    );
    let screen = kit::screen(&s, 120, 30);
    assert!(screen.contains("pasted text ignored"), "{screen}");
}

#[test]
fn a_paste_over_the_unack_question_answers_nothing() {
    let mut s = with_alert();
    s.acts.dialog = Some(Dialog::Unack(onwatch::app::acts::UnackDialog {
        silences: vec![],
    }));
    // `y` would confirm the question if it were a key.
    let effects = paste(&mut s, "y");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(matches!(s.acts.dialog, Some(Dialog::Unack(_))));
    assert!(s.status.unwrap_or_default().contains("ignored"));
}
