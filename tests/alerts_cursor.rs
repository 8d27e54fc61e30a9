//! The cursor is the alert: rows that move under it never change what a key acts on, a new
//! page cannot hide below older alerts, and the keys that act work wherever an alert is shown.

#![allow(clippy::unwrap_used)]
mod kit;
use chrono::Duration;
use kit::Cockpit;
use onwatch::app::acts::{ActKind, Dialog};
use onwatch::app::state::Overlay;
use onwatch::app::{Effect, Msg};
use onwatch::domain::alerts::{Alert, AlertSort};
use onwatch::domain::keymap::{Key, KeyCode};

/// `name` on `instance`, started `min_ago` minutes before the cockpit's clock.
fn firing(c: &Cockpit, name: &str, severity: &str, instance: &str, min_ago: i64) -> Alert {
    let pairs = [
        ("alertname", name),
        ("severity", severity),
        ("instance", instance),
    ];
    Alert {
        starts_at: c.now() - Duration::minutes(min_ago),
        ..kit::alert(&pairs, c.now())
    }
}

/// What the cursor is on: `alertname/instance` of an alert row, or the group's values.
fn under_cursor(c: &Cockpit) -> String {
    use onwatch::app::state::AlertRow;
    let s = &c.state;
    match s.alert_rows()[s.alert_cursor] {
        AlertRow::Alert(g, a) => {
            let l = s.groups[g].alerts[a].identity();
            format!(
                "{}/{}",
                l.get("alertname").unwrap_or_default(),
                l.get("instance").unwrap_or_default()
            )
        }
        AlertRow::Group(g) => format!("group {}", s.groups[g].key()),
    }
}

fn enter(c: &mut Cockpit) -> Vec<Effect> {
    c.key(Key::plain(KeyCode::Enter))
}

/// The matchers of the ack dialog's silences, one string per cluster.
fn ack_targets(c: &Cockpit) -> Vec<String> {
    match &c.state.acts.dialog {
        Some(Dialog::Ack(d)) => d
            .targets
            .iter()
            .map(|(cluster, m)| format!("{cluster}: {}", onwatch::app::acts::matchers_text(m)))
            .collect(),
        other => panic!("no ack dialog: {other:?}"),
    }
}

fn grouped_by_instance() -> Cockpit {
    Cockpit::with(onwatch::app::state::Setup {
        sources: vec![kit::am()],
        group_by: vec!["instance".into()],
        ..kit::setup()
    })
}

