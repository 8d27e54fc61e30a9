//! A silence made in the cockpit, keys typed into the real binary in a pseudo-terminal, against
//! a real two-replica Alertmanager 0.25: `S`, `c`, the matchers, a duration, a comment, Enter.
//! amtool then shows it on both replicas as typed (matchers, start, end, author, comment), and
//! the view lists it.
#![allow(clippy::unwrap_used)]

mod am_support;
mod kit;

use am_support::{AmPair, prom_alert};
use chrono::Utc;
use kit::pty::{Session, eventually};
use serde_json::Value;

#[test]
fn a_silence_typed_in_the_cockpit_is_what_amtool_shows_on_both_replicas() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let am = rt.block_on(AmPair::start());
    let since = Utc::now() - chrono::Duration::minutes(3);
    let posted: Vec<Value> = ["db-1", "db-2", "web-1"]
        .iter()
        .map(|i| {
            prom_alert(
                &[("alertname", "DiskFull"), ("instance", i)],
                "prom-a",
                since,
                None,
            )
        })
        .collect();
    rt.block_on(am.post_alerts(&posted));
    let urls: Vec<String> = am.replicas.iter().map(|r| r.url()).collect();
    let (_dir, path) = kit::pty::cockpit_config(&urls, "[alerts]\ndedup_labels = [\"replica\"]\n");
    let mut s = Session::start_sized(&["--config", &path], 120, 36);
    s.wait_for_screen(&["DiskFull"]);

    s.send(b"S");
    s.wait_for_screen(&["Silences: 0 active"]);
    s.send(b"c");
    s.wait_for_screen(&["New silence, every cluster"]);
    s.send(b"alertname=DiskFull, instance=~\"db-.*\"");
    s.wait_for_screen(&["matches 2 alerts now"]);
    // Tab to the length, replace the 2h default (ctrl-u cuts to the start), then the comment.
    s.send(b"\t\x15");
    s.send(b"90m\t");
    s.send(b"disk swap on the db hosts");
    let asked = Utc::now();
    s.send(b"\r");
    // The row (its comment cut to the screen's width) once a poll shows the silence.
    s.wait_for_screen(&["disk swap on the db", "Silences: 1 active"]);

    let made = eventually("the silence on both replicas", || {
        let found: Vec<Value> = urls
            .iter()
            .flat_map(|u| kit::amtool::silences(u, false).into_values())
            .filter(|x| x["comment"] == "disk swap on the db hosts")
            .collect();
        (found.len() == 2).then_some(found)
    });
    assert_eq!(made[0]["id"], made[1]["id"], "one silence, gossiped");
    let sil = &made[0];
    assert_eq!(sil["createdBy"], "pty");
    assert_eq!(sil["status"]["state"], "active");
    assert_eq!(
        kit::amtool::matchers_of(&sil["matchers"], "isRegex", "isEqual"),
        [
            ("alertname".to_string(), "DiskFull".to_string(), false, true),
            ("instance".to_string(), "db-.*".to_string(), true, true)
        ]
    );
    let at = |k: &str| {
        sil[k]
            .as_str()
            .unwrap()
            .parse::<chrono::DateTime<Utc>>()
            .unwrap()
    };
    let (start, end) = (at("startsAt"), at("endsAt"));
    assert!(start >= asked - chrono::Duration::seconds(5) && start <= Utc::now());
    let span = (end - start).num_seconds();
    assert!((5390..=5400).contains(&span), "90 minutes: {span} s");
    s.send(b"q");
    s.send(b"q");
    s.wait_exit();
}
