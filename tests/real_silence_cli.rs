//! `onwatch silence list` on a real two-replica Alertmanager 0.25, with amtool as the oracle:
//! silences made by running amtool (active, pending, an ack, an expired one) are listed once
//! each across the replicas with amtool's matchers, times, author and comment, the state and
//! how many alerts each matches now.

#![allow(clippy::unwrap_used)]

mod am_support;
mod kit;

use am_support::{AmPair, prom_alert};
use serde_json::Value;
use std::time::{Duration, Instant};

fn instant(v: &Value) -> chrono::DateTime<chrono::Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silences_made_with_amtool_are_listed_once_each_as_amtool_shows_them() {
    let pair = AmPair::start().await;
    let started = chrono::Utc::now() - chrono::Duration::minutes(5);
    let mut posted = Vec::new();
    for instance in ["db-1", "db-2", "web-1"] {
        for replica in ["prom-a", "prom-b"] {
            posted.push(prom_alert(
                &[("alertname", "DiskFull"), ("instance", instance)],
                replica,
                started,
                None,
            ));
        }
    }
    pair.post_alerts(&posted).await;
    let url = pair.replicas[0].url();
    let active = kit::amtool::run(
        &url,
        &[
            "silence",
            "add",
            "--author=bob",
            "--comment=disk swap on the db hosts",
            "--duration=2h",
            "alertname=DiskFull",
            "instance=~db-.*",
        ],
    );
    let ack = kit::amtool::run(
        &url,
        &[
            "silence",
            "add",
            "--author=carol",
            "--comment=ack: looking",
            "--duration=30m",
            "instance=web-1",
        ],
    );
    let start = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let pending = kit::amtool::run(
        &url,
        &[
            "silence",
            "add",
            "--author=dave",
            "--comment=Sunday window",
            &format!("--start={start}"),
            "--duration=2h",
            "alertname=DiskFull",
        ],
    );
    let gone = kit::amtool::run(
        &url,
        &[
            "silence",
            "add",
            "--author=erin",
            "--comment=done already",
            "--duration=1h",
            "alertname=Old",
        ],
    );
    kit::amtool::run(&url, &["silence", "expire", &gone]);

    // Both replicas know all four (gossip), and Alertmanager has marked the silenced alerts.
    let other = pair.replicas[1].url();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let known =
            kit::amtool::silences(&other, false).len() + kit::amtool::silences(&other, true).len();
        let marked = pair
            .client(0)
            .alerts()
            .await
            .unwrap()
            .iter()
            .filter(|a| !a.silenced_by.is_empty())
            .count();
        if known == 4 && marked == 6 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{known} silences, {marked} marked"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("onwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[[alertmanager]]\nname = \"prod\"\nurls = [\"{url}\", \"{other}\"]\n\n[alerts]\ndedup_labels = [\"replica\"]\n"
        ),
    )
    .unwrap();
    let list = |extra: &[&str]| {
        let (code, out, err) = kit::binary::run(
            kit::binary::onwatch(home.path())
                .arg("--config")
                .arg(&config)
                .args(["silence", "list"])
                .args(extra),
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let rows: Vec<Value> = serde_json::from_str(&list(&["--format", "json"])).unwrap();
    let oracle = kit::amtool::silences(&url, false);
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [ack.as_str(), active.as_str(), pending.as_str()],
        "soonest end first, then pending"
    );
    for row in &rows {
        let want = &oracle[row["id"].as_str().unwrap()];
        assert_eq!(row["created_by"], want["createdBy"]);
        assert_eq!(row["comment"], want["comment"]);
        assert_eq!(row["state"], want["status"]["state"]);
        assert_eq!(instant(&row["starts_at"]), instant(&want["startsAt"]));
        assert_eq!(instant(&row["ends_at"]), instant(&want["endsAt"]));
        assert_eq!(
            kit::amtool::matchers_of(&row["matchers"], "is_regex", "is_equal"),
            kit::amtool::matchers_of(&want["matchers"], "isRegex", "isEqual")
        );
    }
    let by_id = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(
        by_id(&active)["matching"],
        2,
        "db-1 and db-2, once each across HA copies"
    );
    assert_eq!(by_id(&ack)["kind"], "ack");
    assert_eq!(by_id(&active)["kind"], "silence");
    assert_eq!(by_id(&pending)["state"], "pending");
    assert_eq!(
        by_id(&pending)["matching"],
        3,
        "what it would silence once it starts"
    );
    let seconds = by_id(&pending)["seconds"].as_i64().unwrap();
    assert!(
        (3500..=3600).contains(&seconds),
        "starts in about an hour: {seconds}"
    );

    let with_expired: Vec<Value> =
        serde_json::from_str(&list(&["--format", "json", "--expired"])).unwrap();
    assert_eq!(with_expired.len(), 4);
    assert_eq!(with_expired[3]["id"], gone.as_str());
    assert_eq!(with_expired[3]["state"], "expired");

    let text = list(&[]);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("CLUSTER"), "{text}");
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[2].contains(&active)
            && lines[2].contains("{alertname=\"DiskFull\", instance=~\"db-.*\"}"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_that_does_not_answer_is_said_and_the_others_are_still_listed() {
    let pair = AmPair::start().await;
    let url = pair.replicas[0].url();
    let id = pair.silence(&[("alertname", "X")], "bob", "window").await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("onwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[general]\ntimeout = \"2s\"\n\n[[alertmanager]]\nname = \"prod\"\nurls = [\"{url}\"]\n\n[[alertmanager]]\nname = \"gone\"\nurls = [\"http://127.0.0.1:9\"]\n"
        ),
    )
    .unwrap();
    let (code, out, err) = kit::binary::run(
        kit::binary::onwatch(home.path())
            .arg("--config")
            .arg(&config)
            .args(["silence", "list", "--format", "json"]),
    );
    assert_eq!(code, 2, "some cluster did not answer");
    assert!(err.contains("gone") && err.contains("refused"), "{err}");
    let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["cluster"], "prod");
}