#[test]
fn the_cursor_stays_on_its_alert_when_new_alerts_sort_above_it() {
    let mut c = grouped_by_instance();
    let cert = firing(&c, "CertificateExpiringSoon", "warning", "web-1", 300);
    c.poll(vec![cert.clone()], vec![]);
    assert_eq!(under_cursor(&c), "group instance=web-1");
    enter(&mut c); // expand
    c.keys("j");
    assert_eq!(under_cursor(&c), "CertificateExpiringSoon/web-1");

    // Two criticals arrive and sort above it (pages first), in a group of their own and in its.
    let burn = firing(&c, "PaymentsErrorBudgetBurn", "critical", "web-1", 1);
    let other = firing(&c, "Down", "critical", "db-1", 2);
    c.poll(vec![cert.clone(), burn, other], vec![]);
    assert_eq!(under_cursor(&c), "CertificateExpiringSoon/web-1");
    c.keys("a");
    assert_eq!(
        ack_targets(&c),
        [r#"prod: {alertname="CertificateExpiringSoon", instance="web-1", severity="warning"}"#]
    );
}

#[test]
fn when_the_selected_alert_resolves_the_cursor_moves_to_a_neighbour_and_says_so() {
    let mut c = grouped_by_instance();
    let a = firing(&c, "A", "warning", "web-1", 30);
    let b = firing(&c, "B", "warning", "web-1", 20);
    c.poll(vec![a.clone(), b.clone()], vec![]);
    enter(&mut c);
    c.keys("jj");
    assert_eq!(under_cursor(&c), "B/web-1");
    c.poll(vec![a], vec![]);
    assert_eq!(under_cursor(&c), "A/web-1");
    let status = c.state.status.clone().unwrap();
    assert_eq!(status, "B resolved; cursor moved to A");
}

#[test]
fn a_filter_that_removes_rows_above_keeps_the_cursor_on_its_alert() {
    let mut c = grouped_by_instance();
    let alerts: Vec<Alert> = (0..5)
        .map(|i| firing(&c, &format!("A{i}"), "warning", &format!("h{i}"), 10 + i))
        .collect();
    c.poll(alerts, vec![]);
    c.keys("jjj"); // oldest first: h4 h3 h2 h1 h0
    let chosen = under_cursor(&c);
    assert_eq!(chosen, "group instance=h1");
    c.type_filter("alertname=~A[01]");
    assert_eq!(c.state.groups.len(), 2);
    assert_eq!(under_cursor(&c), chosen);
    c.type_filter("");
    assert_eq!(under_cursor(&c), chosen);
}

#[test]
fn a_new_page_below_older_alerts_is_announced_and_one_key_away() {
    let mut c = grouped_by_instance();
    c.state.alert_sort = AlertSort::Severity; // the order where a new page sorts last
    let old: Vec<Alert> = (0..14)
        .map(|i| firing(&c, "Old", "critical", &format!("h{i:02}"), 60 + i))
        .collect();
    c.poll(old.clone(), vec![]);
    assert_eq!(c.state.new_pages(), 13, "the first is under the cursor");
    // The engineer looks at every old page.
    c.keys(&"j".repeat(13));
    assert_eq!(c.state.new_pages(), 0);

    let mut all = old;
    all.push(firing(&c, "Fresh", "critical", "zz", 1));
    c.poll(all, vec![]);
    assert_eq!(c.state.new_pages(), 1);
    let header = kit::screen(&c.state, 100, 30);
    assert!(
        header.lines().next().unwrap().contains("1 new page: N"),
        "{header}"
    );

    // One key to the page's own row, two more to a confirmed ack.
    c.keys("N");
    assert_eq!(under_cursor(&c), "Fresh/zz");
    assert_eq!(c.state.new_pages(), 0);
    c.keys("a");
    let effects = enter(&mut c);
    let acked: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Act(r) => match &r.kind {
                ActKind::Ack { matchers, .. } => Some(matchers["alertname"].clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(acked, ["Fresh"]);
}

#[test]
fn pages_sort_first_newest_first_and_o_cycles_the_order() {
    let mut c = grouped_by_instance();
    let warn = firing(&c, "Warn", "warning", "a", 90);
    let old_page = firing(&c, "OldPage", "critical", "b", 60);
    let new_page = firing(&c, "NewPage", "critical", "c", 5);
    c.poll(vec![warn, old_page, new_page], vec![]);
    let order = |c: &Cockpit| -> Vec<String> {
        c.state
            .groups
            .iter()
            .map(|g| g.labels["instance"].clone())
            .collect()
    };
    assert_eq!(order(&c), ["c", "b", "a"]);
    c.keys("o");
    assert_eq!(c.state.alert_sort, AlertSort::Severity);
    assert_eq!(order(&c), ["b", "c", "a"]);
    assert_eq!(c.state.status.as_deref(), Some("alerts sorted by severity"));
    c.keys("o");
    assert_eq!(order(&c), ["c", "b", "a"], "newest first");
    c.keys("ooo");
    assert_eq!(c.state.alert_sort, AlertSort::Pages, "back round");
}

#[test]
fn n_clears_a_filter_that_hides_the_page() {
    let mut c = grouped_by_instance();
    let warn = firing(&c, "Warn", "warning", "a", 90);
    let page = firing(&c, "Page", "critical", "b", 5);
    c.poll(vec![warn, page], vec![]);
    c.type_filter("severity=warning");
    assert_eq!(c.state.groups.len(), 1);
    c.keys("N");
    assert_eq!(under_cursor(&c), "Page/b");
    assert!(c.state.alert_filter.is_empty());
    let status = c.state.status.clone().unwrap();
    assert!(status.contains("filter cleared"), "{status}");
}

#[test]
fn the_keys_that_act_work_in_the_detail_view_on_its_alert() {
    let mut c = grouped_by_instance();
    let a = Alert {
        annotations: std::sync::Arc::new(
            kit::labels(&[("runbook_url", "https://rb.example/a")]).into(),
        ),
        ..firing(&c, "A", "critical", "web-1", 5)
    };
    let b = firing(&c, "B", "warning", "web-1", 50);
    c.poll(vec![a, b], vec![]);
    enter(&mut c);
    c.keys("jj");
    assert_eq!(under_cursor(&c), "B/web-1");
    c.keys("k");
    enter(&mut c);
    assert!(matches!(c.state.overlay, Some(Overlay::AlertDetail(_))));
    c.keys("a");
    assert_eq!(
        ack_targets(&c),
        [r#"prod: {alertname="A", instance="web-1", severity="critical"}"#]
    );
    c.key(Key::plain(KeyCode::Esc));
    assert!(matches!(c.state.overlay, Some(Overlay::AlertDetail(_))));
    let effects = c.keys("r");
    assert_eq!(effects, [Effect::OpenUrl("https://rb.example/a".into())]);
    // The logs need the pane: the view closes.
    c.keys("l");
    assert!(c.state.overlay.is_none());
}

#[test]
fn quit_by_command_asks_while_a_page_is_active() {
    let mut c = grouped_by_instance();
    let page = firing(&c, "Page", "critical", "b", 5);
    c.poll(vec![page], vec![]);
    c.keys(":quit");
    let effects = enter(&mut c);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(c.state.overlay, Some(Overlay::ConfirmQuit));
    assert_eq!(c.keys("y"), [Effect::Quit]);
}

#[test]
fn page_keys_move_by_a_screenful() {
    let mut c = grouped_by_instance();
    let alerts: Vec<Alert> = (0..40)
        .map(|i| firing(&c, "A", "warning", &format!("h{i:02}"), 100 - i))
        .collect();
    c.poll(alerts, vec![]);
    c.send(Msg::Resize {
        width: 80,
        height: 24,
    });
    c.key(Key::plain(KeyCode::PageDown));
    assert_eq!(c.state.alert_cursor, 8);
    c.key(Key::plain(KeyCode::PageDown));
    c.key(Key::plain(KeyCode::PageUp));
    assert_eq!(c.state.alert_cursor, 8);
}

#[test]
fn an_alerts_detail_scrolls_to_its_last_label_at_80x24() {
    let mut c = grouped_by_instance();
    let mut labels: Vec<(String, String)> = (0..30)
        .map(|i| (format!("label_{i:02}"), format!("value-{i}")))
        .collect();
    labels.push(("zz_last".into(), "the-end".into()));
    let mut a = firing(&c, "Wide", "warning", "web-1", 5);
    std::sync::Arc::make_mut(&mut a.labels).extend(labels);
    c.poll(vec![a], vec![]);
    c.send(Msg::Resize {
        width: 80,
        height: 24,
    });
    enter(&mut c);
    c.keys("j");
    enter(&mut c);
    assert!(matches!(c.state.overlay, Some(Overlay::AlertDetail(_))));
    let top = kit::screen(&c.state, 80, 24);
    assert!(!top.contains("zz_last"), "{top}");
    assert!(top.contains("lines 1–20 of"), "{top}");
    c.key(Key::plain(KeyCode::End));
    let bottom = kit::screen(&c.state, 80, 24);
    assert!(bottom.contains("zz_last = the-end"), "{bottom}");
    c.key(Key::plain(KeyCode::PageUp));
    c.keys("g");
    assert_eq!(c.state.overlay_scroll, 0);
    assert!(
        matches!(c.state.overlay, Some(Overlay::AlertDetail(_))),
        "moves keep it open"
    );
}

#[test]
fn an_expanded_row_starts_with_the_labels_that_tell_it_from_its_group() {
    let mut c = Cockpit::with(onwatch::app::state::Setup {
        sources: vec![kit::am()],
        ..kit::setup()
    });
    let node = |instance: &str| {
        let pairs = [
            ("alertname", "NodeDown"),
            ("severity", "critical"),
            ("cluster", "eu-1"),
            ("datacenter", "fra"),
            ("instance", instance),
        ];
        kit::alert(&pairs, c.now())
    };
    c.poll(vec![node("db-1:9100"), node("db-2:9100")], vec![]);
    enter(&mut c);
    let screen = kit::screen(&c.state, 80, 24);
    let row = screen
        .lines()
        .find(|l| l.contains("db-1:9100"))
        .unwrap_or_else(|| panic!("{screen}"));
    let at = |s: &str| row.find(s).unwrap_or(usize::MAX);
    assert!(at("instance=db-1:9100") < at("cluster=eu-1"), "{row}");
}
