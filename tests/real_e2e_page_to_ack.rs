//! The loop that matters, typed into the real binary in a pseudo-terminal against a real
//! two-replica Alertmanager: a new page below older ones is announced and one key away; `N`,
//! `a`, `Enter` acks it on both replicas (timed); the detail view's `a` acks its alert;
//! Ctrl-C cancels a dialog without posting; `:quit` asks while a page is active; the cursor stays
//! on its alert when pages sort above it; `e` on a group header walks the chain.
#![allow(clippy::unwrap_used)]

mod am_support;
mod kit;

use am_support::{AmPair, prom_alert};
use chrono::Utc;
use kit::pty::{Session, assert_restored};
use std::time::{Duration, Instant};

fn crit(name: &str, instance: &str, min_ago: i64) -> serde_json::Value {
    prom_alert(
        &[
            ("alertname", name),
            ("severity", "critical"),
            ("instance", instance),
        ],
        "prom-a",
        Utc::now() - chrono::Duration::minutes(min_ago),
        None,
    )
}

/// The replica's active silences whose matchers name `alertname`, once it has one.
fn silences_for(
    rt: &tokio::runtime::Runtime,
    am: &AmPair,
    replica: usize,
    alertname: &str,
) -> Vec<onwatch::domain::alerts::Silence> {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let all = rt.block_on(am.client(replica).silences()).unwrap();
        let ours: Vec<_> = all
            .into_iter()
            .filter(|s| s.state == onwatch::domain::alerts::SilenceState::Active)
            .filter(|s| s.matchers.iter().any(|m| m.value == alertname))
            .collect();
        if !ours.is_empty() || Instant::now() > end {
            return ours;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn real_pair_new_page_to_confirmed_ack_in_three_keys() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let am = rt.block_on(AmPair::start());
    // Fourteen older pages the engineer already knows about, one per host.
    let old: Vec<_> = (0..14)
        .map(|i| crit("OldPage", &format!("h{i:02}"), 60 + i))
        .collect();
    rt.block_on(am.post_alerts(&old));
    let urls: Vec<String> = am.replicas.iter().map(|r| r.url()).collect();
    let alerts =
        "[alerts]\ngroup_by = [\"alertname\", \"instance\"]\ndedup_labels = [\"replica\"]\n";
    let (_dir, path) = kit::pty::cockpit_config(&urls, alerts);
    let mut s = Session::start_sized(&["--config", &path], 160, 40);
    s.wait_for(&["\x1b[?1049h"]);
    s.wait_for_screen(&["OldPage", "13 new pages: N"]);

    // Ctrl-C in a dialog cancels it; nothing is posted.
    let mark = s.output.len();
    s.send(b"a");
    s.wait_for_from(mark, &["Acknowledge"]);
    s.send(b"oops\x03");
    s.wait_for_from(mark, &["ack cancelled"]);

    // A new page arrives; the header says so.
    rt.block_on(am.post_alerts(&[crit("FreshPage", "web-1", 1)]));
    s.wait_for_screen(&["FreshPage", "14 new pages: N"]);

    // N, a, Enter: the page's own row, its dialog, the silence, confirmed by a poll.
    let mark = s.output.len();
    let start = Instant::now();
    s.send(b"N");
    s.wait_for_screen(&["page: FreshPage (prod); 13 more new"]);
    s.send(b"a");
    s.wait_for_screen(&["Acknowledge", "instance=\"web-1\""]);
    s.send(b"\r");
    // Confirmed: the poll shows the silence and the row reads it.
    s.wait_for_from(mark, &["acked by pty"]);
    let took = start.elapsed();
    eprintln!("PAGE_TO_CONFIRMED_ACK_MS={}", took.as_millis());
    for replica in 0..2 {
        let sil = silences_for(&rt, &am, replica, "FreshPage");
        assert_eq!(sil.len(), 1, "replica {replica}: {sil:?}");
        assert!(sil[0].comment.starts_with("ACK"), "{:?}", sil[0]);
        assert!(
            sil[0]
                .matchers
                .iter()
                .any(|m| m.name == "instance" && m.value == "web-1"),
            "the alert's own identity: {:?}",
            sil[0].matchers
        );
    }
    // Anything the cancelled dialog had posted would be there before the ack made after it.
    let all = rt.block_on(am.client(0).silences()).unwrap();
    assert_eq!(all.len(), 1, "the cancelled dialog posted nothing: {all:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");

    // In the detail view, `a` acts on the alert shown: the newest page now is an OldPage.
    s.send(b"N");
    s.wait_for_screen(&["page: OldPage (prod)"]);
    s.send(b"\r");
    s.wait_for_screen(&["reported", "instance = h00"]);
    s.send(b"a");
    s.wait_for_screen(&["Acknowledge", "instance=\"h00\""]);
    s.send(b"\r");
    for replica in 0..2 {
        let sil = silences_for(&rt, &am, replica, "h00");
        assert_eq!(
            sil.len(),
            1,
            "the detail view's alert, on replica {replica}: {sil:?}"
        );
    }
    // Esc closes the detail view (waited for: an Esc followed at once by `:` reads as Alt-:).
    s.send(b"\x1b");
    s.wait_for_screen(&["Alerts [2]"]);

    // `:quit` asks, as `q` does, while pages are active.
    s.send(b":quit\r");
    s.wait_for_screen(&["Quit anyway"]);
    s.send(b"y");
    let status = s.wait_exit();
    assert!(status.success(), "{status:?}");
    assert_restored(&s.text());
}

fn warning(name: &str, instance: &str) -> serde_json::Value {
    prom_alert(
        &[
            ("alertname", name),
            ("severity", "warning"),
            ("instance", instance),
        ],
        "prom-a",
        Utc::now() - chrono::Duration::minutes(90),
        None,
    )
}

/// Waits until `path` exists (a command target ran), or fails at the deadline.
fn wait_file(s: &mut Session, path: &std::path::Path) {
    let end = Instant::now() + kit::pty::DEADLINE;
    while !path.exists() {
        assert!(
            Instant::now() < end,
            "{} was never written:\n{}",
            path.display(),
            s.screen()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn real_pair_the_cursor_stays_on_its_alert_and_a_group_walks_its_chain() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let am = rt.block_on(AmPair::start());
    rt.block_on(am.post_alerts(&[warning("CertificateExpiringSoon", "lb-1")]));
    let urls: Vec<String> = am.replicas.iter().map(|r| r.url()).collect();
    let out = tempfile::tempdir().unwrap();
    let touch = |step: &str| {
        format!(
            "[[escalation.targets]]\ntype = \"command\"\nname = \"{step}\"\n\
             argv = [\"touch\", \"{}/{step}-{{{{labels.instance}}}}\"]\n",
            out.path().display()
        )
    };
    let extra = format!(
        "[alerts]\ngroup_by = [\"alertname\"]\ndedup_labels = [\"replica\"]\n\n\
         [[escalation]]\nname = \"crit\"\nmatchers = {{ severity = \"critical\" }}\n\n{}\n{}",
        touch("first"),
        touch("second")
    );
    let (_dir, path) = kit::pty::cockpit_config(&urls, &extra);
    let mut s = Session::start_sized(&["--config", &path], 160, 40);
    s.wait_for_screen(&["CertificateExpiringSoon"]);

    // Two pages arrive and sort above the selected alert: the cursor stays on it, so `a`
    // opens the ack of the alert the engineer chose, not of whatever took its row.
    rt.block_on(am.post_alerts(&[crit("Checkout", "web-1", 2), crit("Checkout", "web-2", 1)]));
    s.wait_for_screen(&["Checkout", "2 new pages: N"]);
    s.send(b"a");
    s.wait_for_screen(&["Acknowledge", "alertname=\"CertificateExpiringSoon\""]);
    assert!(
        !s.screen().contains("alertname=\"Checkout\""),
        "{}",
        s.screen()
    );
    s.send(b"\x03");
    s.wait_for_screen(&["ack cancelled"]);

    // `e` on the group's header escalates its alert to the chain's first target; a second
    // `e` there moves on to the next one, as on the alert's own row.
    s.send(b"k");
    s.send(b"e");
    s.wait_for_screen(&["Escalate", "▶ first"]);
    let instance = if s.screen().contains("instance=\"web-1\"") {
        "web-1"
    } else {
        "web-2"
    };
    s.send(b"\r");
    wait_file(&mut s, &out.path().join(format!("first-{instance}")));
    s.wait_for_screen(&["esc pty→first"]);
    s.send(b"e");
    s.wait_for_screen(&["Escalate", "▶ second", &format!("instance=\"{instance}\"")]);
    s.send(b"\r");
    wait_file(&mut s, &out.path().join(format!("second-{instance}")));

    s.send(b"q");
    s.wait_for_screen(&["Quit anyway"]);
    s.send(b"y");
    assert!(s.wait_exit().success());
    assert_restored(&s.text());
}