/// A config for the cluster `prod` at `urls`, acting as `tester`, its state (outbox, audit log)
/// in `home/state`.
fn acting_config(home: &std::path::Path, urls: &[String]) -> std::path::PathBuf {
    let quoted: Vec<String> = urls.iter().map(|u| format!("{u:?}")).collect();
    let config = home.join("onwatch.toml");
    std::fs::write(
        &config,
        format!(
            "[general]\nuser = \"tester\"\nrefresh = \"1s\"\ntimeout = \"2s\"\n\n[actions]\nstate_dir = {:?}\n\n[[alertmanager]]\nname = \"prod\"\nurls = [{}]\n",
            home.join("state").display().to_string(),
            quoted.join(", ")
        ),
    )
    .unwrap();
    config
}

fn silence_cmd(
    home: &std::path::Path,
    config: &std::path::Path,
    args: &[&str],
) -> (i32, String, String) {
    kit::binary::run(
        kit::binary::onwatch(home)
            .arg("--config")
            .arg(config)
            .arg("silence")
            .args(args),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_extend_and_bulk_expire_are_what_amtool_then_shows_on_both_replicas() {
    let pair = AmPair::start().await;
    let urls: Vec<String> = pair.replicas.iter().map(|r| r.url()).collect();
    let home = tempfile::tempdir().unwrap();
    let config = acting_config(home.path(), &urls);
    let before = chrono::Utc::now();
    let (code, out, err) = silence_cmd(
        home.path(),
        &config,
        &[
            "add",
            "alertname=DiskFull",
            "instance=~db-.*",
            "--comment",
            "disk swap",
            "--duration",
            "2h",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let sent: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["outcome"], "done");
    let id = sent[0]["detail"].as_str().unwrap().to_string();
    // The executor waited for gossip: the other replica already has it.
    let theirs = kit::amtool::silences(&urls[1], false);
    let s = &theirs[&id];
    assert_eq!(s["createdBy"], "tester");
    assert_eq!(s["comment"], "disk swap");
    let starts = instant(&s["startsAt"]);
    assert!(starts >= before - chrono::Duration::seconds(1) && starts <= chrono::Utc::now());
    // Two hours from when it was asked (Alertmanager moves a start in the past to its now).
    let ends = instant(&s["endsAt"]);
    assert!(
        ends >= before + chrono::Duration::hours(2)
            && ends <= chrono::Utc::now() + chrono::Duration::hours(2)
    );
    assert_eq!(
        kit::amtool::matchers_of(&s["matchers"], "isRegex", "isEqual"),
        [
            ("alertname".to_string(), "DiskFull".to_string(), false, true),
            ("instance".to_string(), "db-.*".to_string(), true, true)
        ]
    );

    // Extended: the id Alertmanager answers is followed, the old one is no longer active.
    let (code, out, err) = silence_cmd(
        home.path(),
        &config,
        &["extend", &id, "--for", "5h", "--format", "json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let extended: Vec<Value> = serde_json::from_str(&out).unwrap();
    let new_id = extended[0]["detail"].as_str().unwrap().to_string();
    let live = kit::amtool::silences(&urls[0], false);
    let end = instant(&live[&new_id]["endsAt"]);
    let want = chrono::Utc::now() + chrono::Duration::hours(5);
    assert!((want - end).num_seconds().abs() < 30, "{end} vs {want}");
    assert_eq!(
        live.len(),
        1,
        "one active silence, whatever its id: {live:?}"
    );

    // Bulk expiry: three silences (two more made with amtool) expired in one command.
    let a = kit::amtool::run(
        &urls[0],
        &[
            "silence",
            "add",
            "--author=bob",
            "--comment=x",
            "alertname=A",
        ],
    );
    let b = kit::amtool::run(
        &urls[0],
        &[
            "silence",
            "add",
            "--author=bob",
            "--comment=y",
            "alertname=B",
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    while kit::amtool::silences(&urls[1], false).len() < 3 {
        assert!(Instant::now() < deadline, "gossip");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (code, out, err) = silence_cmd(home.path(), &config, &["expire", &new_id, &a, &b]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out.lines().filter(|l| l.contains("expire done")).count(),
        3,
        "{out}"
    );
    for url in &urls {
        assert!(
            kit::amtool::silences(url, false).is_empty(),
            "none active on {url}"
        );
    }
    let audit = std::fs::read_to_string(home.path().join("state/audit.jsonl")).unwrap();
    let done: Vec<&str> = audit
        .lines()
        .filter(|l| l.contains("\"outcome\":\"done\""))
        .collect();
    assert_eq!(done.len(), 5, "add, extend, three expiries: {audit}");
    assert!(
        done[0].contains(
            "\"silence_matchers\":\"{alertname=\\\"DiskFull\\\", instance=~\\\"db-.*\\\"}\""
        ),
        "{}",
        done[0]
    );

    let (code, _, err) = silence_cmd(home.path(), &config, &["expire", "no-such-id"]);
    assert_eq!(code, 1);
    assert!(err.contains("no silence no-such-id"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silence_made_while_alertmanager_is_down_is_kept_and_delivered_once_when_it_is_back() {
    let mut pair = AmPair::start().await;
    let url = pair.replicas[0].url();
    let other = pair.replicas[1].url();
    let home = tempfile::tempdir().unwrap();
    let config = acting_config(home.path(), std::slice::from_ref(&url));
    pair.stop(0);
    let (code, out, err) = silence_cmd(
        home.path(),
        &config,
        &[
            "add",
            "alertname=Gone",
            "--comment",
            "made while down",
            "--wait",
            "2s",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("kept in the outbox"), "{out}");
    let outbox = || {
        std::fs::read_dir(home.path().join("state/outbox"))
            .unwrap()
            .count()
    };
    assert_eq!(outbox(), 1);

    pair.restart(0).await;
    // The cockpit started here sends what the outbox holds, once.
    let mut cockpit = kit::pty::Session::start(&["--config", config.to_str().unwrap()]);
    let made = kit::pty::eventually("the silence on both replicas", || {
        let found: Vec<Value> = [&url, &other]
            .iter()
            .flat_map(|u| kit::amtool::silences(u, false).into_values())
            .filter(|s| s["comment"] == "made while down")
            .collect();
        (found.len() == 2).then_some(found)
    });
    assert_eq!(made[0]["id"], made[1]["id"], "one silence, gossiped");
    assert_eq!(made[0]["createdBy"], "tester");
    kit::pty::eventually("the outbox emptied", || (outbox() == 0).then_some(()));
    cockpit.send(b"q");
    cockpit.wait_exit();
    let all: usize = kit::amtool::silences(&url, false)
        .values()
        .filter(|s| s["comment"] == "made while down")
        .count();
    assert_eq!(all, 1, "delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silence_starting_soon_is_pending_then_active_on_the_next_poll_after_its_start() {
    let pair = AmPair::start().await;
    let urls: Vec<String> = pair.replicas.iter().map(|r| r.url()).collect();
    let started = chrono::Utc::now() - chrono::Duration::minutes(1);
    pair.post_alerts(&[prom_alert(
        &[("alertname", "Soon")],
        "prom-a",
        started,
        None,
    )])
    .await;
    let starts = chrono::Utc::now() + chrono::Duration::seconds(6);
    let id = kit::amtool::run(
        &urls[0],
        &[
            "silence",
            "add",
            "--author=bob",
            "--comment=starts in a moment",
            &format!("--start={}", starts.to_rfc3339()),
            "--duration=1h",
            "alertname=Soon",
        ],
    );
    let home = tempfile::tempdir().unwrap();
    let config = acting_config(home.path(), &urls);
    let row = || {
        let (code, out, err) = silence_cmd(home.path(), &config, &["list", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let rows: Vec<Value> = serde_json::from_str(&out).unwrap();
        rows.into_iter().find(|r| r["id"] == id.as_str()).unwrap()
    };
    let first = row();
    assert_eq!(first["state"], "pending");
    assert_eq!(first["matching"], 1, "what it will silence");
    // Polled until it turns, within a bound: its start plus Alertmanager's marking.
    let deadline = Instant::now() + Duration::from_secs(20);
    let active = loop {
        let r = row();
        if r["state"] == "active" && r["matching"] == 1 {
            break r;
        }
        assert!(Instant::now() < deadline, "still {r}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(chrono::Utc::now() >= starts, "not before its start");
    assert!(
        active["seconds"].as_i64().unwrap() > 3500,
        "an hour from its start"
    );
}
