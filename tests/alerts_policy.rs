//! `[alerts] ack_prefix` and `[alerts.severity]` decide, through `update`, what the pane shows
//! and what `a` writes: another team's prefix and labels read as theirs, not as the defaults.

mod kit;
use chrono::Duration;
use kit::{am, screen};
use onwatch::app::state::Setup;
use onwatch::domain::alerts::{
    AlertPolicy, AlertReading, Severity, SeverityMap, Silence, SilenceState,
};

fn policy() -> AlertPolicy {
    AlertPolicy {
        summary_annotations: vec!["message".into(), "summary".into()],
        ack_prefix: "taken".into(),
        severity: SeverityMap {
            labels: vec!["urgency".into()],
            critical: vec!["sev1".into()],
            warning: vec!["sev2".into()],
            info: vec![],
        },
    }
}

fn silence(id: &str, comment: &str) -> Silence {
    let now = kit::t0();
    Silence {
        id: id.into(),
        matchers: vec![],
        starts_at: now,
        ends_at: now + Duration::hours(1),
        created_by: "bob".into(),
        comment: comment.into(),
        state: SilenceState::Active,
    }
}

#[test]
fn the_configured_prefix_and_severity_labels_are_how_alerts_read() {
    let mut s = kit::state(Setup {
        sources: vec![am()],
        alert_policy: policy(),
        ..kit::setup()
    });
    let at = kit::t0();
    let a = |name: &str, urgency: &str, by: &[&str]| {
        let mut alert = kit::alert(
            &[
                ("alertname", name),
                ("urgency", urgency),
                ("severity", "critical"),
            ],
            at,
        );
        alert.annotations = std::sync::Arc::new(
            kit::labels(&[
                ("message", &format!("{name} is on fire")),
                ("summary", "the generic one"),
            ])
            .into(),
        );
        kit::obs("prod", "am-0", kit::silenced(alert, by))
    };
    let snapshot = kit::snapshot(
        "http://127.0.0.1:1",
        vec![
            a("Mine", "sev1", &["s1"]),
            a("Theirs", "sev2", &["s2"]),
            a("Loud", "SEV1", &[]),
        ],
        vec![
            silence("s1", "Taken: on it"),
            silence("s2", "ACK: the default prefix"),
        ],
    );
    onwatch::app::update(
        &mut s,
        kit::alerts_msg(am(), 1, at, snapshot),
        &kit::clock(),
    );
    let reading = |name: &str| {
        s.cluster_alerts("prod")
            .iter()
            .find(|d| d.alert.labels.get("alertname").unwrap_or_default() == name)
            .map(|d| (d.reading.clone(), d.severity))
            .unwrap()
    };
    assert!(matches!(reading("Mine").0, AlertReading::Acked { ref by, .. } if by == "bob"));
    assert!(
        matches!(reading("Theirs").0, AlertReading::Silenced { .. }),
        "another prefix is maintenance here"
    );
    assert_eq!(
        reading("Loud").1,
        Severity::Critical,
        "urgency, in any case"
    );
    assert_eq!(reading("Theirs").1, Severity::Warning);
    let out = screen(&s, 100, 30);
    assert!(out.contains("CRIT") && out.contains("Loud"), "{out}");
    // The page's summary is the first configured annotation, `message` here.
    let page = s
        .page_worthy
        .iter()
        .find(|p| p.name == "Loud")
        .expect("Loud pages");
    assert_eq!(page.summary.as_deref(), Some("Loud is on fire"));
}

#[test]
fn the_ack_dialog_writes_the_configured_prefix() {
    let mut s = kit::state(Setup {
        sources: vec![am()],
        alert_policy: policy(),
        ..kit::setup()
    });
    let snapshot = kit::snapshot(
        "http://127.0.0.1:1",
        vec![kit::obs(
            "prod",
            "am-0",
            kit::alert(&[("alertname", "Disk")], kit::t0()),
        )],
        vec![],
    );
    onwatch::app::update(
        &mut s,
        kit::alerts_msg(am(), 1, kit::t0(), snapshot),
        &kit::clock(),
    );
    kit::press(
        &mut s,
        onwatch::domain::keymap::Key::plain(onwatch::domain::keymap::KeyCode::Char('a')),
    );
    assert!(screen(&s, 100, 30).contains("comment (taken: …):"));
    kit::type_text(&mut s, "on it");
    let effects = kit::press(
        &mut s,
        onwatch::domain::keymap::Key::plain(onwatch::domain::keymap::KeyCode::Enter),
    );
    let comment = effects
        .iter()
        .find_map(|e| match e {
            onwatch::app::Effect::Act(r) => match &r.kind {
                onwatch::domain::act::ActKind::Ack { comment, .. } => Some(comment.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("Enter posts the ack");
    assert!(comment.starts_with("taken: on it"), "{comment}");
}
